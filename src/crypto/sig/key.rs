//! Public keys from X.509 SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): RSA (rsaEncryption,
//! id-RSASSA-PSS) and EC on named curves or explicit domain parameters (RFC 3279 §2.3.5).

use crypto_bigint::BoxedUint;
use rsa::RsaPublicKey;
use rsa::traits::PublicKeyParts;

use crate::crypto::ec::{AffinePoint, Curve, DomainParams, NamedCurve};
use crate::oid;
use crate::tlv::{Tag, Tlv};

use super::algorithm::AlgorithmId;
use super::{SigError, children, oid_of, tlv_err, unsigned};

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

/// A known issuer error of an EC key, tolerated and named: its point lies on `actual`,
/// not on the curve its parameters state ([`PublicKey::from_spki_tlv_tolerating_curve_mismatch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurveMismatch {
    /// The curve the key's parameters state.
    pub stated: NamedCurve,
    /// The standardized curve of the same field size its point lies on.
    pub actual: NamedCurve,
}
