use super::*;
use bp256::r1 as bp256_r1;
use bp384::r1 as bp384_r1;
use elliptic_curve::sec1::ToSec1Point;
use signature::hazmat::PrehashSigner;

fn n_bytes(c: NamedCurve) -> Vec<u8> {
    DomainParams::named(c).n
}

#[test]
fn every_named_curve_is_consistent() {
    for c in NamedCurve::ALL {
        let curve = Curve::named(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        assert_eq!(curve.named_curve(), Some(c));
        let g = curve.generator().clone();
        // n·G is the point at infinity; (n−1)·G is −G.
        assert!(curve.mul_vartime(&n_bytes(c), &g).is_none(), "{c}: n·G ≠ O");
        let mut n1 = BoxedUint::from_be_slice_vartime(&n_bytes(c));
        n1 = n1.wrapping_sub(BoxedUint::one());
        let minus_g = curve.mul_vartime(&n1.to_be_bytes(), &g).unwrap();
        assert!(minus_g.x == g.x && minus_g.y == g.y.neg(), "{c}: (n−1)·G ≠ −G");
        assert_eq!(NamedCurve::from_oid(c.oid()), Some(c));
        let enc = curve.encode_point(&g);
        assert_eq!(enc.len(), 1 + 2 * curve.field_bytes());
        let back = curve.decode_point(&enc).unwrap();
        assert!(back.x == g.x && back.y == g.y);
    }
}

#[test]
fn explicit_parameters_are_identified() {
    let mut d = DomainParams::named(NamedCurve::BrainpoolP512r1);
    d.p.insert(0, 0); // leading zeros do not matter
    assert_eq!(Curve::from_params(&d).unwrap().named_curve(), Some(NamedCurve::BrainpoolP512r1));
    let mut bad = DomainParams::named(NamedCurve::P256);
    bad.gy[5] ^= 1;
    assert_eq!(Curve::from_params(&bad).unwrap_err(), EcError::BadParameters("base point not on the curve"));
    let mut even = DomainParams::named(NamedCurve::P256);
    even.p[31] &= 0xFE;
    assert!(Curve::from_params(&even).is_err());
    let mut tiny = DomainParams::named(NamedCurve::P256);
    tiny.p = vec![0x17];
    assert_eq!(Curve::from_params(&tiny).unwrap_err(), EcError::BadParameters("field size out of range"));
}

#[test]
fn points_are_validated() {
    let curve = Curve::named(NamedCurve::BrainpoolP256r1).unwrap();
    let mut g = curve.encode_point(curve.generator());
    assert!(curve.decode_point(&g).is_ok());
    g[40] ^= 1;
    assert_eq!(curve.decode_point(&g).unwrap_err(), EcError::BadPoint("not on the curve"));
    assert_eq!(curve.decode_point(&[0]).unwrap_err(), EcError::BadPoint("the point at infinity"));
    assert!(matches!(curve.decode_point(&[2; 33]), Err(EcError::Unsupported(_))));
    assert_eq!(curve.decode_point(&g[..40]).unwrap_err(), EcError::BadPoint("wrong length"));
    // x = p is not a reduced coordinate.
    let mut unreduced = vec![4];
    unreduced.extend(DomainParams::named(NamedCurve::BrainpoolP256r1).p);
    unreduced.extend([0u8; 32]);
    assert_eq!(curve.decode_point(&unreduced).unwrap_err(), EcError::BadPoint("coordinate not reduced"));
}

macro_rules! oracle {
    ($name:ident, $krate:ident, $curve:expr, $bytes:expr) => {
        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
            #[test]
            fn $name(seed in proptest::collection::vec(proptest::num::u8::ANY, $bytes)) {
                let Ok(sk) = $krate::SecretKey::from_slice(&seed) else { return Ok(()) };
                let expected = sk.public_key().to_sec1_point(false);
                let curve = Curve::named($curve).unwrap();
                let got = curve.mul_vartime(&seed, curve.generator()).unwrap();
                proptest::prop_assert_eq!(curve.encode_point(&got), expected.as_bytes().to_vec());
                // The constant-time ladder (secret scalars: PACE, CA) gives the same point,
                // and k·(k·G) agrees with the variable-time engine on a non-generator base.
                let ct = curve.mul_ct(&seed, curve.generator()).unwrap();
                proptest::prop_assert_eq!(curve.encode_point(&ct), expected.as_bytes().to_vec());
                // mul_ct takes the RustCrypto fast path here: check the engine's own ladder.
                let ladder = curve.mul_ladder(&seed, curve.generator()).unwrap();
                proptest::prop_assert_eq!(curve.encode_point(&ladder), expected.as_bytes().to_vec());
                let windowed = curve.mul_windowed(&seed, curve.generator()).unwrap();
                proptest::prop_assert_eq!(curve.encode_point(&windowed), expected.as_bytes().to_vec());
                let twice_ct = curve.mul_ladder(&seed, &ct).unwrap();
                proptest::prop_assert_eq!(curve.mul_ct(&seed, &ct).map(|p| curve.encode_point(&p)), Some(curve.encode_point(&twice_ct)));
                proptest::prop_assert_eq!(curve.mul_windowed(&seed, &ct).map(|p| curve.encode_point(&p)), Some(curve.encode_point(&twice_ct)));
                let twice_vt = curve.mul_vartime(&seed, &got).unwrap();
                proptest::prop_assert_eq!(curve.encode_point(&twice_ct), curve.encode_point(&twice_vt));
            }
        }
    };
}

oracle!(scalar_mult_matches_p256, p256, NamedCurve::P256, 32);
oracle!(scalar_mult_matches_p384, p384, NamedCurve::P384, 48);
oracle!(scalar_mult_matches_bp256, bp256_r1, NamedCurve::BrainpoolP256r1, 32);
oracle!(scalar_mult_matches_bp384, bp384_r1, NamedCurve::BrainpoolP384r1, 48);

#[test]
fn ecdsa_signatures_from_rustcrypto_verify() {
    let digest = [0x5Au8; 32];
    let sk = p256::ecdsa::SigningKey::from_slice(&[0x11; 32]).unwrap();
    let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
    let (r, s) = (sig.r().to_bytes(), sig.s().to_bytes());
    let curve = Curve::named(NamedCurve::P256).unwrap();
    let q = curve.decode_point(sk.verifying_key().to_sec1_point(false).as_bytes()).unwrap();
    assert!(curve.verify_ecdsa(&q, &digest, &r, &s));
    let mut bad = digest;
    bad[0] ^= 1;
    assert!(!curve.verify_ecdsa(&q, &bad, &r, &s));
    assert!(!curve.verify_ecdsa(&q, &digest, &s, &r));
    assert!(!curve.verify_ecdsa(&q, &digest, &[0], &s));
    assert!(!curve.verify_ecdsa(&q, &digest, &n_bytes(NamedCurve::P256), &s));
    // A SHA-512-sized digest on a 384-bit curve: truncated to the order's bits.
    let long = [0xA7u8; 64];
    let sk = p384::ecdsa::SigningKey::from_slice(&[0x22; 48]).unwrap();
    let sig: p384::ecdsa::Signature = sk.sign_prehash(&long).unwrap();
    let curve = Curve::named(NamedCurve::P384).unwrap();
    let q = curve.decode_point(sk.verifying_key().to_sec1_point(false).as_bytes()).unwrap();
    assert!(curve.verify_ecdsa(&q, &long, &sig.r().to_bytes(), &sig.s().to_bytes()));
}

#[cfg(feature = "emulator")]
#[test]
fn test_key_signatures_verify_here_and_in_rustcrypto() {
    use signature::hazmat::PrehashVerifier;
    let curve = Curve::named(NamedCurve::P256).unwrap();
    let d = [0x42u8; 32];
    let q = curve.mul_vartime(&d, curve.generator()).unwrap();
    let digest = [0x17u8; 32];
    let (r, s) = curve.sign_ecdsa_test_key(&d, &[0x33; 32], &digest).unwrap();
    assert!(curve.verify_ecdsa(&q, &digest, &r, &s));
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&curve.encode_point(&q)).unwrap();
    let sig = p256::ecdsa::Signature::from_scalars(
        <[u8; 32]>::try_from(r.as_slice()).unwrap(),
        <[u8; 32]>::try_from(s.as_slice()).unwrap(),
    )
    .unwrap();
    vk.verify_prehash(&digest, &sig).unwrap();
    // Every other curve signs and verifies with itself.
    for c in NamedCurve::ALL {
        let curve = Curve::named(c).unwrap();
        let d = vec![0x11u8; curve.scalar_bytes() - 1];
        let q = curve.mul_vartime(&d, curve.generator()).unwrap();
        let (r, s) = curve.sign_ecdsa_test_key(&d, &vec![0x5Au8; curve.scalar_bytes() - 1], &[0xC3; 48]).unwrap();
        assert!(curve.verify_ecdsa(&q, &[0xC3; 48], &r, &s), "{c}");
        assert!(!curve.verify_ecdsa(&q, &[0xC4; 48], &r, &s), "{c}");
    }
}

// ICAO 9303-11 H.1: the point encoding of Integrated Mapping, R_p(s,t) ↦ Ĝ on brainpoolP256r1.
#[test]
fn integrated_mapping_point_encoding_h1() {
    let c = Curve::named(NamedCurve::BrainpoolP256r1).unwrap();
    let r_p = hex_literal::hex!("A2F8FF2DF50E52C6599F386ADCB595D229F6A167ADE2BE5F2C3296ADD5B7430E");
    let g_hat = hex_literal::hex!(
        "048E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D4274C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD"
    );
    assert_eq!(c.encode_to_point(&r_p).map(|p| c.encode_point(&p)), Some(g_hat.to_vec()));
    // The unreduced R(s,t) maps to the same point: reduction mod p happens inside.
    let r_st = hex_literal::hex!(
        "E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA8DA0FF397ED8C445D3E421E4FEB57322"
    );
    assert_eq!(c.encode_to_point(&r_st).map(|p| c.encode_point(&p)), Some(g_hat.to_vec()));
    // Any non-zero input lands on the curve (0 is degenerate); P-224 (p ≡ 1 mod 4) is refused.
    assert!(c.encode_to_point(&[0; 40]).is_none());
    for seed in 1u8..16 {
        assert!(c.encode_to_point(&[seed; 40]).is_some());
    }
    assert!(Curve::named(NamedCurve::P224).unwrap().encode_to_point(&r_p).is_none());
}

/// `mul_ct` takes one path per curve whatever the scalar: on the curves a RustCrypto crate
/// covers, 0, n, n + 1, a scalar longer than n and leading zeros all go through the crate
/// (reduced mod n first) and agree with the variable-time engine.
#[test]
fn mul_ct_edge_scalars_agree_with_the_reference_engine() {
    use crypto_bigint::Resize;
    for c in NamedCurve::ALL {
        let curve = Curve::named(c).unwrap();
        let g = curve.generator().clone();
        let n = BoxedUint::from_be_slice_vartime(&curve.order()).resize_unchecked(640);
        let near_n = |delta: u64, add: bool| {
            let d = BoxedUint::from(delta).resize_unchecked(640);
            let v = if add { n.wrapping_add(&d) } else { n.wrapping_sub(&d) };
            v.to_be_bytes().to_vec()
        };
        let mut leading_zeros = vec![0u8; 5];
        leading_zeros.extend([0xA5; 16]);
        for k in [
            vec![0u8],
            vec![1],
            near_n(1, false),
            near_n(0, true),
            near_n(1, true),
            near_n(8, true),
            vec![0xFF; curve.scalar_bytes() + 3],
            leading_zeros,
        ] {
            let expected = curve.mul_vartime(&k, &g).map(|q| curve.encode_point(&q));
            let got = curve.mul_ct(&k, &g).map(|q| curve.encode_point(&q));
            assert_eq!(got, expected, "{c} k={k:02X?}");
        }
    }
}
