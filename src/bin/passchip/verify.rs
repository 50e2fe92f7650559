//! `passchip verify DIR`: passive authentication of a dump folder (back-office use), and
//! the stored Active Authentication evidence re-checked against DG15.
//!
//! Exit status: 0 when the verdict is valid and the chip did not fail to prove its key,
//! 1 otherwise, 2 on usage or I/O errors (including a master list whose signer does not
//! chain to the given root, or unreadable evidence).

use std::path::PathBuf;

use clap::{ArgMatches, Args};

pub use crate::trust::UsageError;
use crate::trust::{StoreSummary, TrustArgs};
use passchip::date::Date;
use passchip::identity::verification::ChipAuthenticity;
use passchip::lds::{DgNumber, Dump};
use passchip::low_level::active_auth::AaEvidence;
use passchip::pki::PaOptions;
use passchip::pki::pa::{DgStatus, PassiveAuthentication, Status, Verdict};
use passchip::reader::{AntiCloningRead, Attempt, recheck_active_authentication};
use serde::Serialize;

/// Options of `passchip verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The dump folder (EF_COM.bin, DG1.bin … DG16.bin, EF_SOD.bin, …).
    dir: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
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

#[derive(Debug, Serialize)]
struct Report<'a> {
    schema: &'static str,
    dump: String,
    trust_store: StoreSummary,
    passive_authentication: &'a PassiveAuthentication,
    chip_authenticity: &'a ChipAuthenticity,
}

/// Runs the command; returns the verdict (exit 0 or 1) or a usage error (exit 2).
pub fn run(args: &VerifyArgs, matches: &ArgMatches) -> Result<Outcome, UsageError> {
    let at = match &args.at {
        Some(s) => Date::parse(s).map_err(|e| UsageError(format!("--at: {e}")))?,
        None => Date::today(),
    };
    let (store, summary) = args.trust.load(matches, at)?;
    let dump = Dump::read(&args.dir).map_err(|e| UsageError(e.to_string()))?;
    let sod = dump.sod.as_ref().ok_or_else(|| UsageError(format!("{}: no EF_SOD.bin", args.dir.display())))?;
    let options = PaOptions::at(at).with_required_crl(args.require_crl);
    let pa = PassiveAuthentication::verify_document(sod, dump.com.as_deref(), &dump.data_groups, &store, &options);
    let chip = stored_chip_authenticity(args, &dump, &pa)?;
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
    let mut read = AntiCloningRead::from_stored(attempt, evidence);
    // A clone the reader caught stays caught: the dump's record of the read is applied.
    if let Some(record) = &dump.anti_cloning {
        read.apply_record(record).map_err(UsageError)?;
    }
    Ok(ChipAuthenticity::assess(&read, Some(pa), None))
}

fn print_text(args: &VerifyArgs, store: &StoreSummary, pa: &PassiveAuthentication, chip: &ChipAuthenticity) {
    println!("passchip verify: {}\n", args.dir.display());
    println!(
        "  Verdict        {}  (evaluated at {})",
        if pa.verdict() == Verdict::Valid { "VALID" } else { "INVALID" },
        pa.evaluated_at()
    );
    println!("  Trust store    {}", store.describe());
    for m in &store.master_lists {
        let anchor = crate::trust::describe_anchoring(&m.anchoring);
        println!("                 {}: {} certificate(s), {anchor}", m.path, m.added);
    }
    println!("  Checks");
    for c in pa.checks() {
        let mark = match c.status() {
            Status::Passed => "pass       ",
            Status::Failed => "FAILED     ",
            Status::NotPerformed => "not checked",
        };
        let name = crate::summary::check_words(c.name());
        println!("    {mark}  {name:<28} {}", c.reason().unwrap_or(""));
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
