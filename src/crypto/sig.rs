//! Signature verification for eMRTD PKI: RSA PKCS#1 v1.5 and RSASSA-PSS (any salt
//! length, MGF1 hash independent of the message hash), ECDSA on named curves and on
//! explicit domain parameters, with DER (X9.62) or plain `r ‖ s` (BSI TR-03111)
//! signatures.
//!
//! Keys come from X.509 SubjectPublicKeyInfo; algorithms from AlgorithmIdentifiers.
//! Both are parsed with the crate's own TLV layer, which tolerates what issuers ship
//! (non-minimal INTEGERs, moduli without a leading zero) without re-encoding anything.

use const_oid::ObjectIdentifier;
use crypto_bigint::BoxedUint;
use rsa::RsaPublicKey;
use rsa::traits::PublicKeyParts;

use super::ec::{AffinePoint, Curve, DomainParams, NamedCurve};
use super::hash::HashAlg;
use crate::oid;
use crate::tlv::{Tag, Tlv};

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

fn tlv_err(e: crate::tlv::TlvError) -> SigError {
    SigError::BadKey(e.to_string())
}

/// The children of a constructed value, all of them well formed.
fn children<'a>(t: &Tlv<'a>) -> Result<Vec<Tlv<'a>>, SigError> {
    t.children().collect::<Result<_, _>>().map_err(tlv_err)
}

/// A public key from a certificate or a data group.
#[derive(Clone)]
#[non_exhaustive]
pub enum PublicKey {
    /// An RSA key (from rsaEncryption or id-RSASSA-PSS).
    Rsa(RsaPublicKey),
    /// An EC key with its curve.
    Ec {
        /// The curve (named or explicit).
        curve: Box<Curve>,
        /// The point.
        point: AffinePoint,
        /// Whether the certificate gave the parameters explicitly.
        explicit: bool,
    },
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PublicKey({})", self.describe())
    }
}

/// RSA moduli we accept: 1024 to 8192 bits (master lists carry RSA-6144 CSCAs).
const RSA_BITS: core::ops::RangeInclusive<usize> = 1024..=8192;

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// [`SigError::BadKey`] or [`SigError::Unsupported`].
    pub fn from_spki(der: &[u8]) -> Result<Self, SigError> {
        let spki = Tlv::parse_exact(der).map_err(tlv_err)?;
        Self::from_spki_tlv(spki)
    }

    /// Parses a SubjectPublicKeyInfo TLV.
    ///
    /// # Errors
    /// As [`PublicKey::from_spki`].
    pub fn from_spki_tlv(spki: Tlv<'_>) -> Result<Self, SigError> {
        // One key, one encoding: a SubjectPublicKeyInfo in BER, with padding or extra
        // fields is refused rather than read generously (Wycheproof's InvalidAsn cases).
        if spki.tag != Tag::new(0x30) || !crate::tlv::is_der(&spki) {
            return Err(SigError::BadKey("SubjectPublicKeyInfo is not a DER SEQUENCE".into()));
        }
        let kids = children(&spki)?;
        let [alg, bits] = kids.as_slice() else {
            return Err(SigError::BadKey("SubjectPublicKeyInfo of other than two fields".into()));
        };
        let alg = AlgorithmId::parse(*alg)?;
        if bits.tag != Tag::new(0x03) {
            return Err(SigError::BadKey("subjectPublicKey is not a BIT STRING".into()));
        }
        let key = match bits.value.split_first() {
            Some((0, k)) => k,
            _ => return Err(SigError::BadKey("BIT STRING with unused bits".into())),
        };
        match alg.oid {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => Self::rsa_from_pkcs1(key),
            oid::EC_PUBLIC_KEY => {
                let params = alg.params.ok_or(SigError::BadKey("EC key without domain parameters".into()))?;
                let (curve, explicit) = curve_from_params(params)?;
                let point = curve.decode_point(key).map_err(|e| SigError::BadKey(e.to_string()))?;
                Ok(Self::Ec { curve: Box::new(curve), point, explicit })
            }
            other => Err(SigError::Unsupported(other.to_string())),
        }
    }

    /// [`PublicKey::from_spki_tlv`], with one known issuer error tolerated: an EC key
    /// whose point is not on the curve its parameters state, but on the one other
    /// standardized curve of the same field size (P-224 for brainpoolP224r1, P-256 for
    /// brainpoolP256r1, and so on). Some Lithuanian DSCs state brainpoolP224r1 while
    /// their key and their signatures are on P-224 (gmrtd#130, whose fix tries curves of
    /// the same size). The key is then on the curve the point lies on, and the mismatch is
    /// returned so the report can name it. Nothing else is tolerated.
    ///
    /// # Errors
    /// As [`PublicKey::from_spki_tlv`] when the key is not that case.
    pub fn from_spki_tlv_tolerating_curve_mismatch(spki: Tlv<'_>) -> Result<(Self, Option<CurveMismatch>), SigError> {
        let strict = match Self::from_spki_tlv(spki) {
            Ok(k) => return Ok((k, None)),
            Err(e) => e,
        };
        let kids = children(&spki)?;
        let ([alg, bits], true) = (kids.as_slice(), spki.tag == Tag::new(0x30)) else { return Err(strict) };
        let alg = AlgorithmId::parse(*alg)?;
        let (Some(params), oid::EC_PUBLIC_KEY) = (alg.params, alg.oid) else { return Err(strict) };
        let Some((0, key)) = bits.value.split_first() else { return Err(strict) };
        let (stated_curve, explicit) = curve_from_params(params)?;
        let Some(stated) = stated_curve.named_curve() else { return Err(strict) };
        let bits = stated_curve.field_bits();
        let mut found = NamedCurve::ALL.into_iter().filter(|c| *c != stated).filter_map(|c| {
            let curve = Curve::named(c).ok().filter(|curve| curve.field_bits() == bits)?;
            let point = curve.decode_point(key).ok()?;
            Some((c, curve, point))
        });
        match (found.next(), found.next()) {
            (Some((actual, curve, point)), None) => {
                Ok((Self::Ec { curve: Box::new(curve), point, explicit }, Some(CurveMismatch { stated, actual })))
            }
            _ => Err(strict),
        }
    }

    /// An RSA key from a PKCS#1 RSAPublicKey (`SEQUENCE { n INTEGER, e INTEGER }`).
    /// A modulus encoded without its leading zero (seen in the field) is read as unsigned.
    ///
    /// # Errors
    /// [`SigError::BadKey`].
    pub fn rsa_from_pkcs1(der: &[u8]) -> Result<Self, SigError> {
        let seq = Tlv::parse_tagged(der, Tag::new(0x30)).map_err(tlv_err)?;
        let mut kids = seq.children();
        let mut int = || -> Result<BoxedUint, SigError> {
            let t = kids.next().ok_or(SigError::BadKey("RSAPublicKey too short".into()))?.map_err(tlv_err)?;
            if t.tag != Tag::new(0x02) {
                return Err(SigError::BadKey("RSAPublicKey field is not an INTEGER".into()));
            }
            Ok(BoxedUint::from_be_slice_vartime(unsigned(t.value)))
        };
        let n = int()?;
        let e = int()?;
        RsaPublicKey::new_with_size_limits(n, e, RSA_BITS)
            .map(Self::Rsa)
            .map_err(|e| SigError::BadKey(format!("RSA: {e}")))
    }

    /// A short description: `"RSA-2048"`, `"brainpoolP256r1 (explicit)"`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Rsa(k) => format!("RSA-{}", k.n().as_ref().bits_vartime()),
            Self::Ec { curve, explicit, .. } => {
                let name = curve.named_curve().map_or_else(|| format!("EC-{}", curve.order_bits()), |c| c.to_string());
                if *explicit { format!("{name} (explicit)") } else { name }
            }
        }
    }

    /// Key size in bits (modulus or group order).
    #[must_use]
    pub fn bits(&self) -> u32 {
        match self {
            Self::Rsa(k) => k.n().as_ref().bits_vartime(),
            Self::Ec { curve, .. } => curve.order_bits(),
        }
    }
}

/// The curve of ECParameters: a named-curve OID or explicit SpecifiedECDomain
/// (RFC 3279 §2.3.5 / SEC 1 C.2):
///
/// ```text
/// SpecifiedECDomain ::= SEQUENCE { version INTEGER, fieldID SEQUENCE { prime-field OID, p INTEGER },
///   curve SEQUENCE { a OCTET STRING, b OCTET STRING, seed BIT STRING OPTIONAL },
///   base OCTET STRING, order INTEGER, cofactor INTEGER OPTIONAL }
/// ```
pub fn curve_from_params(params: Tlv<'_>) -> Result<(Curve, bool), SigError> {
    let bad = |m: &str| SigError::BadKey(format!("EC parameters: {m}"));
    if params.tag == Tag::new(0x06) {
        let o = oid_of(&params)?;
        let named = NamedCurve::from_oid(&o.to_string()).ok_or_else(|| SigError::Unsupported(format!("curve {o}")))?;
        return Ok((Curve::named(named).map_err(|e| bad(&e.to_string()))?, false));
    }
    if params.tag != Tag::new(0x30) {
        return Err(bad("neither a named curve nor explicit parameters"));
    }
    let kids = children(&params)?;
    // The cofactor is OPTIONAL in X9.62, but a curve without one is not the curve it
    // claims to be for every verifier alike (Wycheproof labels the same key both ways),
    // and every eMRTD issuer includes it: required.
    let [version, field, curve, base, order, cofactor] = kids.as_slice() else {
        return Err(bad("not the six fields of SpecifiedECDomain (version, field, curve, base, order, cofactor)"));
    };
    if version.tag != Tag::new(0x02) || version.value != [1] {
        return Err(bad("version other than ecpVer1"));
    }
    let field_kids = children(field)?;
    let [field_type, p] = field_kids.as_slice() else { return Err(bad("fieldID")) };
    if oid_of(field_type)? != oid::PRIME_FIELD {
        return Err(SigError::Unsupported("characteristic-two curves".into()));
    }
    let curve_kids = children(curve)?;
    let (a, b) = match curve_kids.as_slice() {
        [a, b] | [a, b, _] => (a, b),
        _ => return Err(bad("curve")),
    };
    let cofactor =
        unsigned(cofactor.value).iter().fold(0u32, |acc, &x| acc.saturating_mul(256).saturating_add(u32::from(x)));
    // The base point is an encoded point; decode coordinates once the field size is known.
    let p_bytes = unsigned(p.value);
    let field_len = p_bytes.len();
    let (gx, gy) = match base.value.split_first() {
        Some((0x04, xy)) if xy.len() == 2 * field_len => xy.split_at(field_len),
        _ => return Err(SigError::Unsupported("compressed or malformed base point".into())),
    };
    let d = DomainParams {
        p: p_bytes.to_vec(),
        a: a.value.to_vec(),
        b: b.value.to_vec(),
        gx: gx.to_vec(),
        gy: gy.to_vec(),
        n: unsigned(order.value).to_vec(),
        cofactor,
    };
    if cofactor != 1 {
        return Err(SigError::Unsupported(format!("cofactor {cofactor}")));
    }
    let c = Curve::from_params(&d).map_err(|e| bad(&e.to_string()))?;
    Ok((c, true))
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
        && let Some(named @ (super::ec::NamedCurve::P256 | super::ec::NamedCurve::P384)) = curve.named_curve()
    {
        // The same parse and range check as the digest path; ring does the arithmetic.
        let (r, s) = ecdsa_scalars(curve, alg, signature)?;
        if !curve.scalar_in_range(r) || !curve.scalar_in_range(s) {
            return Err(SigError::Invalid);
        }
        let point = curve.encode_point(point);
        if let Some(valid) = super::ring_ecdsa::verify(named, &point, *hash, message, (r, s), canonical_der_signature) {
            return if valid { Ok(()) } else { Err(SigError::Invalid) };
        }
    }
    verify_digest(key, alg, &alg.hash().digest(message), signature)
}

/// A known issuer error of an EC key, tolerated and named: its point lies on `actual`,
/// not on the curve its parameters state ([`PublicKey::from_spki_tlv_tolerating_curve_mismatch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurveMismatch {
    /// The curve the key's parameters state.
    pub stated: NamedCurve,
    /// The standardized curve of the same field size its point lies on.
    pub actual: NamedCurve,
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

/// The error of a DER ECDSA signature that parses but is not canonical.
const NOT_CANONICAL: &str = "ECDSA signature is not canonical DER";

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

/// r and s of an ECDSA signature (unsigned big-endian), in the encoding `alg` names: strict
/// DER for `Ecdsa`, `r ‖ s` for `EcdsaPlain`.
fn ecdsa_scalars<'a>(
    curve: &Curve,
    alg: &SignatureAlgorithm,
    signature: &'a [u8],
) -> Result<(&'a [u8], &'a [u8]), SigError> {
    if let SignatureAlgorithm::EcdsaPlain { .. } = alg {
        // BSI TR-03111 §5.2.1: r and s each exactly as long as the order; any other
        // length is another encoding of the same pair, so not this one.
        if signature.len() != 2 * curve.scalar_bytes() {
            return Err(SigError::MalformedSignature("plain ECDSA signature of the wrong length"));
        }
        return Ok(signature.split_at(signature.len() / 2));
    }
    der_signature(signature)
}

/// Parses `SEQUENCE { r INTEGER, s INTEGER }` in DER, strictly: the bytes must be the
/// one canonical encoding of (r, s) (minimal lengths, minimal non-negative integers,
/// nothing after). A signature is malleable otherwise, and BER variants are how
/// verifiers that tolerate them get fooled (Wycheproof's "BER encoded" and "modified
/// integer" cases).
fn der_signature(sig: &[u8]) -> Result<(&[u8], &[u8]), SigError> {
    let (r, s) = der_integers(sig)?;
    if canonical_der_signature(r, s) != sig {
        return Err(SigError::MalformedSignature(NOT_CANONICAL));
    }
    Ok((r, s))
}

/// r and s of `SEQUENCE { r INTEGER, s INTEGER }` as unsigned big-endian, however encoded.
fn der_integers(sig: &[u8]) -> Result<(&[u8], &[u8]), SigError> {
    let bad = SigError::MalformedSignature("ECDSA signature is not a DER SEQUENCE { r, s }");
    let seq = Tlv::parse_tagged(sig, Tag::new(0x30)).map_err(|_| bad.clone())?;
    let mut kids = seq.children();
    let (Some(Ok(r)), Some(Ok(s)), None) = (kids.next(), kids.next(), kids.next()) else { return Err(bad) };
    if r.tag != Tag::new(0x02) || s.tag != Tag::new(0x02) {
        return Err(bad);
    }
    // A negative INTEGER is never an ECDSA scalar.
    if r.value.first().is_some_and(|b| b & 0x80 != 0) || s.value.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(bad);
    }
    Ok((unsigned(r.value), unsigned(s.value)))
}

/// The DER encoding of `SEQUENCE { r, s }` for unsigned big-endian r and s.
fn canonical_der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    let int = |v: &[u8]| {
        let mut body = Vec::with_capacity(v.len() + 1);
        if v.first().is_none_or(|&b| b & 0x80 != 0) {
            body.push(0);
        }
        body.extend_from_slice(v);
        crate::tlv::encode_to_vec(Tag::new(0x02), &body)
    };
    let mut content = int(r);
    content.extend_from_slice(&int(s));
    crate::tlv::encode_to_vec(Tag::new(0x30), &content)
}

fn ecdsa(curve: &Curve, point: &AffinePoint, digest: &[u8], r: &[u8], s: &[u8]) -> Result<(), SigError> {
    if curve.verify_ecdsa(point, digest, r, s) { Ok(()) } else { Err(SigError::Invalid) }
}

fn rsa_pkcs1(k: &RsaPublicKey, hash: HashAlg, digest: &[u8], sig: &[u8]) -> Result<(), SigError> {
    use rsa::pkcs1v15::Pkcs1v15Sign;
    let scheme = match hash {
        HashAlg::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        HashAlg::Sha224 => Pkcs1v15Sign::new::<sha2::Sha224>(),
        HashAlg::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
        HashAlg::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
        HashAlg::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
    };
    k.verify(scheme, digest, sig).map_err(|_| SigError::Invalid)
}

/// The RSA public operation `s^e mod n` as `k` bytes (k = modulus length), checking s < n.
pub(crate) fn rsa_public(k: &RsaPublicKey, sig: &[u8]) -> Result<Vec<u8>, SigError> {
    let size = k.size();
    let stripped = unsigned(sig);
    if stripped.len() > size {
        return Err(SigError::Invalid);
    }
    let s = BoxedUint::from_be_slice(stripped, k.n_bits_precision()).map_err(|_| SigError::Invalid)?;
    if s >= *k.n().as_ref() {
        return Err(SigError::Invalid);
    }
    let m = rsa::hazmat::rsa_encrypt(k, &s).map_err(|_| SigError::Invalid)?;
    let bytes = m.to_be_bytes();
    let body = unsigned(&bytes);
    let mut out = vec![0u8; size.saturating_sub(body.len())];
    out.extend_from_slice(body);
    Ok(out)
}

/// MGF1 (RFC 8017 B.2.1).
fn mgf1(hash: HashAlg, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut counter = 0u32;
    while out.len() < len {
        out.extend_from_slice(&hash.digest_parts(&[seed, &counter.to_be_bytes()]));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) over the raw RSA operation: unlike the `rsa`
/// crate, the MGF1 hash may differ from the message hash.
fn emsa_pss_verify(
    k: &RsaPublicKey,
    m_hash: &[u8],
    sig: &[u8],
    hash: HashAlg,
    mgf: HashAlg,
    salt_len: usize,
) -> Result<(), SigError> {
    let invalid = SigError::Invalid;
    if sig.len() != k.size() {
        return Err(invalid);
    }
    let mod_bits = k.n().as_ref().bits_vartime() as usize;
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    let full = rsa_public(k, sig)?;
    // When emBits is a multiple of 8, EM is one byte shorter than the modulus.
    let (lead, em) = full.split_at(full.len() - em_len);
    if lead.iter().any(|&b| b != 0) {
        return Err(invalid);
    }
    let h_len = hash.output_len();
    if em_len < h_len + salt_len + 2 {
        return Err(invalid);
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let (h, trailer) = rest.split_at(h_len);
    if trailer != [0xBC] {
        return Err(invalid);
    }
    let top_bits = 8 * em_len - em_bits;
    let top_mask = if top_bits == 0 { 0u8 } else { 0xFFu8 << (8 - top_bits) };
    if masked_db.first().is_some_and(|b| b & top_mask != 0) {
        return Err(invalid);
    }
    let mut db: Vec<u8> = masked_db.iter().zip(mgf1(mgf, h, masked_db.len())).map(|(a, b)| a ^ b).collect();
    if let Some(first) = db.first_mut() {
        *first &= !top_mask;
    }
    let ps_len = em_len - h_len - salt_len - 2;
    let (ps, rest) = db.split_at(ps_len);
    if ps.iter().any(|&b| b != 0) || rest.first() != Some(&0x01) {
        return Err(invalid);
    }
    let salt = rest.get(1..).unwrap_or_default();
    let h2 = hash.digest_parts(&[&[0u8; 8], m_hash, salt]);
    if super::ct_eq(&h2, h) { Ok(()) } else { Err(invalid) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ECDSA pairing takes the same decision on both paths (ring's where the
    /// feature has it, the RustCrypto crates' through `verify_digest`), including P-256
    /// with SHA-384, which no Wycheproof file covers: ring is handed DER there.
    #[test]
    fn both_ecdsa_paths_agree() {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let signer = p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap();
        let curve = Curve::named(super::super::ec::NamedCurve::P256).unwrap();
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
        assert!(matches!(
            verify_tolerating_issuer_errors(&key, &plain, b"", &rs),
            Err(SigError::MalformedSignature(_))
        ));
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
}
