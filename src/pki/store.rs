//! The trust store: CSCA certificates (and link certificates) the verifier trusts, and the
//! CRLs it knows, indexed by subject key identifier and subject name.
//!
//! Certificates enter from files and folders (DER or PEM) or from master lists, which are
//! verified before any of their certificates is added ([`MasterList::open`]).

use std::collections::HashMap;
use std::path::Path;

use super::PkiError;
use super::cert::Cert;
use super::crl::Crl;
use super::masterlist::{Anchoring, MasterList, MasterListError};

/// Where a trusted certificate came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum TrustSource {
    /// A certificate file or folder the caller trusts.
    File {
        /// The path (or a caller-chosen label).
        path: String,
    },
    /// A master list, verified on loading.
    MasterList {
        /// The list's path or label.
        path: String,
        /// How its signer was anchored.
        anchoring: Anchoring,
    },
}

/// A certificate in the store and its origin.
#[derive(Debug, Clone)]
pub struct TrustedCert {
    /// The certificate.
    pub cert: Cert,
    /// Where it came from.
    pub source: TrustSource,
}

/// One certificate of the store: parsed when it is first needed, so that a store opened
/// from a folder of hundreds of CSCAs costs only the lookup of the few a chain needs.
#[derive(Debug, Clone)]
struct Slot {
    der: Vec<u8>,
    source: TrustSource,
    /// `None` inside: the bytes did not parse, and such a certificate anchors nothing.
    parsed: std::sync::OnceLock<Option<TrustedCert>>,
}

impl Slot {
    fn get(&self) -> Option<&TrustedCert> {
        self.parsed
            .get_or_init(|| {
                Cert::from_der(&self.der).ok().map(|cert| TrustedCert { cert, source: self.source.clone() })
            })
            .as_ref()
    }
}

/// The index keys of a certificate the store has not parsed (a trust folder's index
/// carries them, written when the certificate was verified on import).
#[derive(Debug, Clone)]
pub(crate) struct SlotKeys {
    /// subjectKeyIdentifier.
    pub ski: Option<Vec<u8>>,
    /// The subject Name, DER.
    pub subject_der: Vec<u8>,
    /// The subject's canonical form ([`super::name::canonical`]).
    pub subject_key: String,
    /// SHA-256 of the certificate.
    pub sha256: Vec<u8>,
}

/// Where a store was opened from, and how old its content is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StoreOrigin {
    /// The trust folder.
    pub path: String,
    /// When something was last imported into it (Unix seconds).
    pub updated: u64,
}

/// CSCAs and CRLs a verifier trusts.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    slots: Vec<Slot>,
    by_ski: HashMap<Vec<u8>, Vec<usize>>,
    by_subject_der: HashMap<Vec<u8>, Vec<usize>>,
    by_subject: HashMap<String, Vec<usize>>,
    fingerprints: std::collections::HashSet<Vec<u8>>,
    crls: Vec<Crl>,
    origin: Option<StoreOrigin>,
}

/// The lookup key of a name: its RFC 5280 §7.1 canonical form ([`super::name::canonical`]).
fn name_key(name: &x509_cert::name::Name) -> String {
    super::name::canonical(name)
}

impl TrustStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of certificates.
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the store has no certificate.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Every certificate (those that parse: one that does not anchors nothing).
    pub fn certificates(&self) -> impl Iterator<Item = &TrustedCert> {
        self.slots.iter().filter_map(Slot::get)
    }

    /// The trust folder this store was opened from, if any.
    #[must_use]
    pub fn origin(&self) -> Option<&StoreOrigin> {
        self.origin.as_ref()
    }

    #[cfg_attr(not(feature = "trust-folder"), allow(dead_code))]
    pub(crate) fn set_origin(&mut self, origin: StoreOrigin) {
        self.origin = Some(origin);
    }

    /// Adds one certificate (duplicates are ignored). Returns whether it was new.
    pub fn add(&mut self, cert: Cert, source: TrustSource) -> bool {
        let keys = SlotKeys {
            ski: cert.subject_key_id(),
            subject_der: cert.subject_der().to_vec(),
            subject_key: name_key(cert.subject_name()),
            sha256: crate::crypto::hash::HashAlg::Sha256.digest(cert.der()),
        };
        let der = cert.der().to_vec();
        let parsed = std::sync::OnceLock::new();
        let _ = parsed.set(Some(TrustedCert { cert, source: source.clone() }));
        self.push(Slot { der, source, parsed }, keys)
    }

    /// Adds a certificate verified earlier (on import into a trust folder) without parsing
    /// it now. Returns whether it was new.
    #[cfg_attr(not(feature = "trust-folder"), allow(dead_code))]
    pub(crate) fn add_unparsed(&mut self, der: Vec<u8>, source: TrustSource, keys: SlotKeys) -> bool {
        self.push(Slot { der, source, parsed: std::sync::OnceLock::new() }, keys)
    }

    fn push(&mut self, slot: Slot, keys: SlotKeys) -> bool {
        if !self.fingerprints.insert(keys.sha256) {
            return false;
        }
        let i = self.slots.len();
        if let Some(ski) = keys.ski {
            self.by_ski.entry(ski).or_default().push(i);
        }
        self.by_subject_der.entry(keys.subject_der).or_default().push(i);
        self.by_subject.entry(keys.subject_key).or_default().push(i);
        self.slots.push(slot);
        true
    }

    /// Adds the certificates of a file (DER or PEM, one or more) or of every file of a
    /// folder (`.der`, `.cer`, `.crt`, `.pem`). Returns how many were new.
    ///
    /// # Errors
    /// [`PkiError`] for an unreadable path or a file that is not a certificate.
    pub fn add_path(&mut self, path: &Path) -> Result<usize, PkiError> {
        let io = |e: std::io::Error| PkiError::Io { path: path.display().to_string(), reason: e.to_string() };
        if path.is_dir() {
            let mut entries: Vec<_> =
                std::fs::read_dir(path).map_err(io)?.filter_map(Result::ok).map(|e| e.path()).collect();
            entries.sort();
            let mut n = 0;
            for p in entries {
                let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
                if matches!(ext.as_deref(), Some("der" | "cer" | "crt" | "pem")) {
                    n += self.add_path(&p)?;
                }
            }
            return Ok(n);
        }
        let bytes = std::fs::read(path).map_err(io)?;
        let certs = Cert::from_der_or_pem(&bytes)
            .map_err(|e| PkiError::Io { path: path.display().to_string(), reason: e.to_string() })?;
        let source = TrustSource::File { path: path.display().to_string() };
        Ok(certs.into_iter().filter(|c| self.add(c.clone(), source.clone())).count())
    }

    /// Verifies a master list against `root` (its signer must have been issued by it, both
    /// valid at `at`) and adds its certificates. Returns how many were new, and how the
    /// list was anchored.
    ///
    /// # Errors
    /// [`MasterListError`]; nothing is added from a list that fails.
    pub fn add_master_list(
        &mut self,
        bytes: &[u8],
        root: &Cert,
        label: &str,
        at: crate::date::Date,
    ) -> Result<(usize, Anchoring), MasterListError> {
        self.add_verified_list(MasterList::open(bytes, root, at)?, label)
    }

    /// Adds a master list without a root to verify its signer against, because the caller
    /// asks for it by name: the list vouches for itself ([`MasterList::open_unanchored`]),
    /// and every verdict that rests on one of its certificates says so.
    ///
    /// # Errors
    /// [`MasterListError`]; nothing is added from a list that fails.
    pub fn add_unanchored_master_list(
        &mut self,
        bytes: &[u8],
        label: &str,
        at: crate::date::Date,
    ) -> Result<(usize, Anchoring), MasterListError> {
        self.add_verified_list(MasterList::open_unanchored(bytes, at)?, label)
    }

    fn add_verified_list(&mut self, ml: MasterList, label: &str) -> Result<(usize, Anchoring), MasterListError> {
        let source = TrustSource::MasterList { path: label.to_string(), anchoring: ml.anchoring.clone() };
        let n = ml.certificates.into_iter().filter(|c| self.add(c.clone(), source.clone())).count();
        Ok((n, ml.anchoring))
    }

    /// Adds a CRL (its signature is checked when it is used, against the CSCA it names).
    pub fn add_crl(&mut self, crl: Crl) {
        self.crls.push(crl);
    }

    /// Trusted certificates that may have issued `cert`: those whose subject key
    /// identifier equals its authority key identifier, then those whose subject is its
    /// issuer name byte for byte, and only when that finds none, those whose subject is the
    /// same name as RFC 5280 §7.1 compares them (string types, case, spaces, the order of
    /// an RDN's attributes: encodings differ in the field).
    #[must_use]
    pub fn issuer_candidates(&self, cert: &Cert) -> Vec<&TrustedCert> {
        let mut idx: Vec<usize> = Vec::new();
        if let Some(aki) = cert.authority_key_id() {
            idx.extend(self.by_ski.get(&aki).into_iter().flatten());
        }
        fn add(idx: &mut Vec<usize>, list: Option<&Vec<usize>>) {
            for i in list.into_iter().flatten() {
                if !idx.contains(i) {
                    idx.push(*i);
                }
            }
        }
        add(&mut idx, self.by_subject_der.get(cert.issuer_der()));
        if idx.is_empty() {
            add(&mut idx, self.by_subject.get(&name_key(cert.issuer_name())));
        }
        idx.into_iter().filter_map(|i| self.slots.get(i)).filter_map(Slot::get).collect()
    }

    /// Trusted certificates whose subject is `name`: byte for byte, else the same name by
    /// RFC 5280 §7.1 (as [`TrustStore::issuer_candidates`]).
    #[must_use]
    pub fn certificates_named(&self, name: &x509_cert::name::Name) -> Vec<&TrustedCert> {
        let der = der::Encode::to_der(name).unwrap_or_default();
        let idx = match self.by_subject_der.get(&der) {
            Some(v) if !v.is_empty() => Some(v),
            _ => self.by_subject.get(&name_key(name)),
        };
        idx.into_iter().flatten().filter_map(|&i| self.slots.get(i)).filter_map(Slot::get).collect()
    }

    /// The CRLs.
    #[must_use]
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// CRLs issued under `name`.
    pub fn crls_for<'a>(&'a self, name: &'a x509_cert::name::Name) -> impl Iterator<Item = &'a Crl> + 'a {
        self.crls.iter().filter(move |c| super::name::names_match(c.issuer(), name))
    }
}
