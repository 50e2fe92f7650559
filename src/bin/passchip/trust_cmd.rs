//! `passchip trust import|list|audit`: the trust folder.
//!
//! Exit status: `import` 0 when everything given was imported, 1 when something was
//! refused (the rest is imported and saved), 2 on usage or I/O errors; `list` 0 (2 on
//! errors); `audit` 0 when nothing needs attention, 1 when something does.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use passchip::date::Date;
use passchip::pki::Cert;
use passchip::pki::folder::{AuditOptions, CertKind, ImportOptions, ImportReport, TrustFolder};
use serde::Serialize;

use crate::trust::UsageError;

/// `passchip trust …`.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Add master lists (CMS), ICAO PKD LDIF downloads, CSCA/link certificate files or
    /// folders, and CRLs to the trust folder, each verified first.
    Import(ImportArgs),
    /// List the trust folder per country: CSCAs and link certificates, CRLs.
    List(ListArgs),
    /// What needs attention: expired or expiring CSCAs, CRLs out of date, old master
    /// lists, countries without a valid CSCA. Exit 1 when something does.
    Audit(AuditArgs),
}

/// Where the trust folder is.
#[derive(Debug, Args)]
pub struct FolderArg {
    /// The trust folder (default: $PASSCHIP_TRUST_STORE, else the platform's data folder,
    /// Linux ~/.local/share/passchip/trust).
    #[arg(long, value_name = "DIR")]
    trust_store: Option<PathBuf>,
}

impl FolderArg {
    fn path(&self) -> Result<PathBuf, UsageError> {
        self.trust_store
            .clone()
            .or_else(TrustFolder::configured_path)
            .ok_or_else(|| UsageError("no home folder to keep a trust store in: give --trust-store DIR".into()))
    }
}

/// Options of `passchip trust import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or folders to import.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    folder: FolderArg,
    /// The root a master list's signer must chain to (default: a root passchip pins, DE
    /// or NL).
    #[arg(long, value_name = "CERT")]
    root: Option<PathBuf>,
    /// Accept a master list that no given or pinned root anchors (it vouches for itself).
    #[arg(long)]
    trust_unanchored_masterlist: bool,
    /// Accept certificates of passchip's test PKI (the virtual passport's). For tests only.
    #[arg(long)]
    allow_test_pki: bool,
    /// Check master-list signers as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    /// Print the result as JSON (schema `passchip.trust-import/1`).
    #[arg(long)]
    json: bool,
}

/// Options of `passchip trust list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    folder: FolderArg,
    /// Only this country (alpha-2, e.g. DE).
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// Print as JSON (schema `passchip.trust-list/1`).
    #[arg(long)]
    json: bool,
}

/// Options of `passchip trust audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    folder: FolderArg,
    /// Report CSCAs that expire within DAYS.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    expiring_within: u64,
    /// Report master lists older than DAYS.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    max_age: u64,
    /// A country (alpha-2) documents are expected from: one without a valid CSCA is
    /// reported. Repeatable.
    #[arg(long, value_name = "CC")]
    country: Vec<String>,
    /// Audit as of this date (YYYY-MM-DD) instead of now.
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    /// Print as JSON (schema `passchip.trust-audit/1`).
    #[arg(long)]
    json: bool,
}

/// Runs a `trust` command: `Ok(true)` for exit 0, `Ok(false)` for exit 1.
pub fn run(command: &TrustCommand) -> Result<bool, UsageError> {
    match command {
        TrustCommand::Import(a) => import(a),
        TrustCommand::List(a) => list(a).map(|()| true),
        TrustCommand::Audit(a) => audit(a),
    }
}

fn date(arg: Option<&String>) -> Result<Date, UsageError> {
    arg.map_or_else(|| Ok(Date::today()), |s| Date::parse(s).map_err(|e| UsageError(format!("--at: {e}"))))
}

fn usage(e: impl std::fmt::Display) -> UsageError {
    UsageError(e.to_string())
}

/// The files to import: each file given, and the files of each folder given (sorted),
/// master lists and certificates before LDIF and CRLs, whose contents are verified
/// against them.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| UsageError(format!("{}: {e}", p.display())))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            out.extend(entries);
        } else {
            out.push(p.clone());
        }
    }
    let rank = |p: &Path| {
        let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        match ext.as_str() {
            "crl" => 2,
            "ldif" => 1,
            _ => 0,
        }
    };
    out.sort_by_key(|p| rank(p));
    Ok(out)
}

#[derive(Serialize)]
struct ImportOut {
    schema: &'static str,
    trust_store: String,
    imports: Vec<ImportReport>,
    certificates: usize,
    crls: usize,
}

fn import(args: &ImportArgs) -> Result<bool, UsageError> {
    let dir = args.folder.path()?;
    let mut folder = TrustFolder::open(&dir).map_err(usage)?;
    let root = match &args.root {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| UsageError(format!("{}: {e}", p.display())))?;
            let certs = Cert::from_der_or_pem(&bytes).map_err(|e| UsageError(format!("{}: {e}", p.display())))?;
            Some(certs.into_iter().next().ok_or_else(|| UsageError(format!("{}: no certificate", p.display())))?)
        }
        None => None,
    };
    let options = ImportOptions::at(date(args.at.as_ref())?)
        .allowing_test_pki(args.allow_test_pki)
        .trusting_unanchored_master_lists(args.trust_unanchored_masterlist);
    let mut reports = Vec::new();
    for path in expand(&args.files)? {
        let bytes = std::fs::read(&path).map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
        let label = path.display().to_string();
        reports.push(folder.import(&bytes, &label, root.as_ref(), &options).map_err(usage)?);
    }
    folder.save().map_err(usage)?;
    let clean = reports.iter().all(|r| r.refused.is_empty());
    if args.json {
        let out = ImportOut {
            schema: "passchip.trust-import/1",
            trust_store: dir.display().to_string(),
            imports: reports,
            certificates: folder.certificates().len(),
            crls: folder.crls().len(),
        };
        println!("{}", serde_json::to_string_pretty(&out).map_err(usage)?);
        return Ok(clean);
    }
    println!("passchip trust import: {}\n", dir.display());
    for r in &reports {
        let mut parts = vec![format!("{} certificate(s) added", r.certificates_added)];
        if r.certificates_known > 0 {
            parts.push(format!("{} already there", r.certificates_known));
        }
        if r.dscs_added > 0 {
            parts.push(format!("{} DSC(s)", r.dscs_added));
        }
        if r.crls_added > 0 {
            parts.push(format!("{} CRL(s)", r.crls_added));
        }
        println!("  {} ({}): {}", r.label, r.kind.replace('_', " "), parts.join(", "));
        for a in &r.anchoring {
            println!("    {}", crate::trust::describe_anchoring(a));
        }
        for x in r.refused.iter().take(10) {
            println!("    REFUSED {}: {}", x.item, x.reason);
        }
        if r.refused.len() > 10 {
            println!("    … and {} more refused", r.refused.len() - 10);
        }
    }
    println!(
        "\n  The store now holds {} certificate(s) and {} CRL(s).",
        folder.certificates().len(),
        folder.crls().len()
    );
    Ok(clean)
}

#[derive(Serialize)]
struct Country {
    country: String,
    certificates: Vec<passchip::pki::folder::CertInfo>,
    crls: Vec<passchip::pki::folder::CrlInfo>,
}

fn list(args: &ListArgs) -> Result<(), UsageError> {
    let dir = args.folder.path()?;
    let folder = TrustFolder::open(&dir).map_err(usage)?;
    let want = args.country.as_ref().map(|c| c.to_ascii_uppercase());
    let mut countries: std::collections::BTreeMap<String, Country> = std::collections::BTreeMap::new();
    let keep = |c: &Option<String>| want.as_ref().is_none_or(|w| c.as_ref() == Some(w));
    let key = |c: &Option<String>| c.clone().unwrap_or_else(|| "??".into());
    for c in folder.certificates().into_iter().filter(|c| keep(&c.country)) {
        let k = key(&c.country);
        countries
            .entry(k.clone())
            .or_insert_with(|| Country { country: k, certificates: vec![], crls: vec![] })
            .certificates
            .push(c);
    }
    for c in folder.crls().into_iter().filter(|c| keep(&c.country)) {
        let k = key(&c.country);
        countries
            .entry(k.clone())
            .or_insert_with(|| Country { country: k, certificates: vec![], crls: vec![] })
            .crls
            .push(c);
    }
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            schema: &'static str,
            trust_store: String,
            updated: u64,
            master_lists: &'a [passchip::pki::folder::MasterListInfo],
            countries: Vec<Country>,
        }
        let out = Out {
            schema: "passchip.trust-list/1",
            trust_store: dir.display().to_string(),
            updated: folder.updated(),
            master_lists: folder.master_lists(),
            countries: countries.into_values().collect(),
        };
        println!("{}", serde_json::to_string_pretty(&out).map_err(usage)?);
        return Ok(());
    }
    let d = |s: u64| Date::from_unix(s).to_string();
    println!("passchip trust list: {} (updated {})\n", dir.display(), d(folder.updated()));
    for m in folder.master_lists() {
        println!(
            "  Master list {}: {} certificate(s), {}",
            m.label,
            m.certificates,
            crate::trust::describe_anchoring(&m.anchoring)
        );
    }
    for c in countries.values() {
        println!("\n  {}", c.country);
        for x in &c.certificates {
            let kind = match x.kind {
                CertKind::Csca => "CSCA",
                CertKind::Link => "link",
                CertKind::Dsc => "DSC ",
            };
            let test = if x.test_pki { "  [TEST PKI]" } else { "" };
            println!(
                "    {kind}  {}  {} to {}  {}  from {}{test}",
                x.subject,
                d(x.not_before),
                d(x.not_after),
                x.key,
                x.source.label
            );
        }
        for x in &c.crls {
            let next = x.next_update.map_or_else(|| "no nextUpdate".into(), |n| format!("next update {}", d(n)));
            println!("    CRL   {}  {} revoked, issued {}, {next}", x.issuer, x.revoked, d(x.this_update));
        }
    }
    if countries.is_empty() {
        println!("  (empty)");
    }
    Ok(())
}

fn audit(args: &AuditArgs) -> Result<bool, UsageError> {
    let dir = args.folder.path()?;
    let folder = TrustFolder::open(&dir).map_err(usage)?;
    let now = match &args.at {
        Some(s) => Date::parse(s).map_err(|e| UsageError(format!("--at: {e}")))?.to_unix(),
        None => passchip::date::now_unix(),
    };
    let mut options = AuditOptions::at(now);
    options.expiring_within_days = args.expiring_within;
    options.master_list_max_age_days = args.max_age;
    options.expected_countries = args.country.clone();
    let audit = folder.audit(&options);
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            schema: &'static str,
            trust_store: String,
            #[serde(flatten)]
            audit: &'a passchip::pki::folder::Audit,
        }
        let out = Out { schema: "passchip.trust-audit/1", trust_store: dir.display().to_string(), audit: &audit };
        println!("{}", serde_json::to_string_pretty(&out).map_err(usage)?);
        return Ok(audit.is_clean());
    }
    println!(
        "passchip trust audit: {} ({} certificate(s), {} CRL(s), {} master list(s))\n",
        dir.display(),
        audit.certificates,
        audit.crls,
        audit.master_lists
    );
    if audit.is_clean() {
        println!("  Nothing needs attention.");
    } else {
        println!("  NEEDS ATTENTION");
    }
    let (attention, info): (Vec<_>, Vec<_>) =
        audit.findings.iter().partition(|f| f.severity == passchip::pki::folder::Severity::Attention);
    if !info.is_empty() {
        println!("  {} expired CSCA(s) (for the record: documents they anchor have expired too)", info.len());
    }
    for f in attention {
        let kind = serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        println!("  {kind:<22} {}", f.detail);
    }
    Ok(audit.is_clean())
}
