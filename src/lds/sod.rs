//! EF.SOD, the document security object (ICAO 9303-10 §4.6.2):
//!
//! ```text
//! 77 L  ContentInfo (CMS SignedData, see lds::cms) whose eContent is
//! LDSSecurityObject ::= SEQUENCE {
//!     version                LDSSecurityObjectVersion,     -- v0(0), v1(1)
//!     hashAlgorithm          DigestAlgorithmIdentifier,
//!     dataGroupHashValues    SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
//!     ldsVersionInfo         LDSVersionInfo OPTIONAL }     -- v1 only
//! DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER (1..16), dataGroupHashValue OCTET STRING }
//! LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString }
//! ```
//!
//! eContentType is id-icao-mrtd-security-ldsSecurityObject (2.23.136.1.1.1); some issuers
//! use another, accepted and reported ([`SodContentType`]): id-data (CN), `1.3.27.1.1.1`
//! (Belgian and French documents), `1.2.528.1.1006.1.20.1` (some Dutch ones, Sdu). The file
//! as read starts with its application tag `77`; middleware and phone SDKs often export
//! the bare ContentInfo (`30 …`) instead, which is accepted too ([`SodForm`]).

use std::collections::BTreeMap;

use const_oid::ObjectIdentifier;

use super::cms::SignedData;
use super::{DgNumber, LdsError};
use crate::crypto::hash::HashAlg;
use crate::oid;
use crate::tlv::{self, Tag, Tlv};

const FILE: &str = "EF.SOD";

fn err(reason: &'static str) -> LdsError {
    LdsError::Invalid { file: FILE, reason }
}

fn tlv_err(e: tlv::TlvError) -> LdsError {
    LdsError::Tlv { file: FILE, source: e }
}

/// The parsed LDSSecurityObject.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LdsSecurityObject {
    /// 0 or 1.
    pub version: u8,
    /// The algorithm of the data-group hashes.
    pub hash_alg: HashAlg,
    /// The hash of each data group, by number.
    pub hashes: BTreeMap<DgNumber, Vec<u8>>,
    /// LDS and Unicode versions (v1 only).
    pub lds_version: Option<(String, String)>,
}

impl LdsSecurityObject {
    /// Parses the DER LDSSecurityObject.
    ///
    /// # Errors
    /// [`LdsError`] for a malformed structure, an unknown hash or a duplicate data group.
    pub fn parse(der: &[u8]) -> Result<Self, LdsError> {
        let seq = Tlv::parse_tagged(der, Tag::new(0x30)).map_err(tlv_err)?;
        let fields: Vec<Tlv<'_>> = seq.children().collect::<Result<_, _>>().map_err(tlv_err)?;
        let [version, alg, groups, rest @ ..] = fields.as_slice() else { return Err(err("too few fields")) };
        let version = match version.value {
            [v @ (0 | 1)] if version.tag == Tag::new(0x02) => *v,
            _ => return Err(err("version is not 0 or 1")),
        };
        let alg_oid = alg.children().next().ok_or(err("empty hashAlgorithm"))?.map_err(tlv_err)?;
        let o = ObjectIdentifier::from_bytes(alg_oid.value).map_err(|_| err("malformed hash OID"))?;
        let hash_alg = HashAlg::from_oid(&o).ok_or(err("unsupported hash algorithm"))?;
        let mut hashes = BTreeMap::new();
        for g in groups.children() {
            let g = g.map_err(tlv_err)?;
            let mut k = g.children();
            let (Some(Ok(n)), Some(Ok(h))) = (k.next(), k.next()) else { return Err(err("malformed DataGroupHash")) };
            let number = match n.value {
                [x] if n.tag == Tag::new(0x02) => DgNumber::new(*x).ok_or(err("data group number outside 1..16"))?,
                _ => return Err(err("malformed data group number")),
            };
            if h.tag != Tag::new(0x04) || h.value.len() != hash_alg.output_len() {
                return Err(err("data group hash has the wrong length"));
            }
            if hashes.insert(number, h.value.to_vec()).is_some() {
                return Err(err("data group listed twice"));
            }
        }
        let lds_version = match rest.first() {
            Some(info) => {
                let mut k = info.children();
                let (Some(Ok(a)), Some(Ok(b))) = (k.next(), k.next()) else {
                    return Err(err("malformed LDSVersionInfo"));
                };
                Some((String::from_utf8_lossy(a.value).into_owned(), String::from_utf8_lossy(b.value).into_owned()))
            }
            None => None,
        };
        Ok(Self { version, hash_alg, hashes, lds_version })
    }
}

/// The eContentType an EF.SOD declares for its LDSSecurityObject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SodContentType {
    /// id-icao-mrtd-security-ldsSecurityObject (2.23.136.1.1.1), as ICAO 9303-10 says.
    Icao,
    /// id-data (1.2.840.113549.1.7.1), as some Chinese documents have it.
    Data,
    /// `1.3.27.1.1.1`, as Belgian and French documents have it.
    LegacyBelgianFrench,
    /// `1.2.528.1.1006.1.20.1` (Sdu), as some Dutch documents have it.
    LegacySdu,
}

impl SodContentType {
    fn of(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oid::LDS_SECURITY_OBJECT => Self::Icao,
            oid::DATA => Self::Data,
            oid::LDS_SECURITY_OBJECT_LEGACY_BE_FR => Self::LegacyBelgianFrench,
            oid::LDS_SECURITY_OBJECT_LEGACY_SDU => Self::LegacySdu,
            _ => return None,
        })
    }

    /// For a report: why a content type other than ICAO's was accepted.
    #[must_use]
    pub fn tolerance(self) -> Option<&'static str> {
        match self {
            Self::Icao => None,
            Self::Data => Some("eContentType is id-data instead of ldsSecurityObject (tolerated)"),
            Self::LegacyBelgianFrench => Some(
                "eContentType is 1.3.27.1.1.1 instead of ldsSecurityObject (tolerated: Belgian and French documents use it)",
            ),
            Self::LegacySdu => Some(
                "eContentType is 1.2.528.1.1006.1.20.1 instead of ldsSecurityObject (tolerated: some Dutch documents use it)",
            ),
        }
    }
}

/// How an EF.SOD was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SodForm {
    /// As read from the chip: the application tag `77` around the ContentInfo.
    Tagged,
    /// The bare ContentInfo (`30 …`), as middleware and phone SDKs often export it.
    BareContentInfo,
}

/// The parsed EF.SOD.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sod {
    /// The CMS structure (signers, certificates, eContent).
    pub signed_data: SignedData,
    /// The data-group hashes.
    pub security_object: LdsSecurityObject,
    /// The declared eContentType.
    pub content_type: SodContentType,
    /// With or without the `77` tag.
    pub form: SodForm,
}

impl Sod {
    /// Parses EF.SOD (BER or DER).
    ///
    /// # Errors
    /// [`LdsError`].
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let der = tlv::ber::to_der(bytes).map_err(tlv_err)?;
        let (content_info, form) = match der.first() {
            Some(0x30) => (der.as_ref(), SodForm::BareContentInfo),
            _ => (Tlv::parse_tagged(&der, Tag::new(0x77)).map_err(tlv_err)?.value, SodForm::Tagged),
        };
        let mut signed_data = SignedData::parse(content_info)?;
        signed_data.was_ber |= matches!(der, std::borrow::Cow::Owned(_));
        let content_type =
            SodContentType::of(&signed_data.econtent_type).ok_or(err("eContentType is not ldsSecurityObject"))?;
        let security_object = LdsSecurityObject::parse(&signed_data.econtent)?;
        Ok(Self { signed_data, security_object, content_type, form })
    }

    /// Whether the eContentType is the ICAO one (not id-data).
    #[must_use]
    pub fn has_icao_content_type(&self) -> bool {
        self.content_type == SodContentType::Icao
    }
}
