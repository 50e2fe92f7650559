//! CSCA master lists (ICAO 9303-12 §9): a CMS SignedData whose eContent
//! (id-icao-cscaMasterList, 2.23.136.1.1.2) is
//!
//! ```text
//! CscaMasterList ::= SEQUENCE { version CscaMasterListVersion (v0), certList SET OF Certificate }
//! ```
//!
//! A master list is only as trustworthy as its signer: [`MasterList::open`] verifies the
//! signature and the signer's certificate against a root the caller trusts before any
//! certificate of the list is handed out. Without a root the signer is checked against
//! the CSCAs the list itself carries, and the result says the list is not anchored.

use super::cert::Cert;
use super::signed::{SignedDataError, verify_signed_data};
use crate::lds::cms::SignedData;
use crate::oid;
use crate::tlv::{Tag, Tlv};

/// Why a master list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MasterListError {
    /// Not a CMS master list.
    #[error("not a CSCA master list: {0}")]
    Malformed(String),
    /// The list's own signature does not hold.
    #[error("the master list signature does not verify: {0}")]
    Signature(#[from] SignedDataError),
    /// The signer's certificate was not issued by the given root.
    #[error("the master list signer ({signer}) does not chain to the given root ({root})")]
    NotIssuedByRoot {
        /// Signer subject.
        signer: String,
        /// Root subject.
        root: String,
    },
    /// Without a root: no CSCA in the list issued the signer's certificate.
    #[error("no certificate in the master list issued its signer ({0})")]
    SignerUnknown(String),
}

/// How the list's signer was anchored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Anchoring {
    /// The signer chains to a root the caller gave.
    Root {
        /// Root subject.
        root: String,
    },
    /// The signer chains only to a CSCA inside the list: the list vouches for itself.
    NotAnchored {
        /// The CSCA in the list that issued the signer.
        issuer: String,
    },
}

/// A verified master list.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MasterList {
    /// The certificates of the list that parsed.
    pub certificates: Vec<Cert>,
    /// Entries that did not parse as certificates (count and first error).
    pub rejected: Vec<String>,
    /// The signer's certificate.
    pub signer: Cert,
    /// How the signer was anchored.
    pub anchoring: Anchoring,
}

impl MasterList {
    /// Parses and verifies a master list (a ContentInfo, DER or BER). With `root`, the
    /// signer must have been issued by it; without, by a certificate in the list.
    ///
    /// # Errors
    /// [`MasterListError`]; nothing from a list that fails is returned.
    pub fn open(bytes: &[u8], root: Option<&Cert>) -> Result<Self, MasterListError> {
        let sd = SignedData::parse(bytes).map_err(|e| MasterListError::Malformed(e.to_string()))?;
        if sd.econtent_type != oid::CSCA_MASTER_LIST {
            return Err(MasterListError::Malformed(format!("eContentType {}", sd.econtent_type)));
        }
        let signer = verify_signed_data(&sd)?.certificate;
        let (certificates, rejected) = certificates_of(&sd.econtent)?;
        let anchoring = match root {
            Some(r) => {
                let key = r.public_key().map_err(|e| MasterListError::Malformed(format!("root key: {e}")))?;
                if signer.issuer_name() != r.subject_name() || signer.verify_signed_by(key).is_err() {
                    return Err(MasterListError::NotIssuedByRoot { signer: signer.subject(), root: r.subject() });
                }
                Anchoring::Root { root: r.subject() }
            }
            None => {
                let issuer = certificates
                    .iter()
                    .chain(sd.certificates.iter().filter_map(|c| Cert::from_der(c).ok()).collect::<Vec<_>>().iter())
                    .find(|c| {
                        c.subject_name() == signer.issuer_name()
                            && c.public_key().is_ok_and(|k| signer.verify_signed_by(k).is_ok())
                    })
                    .map(Cert::subject)
                    .ok_or_else(|| MasterListError::SignerUnknown(signer.subject()))?;
                Anchoring::NotAnchored { issuer }
            }
        };
        Ok(Self { certificates, rejected, signer, anchoring })
    }
}

/// The certificates of a CscaMasterList, tolerant of unsorted and duplicate entries.
fn certificates_of(econtent: &[u8]) -> Result<(Vec<Cert>, Vec<String>), MasterListError> {
    let bad = |m: String| MasterListError::Malformed(m);
    let seq = Tlv::parse_tagged(econtent, Tag::new(0x30)).map_err(|e| bad(e.to_string()))?;
    let mut kids = seq.children();
    let _version = kids.next().ok_or_else(|| bad("empty CscaMasterList".into()))?.map_err(|e| bad(e.to_string()))?;
    let list = kids.next().ok_or_else(|| bad("no certList".into()))?.map_err(|e| bad(e.to_string()))?;
    if list.tag != Tag::new(0x31) {
        return Err(bad("certList is not a SET".into()));
    }
    let mut certs = Vec::new();
    let mut rejected = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in list.children() {
        let c = c.map_err(|e| bad(e.to_string()))?;
        if !seen.insert(c.raw) {
            continue; // duplicates occur in published lists
        }
        match Cert::from_der(c.raw) {
            Ok(cert) => certs.push(cert),
            Err(e) => rejected.push(e.to_string()),
        }
    }
    Ok((certs, rejected))
}
