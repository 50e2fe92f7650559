//! The verification path against the RustCrypto crates' own verifier and arithmetic and
//! against the runtime engine; Wycheproof runs through it in `tests/wycheproof.rs`.

use elliptic_curve::ff::PrimeField;
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytesSize, ProjectivePoint};

use super::jacobian::{Affine, Exceptions::Checked, Jacobian, batch_to_affine};
use super::{Fe, Served, W_Q, coefficient_a, odd_multiples, verify};
use crate::crypto::ec::{Curve, NamedCurve};

/// A deterministic byte stream (xorshift), so failures reproduce.
pub(super) struct Bytes(pub(super) u64);

impl Bytes {
    pub(super) fn take(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                self.0.to_le_bytes()[3]
            })
            .collect()
    }
}

/// The crate's affine point as ours.
fn ours<C>(p: &AffinePoint<C>) -> Affine<Fe<C>>
where
    C: Served,
{
    let x = Fe::<C>::from_repr(p.x()).unwrap();
    let y = Fe::<C>::from_repr(p.y()).unwrap();
    Affine { x, y }
}

fn affine_of<C: Served>(p: &Jacobian<Fe<C>>) -> Affine<Fe<C>> {
    batch_to_affine(&[*p]).unwrap()[0]
}

fn arithmetic_matches_the_crate<C>()
where
    C: Served
        + CurveArithmetic<AffinePoint = primeorder::AffinePoint<C>, ProjectivePoint = primeorder::ProjectivePoint<C>>,
{
    let a = coefficient_a::<C>();
    let g = ProjectivePoint::<C>::from(primeorder::AffinePoint::<C>::GENERATOR);
    let multiple = |k: u64| ours::<C>(&(g * <C as CurveArithmetic>::Scalar::from(k)).to_affine());

    // The generator table: G, 3G, 5G, …
    let table = C::generator_table();
    assert_eq!(table.len(), 1 << (super::W_G - 2));
    for (i, p) in table.iter().enumerate() {
        assert_eq!(*p, multiple(2 * i as u64 + 1), "table entry {i}");
    }
    let g1 = Jacobian::from(&table[0]);
    let g3 = Jacobian::from(&table[1]);
    // Doubling, addition, mixed addition, and their special cases.
    assert_eq!(affine_of::<C>(&g1.double(&a)), multiple(2));
    assert_eq!(affine_of::<C>(&g3.double(&a).double(&a)), multiple(12));
    assert_eq!(affine_of::<C>(&g3.add(&g1.double(&a), &a)), multiple(5));
    assert_eq!(affine_of::<C>(&g3.double(&a).add_affine_with(&table[0], &a, Checked)), multiple(7));
    assert_eq!(affine_of::<C>(&g3.add(&g3, &a)), multiple(6), "P + P is a doubling");
    assert_eq!(affine_of::<C>(&g1.double(&a).add_affine_with(&table[0].neg(), &a, Checked)), multiple(1));
    let g3_scaled = g3.double(&a).add(&g3.neg(), &a); // 3G with another Z
    assert_eq!(
        affine_of::<C>(&g3_scaled.add_affine_with(&table[1], &a, Checked)),
        multiple(6),
        "P + P (mixed) is a doubling"
    );
    assert!(g3_scaled.add(&g3.neg(), &a).is_infinity(), "P + (−P) is the point at infinity");
    assert!(g3_scaled.add_affine_with(&table[1].neg(), &a, Checked).is_infinity());
    assert!(Jacobian::<Fe<C>>::INFINITY.double(&a).is_infinity());
    assert_eq!(affine_of::<C>(&Jacobian::INFINITY.add(&g3, &a)), multiple(3));
    assert_eq!(affine_of::<C>(&g3.add(&Jacobian::INFINITY, &a)), multiple(3));
    assert_eq!(affine_of::<C>(&Jacobian::INFINITY.add_affine_with(&table[1], &a, Checked)), multiple(3));
    // The key's table.
    let q = odd_multiples(&table[2], W_Q, &a).unwrap(); // 5G, 15G, 25G, …
    for (i, p) in q.iter().enumerate() {
        assert_eq!(affine_of::<C>(p), multiple(5 * (2 * i as u64 + 1)));
    }
    assert!(batch_to_affine(&[g1, Jacobian::INFINITY]).is_none());
}

#[test]
fn point_arithmetic_matches_the_crates() {
    arithmetic_matches_the_crate::<p256::NistP256>();
    arithmetic_matches_the_crate::<p384::NistP384>();
    arithmetic_matches_the_crate::<p521::NistP521>();
    arithmetic_matches_the_crate::<bp256::r1::BrainpoolP256r1>();
    arithmetic_matches_the_crate::<bp384::r1::BrainpoolP384r1>();
}

/// The crate's own verifier on the same input.
fn crate_verifies<C>(point: &[u8], digest: &[u8], r: &[u8], s: &[u8]) -> bool
where
    C: ecdsa::EcdsaCurve + CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    let key = elliptic_curve::PublicKey::<C>::from_sec1_bytes(point).unwrap();
    let field = |v: &[u8]| {
        let mut out = elliptic_curve::FieldBytes::<C>::default();
        let len = out.len();
        let v = crate::crypto::be::trim(v);
        out.get_mut(len.checked_sub(v.len())?..)?.copy_from_slice(v);
        Some(out)
    };
    let (Some(r), Some(s)) = (field(r), field(s)) else { return false };
    let Ok(signature) = ecdsa::Signature::<C>::from_scalars(r, s) else { return false };
    ecdsa::hazmat::verify_prehashed::<C>(&key.to_projective(), digest, &signature).is_ok()
}

fn agrees<C>(named: NamedCurve, seed: u64)
where
    C: Served + ecdsa::EcdsaCurve,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    let curve = Curve::named(named).unwrap();
    let mut rng = Bytes(seed);
    let n = curve.scalar_bytes();
    let mut accepted = 0;
    for round in 0..12 {
        // Keys: random, and the generator and its negation (then u₁·G and u₂·Q share a
        // base, and the sum can meet P = Q and P = −Q).
        let mut d = rng.take(n);
        d[0] &= 0x7f;
        if round == 0 {
            d = vec![0; n - 1];
            d.push(1);
        } else if round == 1 {
            d = curve.order();
            *d.last_mut().unwrap() -= 1;
        }
        let q = curve.mul_vartime(&d, curve.generator()).unwrap();
        let point = curve.encode_point(&q);
        let digest = rng.take([20, 32, 48, 64, n][round % 5]);
        let mut k = rng.take(n);
        k[0] &= 0x7f;
        let (r, s) = curve.sign_ecdsa_test_key(&d, &k, &digest).unwrap();
        let mut cases = vec![(digest.clone(), r.clone(), s.clone())];
        let mut wrong_digest = digest.clone();
        wrong_digest[0] ^= 1;
        cases.push((wrong_digest, r.clone(), s.clone()));
        cases.push((digest.clone(), s.clone(), r.clone()));
        let mut r1 = r.clone();
        *r1.last_mut().unwrap() ^= 1;
        cases.push((digest.clone(), r1, s.clone()));
        cases.push((digest.clone(), r.clone(), vec![0]));
        cases.push((digest.clone(), curve.order(), s.clone()));
        for (digest, r, s) in cases {
            let ours = verify::<C>(&point, &digest, &r, &s).unwrap();
            // A digest longer than a P-521 order: SEC 1 §4.1.4 takes its leftmost 521 bits
            // (we and the engine shift), the crate its lowest 521 of the first 66 bytes.
            // No hash is that long, so the crate is compared only where both readings agree.
            if digest.len() * 8 <= curve.order_bits() as usize || curve.order_bits().is_multiple_of(8) {
                assert_eq!(
                    ours,
                    crate_verifies::<C>(&point, &digest, &r, &s),
                    "{named}: against the crate, round {round}"
                );
            }
            assert_eq!(
                ours,
                curve.verify_ecdsa_engine(&q, &digest, &r, &s),
                "{named}: against the engine, round {round}"
            );
            accepted += usize::from(ours);
        }
    }
    assert_eq!(accepted, 12, "{named}: exactly the genuine signatures verify");
}

#[test]
fn verification_agrees_with_the_crates_and_the_engine() {
    agrees::<p256::NistP256>(NamedCurve::P256, 1);
    agrees::<p384::NistP384>(NamedCurve::P384, 2);
    agrees::<p521::NistP521>(NamedCurve::P521, 3);
    agrees::<bp256::r1::BrainpoolP256r1>(NamedCurve::BrainpoolP256r1, 4);
    agrees::<bp384::r1::BrainpoolP384r1>(NamedCurve::BrainpoolP384r1, 5);
}

#[test]
fn a_point_off_the_curve_or_in_another_encoding_is_not_decoded() {
    let curve = Curve::named(NamedCurve::P384).unwrap();
    let mut point = curve.encode_point(curve.generator());
    let digest = [7u8; 48];
    assert!(verify::<p384::NistP384>(&point, &digest, &[1], &[1]).is_some());
    *point.last_mut().unwrap() ^= 1;
    assert_eq!(verify::<p384::NistP384>(&point, &digest, &[1], &[1]), None, "off the curve");
    let compressed = curve.encode_point(curve.generator())[..49].to_vec();
    assert_eq!(verify::<p384::NistP384>(&compressed, &digest, &[1], &[1]), None, "not uncompressed");
    assert_eq!(verify::<p384::NistP384>(&[], &digest, &[1], &[1]), None);
}

/// `a − b` for big-endian integers of one length, `a ≥ b`.
fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = a.to_vec();
    let mut borrow = 0i16;
    for (o, b) in out.iter_mut().zip(b).rev() {
        let d = i16::from(*o) - i16::from(*b) - borrow;
        borrow = i16::from(d < 0);
        *o = d.rem_euclid(256) as u8;
    }
    assert_eq!(borrow, 0);
    out
}

/// With Q = G, u₁ = u₂ = 1 makes the sum meet P = Q (a doubling) and u₂ = −1 meet
/// P = −Q (the point at infinity): the first signature is valid, the second never is.
/// Both take the checked recomputation after the deferred pass.
fn exceptional_sums<C: Served>(named: NamedCurve) {
    let curve = Curve::named(named).unwrap();
    let g = curve.encode_point(curve.generator());
    let len = curve.scalar_bytes();
    let two_g = curve.encode_point(&curve.mul_vartime(&[2], curve.generator()).unwrap());
    let r = two_g[1..1 + len].to_vec();
    assert!(r < curve.order(), "{named}: x(2G) < n, so r = x(2G)");
    // The digest whose scalar is `v`: v itself, shifted left where the order's bit length
    // is not a whole number of bytes (P-521), since the leftmost bits are taken.
    let digest_of = |v: &[u8]| {
        let shift = len * 8 - curve.order_bits() as usize;
        let mut out = v.to_vec();
        let mut carry = 0u8;
        for b in out.iter_mut().rev() {
            let next = if shift == 0 { 0 } else { *b >> (8 - shift) };
            *b = (*b << shift) | carry;
            carry = next;
        }
        out
    };
    // u₁ = e/s = 1, u₂ = r/s = 1.
    assert_eq!(verify::<C>(&g, &digest_of(&r), &r, &r), Some(true), "{named}: G + G");
    assert!(curve.verify_ecdsa_engine(curve.generator(), &digest_of(&r), &r, &r), "{named}: the engine agrees");
    // s = −r: u₂ = −1, and e = s makes u₁ = 1.
    let minus_r = sub_be(&curve.order(), &r);
    assert_eq!(verify::<C>(&g, &digest_of(&minus_r), &r, &minus_r), Some(false), "{named}: G − G");
    assert!(!curve.verify_ecdsa_engine(curve.generator(), &digest_of(&minus_r), &r, &minus_r));
}

#[test]
fn sums_that_meet_p_equals_q_or_minus_q_are_computed_not_guessed() {
    exceptional_sums::<p256::NistP256>(NamedCurve::P256);
    exceptional_sums::<p384::NistP384>(NamedCurve::P384);
    exceptional_sums::<p521::NistP521>(NamedCurve::P521);
    exceptional_sums::<bp256::r1::BrainpoolP256r1>(NamedCurve::BrainpoolP256r1);
    exceptional_sums::<bp384::r1::BrainpoolP384r1>(NamedCurve::BrainpoolP384r1);
}

/// `curve.verify_ecdsa` through the named-curve path, asserting that path decided.
fn named_path(curve: &Curve, q: &crate::crypto::ec::AffinePoint, digest: &[u8], r: &[u8], s: &[u8]) -> bool {
    let named = curve.named_curve().unwrap();
    let point = curve.encode_point(q);
    let (x, y) = point[1..].split_at(curve.field_bytes());
    let verdict = if curve.scalar_in_range(r) && curve.scalar_in_range(s) {
        let (u1, u2) = curve.ecdsa_scalars(digest, r, s).unwrap();
        super::named::verify(named, (x, y), &u1, &u2, r).expect("the named path serves this curve")
    } else {
        false
    };
    assert_eq!(verdict, curve.verify_ecdsa(q, digest, r, s), "{named}: Curve::verify_ecdsa takes this path");
    verdict
}

/// The curves on our Montgomery fields: genuine and altered signatures, keys 1, n − 1 and
/// random, the sums that meet P = Q and P = −Q; the engine decides alike.
#[test]
fn named_curves_verify_like_the_engine() {
    for (seed, named) in (10u64..).zip([
        NamedCurve::P192,
        NamedCurve::P224,
        NamedCurve::BrainpoolP192r1,
        NamedCurve::BrainpoolP224r1,
        NamedCurve::BrainpoolP320r1,
        NamedCurve::BrainpoolP512r1,
    ]) {
        assert!(super::named::serves(named));
        let curve = Curve::named(named).unwrap();
        let mut rng = Bytes(seed);
        let n = curve.scalar_bytes();
        let mut accepted = 0;
        for round in 0..8 {
            let mut d = rng.take(n);
            d[0] &= 0x7f;
            if round == 0 {
                d = vec![1];
            } else if round == 1 {
                d = curve.order();
                *d.last_mut().unwrap() -= 1;
            }
            let q = curve.mul_vartime(&d, curve.generator()).unwrap();
            let digest = rng.take([20, 32, 48, 64, n][round % 5]);
            let mut k = rng.take(n);
            k[0] &= 0x7f;
            let (r, s) = curve.sign_ecdsa_test_key(&d, &k, &digest).unwrap();
            let mut wrong_digest = digest.clone();
            wrong_digest[0] ^= 1;
            let mut r1 = r.clone();
            *r1.last_mut().unwrap() ^= 1;
            let cases = [
                (digest.clone(), r.clone(), s.clone()),
                (wrong_digest, r.clone(), s.clone()),
                (digest.clone(), s.clone(), r.clone()),
                (digest.clone(), r1, s.clone()),
                (digest.clone(), r.clone(), curve.order()),
            ];
            for (digest, r, s) in cases {
                let ours = named_path(&curve, &q, &digest, &r, &s);
                assert_eq!(ours, curve.verify_ecdsa_engine(&q, &digest, &r, &s), "{named}, round {round}");
                accepted += usize::from(ours);
            }
        }
        assert_eq!(accepted, 8, "{named}: exactly the genuine signatures verify");

        // With Q = G: u₁ = u₂ = 1 meets P = Q (valid), u₂ = −1 meets P = −Q (never valid).
        let g = curve.generator();
        let len = curve.scalar_bytes();
        let two_g = curve.encode_point(&curve.mul_vartime(&[2], g).unwrap());
        let r = two_g[1..1 + len].to_vec();
        // The digest is r itself: the order's bit length is a whole number of bytes here.
        assert!(r < curve.order(), "{named}: x(2G) < n, so r = x(2G)");
        assert_eq!(curve.order_bits() as usize, 8 * len, "{named}");
        assert!(named_path(&curve, g, &r, &r, &r), "{named}: G + G");
        let minus_r = sub_be(&curve.order(), &r);
        assert!(!named_path(&curve, g, &minus_r, &r, &minus_r), "{named}: G − G");
        assert!(!curve.verify_ecdsa_engine(g, &minus_r, &r, &minus_r));
    }
}

/// x(u₁·G + u₂·Q) in [n, p) must match r = x − n: such sums are about one in 2^96 on
/// brainpoolP192r1, so the test makes one, a point Q with x ≥ n (u₁ = 0, u₂ = 1), found
/// by trying x = n, n + 1, … until x³ + ax + b is a square (y = its (p + 1)/4-th power,
/// p ≡ 3 mod 4).
#[test]
fn a_sum_whose_x_exceeds_n_matches_r_plus_n() {
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    use crypto_bigint::{BoxedUint, Odd};
    let named = NamedCurve::BrainpoolP192r1;
    let curve = Curve::named(named).unwrap();
    let hex = named.hex();
    let big = |h: &str| BoxedUint::from_be_slice(&crate::crypto::be::from_hex(h), 192).unwrap();
    let (p, n) = (big(hex.p), big(hex.n));
    assert_eq!(p.as_words()[0] & 3, 3, "p ≡ 3 mod 4");
    let params = BoxedMontyParams::new_vartime(Odd::new(p.clone()).unwrap());
    let field = |v: &BoxedUint| BoxedMontyForm::new(v.clone(), &params);
    let (a, b) = (field(&big(hex.a)), field(&big(hex.b)));
    let sqrt_exp = p.wrapping_add(BoxedUint::one()).shr_vartime(2).unwrap();
    let mut x = n.clone();
    let (x, y) = loop {
        let fx = field(&x);
        let rhs = fx.square().mul(&fx).add(&a.mul(&fx)).add(&b);
        let y = rhs.pow(&sqrt_exp);
        if y.square() == rhs {
            break (x, y.retrieve());
        }
        x = x.wrapping_add(BoxedUint::one());
    };
    let bytes = |v: &BoxedUint| {
        let full = v.to_be_bytes();
        full[full.len() - curve.field_bytes()..].to_vec()
    };
    let (xb, yb) = (bytes(&x), bytes(&y));
    let r = x.wrapping_sub(&n).to_be_bytes().to_vec();
    assert_eq!(super::named::verify(named, (&xb, &yb), &[0], &[1], &r), Some(true), "x = r + n");
    let mut other = r.clone();
    *other.last_mut().unwrap() ^= 1;
    assert_eq!(super::named::verify(named, (&xb, &yb), &[0], &[1], &other), Some(false));
    assert!(curve.decode_point(&[vec![4], xb, yb].concat()).is_ok(), "Q is a point of the curve");
}
