//! A bank's kiosk: each card is decided for the person who logged in with their e-ID
//! ([`super::Desk::person`]) and, with an attempt ledger, the person is admitted before
//! any card is read, the document once DG1 is read, and the verdict counted and audited
//! after it is decided.

use crate::date::Date;
use crate::identity::attempts::Gate;
use crate::identity::verification::VerificationPolicy;
use crate::ledger::{Admission, AuditContext, Ledger, LedgerStore};
use crate::pki::{PaOptions, TrustStore};
use crate::transport::{CardSlot, TransportError};

use super::{Desk, KioskError, KioskOptions, Visit, VisitEnd, hold_warning, read_card_asking};

/// What a bank's kiosk adds to each visit.
#[derive(Debug)]
#[non_exhaustive]
pub struct Bank<'a, L> {
    /// The attempt ledger (`None`: verdicts are not counted).
    pub ledger: Option<&'a Ledger<L>>,
    /// The host id and trust-store age the audit trail records.
    pub context: AuditContext,
    /// How the verdict is decided.
    pub policy: VerificationPolicy,
}

impl<L> Bank<'_, L> {
    /// Verdicts for the person without a ledger.
    #[must_use]
    pub fn without_ledger() -> Self {
        Self { ledger: None, context: AuditContext::default(), policy: VerificationPolicy::default() }
    }
}

impl<'a, L> Bank<'a, L> {
    /// Verdicts counted in `ledger`, audited as decided on `host`.
    #[must_use]
    pub fn with_ledger(ledger: &'a Ledger<L>, host: &str) -> Self {
        Self { ledger: Some(ledger), context: AuditContext::host(host), policy: VerificationPolicy::default() }
    }

    /// Sets the verification policy.
    #[must_use]
    pub fn with_policy(mut self, policy: VerificationPolicy) -> Self {
        self.policy = policy;
        self
    }
}

/// [`super::run`] for a bank: for each card, the person from [`Desk::person`] is
/// admitted by the ledger before the credentials are asked (a locked person is told when
/// they may try again: [`KioskError::AttemptsRefused`]), the card read and verified, the
/// document admitted, the verdict decided ([`Visit::verification`]), counted and
/// audited, then shown. When the ledger fails, no verdict is shown
/// ([`KioskError::Ledger`]).
///
/// # Errors
/// [`TransportError`] when the reader fails.
pub fn run_for_bank<S: CardSlot, L: LedgerStore>(
    slot: &mut S,
    desk: &mut dyn Desk,
    store: &TrustStore,
    options: &KioskOptions,
    bank: &Bank<'_, L>,
) -> Result<(), TransportError> {
    let mut away = false;
    while desk.keep_going() {
        let present = slot.wait_for_card(Some(options.poll))?;
        match (slot.unavailable(), away) {
            (Some(why), false) => {
                away = true;
                desk.reader_unavailable(&why);
            }
            (None, true) => {
                away = false;
                desk.reader_available();
            }
            _ => {}
        }
        if !present {
            continue;
        }
        let end = match visit(slot, desk, store, options, bank)? {
            None => {
                // Skipped: not read again until it has gone.
                while desk.keep_going() && !slot.wait_for_removal(Some(options.poll))? {}
                continue;
            }
            Some(Ok(visit)) => {
                desk.show(&visit);
                hold_warning(slot, visit, options, desk)
            }
            Some(Err(e)) => {
                desk.failed(&e);
                // The failure stays on screen as long as a result would.
                slot.wait_for_removal(Some(options.idle_timeout))
                    .map(|gone| if gone { VisitEnd::CardRemoved } else { VisitEnd::IdleTimeout })
            }
        };
        // Whatever happened, the screen and memory are wiped before anything else.
        let end = match end {
            Ok(end) => end,
            Err(e) => {
                desk.wiped(VisitEnd::ReaderFailed);
                return Err(e);
            }
        };
        desk.wiped(end);
        if end == VisitEnd::IdleTimeout {
            // The card is still there: do not read it again until it has gone.
            while desk.keep_going() && !slot.wait_for_removal(Some(options.poll))? {}
        }
    }
    Ok(())
}

/// One card: `None` when the desk skipped it.
fn visit<S: CardSlot, L: LedgerStore>(
    slot: &mut S,
    desk: &mut dyn Desk,
    store: &TrustStore,
    options: &KioskOptions,
    bank: &Bank<'_, L>,
) -> Result<Option<Result<Visit, KioskError>>, TransportError> {
    let ledger_failed = |e: crate::ledger::LedgerError| Ok(Some(Err(KioskError::Ledger(e.to_string()))));
    let refused = |v: &crate::identity::verification::Verification| {
        Ok(Some(Err(KioskError::AttemptsRefused(v.attempts().unwrap_or(Gate::Blocked)))))
    };
    let person = desk.person();
    let admitted = match (bank.ledger, &person) {
        (Some(ledger), Some(p)) => match ledger.admit(p, &bank.context) {
            Ok(Admission::Admitted(a)) => Some(a),
            Ok(Admission::Refused(v)) => return refused(&v),
            Err(e) => return ledger_failed(e),
        },
        _ => None,
    };
    let Some(credentials) = desk.credentials() else { return Ok(None) };
    let read = {
        let desk = core::cell::RefCell::new(&mut *desk);
        read_card_asking(slot, &credentials, options, &mut |p| desk.borrow_mut().progress(p), &mut || {
            desk.borrow_mut().confirm_pin_resume()
        })
    };
    drop(credentials);
    let read = match read {
        Ok(read) => read,
        Err(e) => return Ok(Some(Err(e))),
    };
    let today = Date::today();
    let mut visit = Visit::verify(read, store, &PaOptions::at(today));
    let Some(person) = person else { return Ok(Some(Ok(visit))) };
    if visit.decide(&person, &bank.policy, today).is_none() {
        return Ok(Some(Ok(visit)));
    }
    let (Some(ledger), Some(admitted)) = (bank.ledger, admitted) else { return Ok(Some(Ok(visit))) };
    let context = bank.context.clone().with_trust_store_age(visit.trust_store_age_days(crate::date::now_unix()));
    let Some(dg1) = visit.read().dg1.as_ref().map(|d| &d.mrz) else { return Ok(Some(Ok(visit))) };
    let admitted = match ledger.admit_document(admitted, dg1, &context) {
        Ok(Admission::Admitted(a)) => a,
        Ok(Admission::Refused(v)) => return refused(&v),
        Err(e) => return ledger_failed(e),
    };
    let Some(verdict) = visit.take_verification() else { return Ok(Some(Ok(visit))) };
    match ledger.settle(admitted, verdict, &context) {
        Ok(v) => visit.set_verification(v),
        Err(e) => return ledger_failed(e),
    }
    Ok(Some(Ok(visit)))
}
