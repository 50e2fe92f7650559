//! The trust flags `verify` and `match --dir` share: CSCAs, master lists with their roots,
//! CRLs. A master list counts only when its signer chains to the `--masterlist-root` that
//! follows it, unless `--trust-unanchored-masterlist` says otherwise.

use std::path::PathBuf;

use clap::{ArgMatches, Args};
use passchip::date::Date;
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

/// What the trust store holds.
#[derive(Debug, Serialize)]
pub struct StoreSummary {
    pub certificates: usize,
    pub master_lists: Vec<MasterListLoad>,
    pub crls: usize,
}

impl TrustArgs {
    /// Whether any trust anchor was given.
    pub fn any(&self) -> bool {
        !self.csca.is_empty() || !self.masterlist.is_empty()
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
        for p in &self.csca {
            store.add_path(p).map_err(|e| UsageError(e.to_string()))?;
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
            loads.push(MasterListLoad { path: label, added, anchoring });
        }
        for p in &self.crl {
            store.add_crl(Crl::from_der(&read(p)?).map_err(|e| UsageError(format!("{}: {e}", p.display())))?);
        }
        let summary = StoreSummary { certificates: store.len(), master_lists: loads, crls: self.crl.len() };
        Ok((store, summary))
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>, UsageError> {
    std::fs::read(path).map_err(|e| UsageError(format!("{}: {e}", path.display())))
}
