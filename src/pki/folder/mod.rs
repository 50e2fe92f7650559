//! A trust store kept in a folder: what was imported (master lists, CSCA files, ICAO PKD
//! LDIF downloads, CRLs) verified once, on import, and an index written beside it so that
//! opening the store for one verification parses nothing but the index.
//!
//! ```text
//! trust/
//!   index.json               passchip.trust-store/1: every certificate, CRL and master list
//!   certificates-<gen>.der   the certificates, DER, one after another
//!   crls-<gen>.der           the CRLs, DER, one after another
//! ```
//!
//! Writes are atomic: new data files under a new generation, then the index renamed over
//! the old one, then the old data files removed. A reader never sees a half-written store.
//! The folder is the caller's: whoever can write it can change what is trusted, so it is
//! created private (0700 on Unix) and its files 0600.

mod audit;
mod import;
mod index;

use std::path::{Path, PathBuf};

pub use audit::{Audit, AuditOptions, Finding, FindingKind, Severity};
pub use import::{ImportOptions, ImportReport, Refused};
pub use index::{CertInfo, CertKind, CrlInfo, MasterListInfo, Source, SourceKind};

use self::index::Index;
use super::store::{SlotKeys, StoreOrigin, TrustSource, TrustStore};

/// The index file.
const INDEX: &str = "index.json";
/// The index format.
pub const FORMAT: &str = "passchip.trust-store/1";
/// Environment variable naming the trust folder.
pub const ENV: &str = "PASSCHIP_TRUST_STORE";

/// A trust folder could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FolderError {
    /// The file system refused.
    #[error("{path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The index or a data file is not what passchip wrote.
    #[error("{path}: not a passchip trust store: {reason}")]
    Corrupt {
        /// The path.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

fn io(path: &Path, e: &std::io::Error) -> FolderError {
    FolderError::Io { path: path.display().to_string(), reason: e.to_string() }
}

fn corrupt(path: &Path, reason: impl Into<String>) -> FolderError {
    FolderError::Corrupt { path: path.display().to_string(), reason: reason.into() }
}

/// A trust folder, opened.
#[derive(Debug)]
pub struct TrustFolder {
    path: PathBuf,
    index: Index,
    /// The certificates' and CRLs' bytes, loaded on the first import.
    data: Option<import::Data>,
}

impl TrustFolder {
    /// The platform's default trust folder: Linux `~/.local/share/passchip/trust`, Windows
    /// `%APPDATA%\passchip\trust`, macOS `~/Library/Application Support/passchip/trust`.
    #[must_use]
    pub fn default_path() -> Option<PathBuf> {
        directories::BaseDirs::new().map(|d| d.data_dir().join("passchip").join("trust"))
    }

    /// The folder `PASSCHIP_TRUST_STORE` names, else the platform's default.
    #[must_use]
    pub fn configured_path() -> Option<PathBuf> {
        std::env::var_os(ENV).filter(|v| !v.is_empty()).map(PathBuf::from).or_else(Self::default_path)
    }

    /// Opens a trust folder. A folder without an index (or one that does not exist yet) is
    /// an empty store; it is created on the first [`TrustFolder::save`].
    ///
    /// # Errors
    /// [`FolderError`] for an unreadable or foreign index.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, FolderError> {
        let path = path.into();
        let index_path = path.join(INDEX);
        let index = match std::fs::read(&index_path) {
            Ok(bytes) => Index::parse(&bytes).map_err(|e| corrupt(&index_path, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Index::default(),
            Err(e) => return Err(io(&index_path, &e)),
        };
        Ok(Self { path, index, data: None })
    }

    /// Whether the folder holds an index (something was imported into it).
    #[must_use]
    pub fn exists(path: &Path) -> bool {
        path.join(INDEX).is_file()
    }

    /// The folder.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When something was last imported (Unix seconds; 0 for an empty store).
    #[must_use]
    pub fn updated(&self) -> u64 {
        self.index.updated
    }

    /// The certificates: CSCAs, link certificates and DSCs.
    #[must_use]
    pub fn certificates(&self) -> Vec<CertInfo> {
        self.index.certificates.iter().map(|c| c.info.clone()).collect()
    }

    /// The CRLs.
    #[must_use]
    pub fn crls(&self) -> Vec<CrlInfo> {
        self.index.crls.iter().map(|c| c.info.clone()).collect()
    }

    /// The master lists imported.
    #[must_use]
    pub fn master_lists(&self) -> &[MasterListInfo] {
        &self.index.master_lists
    }

    /// The store a verification uses: every CSCA and link certificate (DSCs are not
    /// anchors), parsed only when a chain asks for it, and every CRL.
    /// Certificates of passchip's test PKI (imported with `allow_test_pki`) are left out:
    /// see [`TrustFolder::trust_store_including_test_pki`].
    ///
    /// # Errors
    /// [`FolderError`] for unreadable or damaged data files.
    pub fn trust_store(&self) -> Result<TrustStore, FolderError> {
        self.load(false)
    }

    /// [`TrustFolder::trust_store`] with the test PKI's certificates, for tests.
    ///
    /// # Errors
    /// [`FolderError`].
    pub fn trust_store_including_test_pki(&self) -> Result<TrustStore, FolderError> {
        self.load(true)
    }

    fn load(&self, test_pki: bool) -> Result<TrustStore, FolderError> {
        let mut store = TrustStore::new();
        let certs = self.read_data(&self.index.certificates_file)?;
        let anchors = self.index.certificates.iter().filter(|c| c.info.kind != CertKind::Dsc);
        for c in anchors.filter(|c| test_pki || !c.info.test_pki) {
            let der =
                slice(&certs, c.offset, c.length).ok_or_else(|| corrupt(&self.path, "certificate out of range"))?;
            let subject_der = hex_decode(&c.subject_der).map_err(|e| corrupt(&self.path, e))?;
            let subject_key = if c.subject_key.is_empty() {
                super::name::canonical_der(&subject_der).ok_or_else(|| corrupt(&self.path, "subject name"))?
            } else {
                c.subject_key.clone()
            };
            let keys = SlotKeys {
                ski: c.ski.as_deref().map(hex_decode).transpose().map_err(|e| corrupt(&self.path, e))?,
                subject_der,
                subject_key,
                sha256: hex_decode(&c.info.sha256).map_err(|e| corrupt(&self.path, e))?,
            };
            store.add_unparsed(der.to_vec(), c.info.source.trust_source(), keys);
        }
        let crls = self.read_data(&self.index.crls_file)?;
        for c in &self.index.crls {
            let der = slice(&crls, c.offset, c.length).ok_or_else(|| corrupt(&self.path, "CRL out of range"))?;
            // Verified on import; damaged bytes would not parse, and are refused here.
            store.add_crl(super::Crl::from_der(der).map_err(|e| corrupt(&self.path, e.to_string()))?);
        }
        store.set_origin(StoreOrigin { path: self.path.display().to_string(), updated: self.index.updated });
        Ok(store)
    }

    fn read_data(&self, name: &str) -> Result<Vec<u8>, FolderError> {
        if name.is_empty() {
            return Ok(Vec::new());
        }
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(corrupt(&self.path, format!("data file name {name:?}")));
        }
        let p = self.path.join(name);
        std::fs::read(&p).map_err(|e| io(&p, &e))
    }
}

impl TrustStore {
    /// Opens the trust folder at `path` ([`TrustFolder::trust_store`]).
    ///
    /// # Errors
    /// [`FolderError`].
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, FolderError> {
        TrustFolder::open(path)?.trust_store()
    }

    /// Opens the configured trust folder (`PASSCHIP_TRUST_STORE`, else the platform's
    /// data folder), as `passchip read` and `verify` do without trust flags: `None` when
    /// nothing was ever imported there. A kiosk opens its store this way.
    ///
    /// # Errors
    /// [`FolderError`] for a folder that exists but cannot be used.
    pub fn open_configured() -> Result<Option<Self>, FolderError> {
        match TrustFolder::configured_path() {
            Some(p) if TrustFolder::exists(&p) => TrustFolder::open(p)?.trust_store().map(Some),
            _ => Ok(None),
        }
    }
}

impl Source {
    fn trust_source(&self) -> TrustSource {
        match (&self.kind, &self.anchoring) {
            (SourceKind::MasterList, Some(anchoring)) => {
                TrustSource::MasterList { path: self.label.clone(), anchoring: anchoring.clone() }
            }
            _ => TrustSource::File { path: self.label.clone() },
        }
    }
}

fn slice(data: &[u8], offset: usize, length: usize) -> Option<&[u8]> {
    data.get(offset..offset.checked_add(length)?)
}

fn hex_decode(s: &str) -> Result<Vec<u8>, String> {
    base16ct::mixed::decode_vec(s).map_err(|e| format!("hex: {e}"))
}

fn hex(b: &[u8]) -> String {
    base16ct::lower::encode_string(b)
}
