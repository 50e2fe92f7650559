//! `passchip verify DIR`: passive authentication of a dump folder (back-office use), and
//! the stored Active Authentication evidence re-checked against DG15.
//!
//! Exit status: 0 when the verdict is valid and the chip did not fail to prove its key,
//! 1 otherwise, 2 on usage or I/O errors (including a master list whose signer does not
//! chain to the given root, or unreadable evidence).

use std::path::PathBuf;

use clap::{ArgMatches, Args};
use passchip::active_auth::AaEvidence;
use passchip::date::Date;
use passchip::identity::verification::ChipAuthenticity;
use passchip::lds::{DgNumber, Dump};
use passchip::pki::pa::{DgStatus, PassiveAuthentication, Status, Verdict};
use passchip::pki::{Anchoring, Cert, Crl, PaOptions, TrustStore};
use passchip::reader::{AntiCloningRead, Attempt, recheck_active_authentication};
use serde::Serialize;

/// Options of `passchip verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The dump folder (EF_COM.bin, DG1.bin … DG16.bin, EF_SOD.bin, …).
    dir: PathBuf,
    /// A trusted CSCA certificate (DER or PEM) or a folder of them. Repeatable.
    #[arg(long, value_name = "PATH")]
    csca: Vec<PathBuf>,
    /// An ICAO or national CSCA master list (CMS). Repeatable.
    #[arg(long, value_name = "FILE")]
    masterlist: Vec<PathBuf>,
    /// The root that must have issued the signer of the preceding --masterlist.
    #[arg(long, value_name = "CERT")]
    masterlist_root: Vec<PathBuf>,
    /// A CRL (DER or PEM). Repeatable.
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Evaluate validity as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    /// Require a CRL check for a valid verdict.
    #[arg(long)]
    require_crl: bool,
    /// The Active Authentication challenge the server sent (8 bytes in hex): the stored
    /// evidence must answer it, else it may be a replay.
    #[arg(long, value_name = "HEX")]
    aa_challenge: Option<String>,
    /// Print the result as JSON (schema `passchip.verify/1`).
    #[arg(long)]
    json: bool,
}

/// What `passchip verify` concluded: the exit status follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Passive authentication valid, and no anti-cloning check failed.
    Valid,
    /// Passive authentication invalid, or the stored evidence failed.
    Invalid,
}

/// A usage or I/O problem: exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

#[derive(Debug, Serialize)]
struct MasterListLoad {
    path: String,
    added: usize,
    anchoring: Anchoring,
}

#[derive(Debug, Serialize)]
struct StoreSummary {
    certificates: usize,
    master_lists: Vec<MasterListLoad>,
    crls: usize,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    schema: &'static str,
    dump: String,
    trust_store: StoreSummary,
    passive_authentication: &'a PassiveAuthentication,
    chip_authenticity: &'a ChipAuthenticity,
}

/// Pairs each --masterlist-root with the --masterlist before it, by command-line position.
fn pair_roots(args: &VerifyArgs, m: &ArgMatches) -> Result<Vec<Option<PathBuf>>, UsageError> {
    let lists: Vec<usize> = m.indices_of("masterlist").map(Iterator::collect).unwrap_or_default();
    let roots: Vec<usize> = m.indices_of("masterlist_root").map(Iterator::collect).unwrap_or_default();
    let mut paired: Vec<Option<PathBuf>> = vec![None; args.masterlist.len()];
    for (ri, pos) in roots.iter().enumerate() {
        let owner = lists
            .iter()
            .rposition(|&l| l < *pos)
            .ok_or_else(|| UsageError("--masterlist-root must follow the --masterlist it belongs to".into()))?;
        if paired.get(owner).is_some_and(Option::is_some) {
            return Err(UsageError("only one --masterlist-root per --masterlist".into()));
        }
        if let Some(slot) = paired.get_mut(owner) {
            *slot = args.masterlist_root.get(ri).cloned();
        }
    }
    Ok(paired)
}

fn read(path: &PathBuf) -> Result<Vec<u8>, UsageError> {
    std::fs::read(path).map_err(|e| UsageError(format!("{}: {e}", path.display())))
}

/// Runs the command; returns the verdict (exit 0 or 1) or a usage error (exit 2).
pub fn run(args: &VerifyArgs, matches: &ArgMatches) -> Result<Outcome, UsageError> {
    let at = match &args.at {
        Some(s) => Date::parse(s).map_err(|e| UsageError(format!("--at: {e}")))?,
        None => Date::today(),
    };
    let mut store = TrustStore::new();
    for p in &args.csca {
        store.add_path(p).map_err(|e| UsageError(e.to_string()))?;
    }
    let mut loads = Vec::new();
    for (path, root) in args.masterlist.iter().zip(pair_roots(args, matches)?) {
        let root_cert = match &root {
            Some(r) => Some(
                Cert::from_der_or_pem(&read(r)?)
                    .ok()
                    .and_then(|v| v.into_iter().next())
                    .ok_or_else(|| UsageError(format!("{}: not a certificate", r.display())))?,
            ),
            None => None,
        };
        let (added, anchoring) = store
            .add_master_list(&read(path)?, root_cert.as_ref(), &path.display().to_string())
            .map_err(|e| UsageError(format!("{}: refused: {e}", path.display())))?;
        loads.push(MasterListLoad { path: path.display().to_string(), added, anchoring });
    }
    for p in &args.crl {
        store.add_crl(Crl::from_der(&read(p)?).map_err(|e| UsageError(format!("{}: {e}", p.display())))?);
    }
    let dump = Dump::read(&args.dir).map_err(|e| UsageError(e.to_string()))?;
    let sod = dump.sod.as_ref().ok_or_else(|| UsageError(format!("{}: no EF_SOD.bin", args.dir.display())))?;
    let options = PaOptions::at(at).with_required_crl(args.require_crl);
    let pa = PassiveAuthentication::verify(sod, &dump.data_groups, &store, &options);
    let chip = stored_chip_authenticity(args, &dump, &pa)?;
    let summary = StoreSummary { certificates: store.len(), master_lists: loads, crls: args.crl.len() };
    if args.json {
        let report = Report {
            schema: "passchip.verify/1",
            dump: args.dir.display().to_string(),
            trust_store: summary,
            passive_authentication: &pa,
            chip_authenticity: &chip,
        };
        let text = serde_json::to_string_pretty(&report).map_err(|e| UsageError(e.to_string()))?;
        println!("{text}");
    } else {
        print_text(args, &summary, &pa, &chip);
    }
    Ok(if pa.verdict() == Verdict::Valid && !chip.failed() { Outcome::Valid } else { Outcome::Invalid })
}

/// The anti-cloning result that stored data can give: Active Authentication evidence
/// re-checked against DG15 (and DG15 against the SOD); the interactive protocols are
/// reported as not re-checkable.
fn stored_chip_authenticity(
    args: &VerifyArgs,
    dump: &Dump,
    pa: &PassiveAuthentication,
) -> Result<ChipAuthenticity, UsageError> {
    let challenge = match &args.aa_challenge {
        Some(h) => Some(crate::challenge::parse(h).map_err(|e| UsageError(format!("--aa-challenge: {e}")))?),
        None => None,
    };
    let dg = |n: u8| DgNumber::new(n).and_then(|n| dump.data_groups.get(&n)).map(Vec::as_slice);
    let (attempt, evidence) = match &dump.active_authentication {
        None if dg(15).is_some() => {
            (Attempt::NotCompleted("the dump has DG15 but no active_authentication.json".into()), None)
        }
        None => (Attempt::NotAvailable("the document has no DG15".into()), None),
        Some(bytes) => {
            let text =
                std::str::from_utf8(bytes).map_err(|_| UsageError("active_authentication.json is not UTF-8".into()))?;
            let evidence =
                AaEvidence::from_json(text).map_err(|e| UsageError(format!("active_authentication.json: {e}")))?;
            let attempt = recheck_active_authentication(&evidence, dg(14), dg(15), challenge.as_ref().map(|c| &c[..]));
            (attempt, Some(evidence))
        }
    };
    Ok(ChipAuthenticity::assess(&AntiCloningRead::from_stored(attempt, evidence), Some(pa), None))
}

fn print_text(args: &VerifyArgs, store: &StoreSummary, pa: &PassiveAuthentication, chip: &ChipAuthenticity) {
    println!("passchip verify: {}\n", args.dir.display());
    println!(
        "  Verdict        {}  (evaluated at {})",
        if pa.verdict() == Verdict::Valid { "VALID" } else { "INVALID" },
        pa.evaluated_at()
    );
    println!(
        "  Trust store    {} certificate(s), {} master list(s), {} CRL(s)",
        store.certificates,
        store.master_lists.len(),
        store.crls
    );
    for m in &store.master_lists {
        let anchor = match &m.anchoring {
            Anchoring::Root { root } => format!("anchored to {root}"),
            Anchoring::NotAnchored { issuer } => format!("NOT ANCHORED (signer issued by {issuer}, inside the list)"),
            _ => "?".into(),
        };
        println!("                 {}: {} certificate(s), {anchor}", m.path, m.added);
    }
    println!("  Checks");
    for c in pa.checks() {
        let mark = match c.status() {
            Status::Passed => "pass",
            Status::Failed => "FAIL",
            Status::NotPerformed => "n/a ",
        };
        let name = serde_json::to_value(c.name()).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        println!("    {mark}  {name:<22} {}", c.reason().unwrap_or(""));
    }
    let dgs: Vec<String> = pa
        .data_groups()
        .iter()
        .map(|d| {
            let s = match d.status() {
                DgStatus::Matched => "ok",
                DgStatus::Mismatch => "MISMATCH",
                DgStatus::NotInSod => "not in SOD",
                DgStatus::NotRead => "not read",
            };
            format!("DG{} {s}", d.data_group())
        })
        .collect();
    println!("  Data groups    {}", dgs.join(", "));
    if let Some(s) = pa.signer() {
        println!("  Signer (DSC)   {} [{}; {} to {}]", s.subject, s.key, s.not_before, s.not_after);
    }
    if let Some(a) = pa.anchor() {
        let link = if a.link_certificate { ", link certificate" } else { "" };
        println!("  Anchor (CSCA)  {} [{}{link}]", a.certificate.subject, a.certificate.key);
    }
    match pa.document_expired() {
        Some(true) => println!("  Document       EXPIRED"),
        Some(false) => println!("  Document       not expired"),
        None => {}
    }
    let by = if chip.proven_by().is_empty() { String::new() } else { format!(" by {}", chip.proven_by().join(", ")) };
    println!("  Chip           {}{by} (anti-cloning, from stored evidence)", chip.status().to_string().to_uppercase());
    for r in chip.reasons() {
        println!("                 {r}");
    }
}
