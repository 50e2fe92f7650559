//! The attacks of the chip-authenticity review, each played by the emulator (a `Hostile`
//! mode or a substituted chip) against `read_document`, the verdict and the kiosk. Each
//! must fail, and say why. The CLI runs the same attacks in `tests/cli.rs` (`demo
//! --hostile`) and through a real pcscd in `tests/pcsc_e2e.rs` (`emulate --hostile`).
#![cfg(feature = "emulator")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::VecDeque;
use std::time::Duration;

use passchip::date::Date;
use passchip::emulator::{
    AaSpec, DocumentSpec, Hostile, Presentation, VirtualChip, VirtualDocument, VirtualSlot, WeakGroup,
};
use passchip::identity::asserted::AssertedIdentity;
use passchip::identity::verification::{
    AccessInfo, ChipStatus, Decision, DecisionReason, DocumentEvidence, Verification, VerificationPolicy, verify_read,
};
use passchip::kiosk::{self, Desk, KioskError, KioskOptions, Visit, VisitEnd, VisitOutcome};
use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use passchip::low_level::access::AccessError;
use passchip::low_level::active_auth::AaEvidence;
use passchip::low_level::crypto::ec::NamedCurve;
use passchip::low_level::crypto::hash::HashAlg;
use passchip::pki::{PaOptions, PaceCamBindError, PassiveAuthentication, TrustSource, TrustStore};
use passchip::reader::{
    Attempt, Credentials, DocumentRead, PartialRead, ReadOptions, SessionError, read_document, read_document_resuming,
};
use passchip::transport::{ApduHandler, InProcess, Transport, TransportError};

const CAM: PaceProtocol =
    PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Cam, cipher: Cipher::Aes128 };

/// A link that keeps every command sent.
struct Recording<T> {
    inner: T,
    sent: Vec<Vec<u8>>,
}

impl<T: Transport> Transport for Recording<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(capdu.to_vec());
        self.inner.transmit(capdu)
    }
    fn supports_extended_length(&self) -> bool {
        self.inner.supports_extended_length()
    }
}

impl<T> Recording<T> {
    /// GENERAL AUTHENTICATE commands (plain; PACE runs before secure messaging).
    fn general_authenticates(&self) -> usize {
        self.sent.iter().filter(|c| c.get(1) == Some(&0x86)).count()
    }
}

fn can(doc: &VirtualDocument) -> Credentials {
    Credentials::Can { can: doc.spec().can.clone().into(), mrz: None }
}

fn today() -> Date {
    Date::parse("2026-11-21").unwrap()
}

fn trust(docs: &[&VirtualDocument]) -> TrustStore {
    let mut store = TrustStore::new();
    for d in docs {
        store.add(d.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    }
    store
}

fn cam_doc(seed: u64) -> VirtualDocument {
    VirtualDocument::build(DocumentSpec { pace: Some((CAM, 13)), seed, ..DocumentSpec::specimen() })
}

/// The bank's verdict on a read, for the specimen's holder.
fn verdict(read: &DocumentRead, store: &TrustStore) -> Verification {
    let (pa, chip) = verify_read(read, store, &PaOptions::at(today()));
    let identity = AssertedIdentity::new(
        passchip::identity::asserted::Scheme::Plain,
        Some(passchip::identity::national_id::IdCountry::Se),
        Some("198504122386"),
    )
    .with_names("Åsa", "Öberg");
    let access = AccessInfo::of(read);
    let evidence = DocumentEvidence {
        access: Some(&access),
        passive_authentication: Some(&pa),
        mrz: &read.dg1.as_ref().unwrap().mrz,
        has_dg11: false,
        chip: Some(&chip),
    };
    Verification::decide(&identity, evidence, today(), &VerificationPolicy::default())
}

/// A desk that records what the kiosk showed.
#[derive(Default)]
struct Screen {
    credentials: VecDeque<Credentials>,
    shown: Vec<String>,
    wiped: Vec<VisitEnd>,
    visits: usize,
    /// The holder's answer when a PIN read would resume.
    pin_resume: bool,
    asked: usize,
}

impl Desk for Screen {
    fn keep_going(&mut self) -> bool {
        self.visits < 1
    }
    fn credentials(&mut self) -> Option<Credentials> {
        self.credentials.pop_front()
    }
    fn show(&mut self, visit: &Visit) {
        self.shown.push(visit.outcome().to_string());
    }
    fn failed(&mut self, error: &KioskError) {
        self.shown.push(format!("failed: {error}"));
    }
    fn wiped(&mut self, end: VisitEnd) {
        self.visits += 1;
        self.wiped.push(end);
    }
    fn confirm_pin_resume(&mut self) -> bool {
        self.asked += 1;
        self.pin_resume
    }
}

/// One visit of `chips` (presented in turn) at a kiosk trusting `store`.
fn kiosk_visit(chips: Vec<VirtualChip>, credentials: Credentials, store: &TrustStore) -> Screen {
    let mut slot = VirtualSlot::new();
    for chip in chips {
        slot.present(Presentation::new(chip, Duration::from_millis(30)));
    }
    let mut desk = Screen { credentials: [credentials].into(), ..Screen::default() };
    let options = KioskOptions::default()
        .with_idle_timeout(Duration::from_millis(100))
        .with_resume_wait(Duration::from_millis(200));
    kiosk::run(&mut slot, &mut desk, store, &options).unwrap();
    assert_eq!(desk.wiped.len(), 1, "the visit is wiped");
    desk
}

// 1. A clone passes PACE-CAM without the chip's private key ------------------------------

/// The clone announces PACE-CAM on a curve E′ built around EF.CardSecurity's genuine key
/// P (G′ = P) and answers CA_IC = its mapping secret. E′ is not a standardized curve: it
/// is refused before any GENERAL AUTHENTICATE; a caller who allows validated custom
/// groups sees E′ fail validation (its stated order is not the order of G′).
#[test]
fn a_pace_cam_clone_on_a_curve_around_the_genuine_key_is_refused() {
    let doc = cam_doc(9303);
    for (custom, expected) in [(false, "non-standard PACE domain parameters"), (true, "not the order of G")] {
        let chip = VirtualChip::new(doc.clone()).hostile(Hostile::CamExplicitCurve);
        let mut link = Recording { inner: InProcess::new(chip), sent: Vec::new() };
        let options = ReadOptions::default().with_validated_custom_pace_groups(custom);
        let e = read_document(&mut link, &can(&doc), options).unwrap_err();
        assert!(e.to_string().contains(expected), "custom {custom}: {e}");
        assert_eq!(link.general_authenticates(), 0, "custom {custom}: no GENERAL AUTHENTICATE may be sent");
    }
    // The kiosk shows the failure, never the document.
    let chip = VirtualChip::new(doc.clone()).hostile(Hostile::CamExplicitCurve);
    let screen = kiosk_visit(vec![chip], can(&doc), &trust(&[&doc]));
    assert!(screen.shown[0].starts_with("failed:") && screen.shown[0].contains("non-standard"), "{:?}", screen.shown);
}

/// A clone relaying PACE-CAM to the attacker's own genuine card (another document, another
/// CSCA) while serving the victim's files: the proof holds for the attacker's
/// EF.CardSecurity, which is validly signed, but not for this document. PACE-CAM fails,
/// Chip Authentication then runs with the victim's DG14 and fails too.
#[test]
fn a_card_security_of_another_document_does_not_prove_the_chip() {
    let attacker = cam_doc(4242);
    let victim =
        VirtualDocument::build(DocumentSpec { pace: Some((CAM, 13)), cloned: true, ..DocumentSpec::specimen() })
            .with_card_security_of(&attacker);
    let read =
        read_document(InProcess::new(VirtualChip::new(victim.clone())), &can(&victim), ReadOptions::default()).unwrap();
    let Attempt::Failed(why) = &read.anti_cloning.pace_cam else { panic!("{:?}", read.anti_cloning.pace_cam) };
    assert!(why.contains("not the same CSCA"), "{why}");
    assert!(read.anti_cloning.chip_authentication.failed(), "{:?}", read.anti_cloning.chip_authentication);
    // Even trusting both CSCAs, the authenticated EF.CardSecurity is not this document's.
    let store = trust(&[&victim, &attacker]);
    let options = PaOptions::at(today());
    let dgs = read
        .files
        .iter()
        .filter_map(|(f, b)| if let passchip::lds::LdsFile::Dg(n) = f { Some((*n, b.clone())) } else { None })
        .collect();
    let pa = PassiveAuthentication::verify(&read.files[&passchip::lds::LdsFile::Sod], &dgs, &store, &options);
    let cs = PassiveAuthentication::verify_card_security(read.card_security.as_ref().unwrap(), &store, &options);
    let bound = passchip::pki::bind_pace_cam(
        read.anti_cloning.pace_cam_evidence.as_ref().unwrap(),
        cs.authenticated_card_security().unwrap(),
        pa.authenticated_document().unwrap(),
    );
    assert_eq!(bound.unwrap_err(), PaceCamBindError::OtherCsca);
    let v = verdict(&read, &store);
    assert_eq!(v.chip_authenticity().status(), ChipStatus::Failed);
    assert_eq!(v.decision(), Decision::Reject);
    let screen = kiosk_visit(vec![VirtualChip::new(victim.clone())], can(&victim), &store);
    assert_eq!(screen.shown, ["NOT GENUINE"]);
}

// 2. A skimmer learns the password from one PACE run ---------------------------------------

/// An AES-256 option in a weak group (the strongest cipher on offer, so a naive terminal
/// picks it): refused by default, and refused by validation when custom groups are
/// allowed; in neither case is a single GENERAL AUTHENTICATE sent, so no token either.
#[test]
fn weak_pace_groups_are_refused_before_any_password_dependent_message() {
    let doc = VirtualDocument::specimen();
    for (weak, why) in [
        (WeakGroup::SingularCurve, "singular"),
        (WeakGroup::SmoothOrderCurve, "not prime"),
        (WeakGroup::CompositeOrderDh, "q is not prime"),
    ] {
        for custom in [false, true] {
            let chip = VirtualChip::new(doc.clone()).hostile(Hostile::WeakPaceGroup(weak));
            let mut link = Recording { inner: InProcess::new(chip), sent: Vec::new() };
            let options = ReadOptions::default().with_validated_custom_pace_groups(custom);
            let e = read_document(&mut link, &can(&doc), options).unwrap_err();
            let SessionError::Access(a) = &e else { panic!("{weak:?}: {e}") };
            match (custom, a) {
                (false, AccessError::NonStandardDomainParameters(_)) => {}
                (true, AccessError::UnsafeDomainParameters(r)) => assert!(r.contains(why), "{weak:?}: {r}"),
                _ => panic!("{weak:?} custom {custom}: {a}"),
            }
            assert_eq!(link.general_authenticates(), 0, "{weak:?} custom {custom}");
            assert!(!link.sent.iter().any(|c| c.get(1) == Some(&0x22)), "{weak:?}: not even MSE:Set AT");
        }
    }
}

/// A valid custom group (secp256k1: prime order, cofactor 1, not ICAO's) runs only when
/// the caller allows validated custom groups.
#[test]
fn a_valid_custom_group_runs_only_when_allowed() {
    let doc = VirtualDocument::specimen();
    let gm = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes256 };
    let k1 = passchip::emulator::hostile::ec_algorithm_identifier(
        &passchip::low_level::crypto::ec::DomainParams::secp256k1(),
    )
    .unwrap();
    let chip = || VirtualChip::new(doc.clone()).offer_pace_group(gm, 40, &k1);
    let e = read_document(InProcess::new(chip()), &can(&doc), ReadOptions::default()).unwrap_err();
    assert!(matches!(e, SessionError::Access(AccessError::NonStandardDomainParameters(_))), "{e}");
    let options = ReadOptions::default().with_validated_custom_pace_groups(true);
    let read = read_document(InProcess::new(chip()), &can(&doc), options).unwrap();
    let pace = read.pace.as_ref().unwrap();
    assert_eq!((pace.protocol, pace.parameter_id), (gm, Some(40)));
    assert_eq!(read.dg1.as_ref().unwrap().mrz.primary_identifier, "OEBERG");
}

// 3. A man in the middle downgrades PACE to BAC ---------------------------------------------

/// EF.CardAccess hidden (6A82): the reader opens the chip with BAC, but DG14 (signed)
/// lists PACE, so the read reports the downgrade and the verdict is at most `review`.
#[test]
fn a_hidden_card_access_is_reported_as_a_downgrade() {
    let doc = VirtualDocument::specimen();
    let chip = VirtualChip::new(doc.clone()).hostile(Hostile::HiddenCardAccess);
    let read = read_document(InProcess::new(chip), &Credentials::Mrz(doc.mrz_key()), ReadOptions::default()).unwrap();
    assert_eq!(read.access, passchip::low_level::access::AccessProtocol::Bac);
    let d = read.downgrade.as_ref().expect("a downgrade");
    assert_eq!(
        (d.expected, d.used),
        (passchip::low_level::access::AccessProtocol::Pace, passchip::low_level::access::AccessProtocol::Bac)
    );
    assert!(d.reason.contains("DG14"), "{}", d.reason);
    let v = verdict(&read, &trust(&[&doc]));
    assert!(v.reasons().contains(&DecisionReason::AccessDowngraded), "{:?}", v.reasons());
    assert_eq!(v.decision(), Decision::Review);
    let chip = VirtualChip::new(doc.clone()).hostile(Hostile::HiddenCardAccess);
    let screen = kiosk_visit(vec![chip], Credentials::Mrz(doc.mrz_key()), &trust(&[&doc]));
    assert_eq!(screen.shown, ["NOT VERIFIED"]);
    // With the CAN alone there is no BAC to fall back to: the read fails, it does not downgrade.
    let chip = VirtualChip::new(doc.clone()).hostile(Hostile::HiddenCardAccess);
    assert!(read_document(InProcess::new(chip), &can(&doc), ReadOptions::default()).is_err());
}

/// A chip that opens with one MRZ but holds another document (its DG1, SOD and all, signed
/// under the same CSCA): a substitution, rejected.
#[test]
fn a_chip_holding_another_document_than_its_mrz_is_rejected() {
    let asked = VirtualDocument::build(DocumentSpec { pace: None, ..DocumentSpec::specimen() });
    // Same seed, so the same CSCA signs it; another holder and document number.
    let held = VirtualDocument::build(DocumentSpec {
        pace: None,
        document_number: "XY9876543".into(),
        surname: "ANDERSSON".into(),
        ..DocumentSpec::specimen()
    });
    let chip = || VirtualChip::new(held.clone()).answering_to(&asked.mrz_key());
    let read =
        read_document(InProcess::new(chip()), &Credentials::Mrz(asked.mrz_key()), ReadOptions::default()).unwrap();
    assert!(read.dg1_differs_from_access_mrz);
    let v = verdict(&read, &trust(&[&asked]));
    assert!(v.reasons().contains(&DecisionReason::Dg1DiffersFromAccessMrz), "{:?}", v.reasons());
    assert_eq!(v.decision(), Decision::Reject);
    let screen = kiosk_visit(vec![chip()], Credentials::Mrz(asked.mrz_key()), &trust(&[&asked]));
    assert_eq!(screen.shown, ["NOT GENUINE"]);
    // The honest chip of the document asked for is not flagged.
    let honest = read_document(
        InProcess::new(VirtualChip::new(asked.clone())),
        &Credentials::Mrz(asked.mrz_key()),
        ReadOptions::default(),
    )
    .unwrap();
    assert!(!honest.dg1_differs_from_access_mrz);
}

// 4. A clone that refuses the proof ----------------------------------------------------------

/// Genuine files with a Chip Authentication key (DG14) and an Active Authentication key
/// (DG15); the chip answers both with a protected 6985. Both are `failed` ("refused by the
/// chip"): the refused Chip Authentication left secure messaging intact, so Active
/// Authentication still ran and is reported too.
#[test]
fn a_clone_refusing_chip_and_active_authentication_is_not_genuine() {
    let doc = VirtualDocument::build(DocumentSpec {
        active_authentication: Some(AaSpec::Ecdsa { curve: NamedCurve::P256, hash: HashAlg::Sha256, der: false }),
        ..DocumentSpec::specimen()
    });
    let chip = || VirtualChip::new(doc.clone()).hostile(Hostile::RefuseChipProofs);
    let read = read_document(InProcess::new(chip()), &can(&doc), ReadOptions::default()).unwrap();
    for attempt in [read.anti_cloning.chip_authentication.reason(), read.anti_cloning.active_authentication.reason()] {
        assert!(attempt.is_some_and(|r| r.contains("refused by the chip")), "{attempt:?}");
    }
    assert!(read.anti_cloning.chip_authentication.failed());
    assert!(read.anti_cloning.active_authentication.failed());
    let store = trust(&[&doc]);
    let v = verdict(&read, &store);
    assert_eq!(v.chip_authenticity().status(), ChipStatus::Failed);
    assert_eq!(v.decision(), Decision::Reject);
    let visit = Visit::verify(read, &store, &PaOptions::at(today()));
    assert!(!visit.genuine());
    assert_eq!(visit.outcome(), VisitOutcome::NotGenuine);
    assert_eq!(kiosk_visit(vec![chip()], can(&doc), &store).shown, ["NOT GENUINE"]);
}

/// One genuine ECDSA signature in about 65 000 is `r ‖ s` starting with `30 3E` on P-256
/// (64 bytes, twice the scalar size): it must be read as plain `r ‖ s`, not as DER. The
/// key and challenge were found by search (RFC 6979 signatures are deterministic).
#[test]
fn a_plain_ecdsa_signature_that_looks_like_der_is_read_as_plain() {
    use p256::ecdsa::{Signature, SigningKey};
    use signature::hazmat::PrehashSigner;
    let sk = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let challenge = [0, 0, 0, 0, 0, 0, 0xCB, 0x8C];
    let digest = HashAlg::Sha256.digest(&challenge);
    let sig: Signature = sk.sign_prehash(&digest).unwrap();
    let sig = sig.to_bytes().to_vec();
    assert_eq!(sig.get(..2), Some(&[0x30, 0x3E][..]), "the fixture signature must look like DER");
    let point = p256::elliptic_curve::sec1::ToSec1Point::to_sec1_point(sk.verifying_key().as_affine(), false);
    let mut spki = hex_literal::hex!("3059301306072a8648ce3d020106082a8648ce3d030107034200").to_vec();
    spki.extend_from_slice(point.as_bytes());
    let evidence = AaEvidence::new(challenge.to_vec(), sig, spki, Some(HashAlg::Sha256));
    let verified = evidence.verify().unwrap();
    assert!(verified.scheme.contains("plain"), "{}", verified.scheme);
}

// 5. A resumed read takes its proof from another chip -----------------------------------------

/// A clone serving the victim's files lists an extra data group in its EF.COM and leaves
/// the field when asked for it; the attacker's own genuine PACE-CAM card of the same model
/// (same EF.CardAccess) is put on the reader with the same CAN. The resumed session reads
/// EF.SOD again: another document, refused, and what was kept is wiped.
#[test]
fn a_resumed_read_on_another_card_is_refused() {
    let victim =
        VirtualDocument::build(DocumentSpec { pace: Some((CAM, 13)), cloned: true, ..DocumentSpec::specimen() });
    let attacker = cam_doc(4242);
    assert_eq!(victim.card_access(), attacker.card_access(), "same model");
    let credentials = Credentials::Can { can: attacker.spec().can.clone().into(), mrz: None };
    let clone = || {
        let mut doc = victim.clone();
        let mut spec_can = doc.spec().clone();
        spec_can.can = attacker.spec().can.clone();
        doc = VirtualDocument::build(spec_can);
        VirtualChip::new(doc).hostile(Hostile::LeaveOnExtraGroup(13))
    };
    let mut partial = PartialRead::new();
    let e = read_document_resuming(
        InProcess::new(clone()),
        &credentials,
        ReadOptions::default(),
        &mut partial,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(e.is_interrupted(), "{e}");
    assert!(partial.bytes_kept() > 0);
    let genuine = InProcess::new(VirtualChip::new(attacker.clone()));
    let e =
        read_document_resuming(genuine, &credentials, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap_err();
    assert_eq!(e, SessionError::DifferentDocument);
    assert_eq!(partial.bytes_kept(), 0, "what was kept of the first card is wiped");
    // The kiosk: the clone, then the attacker's card.
    let screen =
        kiosk_visit(vec![clone(), VirtualChip::new(attacker.clone())], credentials, &trust(&[&victim, &attacker]));
    assert_eq!(screen.shown, ["failed: the card presented again is another document: start a new read"]);
}

/// The same card presented again resumes, and its anti-cloning result comes from the
/// session that checked its EF.SOD (the second).
#[test]
fn a_resumed_read_on_the_same_card_records_which_session_proved_the_chip() {
    let doc = cam_doc(9303);
    let mut partial = PartialRead::new();
    let mut chip = VirtualChip::new(doc.clone());
    // Lift the card after 12 commands (in the middle of the files).
    let mut n = 0;
    let field = Field { chip: &mut chip, left_after: 12, seen: &mut n };
    let e = read_document_resuming(field, &can(&doc), ReadOptions::default(), &mut partial, &mut |_| {}).unwrap_err();
    assert!(e.is_interrupted(), "{e}");
    chip.reset();
    let read =
        read_document_resuming(InProcess::new(chip), &can(&doc), ReadOptions::default(), &mut partial, &mut |_| {})
            .unwrap();
    assert_eq!(read.anti_cloning.session, 2);
    assert!(read.anti_cloning.pace_cam.passed(), "{:?}", read.anti_cloning.pace_cam);
    assert_eq!(verdict(&read, &trust(&[&doc])).chip_authenticity().proven_by(), ["PACE-CAM"]);
}

/// A resumed PIN read does not spend a try on the card presented again before the caller
/// confirms.
#[test]
fn a_resumed_pin_read_asks_before_spending_a_try() {
    let doc = VirtualDocument::build(DocumentSpec { pin: Some("564738".into()), ..DocumentSpec::specimen() });
    let pin = Credentials::Pin("564738".to_string().into());
    let mut partial = PartialRead::new();
    let mut chip = VirtualChip::new(doc.clone());
    let mut n = 0;
    let field = Field { chip: &mut chip, left_after: 12, seen: &mut n };
    assert!(
        read_document_resuming(field, &pin, ReadOptions::default(), &mut partial, &mut |_| {})
            .unwrap_err()
            .is_interrupted()
    );
    chip.reset();
    let mut link = Recording { inner: InProcess::new(chip), sent: Vec::new() };
    let e = read_document_resuming(&mut link, &pin, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap_err();
    assert_eq!(e, SessionError::PinResumeNeedsConfirmation);
    assert_eq!(link.general_authenticates(), 0, "no PIN try spent");
    partial.allow_pin_on_resume();
    let read = read_document_resuming(&mut link, &pin, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap();
    assert_eq!(read.dg1.as_ref().unwrap().mrz.primary_identifier, "OEBERG");
}

/// A field the card leaves after `left_after` commands.
struct Field<'a> {
    chip: &'a mut VirtualChip,
    left_after: u64,
    seen: &'a mut u64,
}

impl Transport for Field<'_> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        *self.seen += 1;
        if *self.seen > self.left_after {
            return Err(TransportError::CardRemoved);
        }
        Ok(self.chip.handle(capdu))
    }
}

/// The kiosk asks the desk before a resumed PIN read spends a try on the card put back.
#[test]
fn the_kiosk_asks_before_a_resumed_pin_read() {
    let doc = VirtualDocument::build(DocumentSpec { pin: Some("564738".into()), ..DocumentSpec::specimen() });
    let store = trust(&[&doc]);
    for yes in [false, true] {
        let mut slot = VirtualSlot::new();
        let chip = VirtualChip::new(doc.clone());
        slot.present(Presentation::new(chip, Duration::from_millis(30)).lifted(12, Duration::from_millis(20)));
        let pin = Credentials::Pin("564738".to_string().into());
        let mut desk = Screen { credentials: [pin].into(), pin_resume: yes, ..Screen::default() };
        let options = KioskOptions::default()
            .with_idle_timeout(Duration::from_millis(100))
            .with_resume_wait(Duration::from_millis(200));
        kiosk::run(&mut slot, &mut desk, &store, &options).unwrap();
        assert_eq!(desk.asked, 1);
        if yes {
            assert_eq!(desk.shown, ["GENUINE"]);
        } else {
            assert!(desk.shown[0].contains("confirm before a PIN try"), "{:?}", desk.shown);
        }
    }
}
