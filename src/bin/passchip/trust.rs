//! The trust flags `verify`, `match --dir` and `read` share: a trust folder, CSCAs, master
//! lists with their roots, CRLs. A master list counts only when its signer chains to the
//! `--masterlist-root` that follows it, unless `--trust-unanchored-masterlist` says
//! otherwise. Without any of them, the trust folder `PASSCHIP_TRUST_STORE` names, else the
//! platform's default one, is used when it exists.

use std::path::PathBuf;

use clap::{ArgMatches, Args};
use passchip::date::Date;
use passchip::pki::folder::TrustFolder;
use passchip::pki::test_pki::is_test_pki;
use passchip::pki::{Anchoring, Cert, Crl, TrustStore};
use serde::Serialize;

/// Trust anchors from the command line.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// A trusted CSCA certificate (DER or PEM) or a folder of them. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub csca: Vec<PathBuf>,
    /// An ICAO or national CSCA master list (CMS). Repeatable; each needs the
    /// --masterlist-root that issued its signer.
    #[arg(long, value_name = "FILE")]
    pub masterlist: Vec<PathBuf>,
    /// The root that must have issued the signer of the preceding --masterlist.
    #[arg(long, value_name = "CERT")]
    pub masterlist_root: Vec<PathBuf>,
    /// Accept a --masterlist without a root: its signer then only has to be issued by a
    /// CSCA inside the list (the list vouches for itself), and the report says so.
    #[arg(long)]
    pub trust_unanchored_masterlist: bool,
    /// A CRL (DER or PEM). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// The trust folder (`passchip trust import` fills it). Default, when no --csca or
    /// --masterlist is given: $PASSCHIP_TRUST_STORE, else the platform's data folder
    /// (Linux ~/.local/share/passchip/trust), when it exists.
    #[arg(long, value_name = "DIR")]
    pub trust_store: Option<PathBuf>,
    /// Trust certificates of passchip's test PKI (the virtual passport's; anyone can derive
    /// its private keys). For tests only.
    #[arg(long)]
    pub allow_test_pki: bool,
}

/// A usage or I/O problem: exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

/// One master list loaded.
#[derive(Debug, Serialize)]
pub struct MasterListLoad {
    pub path: String,
    pub added: usize,
    pub anchoring: Anchoring,
}

/// The trust folder used.
#[derive(Debug, Serialize)]
pub struct FolderSummary {
    pub path: String,
    /// When something was last imported (YYYY-MM-DD).
    pub updated: String,
    /// Days since.
    pub age_days: u64,
}

/// What the trust store holds.
#[derive(Debug, Serialize)]
pub struct StoreSummary {
    pub certificates: usize,
    pub master_lists: Vec<MasterListLoad>,
    pub crls: usize,
    /// The trust folder, when one was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder: Option<FolderSummary>,
}

impl StoreSummary {
    /// One line for a person: which store, how old.
    pub fn describe(&self) -> String {
        let mut s = format!("{} certificate(s), {} CRL(s)", self.certificates, self.crls);
        if let Some(f) = &self.folder {
            s = format!("{} — {s}, updated {} ({} days ago)", f.path, f.updated, f.age_days);
        }
        s
    }
}

impl TrustArgs {
    /// Whether any trust anchor was given on the command line.
    fn explicit(&self) -> bool {
        !self.csca.is_empty() || !self.masterlist.is_empty()
    }

    /// The trust folder to use: --trust-store, else (without explicit anchors) the
    /// configured one when it exists.
    fn folder_path(&self) -> Option<PathBuf> {
        match &self.trust_store {
            Some(p) => Some(p.clone()),
            None if self.explicit() => None,
            None => TrustFolder::configured_path().filter(|p| TrustFolder::exists(p)),
        }
    }

    /// Whether the command line names any trust anchor or folder (the default folder
    /// does not count).
    pub fn given(&self) -> bool {
        self.explicit() || self.trust_store.is_some()
    }

    /// Whether any trust anchor is available: flags, or a trust folder.
    pub fn any(&self) -> bool {
        self.explicit() || self.folder_path().is_some()
    }

    /// Pairs each --masterlist-root with the --masterlist before it, by command-line position.
    fn pair_roots(&self, m: &ArgMatches) -> Result<Vec<Option<PathBuf>>, UsageError> {
        let lists: Vec<usize> = m.indices_of("masterlist").map(Iterator::collect).unwrap_or_default();
        let roots: Vec<usize> = m.indices_of("masterlist_root").map(Iterator::collect).unwrap_or_default();
        let mut paired: Vec<Option<PathBuf>> = vec![None; self.masterlist.len()];
        for (ri, pos) in roots.iter().enumerate() {
            let owner = lists
                .iter()
                .rposition(|&l| l < *pos)
                .ok_or_else(|| UsageError("--masterlist-root must follow the --masterlist it belongs to".into()))?;
            if paired.get(owner).is_some_and(Option::is_some) {
                return Err(UsageError("only one --masterlist-root per --masterlist".into()));
            }
            if let Some(slot) = paired.get_mut(owner) {
                *slot = self.masterlist_root.get(ri).cloned();
            }
        }
        Ok(paired)
    }

    /// The trust store these flags describe, its certificates valid as of `at`.
    pub fn load(&self, matches: &ArgMatches, at: Date) -> Result<(TrustStore, StoreSummary), UsageError> {
        let mut store = TrustStore::new();
        let mut folder_summary = None;
        if let Some(dir) = self.folder_path() {
            if !TrustFolder::exists(&dir) {
                return Err(UsageError(format!(
                    "{}: no trust store there (fill it with `passchip trust import --trust-store {} FILE…`)",
                    dir.display(),
                    dir.display()
                )));
            }
            let folder = TrustFolder::open(&dir).map_err(|e| UsageError(e.to_string()))?;
            store = if self.allow_test_pki { folder.trust_store_including_test_pki() } else { folder.trust_store() }
                .map_err(|e| UsageError(e.to_string()))?;
            let updated = folder.updated();
            folder_summary = Some(FolderSummary {
                path: dir.display().to_string(),
                updated: Date::from_unix(updated).to_string(),
                age_days: passchip::date::now_unix().saturating_sub(updated) / 86_400,
            });
        }
        let from_folder = store.len();
        for p in &self.csca {
            store.add_path(p).map_err(|e| UsageError(e.to_string()))?;
            let test: Vec<Cert> =
                store.certificates().skip(from_folder).map(|t| t.cert.clone()).filter(is_test_pki).collect();
            self.refuse_test_pki(p, &test)?;
        }
        let mut loads = Vec::new();
        for (path, root) in self.masterlist.iter().zip(self.pair_roots(matches)?) {
            let label = path.display().to_string();
            let bytes = read(path)?;
            let loaded = match &root {
                Some(r) => {
                    let cert = Cert::from_der_or_pem(&read(r)?)
                        .ok()
                        .and_then(|v| v.into_iter().next())
                        .ok_or_else(|| UsageError(format!("{}: not a certificate", r.display())))?;
                    store.add_master_list(&bytes, &cert, &label, at)
                }
                None if self.trust_unanchored_masterlist => store.add_unanchored_master_list(&bytes, &label, at),
                None => {
                    return Err(UsageError(format!(
                        "{label}: refused: no --masterlist-root follows it, and a master list is not trusted on its \
                         own word (give the root that issued its signer, or --trust-unanchored-masterlist)"
                    )));
                }
            };
            let (added, anchoring) = loaded.map_err(|e| UsageError(format!("{label}: refused: {e}")))?;
            let test: Vec<Cert> =
                store.certificates().skip(from_folder).map(|t| t.cert.clone()).filter(is_test_pki).collect();
            self.refuse_test_pki(path, &test)?;
            loads.push(MasterListLoad { path: label, added, anchoring });
        }
        for p in &self.crl {
            store.add_crl(Crl::from_der(&read(p)?).map_err(|e| UsageError(format!("{}: {e}", p.display())))?);
        }
        let summary = StoreSummary {
            certificates: store.len(),
            master_lists: loads,
            crls: store.crls().len(),
            folder: folder_summary,
        };
        Ok((store, summary))
    }

    fn refuse_test_pki(&self, path: &std::path::Path, certs: &[Cert]) -> Result<(), UsageError> {
        match certs.iter().find(|c| is_test_pki(c)) {
            Some(c) if !self.allow_test_pki => Err(UsageError(format!(
                "{}: refused: {} belongs to passchip's TEST PKI, whose private keys anyone can derive \
                 (give --allow-test-pki to trust it for a test)",
                path.display(),
                c.subject()
            ))),
            _ => Ok(()),
        }
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>, UsageError> {
    std::fs::read(path).map_err(|e| UsageError(format!("{}: {e}", path.display())))
}

/// How a master list was anchored, in words.
pub fn describe_anchoring(a: &Anchoring) -> String {
    match a {
        Anchoring::Root { root } => format!("anchored to {root}"),
        Anchoring::PinnedRoot { root, pin } => format!("anchored to {root} (the {pin} root passchip pins)"),
        Anchoring::NotAnchored { issuer } => format!("NOT ANCHORED (signer issued by {issuer}, inside the list)"),
        _ => "anchoring unknown".into(),
    }
}
