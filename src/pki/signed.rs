//! Verifying a CMS SignedData (EF.SOD, EF.CardSecurity, master lists) against the
//! certificate it names (RFC 5652 §5.4–5.6).
//!
//! Each step is its own result, so reports can say exactly what held and what did not.

use super::cert::Cert;
use crate::crypto::hash::HashAlg;
use crate::crypto::sig::{self, AlgorithmId, SigError, SignatureAlgorithm};
use crate::lds::cms::{SignedData, SignerId, SignerInfo};
use crate::tlv::{Tag, Tlv};

/// Why a SignedData signature could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignedDataError {
    /// Not exactly one signer.
    #[error("expected one signer, found {0}")]
    SignerCount(usize),
    /// None of the embedded certificates matches the signer identifier.
    #[error("the signer's certificate is not in the signed data")]
    SignerCertificateMissing,
    /// The signer's certificate does not parse.
    #[error("the signer's certificate is invalid: {0}")]
    BadSignerCertificate(String),
    /// The digest algorithm is unknown.
    #[error("unsupported digest algorithm {0}")]
    UnsupportedDigest(String),
    /// The messageDigest attribute is missing or does not match the content.
    #[error("the messageDigest attribute does not match the signed content")]
    MessageDigestMismatch,
    /// The contentType attribute is missing or differs from eContentType.
    #[error("the contentType attribute does not match eContentType")]
    ContentTypeMismatch,
    /// The signature algorithm is unusable or the signature does not verify.
    #[error("signature: {0}")]
    Signature(#[from] SigError),
}

/// The outcome of a successful check: who signed, and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedSigner {
    /// The signer's certificate (from the SignedData).
    pub certificate: Cert,
    /// The signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// The digest algorithm of the content.
    pub digest: HashAlg,
    /// The signer was matched by serial number only: the issuer name in the signer
    /// identifier is encoded differently from the certificate's (string types on UA
    /// documents, RDN order on MY ones).
    pub issuer_name_tolerated: bool,
    /// A known issuer error in the signature itself that was tolerated (non-canonical DER
    /// integers in an ECDSA signature), to be named in the report.
    pub signature_tolerated: sig::Tolerated,
    /// The signer's EC key is stated on one curve and lies on the other standardized
    /// curve of the same size (a known issuer error, tolerated and named).
    pub curve_mismatch: Option<sig::CurveMismatch>,
}

/// Finds the certificate `sid` names among `certs`. Returns it and whether the match
/// needed the serial-only tolerance.
fn find_signer_cert(sid: &SignerId, certs: &[Vec<u8>]) -> Result<(Cert, bool), SignedDataError> {
    let parsed: Vec<Cert> = certs.iter().filter_map(|c| Cert::from_der(c).ok()).collect();
    match sid {
        SignerId::SubjectKeyId(ski) => parsed
            .into_iter()
            .find(|c| c.subject_key_id().as_deref() == Some(ski.as_slice()))
            .map(|c| (c, false))
            .ok_or(SignedDataError::SignerCertificateMissing),
        SignerId::IssuerAndSerial { issuer, serial } => {
            let serial_matches = |c: &Cert| trim(c.serial()) == trim(serial);
            if let Some(c) = parsed.iter().find(|c| serial_matches(c) && issuer_matches(c, issuer)) {
                return Ok((c.clone(), false));
            }
            // Tolerance: exactly one certificate with the right serial, whose issuer name is
            // another name by RFC 5280 (RDNs in another order, as on MY documents). The
            // identifier is only a hint: the signature must still verify with that
            // certificate's key, and the caller reports the tolerance.
            let by_serial: Vec<&Cert> = parsed.iter().filter(|c| serial_matches(c)).collect();
            match by_serial.as_slice() {
                [only] => Ok(((*only).clone(), true)),
                _ => Err(SignedDataError::SignerCertificateMissing),
            }
        }
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let z = b.iter().take_while(|&&x| x == 0).count();
    b.get(z..).unwrap_or_default()
}

fn issuer_matches(c: &Cert, issuer_der: &[u8]) -> bool {
    use der::Decode;
    match x509_cert::name::Name::from_der(issuer_der) {
        // The same name by RFC 5280 §7.1 (string types, case, spaces) is the same issuer.
        Ok(n) => super::name::names_match(&n, c.issuer_name()),
        Err(_) => false,
    }
}

/// Checks the one signer of `sd`: its certificate, the signed attributes, the signature.
///
/// # Errors
/// [`SignedDataError`] naming the step that failed.
pub fn verify_signed_data(sd: &SignedData) -> Result<VerifiedSigner, SignedDataError> {
    let signer = match sd.signers.as_slice() {
        [one] => one,
        many => return Err(SignedDataError::SignerCount(many.len())),
    };
    let (certificate, issuer_name_tolerated) = find_signer_cert(&signer.sid, &sd.certificates)?;
    // A key stated on one curve and lying on the other of the same size is a known issuer
    // error (Lithuanian DSCs): tolerated, and named in the result.
    let (key, curve_mismatch) = certificate
        .public_key_tolerating_curve_mismatch()
        .map_err(|e| SignedDataError::BadSignerCertificate(e.to_string()))?;
    let (digest, algorithm) = check_signer_info(sd, signer)?;
    let signature_tolerated =
        sig::verify_tolerating_issuer_errors(&key, &algorithm, signer.signed_bytes(&sd.econtent), &signer.signature)?;
    Ok(VerifiedSigner { certificate, algorithm, digest, issuer_name_tolerated, signature_tolerated, curve_mismatch })
}

/// The attribute checks and algorithm resolution of one signer.
fn check_signer_info(sd: &SignedData, signer: &SignerInfo) -> Result<(HashAlg, SignatureAlgorithm), SignedDataError> {
    let digest =
        signer.digest_alg().ok_or_else(|| SignedDataError::UnsupportedDigest(signer.digest_oid.to_string()))?;
    if signer.signed_attrs.is_some() {
        let expected = digest.digest(&sd.econtent);
        if signer.message_digest.as_deref() != Some(expected.as_slice()) {
            return Err(SignedDataError::MessageDigestMismatch);
        }
        if signer.content_type != Some(sd.econtent_type) {
            return Err(SignedDataError::ContentTypeMismatch);
        }
    }
    let alg_t = Tlv::parse_exact(&signer.signature_algorithm)
        .map_err(|e| SignedDataError::Signature(SigError::BadKey(e.to_string())))?;
    if alg_t.tag != Tag::new(0x30) {
        return Err(SignedDataError::Signature(SigError::BadKey("signature algorithm".into())));
    }
    let algorithm = SignatureAlgorithm::from_algorithm_id(&AlgorithmId::parse(alg_t)?, Some(digest))?;
    Ok((digest, algorithm))
}
