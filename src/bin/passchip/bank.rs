//! The bank verdict (`passchip.verification/1`) of a read, for `demo --identity` and
//! `read --identity`: the e-ID's person against the document just read, with the attempt
//! ledger around it when one is configured (the person admitted before the card is read,
//! the document once DG1 is read, the verdict counted and audited).

use std::path::Path;

use passchip::date::Date;
use passchip::identity::asserted::AssertedIdentity;
use passchip::identity::verification::{AccessInfo, DocumentEvidence, Verification};
use passchip::kiosk::Visit;
use passchip::lds::LdsFile;
use passchip::ledger::{Admission, AdmittedPerson, AnyStore, AuditContext, Ledger};
use passchip::reader::DocumentRead;

use crate::ledger_cmd::LedgerArgs;

/// A bank check under way: the person, and the ledger that admitted them.
pub struct BankCheck {
    person: AssertedIdentity,
    ledger: Option<(Ledger<AnyStore>, AuditContext, AdmittedPerson)>,
    retention_days: Option<u64>,
}

/// How the start of a bank check ended.
pub enum Start {
    /// Read the card.
    Go(Box<BankCheck>),
    /// The ledger refused the person: this verdict, and no card is read.
    Refused(Box<Verification>),
}

/// Loads the e-ID result in `identity` (the JSON forms of `passchip match`) and, with a
/// configured ledger, admits the person before any card is read.
pub fn start(identity: &Path, ledger: &LedgerArgs) -> Result<Start, String> {
    let text = std::fs::read_to_string(identity).map_err(|e| format!("{}: {e}", identity.display()))?;
    let person =
        passchip::identity::asserted::from_json(&text, None).map_err(|e| format!("{}: {e}", identity.display()))?;
    if !ledger.configured() {
        return Ok(Start::Go(Box::new(BankCheck { person, ledger: None, retention_days: None })));
    }
    let l = ledger.open().map_err(|e| e.0)?;
    let context = AuditContext::host(&ledger.host());
    match l.admit(&person, &context).map_err(failed)? {
        Admission::Admitted(a) => Ok(Start::Go(Box::new(BankCheck {
            person,
            ledger: Some((l, context, a)),
            retention_days: ledger.retention_days(),
        }))),
        Admission::Refused(v) => Ok(Start::Refused(v)),
    }
}

fn failed(e: passchip::ledger::LedgerError) -> String {
    format!("the attempt ledger failed, so no verdict is given: {e}")
}

impl BankCheck {
    /// Decides for the person on the document read. Without `visit` (no trust store),
    /// nothing vouches for the document and the decision says so. With a ledger, the
    /// document is admitted first (a locked document gets the refusal) and the verdict
    /// counted and audited.
    pub fn decide(self, read: &DocumentRead, visit: Option<&Visit>, today: Date) -> Result<Verification, String> {
        let mrz = &read.dg1.as_ref().ok_or("the document has no DG1")?.mrz;
        let access = AccessInfo::of(read);
        let evidence = DocumentEvidence {
            access: Some(&access),
            passive_authentication: visit.map(Visit::passive_authentication),
            mrz,
            has_dg11: LdsFile::dg(11).is_some_and(|f| read.files.contains_key(&f)),
            chip: visit.map(Visit::chip),
        };
        let verdict = Verification::decide(&self.person, evidence, today, &Default::default());
        let Some((ledger, context, person)) = self.ledger else { return Ok(verdict) };
        let context =
            context.with_trust_store_age(visit.and_then(|v| v.trust_store_age_days(passchip::date::now_unix())));
        let verdict = match ledger.admit_document(person, mrz, &context).map_err(failed)? {
            Admission::Admitted(a) => ledger.settle(a, verdict, &context).map_err(failed)?,
            Admission::Refused(v) => *v,
        };
        if let Some(days) = self.retention_days {
            ledger.purge_older_than(days).map_err(failed)?;
        }
        Ok(verdict)
    }
}

/// With `--json`, prints a refusal by the attempt ledger: the `passchip.verification/1`
/// object (no read happened, so it stands alone). The caller says why on stderr
/// ([`refusal_text`]).
pub fn print_refusal(v: &Verification, json: bool) -> Result<(), String> {
    if json {
        println!("{}", serde_json::to_string_pretty(v).map_err(|e| e.to_string())?);
    }
    Ok(())
}

/// "REJECT before any card was read: too many failed attempts, locked until … UTC".
pub fn refusal_text(v: &Verification) -> String {
    let gate = v.attempts().map_or_else(|| "refused".to_string(), |g| g.to_string());
    let codes: Vec<&str> = v.reasons().iter().map(|r| r.code()).collect();
    format!("REJECT: too many failed attempts, {gate} ({}); no card was read", codes.join(", "))
}
