//! What the verification formulas need of a prime field: the RustCrypto crates' field
//! elements (any `ff::Field`) and our own Montgomery fields (`montgomery.rs`) both serve.

use core::ops::{Add, Mul, MulAssign, Neg, Sub};

use elliptic_curve::ff::Field;

/// A prime-field element for public values: the arithmetic the Jacobian formulas use.
pub(in crate::crypto::ec) trait Fp:
    Copy + PartialEq + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Neg<Output = Self> + MulAssign
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// self².
    fn square(&self) -> Self;
    /// 2·self.
    fn double(&self) -> Self;
    /// self = 0, in variable time.
    fn is_zero_vartime(&self) -> bool;
    /// 1/self, `None` for 0; variable time.
    fn invert_vartime(&self) -> Option<Self>;
}

impl<F: Field> Fp for F {
    const ZERO: Self = <F as Field>::ZERO;
    const ONE: Self = <F as Field>::ONE;

    #[inline]
    fn square(&self) -> Self {
        Field::square(self)
    }

    #[inline]
    fn double(&self) -> Self {
        Field::double(self)
    }

    #[inline]
    fn is_zero_vartime(&self) -> bool {
        Field::is_zero_vartime(self)
    }

    fn invert_vartime(&self) -> Option<Self> {
        Field::invert(self).into()
    }
}
