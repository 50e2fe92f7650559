//! Signature verification for eMRTD PKI: RSA PKCS#1 v1.5 and RSASSA-PSS (any salt
//! length, MGF1 hash independent of the message hash), ECDSA on named curves and on
//! explicit domain parameters, with DER (X9.62) or plain `r ‖ s` (BSI TR-03111)
//! signatures.
//!
//! Keys come from X.509 SubjectPublicKeyInfo; algorithms from AlgorithmIdentifiers.
//! Both are parsed with the crate's own TLV layer, which tolerates what issuers ship
//! (non-minimal INTEGERs, moduli without a leading zero) without re-encoding anything.

use const_oid::ObjectIdentifier;

use crate::tlv::{Tag, Tlv};

mod algorithm;
mod ecdsa;
mod key;
mod rsa_sig;
#[cfg(test)]
mod tests;

pub use algorithm::{AlgorithmId, SignatureAlgorithm};
#[cfg(feature = "fast-p256")]
use ecdsa::canonical_der_signature;
use ecdsa::{NOT_CANONICAL, der_integers, ecdsa, ecdsa_scalars};
pub use key::{CurveMismatch, PublicKey, curve_from_params};
pub(crate) use rsa_sig::rsa_public;
use rsa_sig::{emsa_pss_verify, rsa_pkcs1};

/// Why a key, algorithm or signature could not be used, or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigError {
    /// The signature does not verify.
    #[error("the signature does not verify")]
    Invalid,
    /// The signature bytes are not a signature of the expected form.
    #[error("malformed signature: {0}")]
    MalformedSignature(&'static str),
    /// The public key is malformed or unusable.
    #[error("unusable public key: {0}")]
    BadKey(String),
    /// An algorithm we do not implement (dotted OID given).
    #[error("unsupported algorithm {0}")]
    Unsupported(String),
    /// The algorithm does not fit the key (RSA signature with an EC key…).
    #[error("signature algorithm {alg} does not fit a {key} key")]
    KeyMismatch {
        /// The algorithm.
        alg: String,
        /// The key type.
        key: String,
    },
}

fn oid_of(t: &Tlv<'_>) -> Result<ObjectIdentifier, SigError> {
    if t.tag != Tag::new(0x06) {
        return Err(SigError::BadKey("expected an OBJECT IDENTIFIER".into()));
    }
    let malformed = || SigError::BadKey("malformed OBJECT IDENTIFIER".into());
    let o = ObjectIdentifier::from_bytes(t.value).map_err(|_| malformed())?;
    // const-oid reads a sub-identifier padded with 0x80 as the same arc; such an OID
    // would pass a comparison by name while its bytes differ. Only the canonical form.
    let canonical = o.to_string().parse::<ObjectIdentifier>().map_err(|_| malformed())?;
    if canonical.as_bytes() != t.value {
        return Err(malformed());
    }
    Ok(o)
}

/// Strips leading zero bytes of a (non-negative) INTEGER's content.
fn unsigned(b: &[u8]) -> &[u8] {
    let z = b.iter().take_while(|&&x| x == 0).count();
    b.get(z..).unwrap_or_default()
}

fn tlv_err(e: crate::tlv::TlvError) -> SigError {
    SigError::BadKey(e.to_string())
}

/// The children of a constructed value, all of them well formed.
fn children<'a>(t: &Tlv<'a>) -> Result<Vec<Tlv<'a>>, SigError> {
    t.children().collect::<Result<_, _>>().map_err(tlv_err)
}

/// Verifies `signature` over `message`. DER ECDSA signatures must be canonical DER.
///
/// # Errors
/// [`SigError::Invalid`] when the signature does not verify, or another [`SigError`]
/// when it could not be checked.
pub fn verify(key: &PublicKey, alg: &SignatureAlgorithm, message: &[u8], signature: &[u8]) -> Result<(), SigError> {
    #[cfg(feature = "fast-p256")]
    if let (
        PublicKey::Ec { curve, point, .. },
        SignatureAlgorithm::Ecdsa { hash } | SignatureAlgorithm::EcdsaPlain { hash },
    ) = (key, alg)
        && let Some(named @ crate::crypto::ec::NamedCurve::P256) = curve.named_curve()
    {
        // The same parse and range check as the digest path; ring does the arithmetic.
        let (r, s) = ecdsa_scalars(curve, alg, signature)?;
        if !curve.scalar_in_range(r) || !curve.scalar_in_range(s) {
            return Err(SigError::Invalid);
        }
        let point = curve.encode_point(point);
        if let Some(valid) =
            crate::crypto::ring_ecdsa::verify(named, &point, *hash, message, (r, s), canonical_der_signature)
        {
            return if valid { Ok(()) } else { Err(SigError::Invalid) };
        }
    }
    verify_digest(key, alg, &alg.hash().digest(message), signature)
}

/// A known issuer error a verification tolerated, to be named in its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tolerated {
    /// Nothing: the signature is as the standards have it.
    Nothing,
    /// A DER ECDSA signature whose INTEGERs carry non-minimal leading zeros (or are
    /// otherwise not canonical DER), as several issuers' signers make them.
    NonCanonicalDerIntegers,
}

/// [`verify`], tolerating one known issuer error where documents in the field need it: a
/// DER ECDSA signature that is not canonical (non-minimal integers). Used for the
/// signatures of CMS signed objects (EF.SOD, EF.CardSecurity, master lists) and of Active
/// Authentication, where the signed bytes are fixed and a second encoding of the same
/// (r, s) gains an attacker nothing; the tolerance is returned so that the report names it.
///
/// # Errors
/// As [`verify`].
pub fn verify_tolerating_issuer_errors(
    key: &PublicKey,
    alg: &SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<Tolerated, SigError> {
    match verify(key, alg, message, signature) {
        Ok(()) => Ok(Tolerated::Nothing),
        Err(SigError::MalformedSignature(NOT_CANONICAL)) => {
            let (PublicKey::Ec { curve, point, .. }, SignatureAlgorithm::Ecdsa { hash }) = (key, alg) else {
                return Err(SigError::MalformedSignature(NOT_CANONICAL));
            };
            let (r, s) = der_integers(signature)?;
            ecdsa(curve, point, &hash.digest(message), r, s)?;
            Ok(Tolerated::NonCanonicalDerIntegers)
        }
        Err(e) => Err(e),
    }
}

/// Verifies `signature` over a message whose hash (with `alg`'s hash) is `digest`.
///
/// # Errors
/// As [`verify`].
pub fn verify_digest(
    key: &PublicKey,
    alg: &SignatureAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), SigError> {
    let mismatch = || SigError::KeyMismatch { alg: alg.to_string(), key: key.describe() };
    match (key, alg) {
        (PublicKey::Rsa(k), SignatureAlgorithm::RsaPkcs1 { hash }) => rsa_pkcs1(k, *hash, digest, signature),
        (PublicKey::Rsa(k), SignatureAlgorithm::RsaPss { hash, mgf1, salt_len }) => {
            if digest.len() != hash.output_len() {
                return Err(SigError::Invalid);
            }
            emsa_pss_verify(k, digest, signature, *hash, *mgf1, *salt_len)
        }
        (
            PublicKey::Ec { curve, point, .. },
            SignatureAlgorithm::Ecdsa { .. } | SignatureAlgorithm::EcdsaPlain { .. },
        ) => {
            let (r, s) = ecdsa_scalars(curve, alg, signature)?;
            ecdsa(curve, point, digest, r, s)
        }
        _ => Err(mismatch()),
    }
}
