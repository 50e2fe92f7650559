//! Secrets and personal data stay out of every `Debug`/`Display` output and every log
//! line (`tracing`, captured at TRACE level) unless the caller opts in for personal data;
//! the opt-in is checked to work, and the capture to capture.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "cli")]

use std::io::Write;
use std::sync::{Arc, Mutex};

use passchip::emulator::{DocumentSpec, Hostile, VirtualChip, VirtualDocument};
use passchip::low_level::access::pace::PacePassword;
use passchip::reader::{AccessPolicy, Credentials, PartialRead, ReadOptions, Session, read_document};
use passchip::transport::InProcess;

const CAN: &str = "123456";
const PIN: &str = "739104";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One global subscriber at TRACE level for this test binary (tracing caches per call
/// site which subscribers want an event, so scoped subscribers in parallel tests miss
/// some), and a lock so that one test's events are not mixed into another's.
fn capture() -> &'static (Capture, Mutex<()>) {
    static CAPTURE: std::sync::OnceLock<(Capture, Mutex<()>)> = std::sync::OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let sink = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        (capture, Mutex::new(()))
    })
}

/// Runs `f` and returns every log event it produced, at TRACE level.
fn logs(f: impl FnOnce()) -> String {
    let (buffer, lock) = capture();
    let _only_us = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    buffer.0.lock().unwrap().clear();
    f();
    String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
}

fn pin_document() -> VirtualDocument {
    VirtualDocument::build(DocumentSpec {
        pin: Some(PIN.into()),
        puk: Some("99887766".into()),
        ..DocumentSpec::specimen()
    })
}

/// Everything secret or personal about the virtual document.
fn secrets(doc: &VirtualDocument) -> Vec<String> {
    let spec = doc.spec();
    let mut s = vec![
        CAN.to_string(),
        PIN.to_string(),
        spec.document_number.clone(),
        spec.surname.clone(),
        spec.given_names.clone(),
        spec.personal_number.clone(),
        format!("{}{}", spec.date_of_birth, spec.sex),
    ];
    s.extend(doc.mrz_lines().iter().cloned());
    s
}

fn assert_clean(text: &str, doc: &VirtualDocument, what: &str) {
    for secret in secrets(doc) {
        assert!(!text.contains(&secret), "{what} shows {secret:?}:\n{text}");
    }
    // No key material: no long run of hex digits anywhere.
    let longest_hex = text.split(|c: char| !c.is_ascii_hexdigit()).map(str::len).max().unwrap_or(0);
    assert!(longest_hex < 16, "{what} has a {longest_hex}-digit hex run:\n{text}");
}

#[test]
fn no_log_line_carries_a_secret_or_personal_data() {
    let doc = pin_document();
    let text = logs(|| {
        // PACE with the CAN, BAC with the MRZ, a wrong CAN, the PIN flow, a hostile chip.
        let can = Credentials::Can { can: CAN.to_string().into(), mrz: None };
        read_document(InProcess::new(VirtualChip::new(doc.clone())), &can, ReadOptions::default()).unwrap();
        let bac = ReadOptions::default().with_access(AccessPolicy::BacOnly);
        read_document(InProcess::new(VirtualChip::new(doc.clone())), &Credentials::Mrz(doc.mrz_key()), bac.clone())
            .unwrap();
        let wrong = Credentials::Can { can: "000000".to_string().into(), mrz: None };
        assert!(read_document(InProcess::new(VirtualChip::new(doc.clone())), &wrong, ReadOptions::default()).is_err());
        let mut session = Session::new(InProcess::new(VirtualChip::new(doc.clone())), ReadOptions::default());
        let infos = session.read_card_access().unwrap().unwrap();
        let (protocol, id) = passchip::reader::choose_pace(&infos).unwrap();
        let pin = PacePassword::Pin(PIN.to_string().into());
        let secured = session.pace_pin(&pin, None, protocol, id.unwrap(), &mut passchip::low_level::crypto::OsRandom);
        assert!(secured.is_ok());
        let hostile = VirtualChip::new(doc.clone()).hostile(Hostile::WrongMac);
        assert!(read_document(InProcess::new(hostile), &Credentials::Mrz(doc.mrz_key()), bac).is_err());
    });
    // The capture works and the reader does log.
    for expected in ["access control done", "file read", "document read", "apdu", "secure messaging failed"] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    assert_clean(&text, &doc, "the log");
    assert!(text.matches(" apdu ").count() > 40, "{text}");
}

#[test]
fn personal_data_is_logged_only_on_request() {
    let doc = VirtualDocument::specimen();
    let read = |opt_in: bool| {
        logs(|| {
            let options = ReadOptions::default().with_personal_data_in_logs(opt_in);
            read_document(InProcess::new(VirtualChip::new(doc.clone())), &Credentials::Mrz(doc.mrz_key()), options)
                .unwrap();
        })
    };
    let off = read(false);
    assert_clean(&off, &doc, "the log without opt-in");
    let on = read(true);
    assert!(on.contains(&doc.spec().document_number) && on.contains(&doc.spec().surname), "{on}");
    // Secrets stay out even then: the CAN and the MRZ lines are not personal data to log.
    for secret in doc.mrz_lines() {
        assert!(!on.contains(secret.as_str()), "{on}");
    }
}

#[test]
fn debug_and_display_show_no_secret() {
    let mut out = None;
    logs(|| out = Some(shown_values()));
    let (doc, shown) = out.unwrap();
    for s in &shown {
        assert_clean(s, &doc, "Debug/Display");
    }
}

/// The errors of MRZ text with a wrong check digit and with a stray character, in full.
fn mrz_errors(doc: &VirtualDocument) -> String {
    let text = doc.mrz_text();
    let mut wrong = text.clone().into_bytes();
    // The document number's check digit (TD3 line 2, position 10).
    let at = text.find('\n').unwrap() + 1 + 9;
    wrong[at] = if wrong[at] == b'9' { b'0' } else { wrong[at] + 1 };
    let check = passchip::mrz::Mrz::parse(&String::from_utf8(wrong).unwrap()).unwrap_err();
    let stray = passchip::mrz::Mrz::parse(&text.replacen('<', "#", 1)).unwrap_err();
    format!("{check:?} {check} {stray:?} {stray}")
}

fn shown_values() -> (VirtualDocument, Vec<String>) {
    let doc = pin_document();
    let read = read_document(
        InProcess::new(VirtualChip::new(doc.clone())),
        &Credentials::Mrz(doc.mrz_key()),
        ReadOptions::default(),
    )
    .unwrap();
    let mut partial = PartialRead::new();
    let mut cut = InProcess::new(VirtualChip::new(doc.clone()).hostile(Hostile::WrongMac));
    let failed = passchip::reader::read_document_resuming(
        &mut cut,
        &Credentials::Can { can: CAN.to_string().into(), mrz: Some(doc.mrz_key()) },
        ReadOptions::default(),
        &mut partial,
        &mut |_| {},
    )
    .unwrap_err();
    let dg1 = read.dg1.clone().unwrap();
    // A secured session (its channel holds the session keys) and a derived key.
    let mut session = Session::new(InProcess::new(VirtualChip::new(doc.clone())), ReadOptions::default());
    session.select_application().unwrap();
    let secured = session.bac(&doc.mrz_key()).map_err(|(_, e)| e).unwrap();
    let key = passchip::low_level::crypto::kdf::derive_tdes(&[0x42; 16], 1);
    let key_hex: String = key.expose().iter().map(|b| format!("{b:02X}")).collect();
    let shown_key = format!("{key:?}");
    assert!(!shown_key.to_uppercase().contains(&key_hex[..8]), "{shown_key}");
    let shown = [
        format!("{secured:?}"),
        shown_key,
        format!("{:?}", Credentials::Mrz(doc.mrz_key())),
        format!("{:?}", Credentials::Can { can: CAN.to_string().into(), mrz: Some(doc.mrz_key()) }),
        format!("{:?}", Credentials::Pin(PIN.to_string().into())),
        format!("{:?}", PacePassword::Pin(PIN.to_string().into())),
        format!("{:?}", PacePassword::can(CAN)),
        format!("{:?}", doc.mrz_key()),
        format!("{read:?}"),
        format!("{dg1:?}"),
        format!("{:?}", dg1.mrz),
        format!("{partial:?}"),
        format!("{failed:?} {failed}"),
        // A national identity number, and errors about MRZ text (a wrong check digit, a
        // stray character) say which field, never its characters or digits.
        format!(
            "{:?}",
            passchip::identity::national_id::parse(
                passchip::identity::national_id::IdCountry::Se,
                &doc.spec().personal_number,
                passchip::date::Date::parse("2025-01-01").unwrap(),
            )
        ),
        mrz_errors(&doc),
    ];
    (doc, shown.to_vec())
}
