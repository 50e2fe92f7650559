//! The kiosk loop against a virtual reader: visitors come one after another, lift their
//! card mid-read, type a wrong CAN, leave the card on the reader, present a clone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "emulator")]

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use passchip::emulator::{ChipProfile, DocumentSpec, Presentation, VirtualChip, VirtualDocument, VirtualSlot};
use passchip::kiosk::{self, Desk, KioskError, KioskOptions, Visit, VisitEnd};
use passchip::pki::{TrustSource, TrustStore};
use passchip::reader::{Credentials, Interruption, SessionError};
use passchip::transport::CardSlot;

#[derive(Default)]
struct Recorder {
    credentials: VecDeque<Credentials>,
    events: Vec<String>,
    visits: usize,
    expected: usize,
}

impl Desk for Recorder {
    fn keep_going(&mut self) -> bool {
        self.visits < self.expected
    }

    fn credentials(&mut self) -> Option<Credentials> {
        self.credentials.pop_front()
    }

    fn show(&mut self, visit: &Visit) {
        let mrz = &visit.read().dg1.as_ref().unwrap().mrz;
        self.events.push(format!(
            "shown {} genuine={} chip={} interruptions={}",
            mrz.primary_identifier,
            visit.genuine(),
            visit.chip().status(),
            visit.read().interruptions.len()
        ));
    }

    fn failed(&mut self, error: &KioskError) {
        let kind = match error {
            KioskError::Read(SessionError::Access(_)) => "access",
            KioskError::Abandoned(_) => "abandoned",
            other => panic!("{other}"),
        };
        self.events.push(format!("failed {kind}"));
    }

    fn wiped(&mut self, end: VisitEnd) {
        self.visits += 1;
        self.events.push(format!("wiped {end:?}"));
    }
}

fn can(c: &str) -> Credentials {
    Credentials::Can { can: c.to_string().into(), mrz: None }
}

fn trust(docs: &[&VirtualDocument]) -> TrustStore {
    let mut store = TrustStore::new();
    for d in docs {
        store.add(d.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    }
    store
}

#[test]
fn the_kiosk_serves_visitors_one_after_another_and_wipes_after_each() {
    let genuine = VirtualDocument::specimen();
    let other = VirtualDocument::from_seed(7);
    let clone = VirtualDocument::build(DocumentSpec { cloned: true, ..DocumentSpec::specimen() });
    let chip = |d: &VirtualDocument| VirtualChip::with_profile(d.clone(), ChipProfile::legacy_le160());
    let stay = Duration::from_millis(30);
    let mut slot = VirtualSlot::new();
    slot.present(Presentation::new(chip(&genuine), stay));
    // Lifted in the middle of the read, put back 20 ms later.
    slot.present(Presentation::new(chip(&other), stay).lifted(40, Duration::from_millis(20)));
    slot.present(Presentation::new(chip(&genuine), stay));
    // Left on the reader after the read: the idle timeout wipes the screen.
    slot.present(Presentation::new(chip(&clone), Duration::from_millis(1500)));
    // Lifted and not put back in time.
    slot.present(Presentation::new(chip(&genuine), stay).lifted(40, Duration::from_secs(5)));
    let mut desk = Recorder {
        credentials: [can("123456"), can(&other.spec().can), can("000000"), can("123456"), can("123456")].into(),
        expected: 5,
        ..Recorder::default()
    };
    let options = KioskOptions::default()
        .with_idle_timeout(Duration::from_millis(150))
        .with_resume_wait(Duration::from_millis(200));
    let started = Instant::now();
    kiosk::run(&mut slot, &mut desk, &trust(&[&genuine, &other]), &options).unwrap();
    assert_eq!(
        desk.events,
        [
            "shown OEBERG genuine=true chip=proven interruptions=0",
            "wiped CardRemoved",
            &format!("shown {} genuine=true chip=proven interruptions=1", other.spec().surname),
            "wiped CardRemoved",
            "failed access",
            "wiped CardRemoved",
            "shown OEBERG genuine=false chip=failed interruptions=0",
            "wiped IdleTimeout",
            "failed abandoned",
            "wiped CardRemoved",
        ]
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(slot.waiting(), 0);
}

#[test]
fn read_card_resumes_and_gives_up_as_told() {
    let doc = VirtualDocument::specimen();
    let creds = can("123456");
    let chip = || VirtualChip::with_profile(doc.clone(), ChipProfile::legacy_le160());
    let options = KioskOptions::default().with_resume_wait(Duration::from_millis(300));

    let mut slot = VirtualSlot::new();
    slot.present(Presentation::new(chip(), Duration::from_secs(5)).lifted(60, Duration::from_millis(10)));
    assert!(slot.wait_for_card(None).unwrap());
    let read = kiosk::read_card(&mut slot, &creds, &options, &mut |_| {}).unwrap();
    let [Interruption::Read { file, .. }] = read.interruptions.as_slice() else { panic!("{:?}", read.interruptions) };
    assert_eq!(file.name(), "DG2");
    for (f, content) in doc.files() {
        assert_eq!(read.files.get(&f).map(Vec::as_slice), Some(content), "{f}");
    }

    // Never put back within the wait.
    let mut slot = VirtualSlot::new();
    slot.present(Presentation::new(chip(), Duration::from_secs(5)).lifted(60, Duration::from_secs(3)));
    assert!(slot.wait_for_card(None).unwrap());
    let e = kiosk::read_card(&mut slot, &creds, &options, &mut |_| {}).unwrap_err();
    assert!(matches!(e, KioskError::Abandoned(Interruption::Read { .. })), "{e}");

    // No card at all.
    let mut empty = VirtualSlot::new();
    assert!(!empty.wait_for_card(Some(Duration::from_millis(10))).unwrap());
    let e = kiosk::read_card(&mut empty, &creds, &options, &mut |_| {}).unwrap_err();
    assert_eq!(e, KioskError::Reader(passchip::transport::TransportError::NoCard));
}

#[test]
fn hold_ends_on_removal_or_idle_timeout() {
    let doc = VirtualDocument::specimen();
    let store = trust(&[&doc]);
    for (stays, idle, end) in [
        (Duration::from_millis(20), Duration::from_secs(5), VisitEnd::CardRemoved),
        (Duration::from_secs(5), Duration::from_millis(20), VisitEnd::IdleTimeout),
    ] {
        let mut slot = VirtualSlot::new();
        slot.present(Presentation::new(VirtualChip::new(doc.clone()), stays));
        assert!(slot.wait_for_card(None).unwrap());
        let read = kiosk::read_card(&mut slot, &can("123456"), &KioskOptions::default(), &mut |_| {}).unwrap();
        let visit = Visit::verify(read, &store, &passchip::pki::PaOptions::at(passchip::date::Date::today()));
        assert!(visit.genuine());
        let t = Instant::now();
        assert_eq!(kiosk::hold(&mut slot, visit, idle).unwrap(), end);
        assert!(t.elapsed() < Duration::from_secs(4));
    }
}

/// The desk is warned before the idle timeout wipes a result left on screen, and not when
/// the card is taken away first.
#[test]
fn the_desk_is_warned_before_the_idle_timeout() {
    struct Warned(Recorder);
    impl Desk for Warned {
        fn keep_going(&mut self) -> bool {
            self.0.keep_going()
        }
        fn credentials(&mut self) -> Option<Credentials> {
            self.0.credentials()
        }
        fn show(&mut self, visit: &Visit) {
            self.0.show(visit);
        }
        fn failed(&mut self, error: &KioskError) {
            self.0.failed(error);
        }
        fn wiped(&mut self, end: VisitEnd) {
            self.0.wiped(end);
        }
        fn idle_warning(&mut self, remaining: Duration) {
            self.0.events.push(format!("warned {} ms", remaining.as_millis()));
        }
    }
    let doc = VirtualDocument::specimen();
    let chip = || VirtualChip::with_profile(doc.clone(), ChipProfile::legacy_le160());
    let mut slot = VirtualSlot::new();
    slot.present(Presentation::new(chip(), Duration::from_secs(3)));
    slot.present(Presentation::new(chip(), Duration::from_millis(30)));
    let mut desk =
        Warned(Recorder { credentials: [can("123456"), can("123456")].into(), expected: 2, ..Recorder::default() });
    let options = KioskOptions::default()
        .with_idle_timeout(Duration::from_millis(600))
        .with_idle_warning(Duration::from_millis(200));
    kiosk::run(&mut slot, &mut desk, &trust(&[&doc]), &options).unwrap();
    assert_eq!(
        desk.0.events,
        [
            "shown OEBERG genuine=true chip=proven interruptions=0",
            "warned 200 ms",
            "wiped IdleTimeout",
            "shown OEBERG genuine=true chip=proven interruptions=0",
            "wiped CardRemoved",
        ]
    );
}
