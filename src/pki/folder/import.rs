//! Importing into a trust folder. Every master list, CRL and DSC is verified before
//! anything from it is stored; what is refused is reported with the reason, and the rest
//! of the file still counts.

use std::collections::HashSet;

use serde::Serialize;

use super::index::{CertInfo, CertKind, CrlInfo, MasterListInfo, Source, SourceKind, StoredCert, StoredCrl};
use super::{FolderError, INDEX, TrustFolder, corrupt, hex, io, slice};
use crate::date::Date;
use crate::pki::cert::Cert;
use crate::pki::crl::Crl;
use crate::pki::masterlist::{Anchoring, MasterList};
use crate::pki::store::TrustStore;
use crate::pki::test_pki::is_test_pki;

/// How an import decides.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Master-list signers and roots must be valid on this date.
    pub at: Date,
    /// Accept certificates of passchip's test PKI (whose private keys are public).
    pub allow_test_pki: bool,
    /// Accept a master list without a root, when no pinned root issued its signer: the list
    /// vouches for itself, and every certificate from it says so.
    pub trust_unanchored_master_list: bool,
}

impl ImportOptions {
    /// Verify as of `at`; no test PKI, no unanchored lists.
    #[must_use]
    pub fn at(at: Date) -> Self {
        Self { at, allow_test_pki: false, trust_unanchored_master_list: false }
    }

    /// Accept the test PKI.
    #[must_use]
    pub fn allowing_test_pki(mut self, yes: bool) -> Self {
        self.allow_test_pki = yes;
        self
    }

    /// Accept unanchored master lists.
    #[must_use]
    pub fn trusting_unanchored_master_lists(mut self, yes: bool) -> Self {
        self.trust_unanchored_master_list = yes;
        self
    }
}

/// Something that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// What: the file, or the entry inside it.
    pub item: String,
    /// Why.
    pub reason: String,
}

/// What one import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The file's name as given.
    pub label: String,
    /// What the file was: `master_list`, `certificates`, `crl`, `ldif`, or `unknown`.
    pub kind: &'static str,
    /// CSCAs and link certificates new to the store.
    pub certificates_added: usize,
    /// Certificates the store already had.
    pub certificates_known: usize,
    /// DSCs new to the store (from LDIF).
    pub dscs_added: usize,
    /// CRLs new to the store (a newer CRL replaces the older one of its CSCA).
    pub crls_added: usize,
    /// For master lists: how their signers were anchored.
    pub anchoring: Vec<Anchoring>,
    /// What was refused.
    pub refused: Vec<Refused>,
}

/// The bytes behind the index, and a store to verify new CRLs and DSCs against.
#[derive(Debug)]
pub(super) struct Data {
    certs: Vec<u8>,
    crls: Vec<u8>,
    working: TrustStore,
    known: HashSet<String>,
    dirty: bool,
}

impl TrustFolder {
    fn data(&mut self) -> Result<&mut Data, FolderError> {
        if self.data.is_none() {
            let certs = self.read_data(&self.index.certificates_file)?;
            let crls = self.read_data(&self.index.crls_file)?;
            let working = self.trust_store_including_test_pki()?;
            let known = self.index.certificates.iter().map(|c| c.info.sha256.clone()).collect();
            self.data = Some(Data { certs, crls, working, known, dirty: false });
        }
        self.data.as_mut().ok_or_else(|| corrupt(&self.path, "data"))
    }

    /// Imports one file: a CSCA master list (CMS), an ICAO PKD LDIF download, certificates
    /// (DER or PEM) or a CRL (DER or PEM), recognised by content. `root` is the root a
    /// master list's signer must chain to; without it, a root passchip pins (DE, NL).
    /// Nothing is written until [`TrustFolder::save`].
    ///
    /// # Errors
    /// [`FolderError`] for the folder's own data; what is wrong with the file is in the
    /// report's `refused`.
    pub fn import(
        &mut self,
        bytes: &[u8],
        label: &str,
        root: Option<&Cert>,
        options: &ImportOptions,
    ) -> Result<ImportReport, FolderError> {
        let mut report = ImportReport { label: label.to_string(), kind: "unknown", ..ImportReport::default() };
        let now = crate::date::now_unix();
        if crate::pki::ldif::looks_like_ldif(bytes) {
            report.kind = "ldif";
            self.import_ldif(bytes, label, options, now, &mut report)?;
        } else if is_signed_data(bytes) {
            report.kind = "master_list";
            self.import_master_list(bytes, label, root, options, now, &mut report)?;
        } else if let Ok(certs) = Cert::from_der_or_pem(bytes) {
            report.kind = "certificates";
            let source = Source { kind: SourceKind::File, label: label.to_string(), anchoring: None };
            for cert in certs {
                self.add_anchor(cert, &source, options, now, true, &mut report)?;
            }
        } else if let Ok(crl) = Crl::from_der(bytes) {
            report.kind = "crl";
            let source = Source { kind: SourceKind::CrlFile, label: label.to_string(), anchoring: None };
            self.add_crl(crl, bytes, label, &source, now, &mut report)?;
        } else {
            report.refused.push(Refused {
                item: label.to_string(),
                reason: "not a master list, certificate, CRL or LDIF file".into(),
            });
        }
        if !report.refused.is_empty() || report.certificates_added + report.dscs_added + report.crls_added > 0 {
            tracing::info!(label, added = report.certificates_added, refused = report.refused.len(), "trust import");
        }
        Ok(report)
    }

    fn import_master_list(
        &mut self,
        bytes: &[u8],
        label: &str,
        root: Option<&Cert>,
        options: &ImportOptions,
        now: u64,
        report: &mut ImportReport,
    ) -> Result<(), FolderError> {
        let opened = match root {
            Some(r) => MasterList::open(bytes, r, options.at),
            None => match MasterList::open_pinned(bytes, options.at) {
                Err(crate::pki::MasterListError::NoPinnedRoot { .. }) if options.trust_unanchored_master_list => {
                    MasterList::open_unanchored(bytes, options.at)
                }
                other => other,
            },
        };
        let ml = match opened {
            Ok(ml) => ml,
            Err(e) => {
                report.refused.push(Refused { item: label.to_string(), reason: format!("master list refused: {e}") });
                return Ok(());
            }
        };
        if is_test_pki(&ml.signer) && !options.allow_test_pki {
            report.refused.push(Refused { item: label.to_string(), reason: TEST_PKI.into() });
            return Ok(());
        }
        let source =
            Source { kind: SourceKind::MasterList, label: label.to_string(), anchoring: Some(ml.anchoring.clone()) };
        let before = report.certificates_added;
        for r in &ml.rejected {
            report.refused.push(Refused { item: format!("{label}: an entry"), reason: r.clone() });
        }
        let total = ml.certificates.len();
        for cert in ml.certificates {
            self.add_anchor(cert, &source, options, now, false, report)?;
        }
        self.index.master_lists.push(MasterListInfo {
            label: label.to_string(),
            sha256: hex(&crate::crypto::hash::HashAlg::Sha256.digest(bytes)),
            signer: ml.signer.subject(),
            anchoring: ml.anchoring.clone(),
            signed_at: ml.signed_at,
            imported: now,
            certificates: total,
            added: report.certificates_added - before,
        });
        self.data()?.dirty = true;
        report.anchoring.push(ml.anchoring);
        Ok(())
    }

    fn import_ldif(
        &mut self,
        bytes: &[u8],
        label: &str,
        options: &ImportOptions,
        now: u64,
        report: &mut ImportReport,
    ) -> Result<(), FolderError> {
        let records = match crate::pki::ldif::parse(bytes) {
            Ok(r) => r,
            Err(e) => {
                report.refused.push(Refused { item: label.to_string(), reason: e.to_string() });
                return Ok(());
            }
        };
        // Master lists first: the DSCs and CRLs of the same download are verified against them.
        for r in &records {
            for ml in r.values("cscamasterlistdata") {
                self.import_master_list(ml, &format!("{label}: {}", r.dn), None, options, now, report)?;
            }
        }
        let source = Source { kind: SourceKind::Ldif, label: label.to_string(), anchoring: None };
        for r in &records {
            for der in r.values("usercertificate;binary") {
                self.add_dsc(der, &format!("{label}: {}", r.dn), &source, options, now, report)?;
            }
        }
        for r in &records {
            for der in r.values("certificaterevocationlist;binary") {
                let item = format!("{label}: {}", r.dn);
                match Crl::from_der(der) {
                    Ok(crl) => self.add_crl(crl, der, &item, &source, now, report)?,
                    Err(e) => report.refused.push(Refused { item, reason: e.to_string() }),
                }
            }
        }
        Ok(())
    }

    /// Adds a CSCA or link certificate. From a file, it must be a CA certificate.
    fn add_anchor(
        &mut self,
        cert: Cert,
        source: &Source,
        options: &ImportOptions,
        now: u64,
        must_be_ca: bool,
        report: &mut ImportReport,
    ) -> Result<(), FolderError> {
        let item = format!("{}: {}", source.label, cert.subject());
        if is_test_pki(&cert) && !options.allow_test_pki {
            report.refused.push(Refused { item, reason: TEST_PKI.into() });
            return Ok(());
        }
        if must_be_ca && !matches!(cert.is_ca(), Ok(Some(true))) {
            report.refused.push(Refused {
                item,
                reason: "not a CA certificate (basicConstraints cA is not set): a trust store holds CSCAs; \
                         document signers come with the document"
                    .into(),
            });
            return Ok(());
        }
        let link = !cert.is_self_issued()
            || matches!((cert.authority_key_id(), cert.subject_key_id()), (Some(a), Some(s)) if a != s);
        let kind = if link { CertKind::Link } else { CertKind::Csca };
        let trust_source = source.trust_source();
        if self.store_cert(&cert, kind, source, now)? {
            report.certificates_added += 1;
            self.data()?.working.add(cert, trust_source);
        } else {
            report.certificates_known += 1;
        }
        Ok(())
    }

    fn add_dsc(
        &mut self,
        der: &[u8],
        item: &str,
        source: &Source,
        options: &ImportOptions,
        now: u64,
        report: &mut ImportReport,
    ) -> Result<(), FolderError> {
        let refuse = |report: &mut ImportReport, reason: String| {
            report.refused.push(Refused { item: item.to_string(), reason });
        };
        let cert = match Cert::from_der(der) {
            Ok(c) => c,
            Err(e) => {
                refuse(report, e.to_string());
                return Ok(());
            }
        };
        if is_test_pki(&cert) && !options.allow_test_pki {
            refuse(report, TEST_PKI.into());
            return Ok(());
        }
        let verified = self
            .data()?
            .working
            .issuer_candidates(&cert)
            .iter()
            .any(|t| t.cert.public_key().is_ok_and(|k| cert.verify_signed_by(k).is_ok()));
        if !verified {
            refuse(
                report,
                format!("no CSCA in the store issued this DSC ({}): import its master list first", cert.issuer()),
            );
            return Ok(());
        }
        if self.store_cert(&cert, CertKind::Dsc, source, now)? {
            report.dscs_added += 1;
        } else {
            report.certificates_known += 1;
        }
        Ok(())
    }

    fn add_crl(
        &mut self,
        crl: Crl,
        der: &[u8],
        item: &str,
        source: &Source,
        now: u64,
        report: &mut ImportReport,
    ) -> Result<(), FolderError> {
        let data = self.data()?;
        let verifier = data
            .working
            .certificates_named(crl.issuer())
            .into_iter()
            .find(|t| t.cert.public_key().is_ok_and(|k| crl.verify_signed_by(k).is_ok()))
            .map(|t| t.cert.subject());
        let Some(verified_by) = verifier else {
            report.refused.push(Refused {
                item: item.to_string(),
                reason: format!(
                    "no CSCA in the store signed this CRL ({}): import its CSCA or master list first",
                    crl.issuer()
                ),
            });
            return Ok(());
        };
        let issuer_der = der::Encode::to_der(crl.issuer()).map(|d| hex(&d)).unwrap_or_default();
        let sha256 = hex(&crate::crypto::hash::HashAlg::Sha256.digest(der));
        // One CRL per CSCA: the newest.
        if let Some(old) = self.index.crls.iter().position(|c| c.issuer_der == issuer_der) {
            if self.index.crls.get(old).is_some_and(|c| c.info.this_update >= crl.this_update()) {
                report.refused.push(Refused {
                    item: item.to_string(),
                    reason: "the store already has this CRL or a newer one of the same CSCA".into(),
                });
                return Ok(());
            }
            self.index.crls.remove(old);
        }
        let data = self.data()?;
        let offset = data.crls.len();
        data.crls.extend_from_slice(der);
        data.dirty = true;
        data.working.add_crl(crl.clone());
        let country = Cert::country_of(crl.issuer());
        self.index.crls.push(StoredCrl {
            info: CrlInfo {
                sha256,
                issuer: crl.issuer().to_string(),
                country,
                this_update: crl.this_update(),
                next_update: crl.next_update(),
                revoked: crl.len(),
                verified_by,
                source: source.clone(),
                imported: now,
            },
            issuer_der,
            offset,
            length: der.len(),
        });
        report.crls_added += 1;
        Ok(())
    }

    /// Appends a certificate; `false` when the store had it already.
    fn store_cert(&mut self, cert: &Cert, kind: CertKind, source: &Source, now: u64) -> Result<bool, FolderError> {
        let sha256 = hex(&crate::crypto::hash::HashAlg::Sha256.digest(cert.der()));
        let data = self.data()?;
        if !data.known.insert(sha256.clone()) {
            return Ok(false);
        }
        let offset = data.certs.len();
        data.certs.extend_from_slice(cert.der());
        data.dirty = true;
        self.index.certificates.push(StoredCert {
            info: CertInfo {
                sha256,
                kind,
                country: cert.subject_country(),
                subject: cert.subject(),
                issuer: cert.issuer(),
                serial: cert.serial_hex(),
                not_before: cert.not_before(),
                not_after: cert.not_after(),
                key: cert.public_key().map_or_else(|e| format!("unusable: {e}"), |k| k.describe()),
                source: source.clone(),
                imported: now,
                test_pki: is_test_pki(cert),
            },
            subject_der: hex(cert.subject_der()),
            subject_key: crate::pki::name::canonical(cert.subject_name()),
            ski: cert.subject_key_id().map(|s| hex(&s)),
            offset,
            length: cert.der().len(),
        });
        Ok(true)
    }

    /// Writes what was imported: new data files, then the index, atomically.
    ///
    /// # Errors
    /// [`FolderError`]; the store on disk is then unchanged.
    pub fn save(&mut self) -> Result<(), FolderError> {
        let Some(data) = self.data.as_mut() else { return Ok(()) };
        if !data.dirty {
            return Ok(());
        }
        crate::lds::dump::make_private_dir(&self.path)
            .map_err(|e| FolderError::Io { path: e.path.clone(), reason: e.source.to_string() })?;
        let generation = self.index.generation + 1;
        // Compact: only what the index still lists (a replaced CRL's bytes go).
        let mut certs = Vec::with_capacity(data.certs.len());
        let mut new_certs = self.index.certificates.clone();
        for c in &mut new_certs {
            let bytes =
                slice(&data.certs, c.offset, c.length).ok_or_else(|| corrupt(&self.path, "certificate range"))?;
            c.offset = certs.len();
            certs.extend_from_slice(bytes);
        }
        let mut crls = Vec::new();
        let mut new_crls = self.index.crls.clone();
        for c in &mut new_crls {
            let bytes = slice(&data.crls, c.offset, c.length).ok_or_else(|| corrupt(&self.path, "CRL range"))?;
            c.offset = crls.len();
            crls.extend_from_slice(bytes);
        }
        let mut index = self.index.clone();
        index.generation = generation;
        index.updated = crate::date::now_unix();
        index.certificates = new_certs;
        index.crls = new_crls;
        index.certificates_file = format!("certificates-{generation}.der");
        index.crls_file = format!("crls-{generation}.der");
        let write = |name: &str, bytes: &[u8]| -> Result<(), FolderError> {
            let p = self.path.join(name);
            let _ = std::fs::remove_file(&p); // a leftover of a crashed save
            crate::lds::dump::write_private_file(&p, bytes)
                .map_err(|e| FolderError::Io { path: e.path.clone(), reason: e.source.to_string() })
        };
        write(&index.certificates_file, &certs)?;
        write(&index.crls_file, &crls)?;
        let json = serde_json::to_vec_pretty(&index).map_err(|e| corrupt(&self.path, e.to_string()))?;
        let tmp = format!("{INDEX}.tmp");
        write(&tmp, &json)?;
        let final_path = self.path.join(INDEX);
        std::fs::rename(self.path.join(&tmp), &final_path).map_err(|e| io(&final_path, &e))?;
        for old in [&self.index.certificates_file, &self.index.crls_file] {
            if !old.is_empty() && !old.contains(['/', '\\']) {
                let _ = std::fs::remove_file(self.path.join(old));
            }
        }
        self.index = index;
        data.certs = certs;
        data.crls = crls;
        data.dirty = false;
        Ok(())
    }
}

/// Why a test-PKI certificate is refused.
const TEST_PKI: &str = "issued by passchip's TEST PKI, whose private keys anyone can derive: \
                        allow it only for tests (--allow-test-pki)";

/// Whether `bytes` are a CMS ContentInfo of type signedData (a master list).
fn is_signed_data(bytes: &[u8]) -> bool {
    use crate::tlv::{Tag, Tlv};
    let Ok(outer) = Tlv::parse_tagged(bytes, Tag::new(0x30)) else { return false };
    outer
        .children()
        .next()
        .and_then(Result::ok)
        .is_some_and(|t| t.tag == Tag::new(0x06) && t.value == crate::oid::SIGNED_DATA.as_bytes())
}
