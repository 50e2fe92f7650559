//! `passchip match`: is the document's holder the person a bank e-ID asserted?
//!
//! With the trust flags of `verify`, a dump's data groups are passive-authenticated first
//! and only those the SOD vouches for are used; without them only DG1 is used (a DG11 in
//! the dump is ignored, and the result says so).
//!
//! Exit status: 0 for `match`, 1 for any other outcome, 2 on usage or I/O errors.

use std::path::PathBuf;

use clap::Args;
use passchip::date::Date;
use passchip::identity::asserted::{InputKind, from_json};
use passchip::identity::matching::{DocumentFacts, HolderMatch, MatchPolicy, Outcome, match_holder};
use passchip::lds::{Dg1, DgNumber, Dump};
use passchip::mrz::Mrz;
use passchip::pki::{PaOptions, PassiveAuthentication, Verdict};
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
    /// Judge expiry (and, with trust flags, certificate validity) as of this date
    /// (YYYY-MM-DD), default today.
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    #[command(flatten)]
    trust: crate::trust::TrustArgs,
    /// With trust flags: require a CRL check for a valid passive authentication.
    #[arg(long)]
    require_crl: bool,
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
    /// The dump records that the read caught its chip failing an anti-cloning protocol.
    chip_failed_in_read: bool,
    holder_match: &'a HolderMatch,
}

pub use crate::trust::UsageError;

/// Runs the command: the outcome (exit 0 for `match`, else 1) or a usage error.
pub fn run(args: &MatchArgs, matches: &clap::ArgMatches) -> Result<Outcome, UsageError> {
    let today = match &args.at {
        Some(s) => Date::parse(s).map_err(|e| UsageError(format!("--at: {e}")))?,
        None => Date::today(),
    };
    let text =
        std::fs::read_to_string(&args.identity).map_err(|e| UsageError(format!("{}: {e}", args.identity.display())))?;
    let kind = args.kind.as_deref().and_then(InputKind::from_name);
    let identity = from_json(&text, kind).map_err(|e| UsageError(format!("{}: {e}", args.identity.display())))?;
    let mut chip_failed_in_read = false;
    let (facts, policy, passive_authentication) = match (&args.dir, &args.mrz) {
        (Some(dir), _) => {
            // The folder is read once; everything below judges these bytes.
            let dump = Dump::read(dir).map_err(|e| UsageError(e.to_string()))?;
            let dg1 = DgNumber::new(1)
                .and_then(|n| dump.data_groups.get(&n))
                .ok_or_else(|| UsageError(format!("{}: no DG1.bin", dir.display())))?;
            let mrz = Dg1::parse(dg1).map_err(|e| UsageError(format!("DG1: {e}")))?.mrz;
            let has_dg11 = DgNumber::new(11).is_some_and(|n| dump.data_groups.contains_key(&n));
            if let Some(record) = &dump.anti_cloning {
                let mut caught = passchip::reader::AntiCloningRead::not_run("");
                caught.apply_record(record).map_err(UsageError)?;
                chip_failed_in_read = caught.pace_cam.failed()
                    || caught.chip_authentication.failed()
                    || caught.active_authentication.failed();
            }
            if chip_failed_in_read {
                // A clone the reader caught: the document is rejected, whatever else holds.
                (DocumentFacts::not_authentic(&mrz), MatchPolicy::default(), "not_performed")
            } else if args.trust.any() {
                let (store, _) = args.trust.load(matches, today)?;
                let sod = dump.sod.as_ref().ok_or_else(|| UsageError(format!("{}: no EF_SOD.bin", dir.display())))?;
                let options = PaOptions::at(today).with_required_crl(args.require_crl);
                let pa = PassiveAuthentication::verify_document(
                    sod,
                    dump.com.as_deref(),
                    &dump.data_groups,
                    &store,
                    &options,
                );
                let facts = match pa.authenticated_document().map(DocumentFacts::authenticated) {
                    Some(Ok(f)) => f,
                    _ => DocumentFacts::not_authentic(&mrz),
                };
                let verdict = if pa.verdict() == Verdict::Valid { "valid" } else { "invalid" };
                (facts, MatchPolicy::default(), verdict)
            } else {
                // Nothing vouches for the dump: DG1 only, and a DG11 is not used.
                let facts = DocumentFacts::mrz_only(&mrz);
                let facts = if has_dg11 { facts.with_unauthenticated_dg11() } else { facts };
                (facts, MatchPolicy::person_only(), "not_performed")
            }
        }
        (None, Some(lines)) => {
            // A typed MRZ with a wrong check digit is the document's fault, not a usage
            // error: the match rejects the document.
            let mrz = Mrz::parse_lenient(lines).map_err(|e| UsageError(format!("--mrz: {e}")))?;
            (DocumentFacts::mrz_only(&mrz), MatchPolicy::person_only(), "not_performed")
        }
        (None, None) => return Err(UsageError("give --dir or --mrz".into())),
    };
    let m = match_holder(&identity, &facts, today, &policy);
    if args.json {
        let report = Report {
            schema: "passchip.match/1",
            evaluated_at: today.to_string(),
            identity_scheme: identity.scheme,
            passive_authentication,
            chip_failed_in_read,
            holder_match: &m,
        };
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| UsageError(e.to_string()))?);
    } else {
        println!("passchip match\n");
        let outcome =
            serde_json::to_value(m.outcome()).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        println!("  Outcome   {}", outcome.replace('_', " ").to_uppercase());
        let reasons: Vec<String> = m
            .reasons()
            .iter()
            .map(|r| serde_json::to_value(r).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default())
            .collect();
        println!("  Reasons   {}", reasons.join(", "));
        match passive_authentication {
            _ if chip_failed_in_read => println!(
                "  Document  REJECTED: the read that made this dump caught the chip failing an anti-cloning check"
            ),
            "not_performed" => println!(
                "  Note      the document's authenticity is not checked: give the trust flags of `passchip verify` \
                 to use what its SOD vouches for (DG11 among it)"
            ),
            verdict => println!("  Document  passive authentication {verdict}"),
        }
    }
    Ok(m.outcome())
}
