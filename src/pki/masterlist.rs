//! CSCA master lists (ICAO 9303-12 §9): a CMS SignedData whose eContent
//! (id-icao-cscaMasterList, 2.23.136.1.1.2) is
//!
//! ```text
//! CscaMasterList ::= SEQUENCE { version CscaMasterListVersion (v0), certList SET OF Certificate }
//! ```
//!
//! A master list is only as trustworthy as its signer, and a signer only as trustworthy as
//! the root it chains to. [`MasterList::open`] verifies the signature, the signer's
//! validity and key usage (as for a DSC), and that the signer was issued by a root the
//! caller trusts, before any certificate of the list is handed out. A list that vouches for
//! itself (its signer issued by a CSCA inside it) is refused unless the caller asks for it
//! by name ([`MasterList::open_unanchored`]), and a certificate from the CMS
//! `certificates` field, which nobody signs, never anchors anything.

use super::cert::Cert;
use super::signed::{SignedDataError, verify_signed_data};
use crate::date::Date;
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
    /// No root was given: a list is not trusted on its own word.
    #[error(
        "no root to verify the master list's signer against: give the root that issued it (a list is not trusted on its own word)"
    )]
    NoRoot,
    /// No root was given, and none of the roots passchip pins issued the signer.
    #[error(
        "the master list signer ({signer}) was issued by {issuer}, which is not a root passchip pins (DE, NL): give the root that issued it"
    )]
    NoPinnedRoot {
        /// Signer subject.
        signer: String,
        /// Signer's issuer.
        issuer: String,
    },
    /// Without a root, by explicit request: no CSCA in the list issued the signer's
    /// certificate (the CMS `certificates` field does not count).
    #[error("no certificate in the master list issued its signer ({0})")]
    SignerUnknown(String),
    /// The signer (or its root) is outside its validity period at the evaluation date.
    #[error("{what} is not valid on {at}: valid {not_before} to {not_after}")]
    NotValid {
        /// `"the master list signer"` or `"the root"`.
        what: &'static str,
        /// The evaluation date.
        at: String,
        /// Validity start.
        not_before: String,
        /// Validity end.
        not_after: String,
    },
    /// The signer's certificate may not sign (keyUsage without digitalSignature), or its
    /// extensions are malformed.
    #[error("the master list signer may not sign: {0}")]
    KeyUsage(String),
}

/// How the list's signer was anchored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Anchoring {
    /// The signer chains to a root the caller gave.
    Root {
        /// Root subject.
        root: String,
    },
    /// The signer chains to a root passchip pins ([`super::pinned::PINNED_ROOTS`]).
    PinnedRoot {
        /// Root subject.
        root: String,
        /// The pin's short name (`DE`, `NL`).
        pin: String,
    },
    /// The caller asked for a list without a root: its signer chains only to a CSCA inside
    /// the list, which vouches for itself.
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
    /// When the signer says it signed the list (signingTime), Unix seconds.
    pub signed_at: Option<u64>,
}

impl MasterList {
    /// Parses and verifies a master list (a ContentInfo, DER or BER) whose signer must have
    /// been issued by `root`, the signer and root both valid at `at`.
    ///
    /// # Errors
    /// [`MasterListError`]; nothing from a list that fails is returned.
    pub fn open(bytes: &[u8], root: &Cert, at: Date) -> Result<Self, MasterListError> {
        let (sd, signer) = signed(bytes, at)?;
        if !issued_by(&signer, root) {
            return Err(MasterListError::NotIssuedByRoot { signer: signer.subject(), root: root.subject() });
        }
        valid_at(root, "the root", at)?;
        Self::finish(&sd, signer, Anchoring::Root { root: root.subject() })
    }

    /// [`MasterList::open`] against the roots passchip pins ([`super::pinned::PINNED_ROOTS`]):
    /// the one that issued the signer, if any.
    ///
    /// # Errors
    /// [`MasterListError::NoPinnedRoot`] when no pinned root issued the signer, or any
    /// error of [`MasterList::open`].
    pub fn open_pinned(bytes: &[u8], at: Date) -> Result<Self, MasterListError> {
        let (sd, signer) = signed(bytes, at)?;
        for pin in super::pinned::PINNED_ROOTS {
            let Some(root) = pin.certificate() else { continue };
            if issued_by(&signer, &root) {
                valid_at(&root, "the root", at)?;
                let anchoring = Anchoring::PinnedRoot { root: root.subject(), pin: pin.name.to_string() };
                return Self::finish(&sd, signer, anchoring);
            }
        }
        Err(MasterListError::NoPinnedRoot { signer: signer.subject(), issuer: signer.issuer() })
    }

    fn finish(sd: &SignedData, signer: Cert, anchoring: Anchoring) -> Result<Self, MasterListError> {
        let (certificates, rejected) = certificates_of(&sd.econtent)?;
        let signed_at = sd.signers.first().and_then(|s| s.signing_time);
        Ok(Self { certificates, rejected, signer, anchoring, signed_at })
    }

    /// [`MasterList::open`] without a root, because the caller asks for it by name: the
    /// signer must have been issued by a CSCA inside the list itself (never by one from
    /// the CMS `certificates` field), and the result says the list is not anchored.
    ///
    /// # Errors
    /// [`MasterListError`].
    pub fn open_unanchored(bytes: &[u8], at: Date) -> Result<Self, MasterListError> {
        let (sd, signer) = signed(bytes, at)?;
        let (certificates, rejected) = certificates_of(&sd.econtent)?;
        let issuer = certificates
            .iter()
            .find(|c| {
                super::name::names_match(c.subject_name(), signer.issuer_name())
                    && c.public_key().is_ok_and(|k| signer.verify_signed_by(k).is_ok())
            })
            .map(Cert::subject)
            .ok_or_else(|| MasterListError::SignerUnknown(signer.subject()))?;
        let signed_at = sd.signers.first().and_then(|s| s.signing_time);
        Ok(Self { certificates, rejected, signer, anchoring: Anchoring::NotAnchored { issuer }, signed_at })
    }
}

/// Whether `root` issued `signer`: its name, then its signature.
fn issued_by(signer: &Cert, root: &Cert) -> bool {
    super::name::names_match(signer.issuer_name(), root.subject_name())
        && root.public_key().is_ok_and(|k| signer.verify_signed_by(k).is_ok())
}

/// The SignedData of a master list and its verified signer, valid and allowed to sign.
fn signed(bytes: &[u8], at: Date) -> Result<(SignedData, Cert), MasterListError> {
    let sd = SignedData::parse(bytes).map_err(|e| MasterListError::Malformed(e.to_string()))?;
    if sd.econtent_type != oid::CSCA_MASTER_LIST {
        return Err(MasterListError::Malformed(format!("eContentType {}", sd.econtent_type)));
    }
    let signer = verify_signed_data(&sd)?.certificate;
    valid_at(&signer, "the master list signer", at)?;
    match signer.key_usage() {
        Ok(Some((true, _)) | None) => {}
        Ok(Some((false, _))) => return Err(MasterListError::KeyUsage("keyUsage lacks digitalSignature".into())),
        Err(e) => return Err(MasterListError::KeyUsage(e)),
    }
    Ok((sd, signer))
}

fn valid_at(c: &Cert, what: &'static str, at: Date) -> Result<(), MasterListError> {
    if c.valid_at(at.to_unix()) {
        return Ok(());
    }
    Err(MasterListError::NotValid {
        what,
        at: at.to_string(),
        not_before: Date::from_unix(c.not_before()).to_string(),
        not_after: Date::from_unix(c.not_after()).to_string(),
    })
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
