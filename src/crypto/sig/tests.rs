//! Signature verification: algorithm identifiers, keys, encodings, both ECDSA paths.

use super::ecdsa::{der_integers, der_signature};
use super::rsa_sig::mgf1;
use super::*;
use crate::crypto::ec::{Curve, NamedCurve};
use crate::crypto::hash::HashAlg;

/// Every ECDSA pairing takes the same decision on both paths (ring's where the
/// feature has it, the digest path through `verify_digest`), including P-256
/// with SHA-384, which no Wycheproof file covers: ring is handed DER there.
#[test]
fn both_ecdsa_paths_agree() {
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    let signer = p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap();
    let curve = Curve::named(NamedCurve::P256).unwrap();
    let point = curve.decode_point(signer.verifying_key().to_sec1_point(false).as_bytes()).unwrap();
    let key = PublicKey::Ec { curve: Box::new(curve), point, explicit: false };
    for hash in [HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
        let digest = hash.digest(b"signed attributes");
        let sig: p256::ecdsa::Signature = signer.sign_prehash(&digest).unwrap();
        for (alg, bytes) in [
            (SignatureAlgorithm::Ecdsa { hash }, sig.to_der().as_bytes().to_vec()),
            (SignatureAlgorithm::EcdsaPlain { hash }, sig.to_bytes().to_vec()),
        ] {
            assert_eq!(verify(&key, &alg, b"signed attributes", &bytes), Ok(()), "{alg}");
            assert_eq!(verify_digest(&key, &alg, &digest, &bytes), Ok(()), "{alg}");
            assert_eq!(verify(&key, &alg, b"signed attributeS", &bytes), Err(SigError::Invalid), "{alg}");
        }
    }
}

#[test]
fn pss_defaults_and_explicit_parameters() {
    // id-RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 (as the MY/PH/SG/ID documents use).
    let der = hex_literal::hex!(
        "3041 0609 2A864886F70D01010A 3034 A00F 300D 0609 608648016503040201 0500
         A11C 301A 0609 2A864886F70D010108 300D 0609 608648016503040201 0500 A203 020120"
    );
    let alg = AlgorithmId::parse(Tlv::parse_exact(&der).unwrap()).unwrap();
    assert_eq!(
        SignatureAlgorithm::from_algorithm_id(&alg, None).unwrap(),
        SignatureAlgorithm::RsaPss { hash: HashAlg::Sha256, mgf1: HashAlg::Sha256, salt_len: 32 }
    );
    let bare = hex_literal::hex!("300B 0609 2A864886F70D01010A");
    let alg = AlgorithmId::parse(Tlv::parse_exact(&bare).unwrap()).unwrap();
    assert_eq!(
        SignatureAlgorithm::from_algorithm_id(&alg, None).unwrap(),
        SignatureAlgorithm::RsaPss { hash: HashAlg::Sha1, mgf1: HashAlg::Sha1, salt_len: 20 }
    );
}

#[test]
fn rsa_encryption_needs_the_digest_algorithm() {
    let der = hex_literal::hex!("300D 0609 2A864886F70D010101 0500");
    let alg = AlgorithmId::parse(Tlv::parse_exact(&der).unwrap()).unwrap();
    assert!(matches!(SignatureAlgorithm::from_algorithm_id(&alg, None), Err(SigError::Unsupported(_))));
    assert_eq!(
        SignatureAlgorithm::from_algorithm_id(&alg, Some(HashAlg::Sha256)).unwrap(),
        SignatureAlgorithm::RsaPkcs1 { hash: HashAlg::Sha256 }
    );
}

/// Canonical DER only, by default; non-minimal integers (an issuer error seen in the
/// field) only through the tolerant entry point, which names the tolerance.
/// Wycheproof ecdsa_secp256r1_sha256 tcId 1 (a valid signature over the empty message),
/// and the same (r, s) with s padded by a zero byte: refused by `verify`, accepted and
/// named by the tolerant entry point; a changed s fails both.
#[test]
fn a_padded_der_signature_is_tolerated_only_by_name() {
    let key = PublicKey::from_spki(&hex_literal::hex!(
        "3059301306072a8648ce3d020106082a8648ce3d0301070342000404aaec73635726f213fb8a9e64da3b8632e41495a944d0045b522eba7240fad587d9315798aaa3a5ba01775787ced05eaaf7b4e09fc81d6d1aa546e8365d525d"
    ))
    .unwrap();
    let alg = SignatureAlgorithm::Ecdsa { hash: HashAlg::Sha256 };
    let r = hex_literal::hex!("00b292a619339f6e567a305c951c0dcbcc42d16e47f219f9e98e76e09d8770b34a");
    let s = hex_literal::hex!("0177e60492c5a8242f76f07bfe3661bde59ec2a17ce5bd2dab2abebdf89a62e2");
    let sign = |s_body: &[u8]| {
        let mut content = crate::tlv::encode_to_vec(Tag::new(0x02), &r);
        content.extend_from_slice(&crate::tlv::encode_to_vec(Tag::new(0x02), s_body));
        crate::tlv::encode_to_vec(Tag::new(0x30), &content)
    };
    let canonical = sign(&s);
    assert_eq!(verify_tolerating_issuer_errors(&key, &alg, b"", &canonical), Ok(Tolerated::Nothing));
    let padded = sign(&[&[0u8][..], &s].concat());
    assert_eq!(verify(&key, &alg, b"", &padded), Err(SigError::MalformedSignature(NOT_CANONICAL)));
    assert_eq!(verify_tolerating_issuer_errors(&key, &alg, b"", &padded), Ok(Tolerated::NonCanonicalDerIntegers));
    let mut other = s;
    other[31] ^= 1;
    let padded_wrong = sign(&[&[0u8][..], &other].concat());
    assert_eq!(verify_tolerating_issuer_errors(&key, &alg, b"", &padded_wrong), Err(SigError::Invalid));
    // Plain signatures are never "tolerated": a wrong length is refused.
    let plain = SignatureAlgorithm::EcdsaPlain { hash: HashAlg::Sha256 };
    let mut rs = r[1..].to_vec();
    rs.extend_from_slice(&s);
    assert_eq!(verify(&key, &plain, b"", &rs), Ok(()));
    rs.insert(0, 0);
    assert!(matches!(verify_tolerating_issuer_errors(&key, &plain, b"", &rs), Err(SigError::MalformedSignature(_))));
}

#[test]
fn der_signatures_with_non_minimal_integers() {
    let canonical = hex_literal::hex!("3006 020101 020102");
    assert_eq!(der_signature(&canonical).unwrap(), (&[1u8][..], &[2u8][..]));
    let padded = hex_literal::hex!("3008 0202 0001 0202 0002");
    assert_eq!(der_signature(&padded).unwrap_err(), SigError::MalformedSignature(NOT_CANONICAL));
    assert_eq!(der_integers(&padded).unwrap(), (&[1u8][..], &[2u8][..]));
    assert!(der_signature(&hex_literal::hex!("3003 020101")).is_err());
    assert!(der_integers(&hex_literal::hex!("3006 020181 020102")).is_err(), "negative r");
    // A long-form length where a short one fits is not DER either.
    assert!(der_signature(&hex_literal::hex!("308106 020101 020102")).is_err());
}

#[test]
fn mgf1_matches_rfc_8017_structure() {
    let m = mgf1(HashAlg::Sha1, b"seed", 50);
    assert_eq!(m.len(), 50);
    assert_eq!(&m[..20], HashAlg::Sha1.digest_parts(&[b"seed", &[0, 0, 0, 0]]).as_slice());
    assert_eq!(&m[20..40], HashAlg::Sha1.digest_parts(&[b"seed", &[0, 0, 0, 1]]).as_slice());
}
