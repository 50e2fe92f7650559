//! Constant-time arithmetic for secret scalars (PACE, chip authentication).
//!
//! Points are projective (X : Y : Z), identity (0 : 1 : 0). Addition uses the complete
//! formulas of Renes, Costello and Batina ("Complete addition formulas for prime order
//! elliptic curves", EUROCRYPT 2016, Algorithm 1, any `a`): one formula for every pair of
//! inputs, doubling and the identity included, so no branch depends on the points.
//! Scalar multiplication is a Montgomery ladder over a fixed number of bits with
//! constant-time conditional swaps. Field operations are crypto-bigint's, constant time
//! for a fixed modulus.
//!
//! All curves eMRTDs use have prime order (cofactor 1), which the formulas require.

use crypto_bigint::modular::BoxedMontyForm;
use crypto_bigint::{Choice, CtAssign};

use super::{AffinePoint, Curve};

/// A projective point.
#[derive(Clone)]
pub(crate) struct Projective {
    x: BoxedMontyForm,
    y: BoxedMontyForm,
    z: BoxedMontyForm,
}

impl Drop for Projective {
    /// The ladder's intermediates depend on the secret scalar: wiped.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.x);
        zeroize::Zeroize::zeroize(&mut self.y);
        zeroize::Zeroize::zeroize(&mut self.z);
    }
}

fn cswap(a: &mut Projective, b: &mut Projective, c: Choice) {
    let t = a.clone();
    a.x.ct_assign(&b.x, c);
    a.y.ct_assign(&b.y, c);
    a.z.ct_assign(&b.z, c);
    b.x.ct_assign(&t.x, c);
    b.y.ct_assign(&t.y, c);
    b.z.ct_assign(&t.z, c);
}

impl Curve {
    fn identity(&self) -> Projective {
        Projective { x: self.zero(), y: self.one(), z: self.zero() }
    }

    fn projective(&self, p: &AffinePoint) -> Projective {
        Projective { x: p.x.clone(), y: p.y.clone(), z: self.one() }
    }

    /// RCB Algorithm 1: complete addition for `y² = x³ + ax + b`.
    #[allow(clippy::many_single_char_names)]
    fn add_complete(&self, p: &Projective, q: &Projective) -> Projective {
        let (x1, y1, z1) = (&p.x, &p.y, &p.z);
        let (x2, y2, z2) = (&q.x, &q.y, &q.z);
        let a = &self.a;
        let b3 = &self.b3;
        let mut t0 = x1.mul(x2);
        let mut t1 = y1.mul(y2);
        let mut t2 = z1.mul(z2);
        let mut t3 = x1.add(y1);
        let mut t4 = x2.add(y2);
        t3 = t3.mul(&t4);
        t4 = t0.add(&t1);
        t3 = t3.sub(&t4);
        t4 = x1.add(z1);
        let mut t5 = x2.add(z2);
        t4 = t4.mul(&t5);
        t5 = t0.add(&t2);
        t4 = t4.sub(&t5);
        t5 = y1.add(z1);
        let mut x3 = y2.add(z2);
        t5 = t5.mul(&x3);
        x3 = t1.add(&t2);
        t5 = t5.sub(&x3);
        let mut z3 = a.mul(&t4);
        x3 = b3.mul(&t2);
        z3 = x3.add(&z3);
        x3 = t1.sub(&z3);
        z3 = t1.add(&z3);
        let mut y3 = x3.mul(&z3);
        t1 = t0.add(&t0);
        t1 = t1.add(&t0);
        t2 = a.mul(&t2);
        t4 = b3.mul(&t4);
        t1 = t1.add(&t2);
        t2 = t0.sub(&t2);
        t2 = a.mul(&t2);
        t4 = t4.add(&t2);
        t0 = t1.mul(&t4);
        y3 = y3.add(&t0);
        t0 = t5.mul(&t4);
        x3 = t3.mul(&x3);
        x3 = x3.sub(&t0);
        t0 = t3.mul(&t1);
        z3 = t5.mul(&z3);
        z3 = z3.add(&t0);
        Projective { x: x3, y: y3, z: z3 }
    }

    /// RCB Algorithm 3: exception-free doubling for `y² = x³ + ax + b` (cheaper than
    /// adding a point to itself with Algorithm 1, and just as complete).
    #[allow(clippy::many_single_char_names)]
    fn double_complete(&self, p: &Projective) -> Projective {
        let (x, y, z) = (&p.x, &p.y, &p.z);
        let (a, b3) = (&self.a, &self.b3);
        let mut t0 = x.square();
        let t1 = y.square();
        let mut t2 = z.square();
        let mut t3 = x.mul(y);
        t3 = t3.double();
        let mut z3 = x.mul(z);
        z3 = z3.double();
        let mut x3 = a.mul(&z3);
        let mut y3 = b3.mul(&t2);
        y3 = x3.add(&y3);
        x3 = t1.sub(&y3);
        y3 = t1.add(&y3);
        y3 = x3.mul(&y3);
        x3 = t3.mul(&x3);
        z3 = b3.mul(&z3);
        t2 = a.mul(&t2);
        t3 = t0.sub(&t2);
        t3 = a.mul(&t3);
        t3 = t3.add(&z3);
        z3 = t0.double();
        t0 = z3.add(&t0);
        t0 = t0.add(&t2);
        t0 = t0.mul(&t3);
        y3 = y3.add(&t0);
        t2 = y.mul(z);
        t2 = t2.double();
        t0 = t2.mul(&t3);
        x3 = x3.sub(&t0);
        z3 = t2.mul(&t1);
        z3 = z3.double().double();
        Projective { x: x3, y: y3, z: z3 }
    }

    fn affine(&self, p: &Projective) -> Option<AffinePoint> {
        let zinv = Option::<BoxedMontyForm>::from(p.z.invert())?;
        Some(AffinePoint { x: p.x.mul(&zinv), y: p.y.mul(&zinv) })
    }

    /// `k·P` in constant time (for secret `k`, big-endian; its length is public). Returns
    /// `None` for the point at infinity.
    #[must_use]
    ///
    /// One path per curve, whatever the scalar's value: the RustCrypto crate for the
    /// curves one covers (the scalar is first reduced mod n in constant time, so 0, n or a
    /// longer scalar never sends a secret down another path), the engine's fixed window
    /// for every other curve.
    pub fn mul_ct(&self, k: &[u8], p: &AffinePoint) -> Option<AffinePoint> {
        if let Some(named) = self.named.filter(|c| super::fast::covers(*c)) {
            let reduced = self.reduce_scalar_ct(k);
            let r = super::fast::mul(named, &reduced, &self.encode_point(p))?;
            return self.decode_point(&r).ok();
        }
        self.mul_windowed(k, p)
    }

    /// `k mod n` as exactly [`Curve::scalar_bytes`] big-endian bytes, in time that depends
    /// on the length of `k` only (crypto-bigint's constant-time division).
    fn reduce_scalar_ct(&self, k: &[u8]) -> zeroize::Zeroizing<Vec<u8>> {
        use zeroize::Zeroize;
        let bits = u32::try_from(k.len().max(1) * 8).unwrap_or(u32::MAX).div_ceil(64) * 64;
        let mut wide = crypto_bigint::BoxedUint::from_be_slice(k, bits)
            .unwrap_or_else(|_| crypto_bigint::BoxedUint::zero_with_precision(bits));
        let mut reduced = wide.rem(&self.n);
        wide.zeroize();
        let bytes = zeroize::Zeroizing::new(reduced.to_be_bytes().to_vec());
        reduced.zeroize();
        let len = self.scalar_bytes();
        let mut out = zeroize::Zeroizing::new(vec![0u8; len]);
        // The value is below n, so the bytes left of the last `len` are zero: no trimming
        // by value, only by the (public) precision.
        let tail = bytes.get(bytes.len().saturating_sub(len)..).unwrap_or_default();
        if let Some(dst) = out.get_mut(len.saturating_sub(tail.len())..) {
            dst.copy_from_slice(tail);
        }
        out
    }

    /// The engine's constant-time multiplication behind [`Curve::mul_ct`] for curves
    /// without a RustCrypto crate: a fixed 4-bit window on stack-allocated field elements
    /// (see `fixed.rs`), or the boxed [`Curve::mul_ladder`] for field sizes without a
    /// fixed-size variant.
    #[must_use]
    pub fn mul_windowed(&self, k: &[u8], p: &AffinePoint) -> Option<AffinePoint> {
        match self.fixed.as_ref().and_then(|f| f.mul(&self.fp, k, &p.x, &p.y)) {
            Some(result) => result.map(|(x, y)| AffinePoint { x, y }),
            None => self.mul_ladder(k, p),
        }
    }

    /// The engine's Montgomery ladder on boxed field elements: every field size; the
    /// fallback of [`Curve::mul_windowed`] and its oracle in tests.
    #[must_use]
    pub fn mul_ladder(&self, k: &[u8], p: &AffinePoint) -> Option<AffinePoint> {
        let mut r0 = self.identity();
        let mut r1 = self.projective(p);
        for byte in k {
            for i in (0..8).rev() {
                let bit = Choice::from_u8_lsb(byte >> i);
                cswap(&mut r0, &mut r1, bit);
                r1 = self.add_complete(&r0, &r1);
                r0 = self.double_complete(&r0);
                cswap(&mut r0, &mut r1, bit);
            }
        }
        self.affine(&r0)
    }

    /// `P + Q` (complete formulas). `None` for the point at infinity.
    #[must_use]
    pub fn add_points(&self, p: &AffinePoint, q: &AffinePoint) -> Option<AffinePoint> {
        self.affine(&self.add_complete(&self.projective(p), &self.projective(q)))
    }

    /// The point encoding of PACE Integrated Mapping (ICAO 9303-11 §4.4.3.3.2, after Brier
    /// et al.; BSI TR-03111): a field element `t` (big-endian, any length; reduced mod p)
    /// becomes a curve point without revealing `t` through timing: inversion by Fermat,
    /// the square-root exponent is public, and the final choice is a constant-time select.
    /// Defined for p ≡ 3 (mod 4) and cofactor 1; `None` otherwise or for degenerate `t`.
    #[must_use]
    pub fn encode_to_point(&self, t: &[u8]) -> Option<AffinePoint> {
        use crypto_bigint::{BoxedUint, CtEq, CtSelect, NonZero, Resize};
        let p = self.fp.modulus().as_ref();
        if p.as_words().first().copied().unwrap_or(0) & 3 != 3 {
            return None;
        }
        let precision = p.bits_precision();
        let wide = BoxedUint::from_be_slice_vartime(t);
        let wide_bits = wide.bits_precision().max(precision);
        let p_wide = NonZero::new(p.resize_unchecked(wide_bits)).into_option()?;
        let t = wide.resize_unchecked(wide_bits).rem(&p_wide).resize_unchecked(precision);
        let t = BoxedMontyForm::new(t, &self.fp);
        let one = BoxedMontyForm::one(&self.fp);
        let p_minus_2 = p.wrapping_sub(BoxedUint::from(2u32).resize_unchecked(precision));
        let quarter = p.wrapping_add(BoxedUint::one().resize_unchecked(precision)).shr(2);
        let sqrt_exp = p.wrapping_sub(BoxedUint::one().resize_unchecked(precision)).wrapping_sub(&quarter);

        let alpha = t.square().neg();
        let alpha_sum = alpha.add(&alpha.square());
        let denominator = self.a.mul(&alpha_sum);
        if bool::from(denominator.is_zero()) {
            return None;
        }
        let x2 = self.b.neg().mul(&one.add(&alpha_sum)).mul(&denominator.pow(&p_minus_2));
        let x3 = alpha.mul(&x2);
        let h2 = x2.square().mul(&x2).add(&self.a.mul(&x2)).add(&self.b);
        let u = t.square().mul(&t).mul(&h2);
        let a_ = h2.pow(&sqrt_exp);
        let is_square = a_.square().mul(&h2).ct_eq(&one);
        let x = x3.ct_select(&x2, is_square);
        let y = a_.mul(&u).ct_select(&a_.mul(&h2), is_square);
        self.on_curve(&x, &y).then_some(AffinePoint { x, y })
    }

    /// The x-coordinate, big-endian, field length.
    #[must_use]
    pub fn x_bytes(&self, p: &AffinePoint) -> Vec<u8> {
        let enc = self.encode_point(p);
        enc.get(1..1 + self.field_bytes).unwrap_or_default().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Curve, NamedCurve};

    #[test]
    fn constant_time_ladder_agrees_with_the_reference_engine() {
        for c in NamedCurve::ALL {
            let curve = Curve::named(c).unwrap();
            let g = curve.generator().clone();
            for k in [vec![1u8], vec![2], vec![3], vec![0x5A; 20], vec![0xC3; curve.scalar_bytes()]] {
                let a = curve.mul_ladder(&k, &g).map(|p| curve.encode_point(&p));
                let b = curve.mul_vartime(&k, &g).map(|p| curve.encode_point(&p));
                let fast = curve.mul_ct(&k, &g).map(|p| curve.encode_point(&p));
                let windowed = curve.mul_windowed(&k, &g).map(|p| curve.encode_point(&p));
                assert_eq!(a, b, "{c} k={k:02X?}");
                assert_eq!(windowed, b, "{c} k={k:02X?} (fixed window)");
                assert_eq!(fast, b, "{c} k={k:02X?} (fast path)");
            }
            // Doubling through the addition formula, and P + (−P) = O.
            let two = curve.add_points(&g, &g).unwrap();
            assert_eq!(curve.encode_point(&two), curve.encode_point(&curve.mul_vartime(&[2], &g).unwrap()));
            assert!(curve.mul_vartime(&curve.order(), &g).is_none(), "{c}: n·G must be O");
            let minus_g = {
                let mut n1 = crypto_bigint::BoxedUint::from_be_slice_vartime(&curve.order());
                n1 = n1.wrapping_sub(crypto_bigint::BoxedUint::one());
                curve.mul_ct(&n1.to_be_bytes(), &g).unwrap()
            };
            assert!(curve.add_points(&g, &minus_g).is_none(), "{c}: G + (−G) must be O");
            assert!(curve.mul_ct(&curve.order(), &g).is_none(), "{c}");
            assert!(curve.mul_ct(&[0], &g).is_none(), "{c}");
            assert!(curve.mul_ladder(&curve.order(), &g).is_none(), "{c}");
            assert!(curve.mul_windowed(&curve.order(), &g).is_none(), "{c}");
            assert!(curve.mul_windowed(&[0, 0], &g).is_none(), "{c}");
            assert!(curve.fixed.is_some(), "{c}: every named curve has a fixed-size variant");
        }
    }
}
