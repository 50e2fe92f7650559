//! Jacobian-coordinate point arithmetic for verification: (X : Y : Z) stands for
//! (X/Z², Y/Z³). Cheaper than the complete projective
//! formulas the RustCrypto crates use (a doubling is 3M + 5S for a = −3 against 8M + 3S
//! plus many additions), at the price of special cases (P = Q, P = −Q, infinity) that
//! are handled by branches: fine for public values, never for secret ones.
//!
//! The point at infinity is a flag, not Z = 0: a zero test of a field element costs a
//! full reduction and encoding in some of the crates' fields (a quarter of a P-521
//! verification when every doubling asked). On a prime-order curve a finite point's
//! doubling has Z₃ = 2·Y·Z ≠ 0, so only an addition can reach infinity, and it tests H.
//!
//! Formulas: Bernstein–Lange, Explicit-Formulas Database, "Jacobian coordinates":
//! dbl-2001-b (a = −3), dbl-2007-bl (any a), add-2007-bl, madd-2007-bl.

use super::field::Fp;

/// The curve's `a`, which picks the doubling formula.
#[derive(Clone, Copy)]
pub(super) enum CoefficientA<F> {
    /// a = −3 (the NIST curves): dbl-2001-b.
    MinusThree,
    /// Any other a (the brainpool curves): dbl-2007-bl.
    General(F),
}

/// An affine point (never the point at infinity): the precomputed tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::crypto::ec) struct Affine<F> {
    pub(in crate::crypto::ec) x: F,
    pub(in crate::crypto::ec) y: F,
}

impl<F: Fp> Affine<F> {
    pub(super) fn neg(&self) -> Self {
        Self { x: self.x, y: -self.y }
    }
}

/// Whether an addition tests for P = ±Q.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Exceptions {
    /// P = Q is doubled, P = −Q gives the point at infinity.
    Checked,
    /// No test (a zero test per addition, costly in some fields): if P = ±Q the result
    /// has Z = 0, which every later doubling and addition keeps (each Z₃ is a multiple of
    /// Z₁). The caller tests Z once at the end ([`Jacobian::met_an_exception`]) and, if
    /// it is 0, computes again with [`Exceptions::Checked`].
    Deferred,
}

/// A point in Jacobian coordinates, or the point at infinity.
#[derive(Clone, Copy, Debug)]
pub(super) struct Jacobian<F> {
    pub(super) x: F,
    pub(super) y: F,
    pub(super) z: F,
    infinity: bool,
}

impl<F: Fp> From<&Affine<F>> for Jacobian<F> {
    fn from(p: &Affine<F>) -> Self {
        Self { x: p.x, y: p.y, z: F::ONE, infinity: false }
    }
}

impl<F: Fp> Jacobian<F> {
    pub(super) const INFINITY: Self = Self { x: F::ONE, y: F::ONE, z: F::ZERO, infinity: true };

    pub(super) fn is_infinity(&self) -> bool {
        self.infinity
    }

    pub(super) fn neg(&self) -> Self {
        Self { y: -self.y, ..*self }
    }

    /// 2P. A point with Y = 0 (order 2) does not exist on the prime-order curves served
    /// here, so the double of a finite point is finite.
    pub(super) fn double(&self, a: &CoefficientA<F>) -> Self {
        if self.is_infinity() {
            return *self;
        }
        match a {
            CoefficientA::MinusThree => {
                let delta = self.z.square();
                let gamma = self.y.square();
                let beta = self.x * gamma;
                let t = (self.x - delta) * (self.x + delta);
                let alpha = t.double() + t;
                let beta4 = beta.double().double();
                let x3 = alpha.square() - beta4.double();
                let z3 = (self.y + self.z).square() - gamma - delta;
                let gamma8 = gamma.square().double().double().double();
                let y3 = alpha * (beta4 - x3) - gamma8;
                Self { x: x3, y: y3, z: z3, infinity: false }
            }
            CoefficientA::General(a) => {
                let xx = self.x.square();
                let yy = self.y.square();
                let yyyy = yy.square();
                let zz = self.z.square();
                let s = ((self.x + yy).square() - xx - yyyy).double();
                let m = xx.double() + xx + *a * zz.square();
                let x3 = m.square() - s.double();
                let y3 = m * (s - x3) - yyyy.double().double().double();
                let z3 = (self.y + self.z).square() - yy - zz;
                Self { x: x3, y: y3, z: z3, infinity: false }
            }
        }
    }

    /// P + Q (add-2007-bl), with the cases the formula does not cover: either point at
    /// infinity, P = Q (a doubling) and P = −Q (infinity).
    pub(super) fn add(&self, q: &Self, a: &CoefficientA<F>) -> Self {
        self.add_with(q, a, Exceptions::Checked)
    }

    /// Z = 0 on a point not flagged as infinity: a deferred addition met P = ±Q.
    pub(super) fn met_an_exception(&self) -> bool {
        !self.infinity && self.z.is_zero_vartime()
    }

    /// [`Self::add`], or with [`Exceptions::Deferred`] without the P = ±Q test.
    #[inline]
    pub(super) fn add_with(&self, q: &Self, a: &CoefficientA<F>, exceptions: Exceptions) -> Self {
        if self.is_infinity() {
            return *q;
        }
        if q.is_infinity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x * z2z2;
        let u2 = q.x * z1z1;
        let s1 = self.y * q.z * z2z2;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if exceptions == Exceptions::Checked && h.is_zero_vartime() {
            return if r.is_zero_vartime() { self.double(a) } else { Self::INFINITY };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + q.z).square() - z1z1 - z2z2) * h;
        Self { x: x3, y: y3, z: z3, infinity: false }
    }

    /// P + Q for an affine Q (madd-2007-bl), with the same special cases as
    /// [`Self::add`] ([`Exceptions::Checked`]) or without the P = ±Q test.
    #[inline]
    pub(super) fn add_affine_with(&self, q: &Affine<F>, a: &CoefficientA<F>, exceptions: Exceptions) -> Self {
        if self.is_infinity() {
            return Self::from(q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x * z1z1;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if exceptions == Exceptions::Checked && h.is_zero_vartime() {
            return if r.is_zero_vartime() { self.double(a) } else { Self::INFINITY };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (self.y * j).double();
        let z3 = (self.z + h).square() - z1z1 - hh;
        Self { x: x3, y: y3, z: z3, infinity: false }
    }
}

/// The affine forms of `points` (none at infinity) with one inversion (Montgomery's
/// trick). `None` if a point is at infinity.
pub(super) fn batch_to_affine<F: Fp>(points: &[Jacobian<F>]) -> Option<Vec<Affine<F>>> {
    // prefix[i] = z₀·…·zᵢ₋₁
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = F::ONE;
    for p in points {
        if p.is_infinity() {
            return None;
        }
        prefix.push(acc);
        acc *= p.z;
    }
    let mut inv = acc.invert_vartime()?;
    let mut out = vec![Affine { x: F::ZERO, y: F::ZERO }; points.len()];
    for ((p, before), slot) in points.iter().zip(&prefix).zip(out.iter_mut()).rev() {
        let z_inv = inv * *before; // 1/zᵢ
        inv *= p.z; // 1/(z₀·…·zᵢ₋₁)
        let z_inv2 = z_inv.square();
        *slot = Affine { x: p.x * z_inv2, y: p.y * z_inv2 * z_inv };
    }
    Some(out)
}
