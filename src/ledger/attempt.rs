//! The ledger around one bank verification: admit the person before any card is read,
//! admit the document once DG1 is read, then count the decision and append it to the
//! audit trail. Each step takes the token the one before made, so a caller cannot count
//! a decision for an attempt the ledger never admitted, or skip the document's gate.

use super::{AuditRow, Counted, KeyHash, Ledger, LedgerError, LedgerStore};
use crate::date::Date;
use crate::identity::asserted::AssertedIdentity;
use crate::identity::attempts::Gate;
use crate::identity::national_id;
use crate::identity::verification::Verification;
use crate::mrz::Mrz;
use crate::pki::Verdict;

/// What the audit row says about where and on what a decision was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditContext {
    /// The kiosk or host that decides.
    pub host: String,
    /// How old the trust store was, in days (`None`: no trust store).
    pub trust_store_age_days: Option<u64>,
}

impl AuditContext {
    /// Decisions made on `host`.
    #[must_use]
    pub fn host(host: &str) -> Self {
        Self { host: host.to_string(), trust_store_age_days: None }
    }

    /// With the age of the trust store the verdict rests on.
    #[must_use]
    pub fn with_trust_store_age(mut self, days: Option<u64>) -> Self {
        self.trust_store_age_days = days;
        self
    }
}

/// The person may try: made only by [`Ledger::admit`]; the document's gate comes next.
#[derive(Debug)]
pub struct AdmittedPerson {
    identity: Option<KeyHash>,
}

/// The person and the document may try: made only by [`Ledger::admit_document`];
/// [`Ledger::settle`] counts the decision for both.
#[derive(Debug)]
pub struct Admitted {
    identity: Option<KeyHash>,
    document: KeyHash,
}

/// The ledger's answer at a gate.
#[derive(Debug)]
#[must_use]
pub enum Admission<T> {
    /// Go on.
    Admitted(T),
    /// Locked or blocked: the verdict to give (`reject`, `ATTEMPTS_LOCKED` or
    /// `ATTEMPTS_BLOCKED`, with when it unlocks), already in the audit trail.
    Refused(Box<Verification>),
}

/// The ledger key text of a national identity number: the country's alpha-2 code and the
/// number as the country writes it canonically (`SE198504122386`, `EE38001085718`), so
/// `passchip attempts --national-id` and a verification find the same key.
#[must_use]
pub fn identity_text(country: Option<national_id::IdCountry>, number: &str, today: Date) -> zeroize::Zeroizing<String> {
    let number = number.trim();
    match country {
        Some(c) => {
            let canonical: zeroize::Zeroizing<String> =
                zeroize::Zeroizing::new(national_id::parse(c, number, today).map_or_else(
                    || number.chars().filter(char::is_ascii_alphanumeric).collect(),
                    |n| n.canonical.clone(),
                ));
            zeroize::Zeroizing::new(format!("{}{}", c.alpha2(), canonical.as_str()))
        }
        None => {
            // A country-prefixed number as the CLI takes it (`SE198504122386`).
            let (cc, rest) = number.split_at(number.len().min(2));
            match national_id::IdCountry::from_alpha2(cc) {
                Some(c) if !rest.is_empty() => identity_text(Some(c), rest, today),
                _ => zeroize::Zeroizing::new(number.chars().filter(char::is_ascii_alphanumeric).collect()),
            }
        }
    }
}

impl<S: LedgerStore> Ledger<S> {
    fn today(&self) -> Date {
        Date::from_unix(self.clock.now())
    }

    /// The key of the person an e-ID asserted (`None` without a national ID number:
    /// then only the document is counted).
    #[must_use]
    pub fn person_key(&self, person: &AssertedIdentity) -> Option<KeyHash> {
        let number = person.national_id.as_deref()?;
        Some(self.hasher.identity(&identity_text(person.country, number, self.today())))
    }

    /// The key of the document DG1 names.
    #[must_use]
    pub fn document_key(&self, mrz: &Mrz) -> KeyHash {
        self.hasher.document(&mrz.issuing_state, &mrz.document_number)
    }

    /// The refusal of a locked or blocked `gate`, appended to the audit trail.
    fn refuse(
        &self,
        gate: Gate,
        keys: (Option<&KeyHash>, Option<&KeyHash>),
        ctx: &AuditContext,
    ) -> Result<Box<Verification>, LedgerError> {
        let v = Verification::refused(gate, self.today())
            .ok_or_else(|| LedgerError::Storage("an open gate cannot refuse".into()))?;
        self.store.append(&audit_row(self.clock.now(), &v, keys, ctx))?;
        Ok(Box::new(v))
    }

    /// Before any card is read: may `person` try? A locked or blocked person is refused
    /// (and the refusal audited, not counted).
    ///
    /// # Errors
    /// [`LedgerError`] from the store: fail closed, no card is read.
    pub fn admit(
        &self,
        person: &AssertedIdentity,
        ctx: &AuditContext,
    ) -> Result<Admission<AdmittedPerson>, LedgerError> {
        let identity = self.person_key(person);
        if let Some(key) = &identity {
            let gate = self.gate(key)?;
            if !gate.is_open() {
                return Ok(Admission::Refused(self.refuse(gate, (Some(key), None), ctx)?));
            }
        }
        Ok(Admission::Admitted(AdmittedPerson { identity }))
    }

    /// Once DG1 is read: may this document try? A locked or blocked document is refused
    /// before the verdict is decided (and the refusal audited, not counted).
    ///
    /// # Errors
    /// [`LedgerError`] from the store.
    pub fn admit_document(
        &self,
        person: AdmittedPerson,
        dg1: &Mrz,
        ctx: &AuditContext,
    ) -> Result<Admission<Admitted>, LedgerError> {
        let document = self.document_key(dg1);
        let mut gate = self.gate(&document)?;
        if let Some(id) = &person.identity {
            // The person's gate again: another kiosk may have locked them meanwhile.
            gate = gate.stricter(self.gate(id)?);
        }
        if !gate.is_open() {
            return Ok(Admission::Refused(self.refuse(gate, (person.identity.as_ref(), Some(&document)), ctx)?));
        }
        Ok(Admission::Admitted(Admitted { identity: person.identity, document }))
    }

    /// Counts `verification` for the person and the document (`reject` fails both,
    /// `accept` restarts both, `review` neither; the document only when passive
    /// authentication vouched for its DG1), appends it to the audit trail, and returns it
    /// with where the ledger now stands (`attempts`).
    ///
    /// # Errors
    /// [`LedgerError`] from the store: fail closed, the caller must not act on the
    /// verdict.
    pub fn settle(
        &self,
        admitted: Admitted,
        verification: Verification,
        ctx: &AuditContext,
    ) -> Result<Verification, LedgerError> {
        // The document number is the chip's word until passive authentication vouches for
        // DG1: a forged DG1 must not lock someone else's document (nor dodge a lock by
        // naming a fresh number). Only a verdict resting on a valid EF.SOD counts it.
        let authentic = verification.passive_authentication().is_some_and(|pa| pa.verdict() == Verdict::Valid);
        let mut keys: Vec<&KeyHash> = Vec::with_capacity(2);
        if authentic {
            keys.push(&admitted.document);
        }
        keys.extend(admitted.identity.as_ref());
        let row =
            audit_row(self.clock.now(), &verification, (admitted.identity.as_ref(), Some(&admitted.document)), ctx);
        let states = self.record(&keys, Counted::of(verification.decision()), &row)?;
        let now = self.clock.now();
        let gate = states.iter().fold(Gate::Open, |g, s| g.stricter(self.policy.gate(s, now)));
        Ok(verification.with_attempts(gate))
    }
}

/// The audit row of a verdict: codes only, the person and the document as keyed hashes.
fn audit_row(time: u64, v: &Verification, keys: (Option<&KeyHash>, Option<&KeyHash>), ctx: &AuditContext) -> AuditRow {
    let mut row = AuditRow::new(time, &ctx.host, v.decision().as_str());
    row.identity = keys.0.map(|k| k.as_str().to_string());
    row.document = keys.1.map(|k| k.as_str().to_string());
    row.reasons = v.reasons().iter().map(|r| r.code().to_string()).collect();
    row.access = v.access().map(|a| a.protocol.to_string());
    row.passive_authentication = v.passive_authentication().map(|pa| {
        match pa.verdict() {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
        }
        .to_string()
    });
    row.chip = (!v.was_refused()).then(|| v.chip_authenticity().status().as_str().to_string());
    row.trust_store_age_days = ctx.trust_store_age_days;
    row
}

#[cfg(test)]
mod tests {
    use super::identity_text;
    use crate::date::Date;
    use crate::identity::national_id::IdCountry;

    #[test]
    fn one_person_one_key_text_whatever_the_form() {
        let today = Date::from_unix(1_800_000_000);
        let key = identity_text(Some(IdCountry::Se), "198504122386", today);
        assert_eq!(key.as_str(), "SE198504122386");
        for form in ["SE198504122386", "se19850412-2386", " SE198504122386 "] {
            assert_eq!(identity_text(None, form, today), key, "{form}");
        }
        assert_eq!(identity_text(Some(IdCountry::Se), "19850412-2386", today), key);
        assert_eq!(identity_text(None, "EE38001085718", today).as_str(), "EE38001085718");
        assert_ne!(identity_text(None, "EE38001085718", today), identity_text(None, "LV38001085718", today));
    }
}
