//! ECDSA verification on P-256 through ring (feature `fast-p256`).
//!
//! Why a second path for one curve: on P-256, OpenSSL (and ring, which shares BoringSSL's
//! hand-written P-256 assembly) is about three times faster than our pure-Rust path over
//! the p256 crate's field (`ec/vartime`); a bank verifies two signatures per document
//! plus its master lists. (ring's P-384 is C without assembly, slower than that path, so
//! it is not used.) Only public values pass here (a key, a message, a signature), so no
//! secret depends on ring's code. ring hashes the message itself and knows SHA-256 and
//! SHA-384 with P-256: every other hash and builds without the feature take the digest
//! path.
//!
//! The signature is parsed and range-checked by the caller (`sig`), exactly as on the
//! other path, so both paths accept and refuse the same encodings (Wycheproof runs
//! through this one in `tests/wycheproof.rs`); ring is handed the one canonical encoding
//! of (r, s) it takes for the pairing.

use ring::signature::{self as ring_sig, UnparsedPublicKey, VerificationAlgorithm};

use super::ec::NamedCurve;
use super::hash::HashAlg;

/// How ring takes the signature for one (curve, hash) pairing.
enum Encoding {
    /// `r ‖ s`, each as long as the order.
    Fixed(usize),
    /// DER `SEQUENCE { r, s }`.
    Der,
}

/// Verifies `(r, s)` (unsigned big-endian, each in [1, n − 1]) over `message` with the
/// uncompressed SEC 1 point `point`; `der` makes the DER encoding of (r, s) when ring
/// wants it. `None` when ring has no variant for the curve and hash.
pub(crate) fn verify(
    curve: NamedCurve,
    point: &[u8],
    hash: HashAlg,
    message: &[u8],
    (r, s): (&[u8], &[u8]),
    der: impl FnOnce(&[u8], &[u8]) -> Vec<u8>,
) -> Option<bool> {
    let (alg, encoding): (&dyn VerificationAlgorithm, Encoding) = match (curve, hash) {
        (NamedCurve::P256, HashAlg::Sha256) => (&ring_sig::ECDSA_P256_SHA256_FIXED, Encoding::Fixed(32)),
        (NamedCurve::P256, HashAlg::Sha384) => (&ring_sig::ECDSA_P256_SHA384_ASN1, Encoding::Der),
        _ => return None,
    };
    let signature = match encoding {
        Encoding::Der => der(r, s),
        Encoding::Fixed(len) => {
            let mut fixed = vec![0u8; 2 * len];
            let (left, right) = fixed.split_at_mut(len);
            for (half, v) in [(left, r), (right, s)] {
                let v = super::be::trim(v);
                let Some(dst) = len.checked_sub(v.len()).and_then(|at| half.get_mut(at..)) else {
                    return Some(false); // longer than the order: not a scalar
                };
                dst.copy_from_slice(v);
            }
            fixed
        }
    };
    Some(UnparsedPublicKey::new(alg, point).verify(message, &signature).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;

    /// A signature p256 made verifies here, a changed message or scalar does not, and the
    /// pairings ring lacks are left to the digest path. (The DER pairing runs through
    /// Wycheproof's files in tests/wycheproof.rs.)
    #[test]
    fn agrees_with_p256() {
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let point = key.verifying_key().to_sec1_point(false);
        let sig: p256::ecdsa::Signature = key.sign(b"signed attributes");
        let (r, s) = (sig.r().to_bytes(), sig.s().to_bytes());
        let check = |curve, hash, msg: &[u8], r: &[u8], s: &[u8]| {
            verify(curve, point.as_bytes(), hash, msg, (r, s), |_, _| unreachable!("r ‖ s for SHA-256"))
        };
        assert_eq!(check(NamedCurve::P256, HashAlg::Sha256, b"signed attributes", &r, &s), Some(true));
        assert_eq!(check(NamedCurve::P256, HashAlg::Sha256, b"signed attributeS", &r, &s), Some(false));
        let mut bad = s.to_vec();
        bad[31] ^= 1;
        assert_eq!(check(NamedCurve::P256, HashAlg::Sha256, b"signed attributes", &r, &bad), Some(false));
        assert_eq!(check(NamedCurve::P256, HashAlg::Sha256, b"signed attributes", &[1; 33], &s), Some(false));
        assert_eq!(check(NamedCurve::P256, HashAlg::Sha512, b"signed attributes", &r, &s), None);
        assert_eq!(check(NamedCurve::BrainpoolP256r1, HashAlg::Sha256, b"signed attributes", &r, &s), None);
        assert_eq!(check(NamedCurve::P384, HashAlg::Sha384, b"signed attributes", &r, &s), None);
    }
}
