//! `passchip match`: is the document's holder the person a bank e-ID asserted?
//!
//! Exit status: 0 for `match`, 1 for any other outcome, 2 on usage or I/O errors.

use std::path::PathBuf;

use clap::Args;
use passchip::date::Date;
use passchip::identity::asserted::{InputKind, from_json};
use passchip::identity::matching::{DocumentCheck, DocumentFacts, HolderMatch, MatchPolicy, Outcome, match_holder};
use passchip::lds::{Dg1, Dg11, DgNumber, Dump};
use passchip::mrz::Mrz;
use serde::Serialize;

/// Options of `passchip match`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("document").required(true).args(["dir", "mrz"])))]
pub struct MatchArgs {
    /// The bank e-ID result: a BankID (SE) collect response, BankID (NO) ID-token claims,
    /// a Smart-ID or Mobile-ID session status, or the plain form (JSON).
    #[arg(long, value_name = "FILE")]
    identity: PathBuf,
    /// Which JSON form FILE is (detected when absent).
    #[arg(long, value_name = "KIND", value_parser = ["bankid-se", "bankid-no", "smart-id", "mobile-id", "plain"])]
    kind: Option<String>,
    /// A dump folder (DG1.bin required, DG11.bin used when present).
    #[arg(long, value_name = "DUMP")]
    dir: Option<PathBuf>,
    /// The MRZ lines, separated by newlines.
    #[arg(long, value_name = "LINES")]
    mrz: Option<String>,
    /// Judge expiry as of this date (YYYY-MM-DD), default today.
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    /// Print the result as JSON (schema `passchip.match/1`).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    schema: &'static str,
    evaluated_at: String,
    identity_scheme: passchip::identity::asserted::Scheme,
    passive_authentication: &'static str,
    holder_match: &'a HolderMatch,
}

/// A usage or I/O problem: exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

/// Runs the command: the outcome (exit 0 for `match`, else 1) or a usage error.
pub fn run(args: &MatchArgs) -> Result<Outcome, UsageError> {
    let today = match &args.at {
        Some(s) => Date::parse(s).map_err(|e| UsageError(format!("--at: {e}")))?,
        None => Date::today(),
    };
    let text =
        std::fs::read_to_string(&args.identity).map_err(|e| UsageError(format!("{}: {e}", args.identity.display())))?;
    let kind = args.kind.as_deref().and_then(InputKind::from_name);
    let identity = from_json(&text, kind).map_err(|e| UsageError(format!("{}: {e}", args.identity.display())))?;
    let (mrz, dg11): (Mrz, Option<Dg11>) = match (&args.dir, &args.mrz) {
        (Some(dir), _) => {
            let dump = Dump::read(dir).map_err(|e| UsageError(e.to_string()))?;
            let dg1 = DgNumber::new(1)
                .and_then(|n| dump.data_groups.get(&n))
                .ok_or_else(|| UsageError(format!("{}: no DG1.bin", dir.display())))?;
            let mrz = Dg1::parse(dg1).map_err(|e| UsageError(format!("DG1: {e}")))?.mrz;
            let dg11 = match DgNumber::new(11).and_then(|n| dump.data_groups.get(&n)) {
                Some(b) => Some(Dg11::parse(b).map_err(|e| UsageError(format!("DG11: {e}")))?),
                None => None,
            };
            (mrz, dg11)
        }
        (None, Some(lines)) => (Mrz::parse(lines).map_err(|e| UsageError(format!("--mrz: {e}")))?, None),
        (None, None) => return Err(UsageError("give --dir or --mrz".into())),
    };
    // The document's authenticity is `passchip verify`'s job; this command judges the person.
    let facts = DocumentFacts { mrz: &mrz, dg11: dg11.as_ref(), check: DocumentCheck::NotChecked };
    let m = match_holder(&identity, facts, today, &MatchPolicy::person_only());
    if args.json {
        let report = Report {
            schema: "passchip.match/1",
            evaluated_at: today.to_string(),
            identity_scheme: identity.scheme,
            passive_authentication: "not_performed",
            holder_match: &m,
        };
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| UsageError(e.to_string()))?);
    } else {
        println!("passchip match\n");
        println!("  Outcome   {:?}", m.outcome());
        let reasons: Vec<String> = m
            .reasons()
            .iter()
            .map(|r| serde_json::to_value(r).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default())
            .collect();
        println!("  Reasons   {}", reasons.join(", "));
        println!("  Note      the document's authenticity is not checked here; use `passchip verify`");
    }
    Ok(m.outcome())
}
