//! Signature algorithms from X.509/CMS AlgorithmIdentifiers (RFC 5280 §4.1.1.2, RFC 4055
//! for RSASSA-PSS parameters, BSI TR-03111 for plain ECDSA).

use const_oid::ObjectIdentifier;

use crate::crypto::hash::HashAlg;
use crate::oid;
use crate::tlv::{Tag, Tlv};

use super::{SigError, children, oid_of, tlv_err, unsigned};

/// An AlgorithmIdentifier: `SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlgorithmId<'a> {
    /// The algorithm.
    pub oid: ObjectIdentifier,
    /// The encoded parameters (whole TLV), if present and not NULL.
    pub params: Option<Tlv<'a>>,
}

impl<'a> AlgorithmId<'a> {
    /// Parses an AlgorithmIdentifier from its TLV.
    ///
    /// # Errors
    /// [`SigError::BadKey`] for a malformed structure.
    pub fn parse(t: Tlv<'a>) -> Result<Self, SigError> {
        if t.tag != Tag::new(0x30) {
            return Err(SigError::BadKey("AlgorithmIdentifier is not a SEQUENCE".into()));
        }
        let kids = children(&t)?;
        let (oid, params) = match kids.as_slice() {
            [oid] => (oid_of(oid)?, None),
            [oid, p] if p.tag == Tag::new(0x05) && p.value.is_empty() => (oid_of(oid)?, None),
            [oid, p] => (oid_of(oid)?, Some(*p)),
            _ => return Err(SigError::BadKey("AlgorithmIdentifier of other than one or two fields".into())),
        };
        Ok(Self { oid, params })
    }
}

/// A signature algorithm, resolved from an AlgorithmIdentifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1 {
        /// Message hash.
        hash: HashAlg,
    },
    /// RSASSA-PSS (RFC 8017 §8.1).
    RsaPss {
        /// Message hash.
        hash: HashAlg,
        /// Hash inside MGF1 (may differ from `hash`).
        mgf1: HashAlg,
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA with a DER `SEQUENCE { r, s }` signature (X9.62).
    Ecdsa {
        /// Message hash.
        hash: HashAlg,
    },
    /// ECDSA with a plain `r ‖ s` signature (BSI TR-03111).
    EcdsaPlain {
        /// Message hash.
        hash: HashAlg,
    },
}

impl core::fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::RsaPkcs1 { hash } => write!(f, "RSA PKCS#1 v1.5 with {hash}"),
            Self::RsaPss { hash, mgf1, salt_len } => write!(f, "RSASSA-PSS with {hash}, MGF1-{mgf1}, salt {salt_len}"),
            Self::Ecdsa { hash } => write!(f, "ECDSA with {hash}"),
            Self::EcdsaPlain { hash } => write!(f, "ECDSA (plain) with {hash}"),
        }
    }
}

impl SignatureAlgorithm {
    /// Resolves an AlgorithmIdentifier. `digest` is the hash to use when the identifier
    /// names none (`rsaEncryption` as a SignerInfo signature algorithm takes the CMS
    /// digestAlgorithm).
    ///
    /// # Errors
    /// [`SigError::Unsupported`] for unknown algorithms or parameters.
    pub fn from_algorithm_id(alg: &AlgorithmId<'_>, digest: Option<HashAlg>) -> Result<Self, SigError> {
        let unsupported = || SigError::Unsupported(alg.oid.to_string());
        Ok(match alg.oid {
            oid::RSA_ENCRYPTION => Self::RsaPkcs1 { hash: digest.ok_or_else(unsupported)? },
            oid::SHA1_WITH_RSA => Self::RsaPkcs1 { hash: HashAlg::Sha1 },
            oid::SHA224_WITH_RSA => Self::RsaPkcs1 { hash: HashAlg::Sha224 },
            oid::SHA256_WITH_RSA => Self::RsaPkcs1 { hash: HashAlg::Sha256 },
            oid::SHA384_WITH_RSA => Self::RsaPkcs1 { hash: HashAlg::Sha384 },
            oid::SHA512_WITH_RSA => Self::RsaPkcs1 { hash: HashAlg::Sha512 },
            oid::ECDSA_SHA1 => Self::Ecdsa { hash: HashAlg::Sha1 },
            oid::ECDSA_SHA224 => Self::Ecdsa { hash: HashAlg::Sha224 },
            oid::ECDSA_SHA256 => Self::Ecdsa { hash: HashAlg::Sha256 },
            oid::ECDSA_SHA384 => Self::Ecdsa { hash: HashAlg::Sha384 },
            oid::ECDSA_SHA512 => Self::Ecdsa { hash: HashAlg::Sha512 },
            oid::ECDSA_PLAIN_SHA1 => Self::EcdsaPlain { hash: HashAlg::Sha1 },
            oid::ECDSA_PLAIN_SHA224 => Self::EcdsaPlain { hash: HashAlg::Sha224 },
            oid::ECDSA_PLAIN_SHA256 => Self::EcdsaPlain { hash: HashAlg::Sha256 },
            oid::ECDSA_PLAIN_SHA384 => Self::EcdsaPlain { hash: HashAlg::Sha384 },
            oid::ECDSA_PLAIN_SHA512 => Self::EcdsaPlain { hash: HashAlg::Sha512 },
            oid::RSASSA_PSS => pss_params(alg.params)?,
            _ => return Err(unsupported()),
        })
    }

    /// The message hash.
    #[must_use]
    pub fn hash(&self) -> HashAlg {
        match *self {
            Self::RsaPkcs1 { hash } | Self::RsaPss { hash, .. } | Self::Ecdsa { hash } | Self::EcdsaPlain { hash } => {
                hash
            }
        }
    }
}

/// RSASSA-PSS-params (RFC 8017 A.2.3), every field with its default:
/// `[0] hashAlgorithm DEFAULT sha1, [1] maskGenAlgorithm DEFAULT mgf1SHA1,
///  [2] saltLength DEFAULT 20, [3] trailerField DEFAULT 1`.
fn pss_params(params: Option<Tlv<'_>>) -> Result<SignatureAlgorithm, SigError> {
    let mut hash = HashAlg::Sha1;
    let mut mgf1 = HashAlg::Sha1;
    let mut salt_len = 20usize;
    let unsupported = |m: &str| SigError::Unsupported(format!("RSASSA-PSS parameters: {m}"));
    if let Some(p) = params {
        for field in p.children() {
            let field = field.map_err(tlv_err)?;
            let inner = || Tlv::parse_exact(field.value).map_err(tlv_err);
            match field.tag.value() {
                0xA0 => {
                    let a = AlgorithmId::parse(inner()?)?;
                    hash = HashAlg::from_oid(&a.oid).ok_or_else(|| unsupported("hash"))?;
                }
                0xA1 => {
                    let a = AlgorithmId::parse(inner()?)?;
                    if a.oid != oid::MGF1 {
                        return Err(unsupported("mask generation function"));
                    }
                    let h = AlgorithmId::parse(a.params.ok_or_else(|| unsupported("MGF1 hash"))?)?;
                    mgf1 = HashAlg::from_oid(&h.oid).ok_or_else(|| unsupported("MGF1 hash"))?;
                }
                0xA2 => {
                    let v = inner()?;
                    salt_len =
                        unsigned(v.value).iter().fold(0usize, |a, &b| a.saturating_mul(256).saturating_add(b.into()));
                }
                0xA3 => {
                    let v = inner()?;
                    if unsigned(v.value) != [1] {
                        return Err(unsupported("trailer field"));
                    }
                }
                _ => return Err(unsupported("unknown field")),
            }
        }
    }
    Ok(SignatureAlgorithm::RsaPss { hash, mgf1, salt_len })
}
