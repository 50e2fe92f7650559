//! `index.json` (`passchip.trust-store/1`): what the trust folder holds and where.

use serde::{Deserialize, Serialize};

use super::FORMAT;
use crate::pki::Anchoring;

/// What a certificate is to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertKind {
    /// A country signing CA (self-signed).
    Csca,
    /// A link certificate: self-issued, signed by the country's previous CSCA key.
    Link,
    /// A document signer (from an ICAO PKD download), verified against a CSCA of the
    /// store; never an anchor.
    Dsc,
}

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A certificate file the importer trusted as it is.
    File,
    /// A verified CSCA master list.
    MasterList,
    /// An ICAO PKD LDIF download (DSCs and CRLs, each verified against a CSCA).
    Ldif,
    /// A CRL file, verified against its CSCA.
    CrlFile,
}

/// The origin of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// What kind of file.
    pub kind: SourceKind,
    /// Its name as given on import.
    pub label: String,
    /// For master lists: how the list's signer was anchored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchoring: Option<Anchoring>,
}

/// A certificate of the store, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// SHA-256 of the DER, hex.
    pub sha256: String,
    /// CSCA, link certificate or DSC.
    pub kind: CertKind,
    /// The subject's country (C=), upper case.
    pub country: Option<String>,
    /// Subject (RFC 4514).
    pub subject: String,
    /// Issuer (RFC 4514).
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Validity start, Unix seconds.
    pub not_before: u64,
    /// Validity end, Unix seconds.
    pub not_after: u64,
    /// Key type and size.
    pub key: String,
    /// Where it came from.
    pub source: Source,
    /// When it was imported, Unix seconds.
    pub imported: u64,
    /// Issued by passchip's test PKI (imported with `allow_test_pki`).
    #[serde(default)]
    pub test_pki: bool,
}

/// A CRL of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrlInfo {
    /// SHA-256 of the DER, hex.
    pub sha256: String,
    /// The issuing CSCA's name (RFC 4514).
    pub issuer: String,
    /// Its country.
    pub country: Option<String>,
    /// thisUpdate, Unix seconds.
    pub this_update: u64,
    /// nextUpdate, Unix seconds.
    pub next_update: Option<u64>,
    /// How many certificates it revokes.
    pub revoked: usize,
    /// The CSCA whose key verified it.
    pub verified_by: String,
    /// Where it came from.
    pub source: Source,
    /// When it was imported.
    pub imported: u64,
}

/// A master list imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterListInfo {
    /// Its name as given on import.
    pub label: String,
    /// SHA-256 of the file (of the CMS object), hex.
    pub sha256: String,
    /// The signer's subject.
    pub signer: String,
    /// How the signer was anchored.
    pub anchoring: Anchoring,
    /// signingTime, when the list carries one.
    pub signed_at: Option<u64>,
    /// When it was imported.
    pub imported: u64,
    /// Certificates in the list.
    pub certificates: usize,
    /// Of them, new to the store.
    pub added: usize,
}

/// A certificate and where its bytes are.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredCert {
    #[serde(flatten)]
    pub info: CertInfo,
    /// The subject Name, DER, hex (the store's lookup key).
    pub subject_der: String,
    /// The subject's RFC 5280 canonical form (the lookup key for names encoded otherwise).
    #[serde(default)]
    pub subject_key: String,
    /// subjectKeyIdentifier, hex.
    pub ski: Option<String>,
    pub offset: usize,
    pub length: usize,
}

/// A CRL and where its bytes are.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredCrl {
    #[serde(flatten)]
    pub info: CrlInfo,
    /// The issuer Name, DER, hex.
    pub issuer_der: String,
    pub offset: usize,
    pub length: usize,
}

/// The index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Index {
    pub format: String,
    pub updated: u64,
    pub generation: u64,
    pub certificates_file: String,
    pub crls_file: String,
    pub certificates: Vec<StoredCert>,
    pub crls: Vec<StoredCrl>,
    pub master_lists: Vec<MasterListInfo>,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            format: FORMAT.into(),
            updated: 0,
            generation: 0,
            certificates_file: String::new(),
            crls_file: String::new(),
            certificates: Vec::new(),
            crls: Vec::new(),
            master_lists: Vec::new(),
        }
    }
}

impl Index {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let index: Self = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if index.format != FORMAT {
            return Err(format!("format {:?}, expected {FORMAT:?}", index.format));
        }
        Ok(index)
    }
}
