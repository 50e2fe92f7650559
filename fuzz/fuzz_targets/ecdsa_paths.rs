//! Differential: ECDSA verification's fast path (`Curve::verify_ecdsa`: our Jacobian
//! arithmetic over the RustCrypto crates' fields on P-256/384/521 and brainpoolP256/384r1,
//! over our own Montgomery fields on every other named curve) and the runtime engine
//! alone decide every signature alike, genuine or changed; a genuine one is accepted. The
//! input picks the curve (its index in `NamedCurve::ALL`), the key d, the nonce k, one bit
//! to flip (or none) and the digest.
#![no_main]
use libfuzzer_sys::fuzz_target;
use passchip::low_level::crypto::ec::{Curve, NamedCurve};

const CURVES: [NamedCurve; 11] = NamedCurve::ALL;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Some(&named) = CURVES.get(usize::from(pick) % CURVES.len()) else { return };
    let Ok(curve) = Curve::named(named) else { return };
    let n = curve.scalar_bytes();
    let Some((d, rest)) = rest.split_at_checked(n) else { return };
    let Some((k, rest)) = rest.split_at_checked(n) else { return };
    let Some((&flip, digest)) = rest.split_first() else { return };
    let Some(q) = curve.mul_vartime(d, curve.generator()) else { return };
    let Some((mut r, mut s)) = curve.sign_ecdsa_test_key(d, k, digest) else { return };
    let mut digest = digest.to_vec();
    let target = match flip % 4 {
        1 => Some(&mut r),
        2 => Some(&mut s),
        3 => Some(&mut digest),
        _ => None,
    };
    let genuine = target.is_none();
    if let Some(bytes) = target {
        let bit = usize::from(flip / 4);
        let len = bytes.len();
        if let Some(byte) = bytes.get_mut((bit / 8) % len.max(1)) {
            *byte ^= 1 << (bit % 8);
        }
    }
    let fast = curve.verify_ecdsa(&q, &digest, &r, &s);
    let engine = curve.verify_ecdsa_engine(&q, &digest, &r, &s);
    assert_eq!(fast, engine, "{named}: the two paths disagree");
    assert!(!genuine || fast, "{named}: a genuine signature refused");
});
