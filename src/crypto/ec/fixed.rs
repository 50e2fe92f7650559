//! The engine's fast constant-time path: the same complete formulas as [`super::ct`], on
//! crypto-bigint's stack-allocated `FixedMontyForm<L>` instead of the heap-allocated
//! `BoxedMontyForm`, with a fixed 4-bit window instead of a bit-by-bit ladder.
//!
//! Why both: the curve is known only at run time, but its size falls in a handful of limb
//! counts (3 limbs for 160–192-bit fields up to 9 for P-521). [`FixedField`] picks the
//! monomorphised arithmetic once, when the curve is built; a size without a variant (only
//! explicit parameters of unusual size, or 32-bit targets) keeps the boxed ladder.
//!
//! Constant time: the scalar (whose length is public) is recoded into signed radix-16
//! digits without branches; every digit costs four doublings and one complete addition of
//! a table entry chosen by a constant-time scan of all eight (|digit|·P, the identity for 0)
//! and a constant-time negation for the sign: the window of RustCrypto's `primeorder`. The
//! doublings run in Jacobian coordinates (dbl-2007-bl, exception-free), cheaper than the
//! complete projective doubling for curves with a general `a` such as the brainpool ones.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams, FixedMontyForm, FixedMontyParams};
use crypto_bigint::{BoxedUint, Choice, CtAssign, CtEq, MontyForm, MontyMultiplier, NonZero, Odd, Uint, Word};
use zeroize::Zeroize;

/// A field element in Montgomery representation, without its parameters: the formulas and
/// the table scan then move `L` words, not the parameters a `FixedMontyForm` carries.
type Fe<const L: usize> = Uint<L>;

/// A projective point (X : Y : Z), identity (0 : 1 : 0).
type Point<const L: usize> = [Fe<L>; 3];

/// A curve's field and coefficients at one limb count.
#[derive(Clone)]
pub(super) struct Field<const L: usize> {
    params: FixedMontyParams<L>,
    a: Fe<L>,
    b3: Fe<L>,
    one: Fe<L>,
}

/// The curve's arithmetic at its limb count, chosen once.
#[derive(Clone)]
pub(super) enum FixedField {
    /// 129–192-bit fields (P-192, brainpoolP192r1).
    L3(Field<3>),
    /// 193–256-bit fields (P-224, P-256, brainpoolP224r1/P256r1).
    L4(Field<4>),
    /// 257–320-bit fields (brainpoolP320r1).
    L5(Field<5>),
    /// 321–384-bit fields (P-384, brainpoolP384r1).
    L6(Field<6>),
    /// 449–512-bit fields (brainpoolP512r1).
    L8(Field<8>),
    /// 513–576-bit fields (P-521).
    L9(Field<9>),
}

/// `v` (a boxed integer of exactly `L` limbs' precision) as a fixed-size one.
fn fixed_uint<const L: usize>(v: &BoxedUint) -> Option<Uint<L>> {
    let words = v.as_words();
    if words.len() != L {
        return None;
    }
    let mut out = [Word::default(); L];
    out.iter_mut().zip(words).for_each(|(d, s)| *d = *s);
    Some(Uint::from_words(out))
}

fn to_fixed<const L: usize>(v: &BoxedMontyForm, params: &FixedMontyParams<L>) -> Option<Fe<L>> {
    let mut int = v.retrieve();
    let out = fixed_uint::<L>(&int).map(|u| *FixedMontyForm::new(&u, params).as_montgomery());
    int.zeroize();
    out
}

fn to_boxed<const L: usize>(v: &FixedMontyForm<L>, fp: &BoxedMontyParams) -> BoxedMontyForm {
    let mut int = v.retrieve();
    let out = BoxedMontyForm::new(BoxedUint::from_words(int.to_words()), fp);
    int.zeroize();
    out
}

/// The field operations of one scalar multiplication. Products go through crypto-bigint's
/// Montgomery multiplier in place on two scratch elements (no parameter copies); sums and
/// differences are `Uint`'s constant-time modular ones on the Montgomery representations.
struct Ops<'a, const L: usize> {
    m: <FixedMontyForm<L> as MontyForm>::Multiplier<'a>,
    lhs: FixedMontyForm<L>,
    rhs: FixedMontyForm<L>,
    p: &'a NonZero<Uint<L>>,
    a: Fe<L>,
    b3: Fe<L>,
}

impl<const L: usize> Drop for Ops<'_, L> {
    fn drop(&mut self) {
        self.lhs.zeroize();
        self.rhs.zeroize();
    }
}

impl<const L: usize> Ops<'_, L> {
    fn mul(&mut self, x: &Fe<L>, y: &Fe<L>) -> Fe<L> {
        *self.lhs.as_montgomery_mut() = *x;
        *self.rhs.as_montgomery_mut() = *y;
        self.m.mul_assign(&mut self.lhs, &self.rhs);
        *self.lhs.as_montgomery()
    }

    fn square(&mut self, x: &Fe<L>) -> Fe<L> {
        *self.lhs.as_montgomery_mut() = *x;
        self.m.square_assign(&mut self.lhs);
        *self.lhs.as_montgomery()
    }

    fn add(&self, x: &Fe<L>, y: &Fe<L>) -> Fe<L> {
        x.add_mod(y, self.p)
    }

    fn sub(&self, x: &Fe<L>, y: &Fe<L>) -> Fe<L> {
        x.sub_mod(y, self.p)
    }

    fn double(&self, x: &Fe<L>) -> Fe<L> {
        x.double_mod(self.p)
    }

    /// RCB Algorithm 1 (complete addition, any a); see [`super::ct`].
    #[allow(clippy::many_single_char_names)]
    fn add_points(&mut self, p: &Point<L>, q: &Point<L>) -> Point<L> {
        let [x1, y1, z1] = p;
        let [x2, y2, z2] = q;
        let (a, b3) = (self.a, self.b3);
        let mut t0 = self.mul(x1, x2);
        let mut t1 = self.mul(y1, y2);
        let mut t2 = self.mul(z1, z2);
        let mut t3 = self.add(x1, y1);
        let mut t4 = self.add(x2, y2);
        t3 = self.mul(&t3, &t4);
        t4 = self.add(&t0, &t1);
        t3 = self.sub(&t3, &t4);
        t4 = self.add(x1, z1);
        let mut t5 = self.add(x2, z2);
        t4 = self.mul(&t4, &t5);
        t5 = self.add(&t0, &t2);
        t4 = self.sub(&t4, &t5);
        t5 = self.add(y1, z1);
        let mut x3 = self.add(y2, z2);
        t5 = self.mul(&t5, &x3);
        x3 = self.add(&t1, &t2);
        t5 = self.sub(&t5, &x3);
        let mut z3 = self.mul(&a, &t4);
        x3 = self.mul(&b3, &t2);
        z3 = self.add(&x3, &z3);
        x3 = self.sub(&t1, &z3);
        z3 = self.add(&t1, &z3);
        let mut y3 = self.mul(&x3, &z3);
        t1 = self.double(&t0);
        t1 = self.add(&t1, &t0);
        t2 = self.mul(&a, &t2);
        t4 = self.mul(&b3, &t4);
        t1 = self.add(&t1, &t2);
        t2 = self.sub(&t0, &t2);
        t2 = self.mul(&a, &t2);
        t4 = self.add(&t4, &t2);
        t0 = self.mul(&t1, &t4);
        y3 = self.add(&y3, &t0);
        t0 = self.mul(&t5, &t4);
        x3 = self.mul(&t3, &x3);
        x3 = self.sub(&x3, &t0);
        t0 = self.mul(&t3, &t1);
        z3 = self.mul(&t5, &z3);
        z3 = self.add(&z3, &t0);
        [x3, y3, z3]
    }
}

impl<const L: usize> Ops<'_, L> {
    /// Doubling in Jacobian coordinates (X/Z², Y/Z³), dbl-2007-bl for any a: about 60 % of
    /// the cost of RCB Algorithm 3, and exception-free too: Z = 0 stays 0 (the identity),
    /// Y = 0 gives Z = 0 (no point of order 2 exists on these curves anyway). The four
    /// doublings of each window run here, between two conversions.
    fn double_jacobian(&mut self, p: &Point<L>) -> Point<L> {
        let [x1, y1, z1] = p;
        let xx = self.square(x1);
        let yy = self.square(y1);
        let yyyy = self.square(&yy);
        let zz = self.square(z1);
        let mut s = self.add(x1, &yy);
        s = self.square(&s);
        s = self.sub(&s, &xx);
        s = self.sub(&s, &yyyy);
        s = self.double(&s);
        let zzzz = self.square(&zz);
        let a = self.a;
        let azzzz = self.mul(&a, &zzzz);
        let mut m = self.double(&xx);
        m = self.add(&m, &xx);
        m = self.add(&m, &azzzz);
        let mut t = self.square(&m);
        t = self.sub(&t, &self.double(&s));
        let mut y3 = self.sub(&s, &t);
        y3 = self.mul(&m, &y3);
        let y8 = self.double(&self.double(&self.double(&yyyy)));
        y3 = self.sub(&y3, &y8);
        let mut z3 = self.add(y1, z1);
        z3 = self.square(&z3);
        z3 = self.sub(&z3, &yy);
        z3 = self.sub(&z3, &zz);
        [t, y3, z3]
    }

    /// Projective (X : Y : Z) → Jacobian (X·Z, Y·Z², Z). Every identity (0 : Y : 0) becomes
    /// (1 : 1 : 0), which Jacobian doubling keeps as it is.
    fn jacobian_of(&mut self, p: &Point<L>, one: &Fe<L>) -> Point<L> {
        let [x, y, z] = p;
        let zz = self.square(z);
        let mut out = [self.mul(x, z), self.mul(y, &zz), *z];
        assign_if(&mut out, &[*one, *one, Fe::ZERO], z.is_zero());
        out
    }

    /// Jacobian (X, Y, Z) → projective (X·Z : Y : Z³); (1 : 1 : 0) becomes (0 : 1 : 0).
    fn projective_of(&mut self, p: &Point<L>) -> Point<L> {
        let [x, y, z] = p;
        let zz = self.square(z);
        [self.mul(x, z), *y, self.mul(&zz, z)]
    }
}

/// Signed radix-16 digits of big-endian `k`, least significant first: every digit in
/// [−8, 8), the last (a carry) 0 or 1, computed without branches on `k`.
fn radix16(k: &[u8]) -> zeroize::Zeroizing<Vec<i8>> {
    let mut digits = zeroize::Zeroizing::new(Vec::with_capacity(2 * k.len() + 1));
    for byte in k.iter().rev() {
        digits.push((byte & 0x0F) as i8);
        digits.push((byte >> 4) as i8);
    }
    digits.push(0);
    let mut carry = 0i8;
    for d in digits.iter_mut() {
        // d + carry ∈ [0, 16]; digits ≥ 8 become d − 16 with a carry into the next.
        let v = *d + carry;
        carry = (v + 8) >> 4;
        *d = v - (carry << 4);
    }
    digits
}

fn assign_if<const L: usize>(dst: &mut Point<L>, src: &Point<L>, c: Choice) {
    dst.iter_mut().zip(src.iter()).for_each(|(d, s)| d.ct_assign(s, c));
}

impl<const L: usize> Field<L> {
    fn new(fp: &BoxedMontyParams, a: &BoxedMontyForm, b3: &BoxedMontyForm) -> Option<Self> {
        let p = fixed_uint::<L>(fp.modulus().as_ref())?;
        let params = FixedMontyParams::new_vartime(Odd::new(p).into_option()?);
        let one = *FixedMontyForm::one(&params).as_montgomery();
        Some(Self { a: to_fixed(a, &params)?, b3: to_fixed(b3, &params)?, one, params })
    }

    /// `k·(x, y)` with a fixed 4-bit window; affine result, `None` for the identity.
    fn mul(&self, k: &[u8], x: &Fe<L>, y: &Fe<L>) -> Option<(FixedMontyForm<L>, FixedMontyForm<L>)> {
        let zero = FixedMontyForm::zero(&self.params);
        let mut ops = Ops {
            m: <FixedMontyForm<L> as MontyForm>::Multiplier::from(&self.params),
            lhs: zero,
            rhs: zero,
            p: self.params.modulus().as_nz_ref(),
            a: self.a,
            b3: self.b3,
        };
        let identity = [Fe::ZERO, self.one, Fe::ZERO];
        let base = [*x, *y, self.one];
        // table[j] = (j + 1)·P; the digit's sign is applied by negating Y.
        let mut table = [base; 8];
        let mut prev = base;
        for entry in table.iter_mut().skip(1) {
            prev = ops.add_points(&prev, &base);
            *entry = prev;
        }
        let digits = radix16(k);
        let mut acc = identity;
        let mut pick = identity;
        for (n, &d) in digits.iter().rev().enumerate() {
            if n > 0 {
                // The digit count is public (it follows k's length), so this branch is too.
                let mut jac = ops.jacobian_of(&acc, &self.one);
                for _ in 0..4 {
                    jac = ops.double_jacobian(&jac);
                }
                acc = ops.projective_of(&jac);
                jac.zeroize();
            }
            let negative = (d as u8) >> 7;
            let magnitude = ((d as u8) ^ negative.wrapping_neg()).wrapping_add(negative);
            pick = identity;
            for (j, entry) in (1u8..).zip(table.iter()) {
                assign_if(&mut pick, entry, j.ct_eq(&magnitude));
            }
            let neg_y = pick[1].neg_mod(ops.p);
            pick[1].ct_assign(&neg_y, Choice::from_u8_lsb(negative));
            acc = ops.add_points(&acc, &pick);
        }
        pick.zeroize();
        prev.zeroize();
        table.iter_mut().for_each(Zeroize::zeroize);
        let [ax, ay, az] = acc;
        acc.zeroize();
        let zinv = FixedMontyForm::from_montgomery(az, &self.params).invert().into_option();
        zinv.map(|zi| {
            (
                FixedMontyForm::from_montgomery(ax, &self.params).mul(&zi),
                FixedMontyForm::from_montgomery(ay, &self.params).mul(&zi),
            )
        })
    }

    fn mul_boxed(
        &self,
        fp: &BoxedMontyParams,
        k: &[u8],
        x: &BoxedMontyForm,
        y: &BoxedMontyForm,
    ) -> Option<Option<(BoxedMontyForm, BoxedMontyForm)>> {
        let (x, y) = (to_fixed(x, &self.params)?, to_fixed(y, &self.params)?);
        Some(self.mul(k, &x, &y).map(|(rx, ry)| (to_boxed(&rx, fp), to_boxed(&ry, fp))))
    }
}

impl FixedField {
    /// The fixed-size arithmetic for the field of `fp`, if its limb count has a variant.
    pub(super) fn new(fp: &BoxedMontyParams, a: &BoxedMontyForm, b3: &BoxedMontyForm) -> Option<Self> {
        Some(match fp.modulus().as_ref().nlimbs() {
            3 => Self::L3(Field::new(fp, a, b3)?),
            4 => Self::L4(Field::new(fp, a, b3)?),
            5 => Self::L5(Field::new(fp, a, b3)?),
            6 => Self::L6(Field::new(fp, a, b3)?),
            8 => Self::L8(Field::new(fp, a, b3)?),
            9 => Self::L9(Field::new(fp, a, b3)?),
            _ => return None,
        })
    }

    /// `k·(x, y)` in constant time (secret `k`, public length). The outer `None` means the
    /// coordinates did not fit (never for a point of this curve); the inner one is the
    /// identity.
    pub(super) fn mul(
        &self,
        fp: &BoxedMontyParams,
        k: &[u8],
        x: &BoxedMontyForm,
        y: &BoxedMontyForm,
    ) -> Option<Option<(BoxedMontyForm, BoxedMontyForm)>> {
        match self {
            Self::L3(f) => f.mul_boxed(fp, k, x, y),
            Self::L4(f) => f.mul_boxed(fp, k, x, y),
            Self::L5(f) => f.mul_boxed(fp, k, x, y),
            Self::L6(f) => f.mul_boxed(fp, k, x, y),
            Self::L8(f) => f.mul_boxed(fp, k, x, y),
            Self::L9(f) => f.mul_boxed(fp, k, x, y),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Curve, NamedCurve};
    use super::radix16;

    #[test]
    fn signed_digits_recompose_to_the_scalar() {
        for k in [vec![0u8], vec![0x08], vec![0x88, 0xFF], vec![0xFF; 9], vec![0x7F, 0x80, 0x00, 0x01]] {
            let digits = radix16(&k);
            assert!(digits.iter().all(|d| (-8..8).contains(d)), "{k:02X?}: {digits:?}");
            let value = digits.iter().rev().fold(0i128, |acc, &d| acc * 16 + i128::from(d));
            let expected = k.iter().fold(0i128, |acc, &b| acc * 256 + i128::from(b));
            assert_eq!(value, expected, "{k:02X?}");
        }
    }

    /// Scalars at the edges (0, 1, n − 1, n, n + 1, longer than n, all ones, leading
    /// zeros): the window agrees with the variable-time engine on every named curve.
    #[test]
    fn edge_scalars_agree_with_the_reference_engine() {
        use crypto_bigint::{BoxedUint, Resize};
        for c in NamedCurve::ALL {
            let curve = Curve::named(c).unwrap();
            let g = curve.generator().clone();
            let p = curve.mul_vartime(&[0x1D; 7], &g).unwrap();
            let n = BoxedUint::from_be_slice_vartime(&curve.order()).resize_unchecked(640);
            let near_n = |delta: i64| {
                let d = BoxedUint::from(delta.unsigned_abs()).resize_unchecked(640);
                let v = if delta < 0 { n.wrapping_sub(&d) } else { n.wrapping_add(&d) };
                v.to_be_bytes().to_vec()
            };
            let mut leading_zeros = vec![0u8; 5];
            leading_zeros.extend([0xA5; 16]);
            let cases = [
                vec![0u8],
                vec![1],
                vec![8],
                vec![0x88; 3],
                near_n(-1),
                near_n(0),
                near_n(1),
                near_n(8),
                vec![0xFF; curve.scalar_bytes() + 3],
                leading_zeros,
            ];
            for k in cases {
                for base in [&g, &p] {
                    let expected = curve.mul_vartime(&k, base).map(|q| curve.encode_point(&q));
                    let got = curve.mul_windowed(&k, base).map(|q| curve.encode_point(&q));
                    assert_eq!(got, expected, "{c} k={k:02X?}");
                }
            }
        }
    }
}
