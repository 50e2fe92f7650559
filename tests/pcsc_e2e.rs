//! End to end through a real pcscd: `passchip emulate` is the card behind vsmartcard's vpcd
//! driver, `passchip read` and the library's PC/SC transport are the reader.
//!
//! The stack tests are `#[ignore]`d: `.ci/pcsc-e2e` starts pcscd (isolated in its own
//! namespaces) and runs them one at a time (`--test-threads=1`: they share the readers).
//! They fail loudly when pcscd is not there.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "common/bankid.rs"]
mod bankid;
#[path = "common/schemas.rs"]
mod schemas;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use passchip::emulator::{DocumentSpec, VirtualDocument};
use passchip::lds::{Dump, LdsFile};
use passchip::transport::pcsc::{Pcsc, PcscError};

const READER: &str = "Virtual PCD 00 00";
const VPCD: &str = "127.0.0.1:35963";

/// No trust folder unless a test names one: the machine's own store must not decide a test.
const NO_TRUST_STORE: &str = "/nonexistent/passchip-test-no-trust-store";

fn passchip(args: &[&str]) -> Output {
    conforms(
        Command::new(env!("CARGO_BIN_EXE_passchip"))
            .args(args)
            .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
            .output()
            .expect("run passchip"),
    )
}

/// Every JSON document a command printed has the shape docs/schemas gives its `schema`.
fn conforms(out: Output) -> Output {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        && let Some(shape) = v["schema"].as_str()
    {
        schemas::assert_valid(shape, &v);
    }
    out
}

/// The PC/SC service, waited for a little (a test before may have restarted it).
fn service() -> Pcsc {
    for _ in 0..50 {
        if let Ok(p) = Pcsc::establish()
            && p.readers().is_ok_and(|r| r.iter().any(|r| r.name == READER))
        {
            return p;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Pcsc::establish().expect("pcscd must run for these tests (.ci/pcsc-e2e starts it)")
}

/// A `passchip emulate` process: the card is in the reader while it lives.
struct Card(Child);

impl Card {
    fn present(args: &[&str]) -> Self {
        let pcsc = service();
        // The previous test's card must be gone first.
        pcsc.wait_for_removal(READER, Some(Duration::from_secs(10))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_passchip"))
            .args(["emulate", "--vpcd", VPCD])
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let card = Self(child);
        assert_eq!(pcsc.wait_for_card(Some(READER), Some(Duration::from_secs(15))).unwrap(), READER);
        card
    }
}

impl Drop for Card {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("passchip-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Every file of `doc` arrived byte for byte.
fn assert_byte_exact(dir: &Path, doc: &VirtualDocument) {
    let dump = Dump::read(dir).unwrap();
    let mut n = 0;
    for (f, bytes) in doc.files() {
        let got = match f {
            LdsFile::Com => dump.com.as_deref(),
            LdsFile::Sod => dump.sod.as_deref(),
            LdsFile::Dg(d) => dump.data_groups.get(&d).map(Vec::as_slice),
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(got, Some(bytes), "{} differs", f.name());
        n += 1;
    }
    assert!(n >= 5, "only {n} files");
    assert_eq!(dump.card_access.as_deref(), doc.card_access(), "EF.CardAccess differs");
}

fn mrz(doc: &VirtualDocument) -> String {
    doc.mrz_lines().join("\n")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn readers_lists_the_virtual_reader_and_its_card() {
    let _card = Card::present(&[]);
    let v = json(&passchip(&["readers", "--json"]));
    assert_eq!(v["schema"], "passchip.readers/1");
    let readers = v["readers"].as_array().unwrap();
    let ours = readers.iter().find(|r| r["name"] == READER).unwrap();
    assert_eq!(ours["card_present"], true);
    // T=1 ATR with card capabilities announcing extended length.
    assert!(ours["atr"].as_str().unwrap().starts_with("3B8A8001"), "{ours}");
    // The second vpcd reader is listed, empty.
    assert!(readers.iter().any(|r| r["name"] == "Virtual PCD 00 01" && r["card_present"] == false));
}

#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn bac_read_is_byte_exact() {
    let doc = VirtualDocument::build(DocumentSpec { pace: None, ..DocumentSpec::specimen() });
    let _card = Card::present(&["--bac-only"]);
    let dir = tmp("bac");
    let out = passchip(&["read", "--reader", READER, "--mrz", &mrz(&doc), "--out", dir.to_str().unwrap(), "--json"]);
    let v = json(&out);
    assert_eq!(v["schema"], "passchip.read/1");
    assert_eq!(v["access"]["protocol"], "BAC");
    assert_eq!(v["access"]["secure_messaging"], "3DES");
    assert_eq!(v["document"]["document_number"], "AA1234567");
    assert_eq!(v["document"]["kind"], "passport");
    assert_eq!(v["document"]["date_of_birth"], "1985-04-12");
    assert_eq!(v["anti_cloning"]["chip_authentication"]["status"], "passed");
    assert_byte_exact(&dir, &doc);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn pace_read_with_extended_length_uses_few_read_binaries() {
    let doc = VirtualDocument::specimen();
    let _card = Card::present(&[]);
    let dir = tmp("pace");
    let face = dir.with_extension("jpg");
    let out = passchip(&[
        "read",
        "--reader",
        "PCD 00 00",
        "--document-number",
        "AA1234567",
        "--birth-date",
        "850412",
        "--expiry-date",
        "300101",
        "--out",
        dir.to_str().unwrap(),
        "--face",
        face.to_str().unwrap(),
        "--json",
        "--stats",
    ]);
    let v = json(&out);
    assert_eq!(v["access"]["protocol"], "PACE");
    assert_eq!(v["access"]["secure_messaging"], "AES-128");
    assert_eq!(v["access"]["extended_length"], true);
    assert_byte_exact(&dir, &doc);
    let files = v["files"].as_array().unwrap().len() as u64;
    let rb = v["stats"]["read_binary"].as_u64().unwrap();
    // A header read and one extended read per file, at most.
    assert!(rb <= 2 * files, "{rb} READ BINARY for {files} files");
    let phases = &v["stats"]["phases"];
    assert!(phases["access"]["apdus"].as_u64().unwrap() >= 3);
    assert!(phases["read"]["apdus"].as_u64().unwrap() >= files);
    assert!(v["stats"]["bytes_received"].as_u64().unwrap() > 10_000);
    let image = std::fs::read(&face).unwrap();
    assert_eq!(&image[..3], &[0xFF, 0xD8, 0xFF], "the face is a JPEG");
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_file(face).unwrap();
}

#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn pace_with_the_can_on_a_short_apdu_chip_of_le_160() {
    let doc = VirtualDocument::specimen();
    let _card = Card::present(&["--chip", "le160"]);
    let dir = tmp("le160");
    let v = json(&passchip(&["read", "--can", "123456", "--out", dir.to_str().unwrap(), "--json", "--stats"]));
    assert_eq!(v["access"]["protocol"], "PACE");
    assert_eq!(v["access"]["pace"]["password"], "CAN");
    assert_eq!(v["access"]["extended_length"], false);
    assert_byte_exact(&dir, &doc);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn a_wrong_mrz_fails_the_read_with_exit_1() {
    let _card = Card::present(&["--bac-only"]);
    let out = passchip(&[
        "read",
        "--reader",
        READER,
        "--document-number",
        "AA1234568",
        "--birth-date",
        "850412",
        "--expiry-date",
        "300101",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("check the MRZ"), "{err}");
    assert!(!err.contains("AA1234568"), "the MRZ must not be echoed: {err}");
}

#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn waiting_for_a_card_times_out_on_the_empty_reader() {
    let pcsc = service();
    let t = Duration::from_millis(700);
    assert_eq!(pcsc.wait_for_card(Some("Virtual PCD 00 01"), Some(t)), Err(PcscError::Timeout(t)));
    let empty = pcsc.connect("Virtual PCD 00 01");
    assert!(matches!(empty, Err(PcscError::NoCard(_))), "{empty:?}");
    assert!(matches!(pcsc.connect("no such reader"), Err(PcscError::UnknownReader(_))));
    let out = passchip(&["read", "--reader", "Virtual PCD 00 01", "--can", "123456"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--wait"));
}

/// Runs anywhere: a client pointed at a socket where no pcscd listens.
#[test]
fn pcscd_not_running_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["readers"])
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/passchip/pcscd.comm")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pcscd"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["read", "--can", "123456"])
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/passchip/pcscd.comm")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not running"));
}

/// The card leaves the field in the middle of DG2 (a short-APDU chip: DG2 takes over a
/// hundred READ BINARY) and comes back: the read resumes where it stopped and completes.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn a_card_removed_in_the_middle_of_dg2_and_presented_again_completes_the_read() {
    let doc = VirtualDocument::specimen();
    let _card = Card::present(&["--chip", "le160", "--remove-after", "60", "--absent-ms", "1500"]);
    let dir = tmp("resumed");
    let out = passchip(&[
        "read",
        "--reader",
        READER,
        "--wait",
        "10",
        "--can",
        "123456",
        "--out",
        dir.to_str().unwrap(),
        "--json",
        "--stats",
    ]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let v = json(&out);
    assert!(err.contains("removed during reading DG2"), "{err}");
    // The CAN is in neither output (the document number, AA1234567, contains its digits).
    assert!(!err.contains("123456"), "the CAN leaked: {err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\"123456\""), "the CAN leaked");
    assert!(err.contains("present it again"), "{err}");
    let i = &v["interruptions"];
    assert_eq!(i.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(i[0]["during"], "read");
    assert_eq!(i[0]["file"], "DG2");
    let kept = i[0]["offset"].as_u64().unwrap();
    assert!(kept > 1000, "{kept}");
    assert_byte_exact(&dir, &doc);
    // Both sessions are in the statistics: PACE ran twice.
    assert!(v["stats"]["phases"]["access"]["apdus"].as_u64().unwrap() >= 10, "{v}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The card leaves and is not presented again in time: exit 1, saying where the read was.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn a_card_removed_and_not_presented_again_fails_the_read() {
    let _card = Card::present(&["--chip", "le160", "--remove-after", "60", "--absent-ms", "30000"]);
    let out = passchip(&["read", "--reader", READER, "--wait", "2", "--can", "123456"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("was not presented again within 2 s"), "{err}");
    assert!(err.contains("DG2"), "{err}");
}

/// The kiosk building blocks on a real reader: wait, read, verify, and the screen wiped
/// after the idle timeout with the card left on the reader, then the card taken away.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn the_kiosk_reads_verifies_and_wipes_on_a_real_reader() {
    use passchip::kiosk::{self, KioskOptions, Visit, VisitEnd};
    use passchip::transport::CardSlot;
    use passchip::transport::pcsc::PcscSlot;
    let doc = VirtualDocument::specimen();
    let card = Card::present(&[]);
    let mut slot = PcscSlot::new(service(), "PCD 00 00").unwrap();
    assert_eq!(slot.reader(), READER);
    assert!(slot.wait_for_card(Some(Duration::from_secs(5))).unwrap());
    let creds = passchip::reader::Credentials::Can { can: "123456".to_string().into(), mrz: None };
    let read = kiosk::read_card(&mut slot, &creds, &KioskOptions::default(), &mut |_| {}).unwrap();
    let mut store = passchip::pki::TrustStore::new();
    store.add(doc.pki().unwrap().csca().clone(), passchip::pki::TrustSource::File { path: "virtual".into() });
    let visit = Visit::verify(read, &store, &passchip::pki::PaOptions::at(passchip::date::Date::today()));
    assert!(visit.genuine());
    assert_eq!(kiosk::hold(&mut slot, visit, Duration::from_millis(300)).unwrap(), VisitEnd::IdleTimeout);
    drop(card);
    assert!(slot.wait_for_removal(Some(Duration::from_secs(10))).unwrap());
    assert!(!slot.wait_for_card(Some(Duration::from_millis(300))).unwrap());
}

/// Another application resets the card between two commands: the reader's next command
/// fails with CardReset, the connection is re-established, and the resumed read completes.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn a_card_reset_by_another_application_is_recovered() {
    use passchip::reader::{Credentials, Interruption, PartialRead, ReadOptions, SessionError, read_document_resuming};
    use passchip::transport::TransportError;
    let doc = VirtualDocument::specimen();
    let _card = Card::present(&[]);
    let pcsc = service();
    let mut ours = pcsc.connect(READER).unwrap();
    let other_context = service();
    let mut theirs = other_context.connect(READER).unwrap();
    theirs.reset().unwrap();
    let creds = Credentials::Can { can: "123456".to_string().into(), mrz: None };
    let mut partial = PartialRead::new();
    let e = read_document_resuming(&mut ours, &creds, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap_err();
    assert_eq!(e, SessionError::Interrupted { during: Interruption::Access, cause: TransportError::CardReset });
    let read = read_document_resuming(&mut ours, &creds, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap();
    for (f, content) in doc.files() {
        assert_eq!(read.files.get(&f).map(Vec::as_slice), Some(content), "{f}");
    }
    assert_eq!(read.interruptions, [Interruption::Access]);
}

/// The attacks, played by `passchip emulate --hostile` behind the real pcscd and refused by
/// `passchip read` (exit 1, with what caught them in the JSON or on stderr).
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn read_refuses_a_clone_that_refuses_the_proofs() {
    let _card = Card::present(&["--hostile", "refuse-proofs"]);
    let out = passchip(&["read", "--reader", READER, "--can", "123456", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for p in ["chip_authentication", "active_authentication"] {
        assert_eq!(v["anti_cloning"][p]["status"], "failed", "{p}: {v}");
        assert!(v["anti_cloning"][p]["reason"].as_str().unwrap().contains("refused by the chip"), "{p}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("not the original chip"));
}

#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn read_reports_a_hidden_card_access_as_a_downgrade() {
    let doc = VirtualDocument::specimen();
    let _card = Card::present(&["--hostile", "hidden-card-access"]);
    let out = passchip(&["read", "--reader", READER, "--mrz", &mrz(&doc), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["access"]["protocol"], "BAC");
    assert_eq!(v["access"]["downgrade"]["expected"], "PACE");
    assert_eq!(v["access"]["downgrade"]["used"], "BAC");
    assert!(v["access"]["downgrade"]["reason"].as_str().unwrap().contains("DG14"));
}

#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn read_refuses_weak_and_non_standard_pace_groups() {
    for mode in ["singular-curve", "composite-order-dh", "cam-explicit-curve"] {
        let _card = Card::present(&["--hostile", mode]);
        let out = passchip(&["read", "--reader", READER, "--can", "123456", "--json"]);
        assert_eq!(out.status.code(), Some(1), "{mode}");
        assert!(out.stdout.is_empty(), "{mode}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("non-standard PACE domain parameters"), "{mode}: {err}");
    }
}

/// The resume swap: a clone leaves the field when asked for an extra EF.COM group, and the
/// attacker's own genuine PACE-CAM card (same model, same CAN) is presented: `read` reads
/// EF.SOD again in the resumed session and refuses another document.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn read_refuses_a_resumed_read_on_another_card() {
    let attacker = VirtualDocument::build(DocumentSpec { ..DocumentSpec::from_seed(4242) });
    let can = attacker.spec().can.clone();
    let clone = Card::present(&["--hostile", "leave-on-extra-group"]);
    let reader = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["read", "--reader", READER, "--wait", "20", "--can", &can, "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The clone's process ends by itself when its chip leaves the field; then the
    // attacker's card is put on the reader.
    let mut clone = clone;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while clone.0.try_wait().unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "the clone never left the field");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(clone);
    let _second = Card::present(&["--seed", "4242", "--pace-cam"]);
    let out = reader.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("removed during reading DG13"), "{err}");
    assert!(err.contains("another document"), "{err}");
    assert!(out.stdout.is_empty(), "nothing of either document is shown");
}

/// `passchip` with extra environment variables and text on standard input.
fn passchip_env(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(args)
        .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    conforms(child.wait_with_output().unwrap())
}

/// A trust folder holding the virtual passport's CSCA (the test PKI, allowed by name).
fn virtual_trust_store(name: &str) -> PathBuf {
    let doc = VirtualDocument::specimen();
    let store = tmp(name);
    let csca = store.with_extension("csca.der");
    std::fs::write(&csca, doc.pki().unwrap().csca().der()).unwrap();
    let out = passchip(&[
        "trust",
        "import",
        "--trust-store",
        store.to_str().unwrap(),
        "--allow-test-pki",
        csca.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    std::fs::remove_file(csca).unwrap();
    store
}

fn bankid(dir: &Path, pnr: &str, given: &str, surname: &str) -> PathBuf {
    bankid::write(&dir.with_extension(format!("bankid-{pnr}.json")), pnr, given, surname)
}

/// Tap, verify, decide: `read` through a trust folder, the CAN from standard input, the
/// verdict and the bank decision in one command.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn read_verifies_and_decides_through_a_trust_store() {
    let store = virtual_trust_store("read-store");
    let s = store.to_str().unwrap();
    let _card = Card::present(&[]);
    let base = ["read", "--reader", READER, "--can", "-", "--trust-store", s, "--json"];
    let out = passchip_env(&[&base[..], &["--allow-test-pki"]].concat(), &[], "123456\n");
    let v = json(&out);
    assert_eq!(v["integrity"]["status"], "intact");
    assert_eq!(v["verification"]["decision"], "genuine", "{v}");
    assert_eq!(v["verification"]["passive_authentication"]["verdict"], "valid");
    assert_eq!(v["verification"]["chip_authenticity"]["status"], "proven");
    assert_eq!(v["verification"]["trust_store"]["folder"]["path"], s);
    // The test PKI is left out of the store unless allowed: not verified, exit 1.
    let out = passchip_env(&base, &[], "123456\n");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verification"]["decision"], "not_verified");
    // The store and the CAN from the environment; the holder's e-ID decides.
    let asa = bankid(&store, "198504122386", "Åsa", "Öberg");
    let env = [("PASSCHIP_TRUST_STORE", s), ("PASSCHIP_CAN", "123456")];
    let out = passchip_env(
        &["read", "--reader", READER, "--allow-test-pki", "--identity", asa.to_str().unwrap(), "--json"],
        &env,
        "",
    );
    let v = json(&out);
    assert_eq!(v["bank_verification"]["decision"], "accept", "{v}");
    assert_eq!(v["verification"]["trust_store"]["folder"]["path"], s);
    let anna = bankid(&store, "199001012401", "Anna", "Svensson");
    let out = passchip_env(
        &["read", "--reader", READER, "--allow-test-pki", "--identity", anna.to_str().unwrap(), "--json"],
        &env,
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["bank_verification"]["decision"], "reject", "{v}");
    // The text summary leads with the decision.
    let out = passchip_env(&["read", "--reader", READER, "--allow-test-pki"], &env, "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().nth(2).unwrap().trim_start().starts_with("GENUINE"), "{text}");
    // Without any trust store: integrity only, NOT VERIFIED, exit 0.
    let out = passchip_env(&["read", "--reader", READER, "--can", "-"], &[], "123456\n");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("NOT VERIFIED: no trust store") && text.contains("Integrity     intact"), "{text}");
    std::fs::remove_dir_all(&store).unwrap();
    for f in [asa, anna] {
        std::fs::remove_file(f).unwrap();
    }
}

/// `read --identity` with the attempt ledger: someone else's e-ID fails three times on
/// the holder's passport and is locked; the fourth try is refused before the reader is
/// even looked at (no card is on it: still `ATTEMPTS_LOCKED`, exit 1, not "no card");
/// the holder is refused on the document the fraudster failed with; the trail has it all.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn read_counts_attempts_and_refuses_a_locked_person_before_the_card() {
    let store = virtual_trust_store("read-ledger-store");
    let s = store.to_str().unwrap();
    let db = tmp("read-ledger").with_extension("sqlite");
    let ledger = format!("sqlite:{}", db.display());
    let anna = bankid(&store, "199001012401", "Anna", "Svensson");
    let asa = bankid(&store, "198504122386", "Åsa", "Öberg");
    let env = [
        ("PASSCHIP_TRUST_STORE", s),
        ("PASSCHIP_CAN", "123456"),
        ("PASSCHIP_LEDGER_KEY", "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c"),
        ("PASSCHIP_LEDGER", ledger.as_str()),
    ];
    let read = |who: &Path| {
        passchip_env(
            &[
                "read",
                "--reader",
                READER,
                "--allow-test-pki",
                "--host-id",
                "kiosk-e2e",
                "--identity",
                who.to_str().unwrap(),
                "--json",
            ],
            &env,
            "",
        )
    };
    {
        let _card = Card::present(&[]);
        for attempt in 1..=3 {
            let out = read(&anna);
            assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["bank_verification"]["decision"], "reject", "{v}");
            let state = if attempt == 3 { "locked" } else { "open" };
            assert_eq!(v["bank_verification"]["attempts"]["state"], state, "attempt {attempt}");
        }
    }
    // No card on the reader now: the refusal comes first.
    let out = read(&anna);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "passchip.verification/1");
    assert_eq!(v["reasons"], serde_json::json!(["ATTEMPTS_LOCKED"]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked until"));
    {
        let _card = Card::present(&[]);
        let out = read(&asa);
        assert_eq!(out.status.code(), Some(1));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["bank_verification"]["reasons"],
            serde_json::json!(["ATTEMPTS_LOCKED"]),
            "the document is locked: {v}"
        );
    }
    let out = passchip_env(&["audit", "export", "--json"], &env, "");
    let rows = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(rows, 5, "three rejections and two refusals");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("199001012401"));
    std::fs::remove_dir_all(&store).unwrap();
    for f in [anna, asa, db] {
        std::fs::remove_file(f).unwrap();
    }
}

/// A chip serving a DG1 changed after signing, and one with a DG11 nested 100 000 levels
/// deep: `read` says the data is not intact and exits 1, with or without a trust store.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn read_catches_altered_and_malformed_data_groups() {
    for (mode, needle) in [("altered-dg1", "hash mismatch: DG1"), ("deep-dg11", "DG11")] {
        let _card = Card::present(&["--hostile", mode]);
        let out = passchip(&["read", "--reader", READER, "--can", "123456", "--json"]);
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["integrity"]["status"], "broken", "{mode}");
        let problems = v["integrity"]["problems"].to_string();
        assert!(problems.contains(needle), "{mode}: {problems}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("not intact"), "{mode}");
        drop(_card);
    }
}

/// A clone the reader caught stays caught: `read --out` records it, `verify` and
/// `match --dir` on the dump refuse it.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn a_clone_caught_by_read_fails_verify_and_match_on_its_dump() {
    let store = virtual_trust_store("caught-store");
    let dir = tmp("caught");
    let _card = Card::present(&["--hostile", "refuse-proofs"]);
    let out = passchip(&["read", "--reader", READER, "--can", "123456", "--out", dir.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(dir.join("anti_cloning.json").is_file());
    let trust = ["--trust-store", store.to_str().unwrap(), "--allow-test-pki"];
    let out = passchip(&[&["verify", dir.to_str().unwrap(), "--json"][..], &trust].concat());
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passive_authentication"]["verdict"], "valid", "the files are genuine");
    assert_eq!(v["chip_authenticity"]["status"], "failed", "{v}");
    let asa = bankid(&dir, "198504122386", "Åsa", "Öberg");
    let out = passchip(
        &[&["match", "--identity", asa.to_str().unwrap(), "--dir", dir.to_str().unwrap(), "--json"][..], &trust]
            .concat(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["holder_match"]["outcome"], "document_rejected", "{v}");
    assert_eq!(v["chip_failed_in_read"], true);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&store).unwrap();
    std::fs::remove_file(asa).unwrap();
}

/// A second virtual card in the other vpcd reader (`Virtual PCD 00 01`).
struct OtherCard(Child);

impl OtherCard {
    fn present(args: &[&str]) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_passchip"))
            .args(["emulate", "--vpcd", "127.0.0.1:35964"])
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let card = Self(child);
        let pcsc = service();
        assert_eq!(
            pcsc.wait_for_card(Some("Virtual PCD 00 01"), Some(Duration::from_secs(15))).unwrap(),
            "Virtual PCD 00 01"
        );
        card
    }
}

impl Drop for OtherCard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = Pcsc::establish().and_then(|p| p.wait_for_removal("Virtual PCD 00 01", Some(Duration::from_secs(10))));
    }
}

/// A desk with the employee's contact login card in one reader and the passport on the
/// NFC reader: `read` without --reader takes the passport and says why; with only the
/// contact card there, it refuses to read it.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn read_prefers_the_contactless_card_and_never_takes_a_contact_card() {
    let login = OtherCard::present(&["--contact-card"]);
    let passport = Card::present(&[]);
    let v = json(&passchip(&["readers", "--json"]));
    let kind =
        |name: &str| v["readers"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["kind"].clone();
    assert_eq!(kind(READER), "contactless");
    assert_eq!(kind("Virtual PCD 00 01"), "contact");
    let text = String::from_utf8(passchip(&["readers"]).stdout).unwrap();
    assert!(text.contains("`passchip read` would read from Virtual PCD 00 00"), "{text}");
    let out = passchip(&["read", "--can", "123456"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reading from Virtual PCD 00 00 (its card answers as a contactless card"), "{err}");
    assert!(err.contains("the contact card in Virtual PCD 00 01 was left alone"), "{err}");
    let v = json(&passchip(&["read", "--can", "123456", "--json"]));
    assert!(v["reader_chosen_because"].as_str().unwrap().contains("contactless"), "{v}");
    drop(passport);
    service().wait_for_removal(READER, Some(Duration::from_secs(10))).unwrap();
    let out = passchip(&["read", "--can", "123456", "--wait", "2"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the only card is a contact card, in Virtual PCD 00 01"), "{err}");
    drop(login);
}

/// An eID card's PIN from the command line: wrong tries counted down, the suspended PIN
/// tried inside a CAN channel with `--pin --can`, the blocked PIN unblocked with the PUK
/// and replaced. Nothing is retried by itself.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn pin_flows_suspended_blocked_and_unblocked() {
    let _card = Card::present(&["--pin", "564738", "--puk", "98765432"]);
    let read = |extra: &[&str]| passchip(&[&["read", "--reader", READER][..], extra].concat());
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).to_string();
    let out = read(&["--pin", "000000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("the PIN is wrong (2 tries left)"), "{}", err(&out));
    let out = read(&["--pin", "000000"]);
    assert!(err(&out).contains("the PIN is wrong (1 try left)"), "{}", err(&out));
    // Suspended: the right PIN alone is not even tried.
    let out = read(&["--pin", "564738"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("suspended (1 try left)") && err(&out).contains("give the CAN"), "{}", err(&out));
    // With the CAN: PACE with the CAN, then the PIN inside that channel.
    let out =
        passchip_env(&["read", "--reader", READER, "--pin", "-", "--can", "-", "--json"], &[], "564738\n123456\n");
    let v = json(&out);
    assert_eq!(v["access"]["pace"]["password"], "PIN", "{v}");
    // Block it: two wrong, then a wrong one inside the CAN channel.
    read(&["--pin", "000000"]);
    read(&["--pin", "000000"]);
    let out = read(&["--pin", "000000", "--can", "123456"]);
    assert!(err(&out).contains("the PIN is wrong (no tries left)"), "{}", err(&out));
    let out = read(&["--pin", "564738", "--can", "123456"]);
    assert!(err(&out).contains("the PIN is blocked (no tries left): unblock it with the PUK"), "{}", err(&out));
    // A wrong PUK costs a try and says so; the right one unblocks and sets a new PIN.
    let out = passchip(&["pin", "unblock", "--reader", READER, "--puk", "11111111"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("the PUK is wrong") && err(&out).contains("tries left"), "{}", err(&out));
    let out =
        passchip_env(&["pin", "unblock", "--reader", READER, "--puk", "-", "--new-pin", "-"], &[], "98765432\n2468\n");
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("PIN unblocked and replaced"));
    assert_eq!(read(&["--pin", "2468"]).status.code(), Some(0));
    let out = read(&["--pin", "564738"]);
    assert!(err(&out).contains("the PIN is wrong (2 tries left)"), "{}", err(&out));
}

/// A reader that cannot carry extended-length APDUs (the emulator's side of vpcd fails
/// them at the reader level, as pcscd reports it): `read` authenticates again and reads on
/// with short APDUs; `--short-apdus` never tries one.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn a_reader_without_extended_length_completes_the_read_with_short_apdus() {
    let doc = VirtualDocument::specimen();
    let _card = Card::present(&["--reader-without-extended"]);
    let dir = tmp("short-reader");
    let out = passchip(&["read", "--reader", READER, "--can", "123456", "--out", dir.to_str().unwrap(), "--json"]);
    let v = json(&out);
    assert_eq!(v["access"]["extended_length"], false, "{v}");
    assert_eq!(v["interruptions"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["integrity"]["status"], "intact");
    assert_eq!(v["interruptions"][0]["during"], "read", "the first extended read failed, in the reader: {v}");
    assert_byte_exact(&dir, &doc);
    std::fs::remove_dir_all(&dir).unwrap();
    let out = passchip(&["read", "--reader", READER, "--can", "123456"]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot carry extended-length APDUs") && err.contains("reading on with short APDUs"), "{err}");
    let v = json(&passchip(&["read", "--reader", READER, "--can", "123456", "--short-apdus", "--json"]));
    assert!(v["interruptions"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["access"]["extended_length"], false);
}

/// Stops the running pcscd; `.ci/pcsc-e2e`'s supervisor starts it again.
fn restart_pcscd() {
    assert_eq!(
        std::env::var("PASSCHIP_E2E_PCSCD_SUPERVISED").as_deref(),
        Ok("1"),
        "this test stops pcscd: run it through .ci/pcsc-e2e, whose supervisor starts it again"
    );
    let pid = std::fs::read_to_string("/run/pcscd/pcscd.pid").unwrap();
    let pid = pid.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let status = Command::new("kill").arg(pid).status().unwrap();
    assert!(status.success());
}

/// The kiosk keeps serving across a pcscd restart: the service and the virtual reader go
/// away and come back (the emulator connects to vpcd again), the desk is told "reader
/// disconnected — waiting" and "back", and the next card is read.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn the_kiosk_keeps_serving_across_a_pcscd_restart() {
    use passchip::kiosk::{self, Desk, KioskError, KioskOptions, Visit, VisitEnd};
    use passchip::reader::Credentials;
    use passchip::transport::pcsc::PcscSlot;

    struct Operator {
        shown: usize,
        unavailable: Vec<String>,
        back: usize,
        failed: Vec<String>,
        deadline: std::time::Instant,
    }
    impl Desk for Operator {
        fn keep_going(&mut self) -> bool {
            self.shown < 2 && std::time::Instant::now() < self.deadline
        }
        fn credentials(&mut self) -> Option<Credentials> {
            Some(Credentials::Can { can: "123456".to_string().into(), mrz: None })
        }
        fn show(&mut self, visit: &Visit) {
            assert!(visit.genuine());
            self.shown += 1;
            if self.shown == 1 {
                restart_pcscd();
            }
        }
        fn failed(&mut self, error: &KioskError) {
            self.failed.push(error.to_string());
        }
        fn wiped(&mut self, _: VisitEnd) {}
        fn reader_unavailable(&mut self, why: &str) {
            self.unavailable.push(why.to_string());
        }
        fn reader_available(&mut self) {
            self.back += 1;
        }
    }

    let doc = VirtualDocument::specimen();
    let _card = Card::present(&[]);
    let mut slot = PcscSlot::new(service(), "PCD 00 00").unwrap();
    let mut store = passchip::pki::TrustStore::new();
    store.add(doc.pki().unwrap().csca().clone(), passchip::pki::TrustSource::File { path: "virtual".into() });
    let options = KioskOptions::default().with_idle_timeout(Duration::from_secs(20));
    let mut desk = Operator {
        shown: 0,
        unavailable: vec![],
        back: 0,
        failed: vec![],
        deadline: std::time::Instant::now() + Duration::from_secs(90),
    };
    let ran = kiosk::run(&mut slot, &mut desk, &store, &options);
    drop(_card);
    let _ = service(); // back for the tests after this one
    ran.unwrap();
    assert_eq!(desk.shown, 2, "unavailable {:?}, failed {:?}", desk.unavailable, desk.failed);
    assert!(!desk.unavailable.is_empty(), "the desk was told the reader went away");
    assert!(desk.back >= 1);
}

/// The reader examples of docs/cli.md run (its `console,ignore` blocks, which the plain
/// `cargo test` skips for want of a reader), with the virtual passport on the reader.
#[test]
#[ignore = "needs pcscd with vpcd: run .ci/pcsc-e2e"]
fn the_reader_examples_of_docs_cli_md_run() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md")).unwrap();
    assert!(text.contains("```console,ignore\n"), "docs/cli.md has reader examples");
    let text = text.replace("```console\n", "```text\n").replace("```console,ignore\n", "```console\n");
    let dir = tmp("cli-docs");
    std::fs::create_dir_all(&dir).unwrap();
    let case = dir.join("cli-readers.md");
    std::fs::write(&case, text).unwrap();
    let _card = Card::present(&[]);
    trycmd::TestCases::new()
        .register_bin("passchip", Path::new(env!("CARGO_BIN_EXE_passchip")))
        .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
        .case(&case)
        .run();
    std::fs::remove_dir_all(&dir).unwrap();
}
