//! Full validation of custom elliptic-curve domain parameters (a curve that is not one of
//! the standardized ones, offered by a chip whose EF.CardAccess nobody signed).
//!
//! A hostile chip that makes the terminal compute in a weak group learns the PACE
//! password offline from one run (Pohlig–Hellman on a smooth order, a division on a
//! singular curve, Smart's attack on an anomalous one, a pairing on one of small
//! embedding degree). So a custom curve is used only when every property below holds:
//!
//! * p is prime (Baillie–PSW, crypto-primes' `is_prime`);
//! * the curve is not singular: 4a³ + 27b² ≢ 0 (mod p);
//! * n is prime, of at least [`MIN_ORDER_BITS`] bits, and n·G = O;
//! * the cofactor is 1: by Hasse, |p + 1 − n| ≤ 2√p (checked as (p + 1 − n)² ≤ 4p);
//! * n ≠ p (not anomalous) and p^k ≢ 1 (mod n) for 1 ≤ k ≤ [`MOV_DEGREE`] (no pairing
//!   reduction to a small extension field).

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd, Resize};

use super::{Curve, EcError};

/// The smallest group order accepted for a custom curve (bits).
pub const MIN_ORDER_BITS: u32 = 224;
/// Embedding degrees up to this are refused.
pub const MOV_DEGREE: u32 = 10_000;

fn is_prime(v: &BoxedUint) -> bool {
    crypto_primes::is_prime(crypto_primes::Flavor::Any, v)
}

impl Curve {
    /// Checks that a curve given as explicit parameters is safe to compute in with a
    /// secret (see the module documentation).
    ///
    /// # Errors
    /// [`EcError::BadParameters`] naming the first property that does not hold.
    pub fn validate_custom(&self) -> Result<(), EcError> {
        let bad = EcError::BadParameters;
        let p = self.fp.modulus().as_ref().clone();
        let n = self.n.as_ref().clone();
        if !is_prime(&p) {
            return Err(bad("the field modulus p is not prime"));
        }
        // 4a³ + 27b² in the field (27 = 16 + 8 + 2 + 1).
        let four_a3 = self.a.square().mul(&self.a).double().double();
        let b2 = self.b.square();
        let eight_b2 = b2.double().double().double();
        let twenty_seven_b2 = eight_b2.double().add(&eight_b2).add(&b2.double()).add(&b2);
        if bool::from(four_a3.add(&twenty_seven_b2).is_zero()) {
            return Err(bad("the curve is singular (4a³ + 27b² = 0)"));
        }
        if n.bits() < MIN_ORDER_BITS {
            return Err(bad("the group order n has fewer than 224 bits"));
        }
        if !is_prime(&n) {
            return Err(bad("the group order n is not prime"));
        }
        if self.mul_vartime(&n.to_be_bytes(), &self.g).is_some() {
            return Err(bad("n·G is not the point at infinity: n is not the order of G"));
        }
        // Hasse with cofactor 1: t = p + 1 − n, t² ≤ 4p. Widened so nothing wraps.
        let width = p.bits_precision().max(n.bits_precision()) * 2 + 64;
        let (pw, nw) = ((&p).resize_unchecked(width), (&n).resize_unchecked(width));
        let p1 = pw.wrapping_add(BoxedUint::one_with_precision(width));
        let t = if p1 >= nw { p1.wrapping_sub(&nw) } else { nw.wrapping_sub(&p1) };
        let four_p = pw.wrapping_add(&pw).wrapping_add(&pw).wrapping_add(&pw);
        if t.wrapping_mul(&t) > four_p {
            return Err(bad("the order breaks the Hasse bound for cofactor 1"));
        }
        if n == p {
            return Err(bad("the curve is anomalous (n = p)"));
        }
        // p^k mod n for k = 1 … MOV_DEGREE.
        let n_odd = Option::<Odd<BoxedUint>>::from(Odd::new(n.clone())).ok_or(bad("order is even"))?;
        let params = BoxedMontyParams::new_vartime(n_odd);
        let n_wide = Option::<NonZero<BoxedUint>>::from(NonZero::new(nw)).ok_or(bad("order is zero"))?;
        let p_mod_n = pw.rem_vartime(&n_wide).resize_unchecked(n.bits_precision());
        let base = BoxedMontyForm::new(p_mod_n, &params);
        let one = BoxedMontyForm::one(&params);
        let mut acc = base.clone();
        for _ in 0..MOV_DEGREE {
            if acc == one {
                return Err(bad("the embedding degree is small (a pairing reduces the logarithm)"));
            }
            acc = acc.mul(&base);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DomainParams, NamedCurve};
    use super::*;
    use crate::crypto::be::from_hex as h;

    #[test]
    fn every_standard_curve_of_224_bits_and_more_passes() {
        for c in NamedCurve::ALL {
            let curve = Curve::named(c).unwrap();
            let r = curve.validate_custom();
            // P-192 and brainpoolP192r1 are standardized (ICAO 9303-11 table 4), but a
            // custom curve that small is refused.
            if curve.order_bits() < MIN_ORDER_BITS {
                assert_eq!(r, Err(EcError::BadParameters("the group order n has fewer than 224 bits")), "{c}");
            } else {
                assert_eq!(r, Ok(()), "{c}");
            }
        }
    }

    #[test]
    fn secp256k1_is_a_valid_custom_curve() {
        let curve = Curve::from_params(&DomainParams::secp256k1()).unwrap();
        assert_eq!(curve.named_curve(), None);
        assert_eq!(curve.validate_custom(), Ok(()));
    }

    fn refused(d: &DomainParams) -> EcError {
        Curve::from_params(d).unwrap().validate_custom().unwrap_err()
    }

    #[test]
    fn weak_curves_are_refused_with_the_property_that_fails() {
        // y² = x³ over P-256's field, G = (4, 8), claiming order p: the cusp, whose group
        // is (F_p, +).
        let mut cusp = DomainParams::named(NamedCurve::P256);
        (cusp.a, cusp.b, cusp.gx, cusp.gy) = (vec![0], vec![0], vec![4], vec![8]);
        cusp.n = cusp.p.clone();
        assert_eq!(refused(&cusp), EcError::BadParameters("the curve is singular (4a³ + 27b² = 0)"));
        // secp256k1 claiming a smooth order (odd, 256 bits).
        let mut smooth = DomainParams::secp256k1();
        smooth.n = (3u64 * 5 * 7 * 11 * 13 * 17 * 19 * 23 * 29 * 31 * 37 * 41 * 43 * 47).to_be_bytes().to_vec();
        smooth.n.extend([0; 24]);
        *smooth.n.last_mut().unwrap() = 1;
        assert_eq!(refused(&smooth), EcError::BadParameters("the group order n is not prime"));
        // A prime that is not the order of G.
        let mut wrong = DomainParams::secp256k1();
        wrong.n = DomainParams::named(NamedCurve::P256).n;
        assert_eq!(
            refused(&wrong),
            EcError::BadParameters("n·G is not the point at infinity: n is not the order of G")
        );
        // A composite modulus: P-256's p + 2, with G = (1, 2) on y² = x³ + x + 2.
        let mut composite = DomainParams::named(NamedCurve::P256);
        composite.p = h("FFFFFFFF00000001000000000000000000000001000000000000000000000001");
        (composite.a, composite.b, composite.gx, composite.gy) = (vec![1], vec![2], vec![1], vec![2]);
        assert_eq!(refused(&composite), EcError::BadParameters("the field modulus p is not prime"));
        // Curve25519 in short Weierstrass form (RFC 7748's base point): G has prime order
        // n, but the curve has cofactor 8, which the Hasse bound for cofactor 1 catches.
        let wei25519 = DomainParams {
            p: h("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFED"),
            a: h("2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA984914A144"),
            b: h("7B425ED097B425ED097B425ED097B425ED097B425ED097B4260B5E9C7710C864"),
            gx: h("2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAD245A"),
            gy: h("20AE19A1B8A086B4E01EDD2C7748D14C923D4D7E6D7C61B229E9C5A27ECED3D9"),
            n: h("1000000000000000000000000000000014DEF9DEA2F79CD65812631A5CF5D3ED"),
            cofactor: 1,
        };
        assert_eq!(refused(&wei25519), EcError::BadParameters("the order breaks the Hasse bound for cofactor 1"));
        // BN254 (y² = x³ + 3, G = (1, 2)): prime order, cofactor 1, but embedding degree 12.
        let bn254 = DomainParams {
            p: h("30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47"),
            a: vec![0],
            b: vec![3],
            gx: vec![1],
            gy: vec![2],
            n: h("30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001"),
            cofactor: 1,
        };
        assert_eq!(
            refused(&bn254),
            EcError::BadParameters("the embedding degree is small (a pairing reduces the logarithm)")
        );
        // A small order (brainpoolP192r1 given explicitly).
        let small = DomainParams::named(NamedCurve::BrainpoolP192r1);
        assert_eq!(refused(&small), EcError::BadParameters("the group order n has fewer than 224 bits"));
    }
}
