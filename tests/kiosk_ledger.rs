//! A bank's kiosk with the attempt ledger: a fraudster holding someone's e-ID fails
//! document after document until the person is locked (refused before the card is
//! read), the document they used is locked for everyone else too (refused once DG1 is
//! read), every decision is in the audit trail, and a ledger that fails gives no verdict.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(all(feature = "emulator", feature = "ledger"))]

use std::collections::VecDeque;
use std::time::Duration;

use passchip::emulator::{ChipProfile, Presentation, VirtualChip, VirtualDocument, VirtualSlot};
use passchip::identity::asserted::{AssertedIdentity, Scheme};
use passchip::identity::attempts::Gate;
use passchip::identity::national_id::IdCountry;
use passchip::kiosk::{self, Bank, Desk, KioskError, KioskOptions, Visit, VisitEnd};
use passchip::ledger::{AuditRow, KeyHash, KeyHasher, KeyState, Ledger, LedgerError, LedgerStore, MemoryStore, Policy};
use passchip::pki::{TrustSource, TrustStore};
use passchip::reader::Credentials;

struct BankDesk {
    people: VecDeque<AssertedIdentity>,
    credentials_asked: usize,
    can: String,
    events: Vec<String>,
    visits: usize,
    expected: usize,
}

impl Desk for BankDesk {
    fn keep_going(&mut self) -> bool {
        self.visits < self.expected
    }

    fn person(&mut self) -> Option<AssertedIdentity> {
        self.people.pop_front()
    }

    fn credentials(&mut self) -> Option<Credentials> {
        self.credentials_asked += 1;
        Some(Credentials::Can { can: self.can.clone().into(), mrz: None })
    }

    fn show(&mut self, visit: &Visit) {
        let v = visit.verification().expect("a bank kiosk decides for the person");
        let codes: Vec<&str> = v.reasons().iter().map(|r| r.code()).collect();
        let attempts = match v.attempts() {
            Some(Gate::Open) => "open",
            Some(Gate::Locked { .. }) => "locked",
            Some(Gate::Blocked) => "blocked",
            None => "uncounted",
        };
        self.events.push(format!("{} {} attempts={attempts}", v.decision().as_str(), codes.join(",")));
    }

    fn failed(&mut self, error: &KioskError) {
        self.events.push(match error {
            KioskError::AttemptsRefused(Gate::Locked { .. }) => "refused locked".into(),
            KioskError::AttemptsRefused(g) => format!("refused {g}"),
            KioskError::Ledger(_) => "ledger failed".into(),
            other => panic!("{other}"),
        });
    }

    fn wiped(&mut self, _end: VisitEnd) {
        self.visits += 1;
    }
}

fn bank_desk(people: Vec<AssertedIdentity>, doc: &VirtualDocument) -> BankDesk {
    BankDesk {
        expected: people.len(),
        people: people.into(),
        credentials_asked: 0,
        can: doc.spec().can.clone(),
        events: Vec::new(),
        visits: 0,
    }
}

fn person(number: &str, given: &str, surname: &str) -> AssertedIdentity {
    AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some(number)).with_names(given, surname)
}

fn slot_with(doc: &VirtualDocument, visits: usize) -> VirtualSlot {
    let mut slot = VirtualSlot::new();
    for _ in 0..visits {
        slot.present(Presentation::new(
            VirtualChip::with_profile(doc.clone(), ChipProfile::legacy_le160()),
            Duration::from_millis(20),
        ));
    }
    slot
}

fn trust(doc: &VirtualDocument) -> TrustStore {
    let mut store = TrustStore::new();
    store.add(doc.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    store
}

fn options() -> KioskOptions {
    KioskOptions::default().with_idle_timeout(Duration::from_millis(200))
}

#[test]
fn a_fraudster_is_locked_out_and_the_document_with_them() {
    let doc = VirtualDocument::specimen();
    let ledger = Ledger::new(MemoryStore::default(), Policy::default(), KeyHasher::new(&[7; 32]).unwrap());
    let fraudster = || person("199001012380", "BO", "EK");
    let holder = person("198504122386", "AASA", "OEBERG");
    let mut desk = bank_desk(vec![fraudster(), fraudster(), fraudster(), fraudster(), holder], &doc);
    let mut slot = slot_with(&doc, 5);
    let bank = Bank::with_ledger(&ledger, "kiosk-7");
    kiosk::run_for_bank(&mut slot, &mut desk, &trust(&doc), &options(), &bank).unwrap();
    let mismatch = "reject DOCUMENT_AUTHENTIC,CHIP_AUTHENTIC,HOLDER_MISMATCH";
    assert_eq!(
        desk.events,
        [
            format!("{mismatch} attempts=open"),
            format!("{mismatch} attempts=open"),
            format!("{mismatch} attempts=locked"),
            // The person is refused before the card is read…
            "refused locked".into(),
            // …and the document they failed with is locked for the real holder too, once
            // DG1 names it.
            "refused locked".into(),
        ]
    );
    assert_eq!(desk.credentials_asked, 4, "no credentials were asked of the locked person");
    let rows = ledger.store().audit(0).unwrap();
    assert_eq!(rows.len(), 5, "every decision and refusal is in the trail");
    assert!(rows.iter().all(|r| r.host == "kiosk-7"));
    assert_eq!(rows[3].reasons, ["ATTEMPTS_LOCKED"]);
    assert_eq!(rows[3].document, None, "refused before the document was known");
    assert!(rows[4].document.is_some() && rows[4].identity.is_some());
    assert_ne!(rows[4].identity, rows[0].identity, "the holder is another key than the fraudster");
    assert_eq!(rows[0].access.as_deref(), Some("PACE"));
    assert_eq!(rows[0].passive_authentication.as_deref(), Some("valid"));
    assert_eq!(rows[0].chip.as_deref(), Some("proven"));
    let text = format!("{rows:?}");
    for raw in ["199001012380", "198504122386", "OEBERG", "EK\"", doc.spec().document_number.as_str()] {
        assert!(!text.contains(raw), "{raw} in the trail");
    }
    // An operator unblocks the document and the holder is accepted.
    let mrz = passchip::mrz::Mrz::parse(&doc.mrz_text()).unwrap();
    ledger.unblock(&ledger.document_key(&mrz)).unwrap();
    let mut desk = bank_desk(vec![person("198504122386", "AASA", "OEBERG")], &doc);
    kiosk::run_for_bank(&mut slot_with(&doc, 1), &mut desk, &trust(&doc), &options(), &bank).unwrap();
    assert_eq!(desk.events, ["accept DOCUMENT_AUTHENTIC,CHIP_AUTHENTIC,HOLDER_MATCH attempts=open"]);
}

/// A store whose database is down.
struct Down;

impl LedgerStore for Down {
    fn state(&self, _: &KeyHash) -> Result<KeyState, LedgerError> {
        Ok(KeyState::default())
    }
    fn update(&self, _: &KeyHash, _: &dyn Fn(KeyState) -> KeyState) -> Result<KeyState, LedgerError> {
        Err(LedgerError::Storage("connection refused".into()))
    }
    fn reset(&self, _: &KeyHash) -> Result<(), LedgerError> {
        Ok(())
    }
    fn append(&self, _: &AuditRow) -> Result<(), LedgerError> {
        Err(LedgerError::Storage("connection refused".into()))
    }
    fn audit(&self, _: u64) -> Result<Vec<AuditRow>, LedgerError> {
        Ok(Vec::new())
    }
    fn purge(&self, _: u64) -> Result<usize, LedgerError> {
        Ok(0)
    }
}

#[test]
fn a_ledger_that_cannot_count_gives_no_verdict() {
    let doc = VirtualDocument::specimen();
    let ledger = Ledger::new(Down, Policy::default(), KeyHasher::new(&[7; 32]).unwrap());
    let mut desk = bank_desk(vec![person("198504122386", "AASA", "OEBERG")], &doc);
    let bank = Bank::with_ledger(&ledger, "kiosk-7");
    kiosk::run_for_bank(&mut slot_with(&doc, 1), &mut desk, &trust(&doc), &options(), &bank).unwrap();
    assert_eq!(desk.events, ["ledger failed"], "an accept that was not counted is not shown");
}
