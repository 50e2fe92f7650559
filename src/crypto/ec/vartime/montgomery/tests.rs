//! Our Montgomery fields against crypto-bigint's modular arithmetic, on every modulus
//! `named.rs` declares.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd};

use super::super::field::Fp;
use super::super::named::{Bp192Field, Bp224Field, Bp320Field, Bp512Field, P192Field, P224Field};
use super::super::tests::Bytes;
use super::{Modulus, Mont, hex_limbs};
use crate::crypto::be::{from_hex, trim};
use crate::crypto::ec::curves;

fn be_of_limbs(limbs: &[u64]) -> Vec<u8> {
    limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect()
}

fn agrees<M: Modulus<L>, const L: usize>(hex: &curves::Hex, seed: u64) {
    let p_bytes = from_hex(hex.p);
    assert_eq!(trim(&be_of_limbs(&M::P)), trim(&p_bytes), "the modulus is the curve's p");
    let precision = (L * 64) as u32;
    let p = BoxedUint::from_be_slice(&p_bytes, precision).unwrap();
    let params = BoxedMontyParams::new_vartime(Odd::new(p.clone()).unwrap());
    let p_nz = NonZero::new(p.clone()).unwrap();
    let reference = |v: &[u8]| BoxedMontyForm::new(BoxedUint::from_be_slice(v, precision).unwrap(), &params);
    let canonical = |v: &BoxedMontyForm| v.retrieve().to_be_bytes().to_vec();
    let ours = |v: &[u8]| Mont::<M, L>::from_be_bytes(v).unwrap();

    let p_minus_1 = p.wrapping_sub(BoxedUint::one()).to_be_bytes().to_vec();
    let mut rng = Bytes(seed);
    let mut values = vec![vec![0u8], vec![1], vec![2], vec![3], p_minus_1.clone()];
    for _ in 0..40 {
        let raw = BoxedUint::from_be_slice(&rng.take(8 * L), precision).unwrap();
        values.push(raw.rem_vartime(&p_nz).to_be_bytes().to_vec());
    }
    for x in &values {
        let (ox, rx) = (ours(x), reference(x));
        assert_eq!(ox.to_be_bytes(), canonical(&rx), "round trip");
        assert_eq!(ox.square().to_be_bytes(), canonical(&rx.square()), "square");
        assert_eq!(ox.double().to_be_bytes(), canonical(&rx.double()), "double");
        assert_eq!((-ox).to_be_bytes(), canonical(&rx.neg()), "neg");
        match (ox.invert_vartime(), Option::<BoxedMontyForm>::from(rx.invert())) {
            (Some(i), Some(j)) => assert_eq!(i.to_be_bytes(), canonical(&j), "invert"),
            (None, None) => assert!(ox.is_zero_vartime()),
            (got, want) => panic!("invert: {got:?} against {}", want.is_some()),
        }
        // Square roots where p ≡ 3 mod 4 (every curve here but P-224, which has none).
        let root = ox.square().sqrt_vartime();
        if M::P[0] & 3 == 3 {
            assert!(root == Some(ox) || root == Some(-ox), "√(x²) = ±x");
            assert_eq!((-ox.square()).sqrt_vartime().is_some(), ox.is_zero_vartime(), "−x² is no square");
        } else {
            assert_eq!(root, None);
        }
        for y in values.iter().step_by(3) {
            let (oy, ry) = (ours(y), reference(y));
            assert_eq!((ox * oy).to_be_bytes(), canonical(&rx.mul(&ry)), "mul");
            assert_eq!((ox + oy).to_be_bytes(), canonical(&rx.add(&ry)), "add");
            assert_eq!((ox - oy).to_be_bytes(), canonical(&rx.sub(&ry)), "sub");
        }
    }
    assert_eq!(Mont::<M, L>::ONE.to_be_bytes(), canonical(&reference(&[1])));
    assert!(Mont::<M, L>::ZERO.is_zero_vartime());
    // Only canonical values decode.
    assert!(Mont::<M, L>::from_be_bytes(&p_bytes).is_none(), "p itself");
    let p_plus_1 = p.wrapping_add(BoxedUint::one()).to_be_bytes().to_vec();
    assert!(Mont::<M, L>::from_be_bytes(&p_plus_1).is_none(), "p + 1");
    assert!(Mont::<M, L>::from_be_bytes(&vec![0xFF; 8 * L]).is_none(), "all ones");
    assert!(Mont::<M, L>::from_be_bytes(&[vec![1], vec![0; 8 * L]].concat()).is_none(), "too long");
    let mut padded = vec![0u8; 3];
    padded.extend_from_slice(&p_minus_1);
    assert_eq!(Mont::<M, L>::from_be_bytes(&padded), Some(ours(&p_minus_1)), "leading zeros");
}

#[test]
fn arithmetic_agrees_with_crypto_bigint_on_every_named_field() {
    agrees::<P192Field, 3>(&curves::P192, 1);
    agrees::<P224Field, 4>(&curves::P224, 2);
    agrees::<Bp192Field, 3>(&curves::BP192R1, 3);
    agrees::<Bp224Field, 4>(&curves::BP224R1, 4);
    agrees::<Bp320Field, 5>(&curves::BP320R1, 5);
    agrees::<Bp512Field, 8>(&curves::BP512R1, 6);
}

#[test]
fn hex_constants_parse_leniently_and_exactly() {
    assert_eq!(hex_limbs::<2>("0123456789abcdefFEDCBA98"), [0x89ab_cdef_fedc_ba98, 0x0123_4567]);
    assert_eq!(hex_limbs::<1>("1_0"), [0x100], "a non-digit counts as 0");
    assert_eq!(hex_limbs::<1>("ab0000000000000001"), [1], "digits beyond the limbs are dropped");
    assert_eq!(hex_limbs::<2>(""), [0, 0]);
}
