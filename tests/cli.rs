//! The `passchip` command-line contract: commands, flags, exit codes, JSON shape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "cli")]

use std::process::Command;

/// No trust folder unless a test names one: the machine's own store must not decide a test.
const NO_TRUST_STORE: &str = "/nonexistent/passchip-test-no-trust-store";

fn passchip(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(args)
        .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
        .env_remove("PASSCHIP_LEDGER_KEY")
        .env_remove("PASSCHIP_LEDGER")
        .output()
        .expect("run passchip")
}

#[test]
fn demo_prints_a_readable_summary() {
    let out = passchip(&["demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "OEBERG, AASA",
        "AA1234567",
        "1985-04-12",
        "2030-01-01",
        "PACE ECDH-GM, MRZ, brainpoolP256r1",
        "DG2",
        "APDUs",
        "Passive authentication: VALID",
        // The one check not passed, in words (no CRL for the virtual PKI), not a Debug dump.
        "Document signer revocation: not checked — no CRL",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("NotPerformed"), "{text}");
}

#[test]
fn demo_json_has_the_documented_shape() {
    for chip in ["modern", "no-extended", "le160"] {
        let out = passchip(&["demo", "--json", "--chip", chip]);
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["schema"], "passchip.demo/1");
        assert_eq!(v["document"]["kind"], "passport");
        assert_eq!(v["document"]["format"], "TD3");
        assert_eq!(v["document"]["primary_identifier"], "OEBERG");
        assert_eq!(v["document"]["date_of_birth"], "1985-04-12");
        assert_eq!(v["face"]["standard"], "ISO/IEC 19794-5:2005");
        assert_eq!((v["face"]["format"].as_str(), v["face"]["width"].as_u64()), (Some("JPEG"), Some(240)));
        assert_eq!(v["document"]["sex"], "female");
        assert_eq!(v["access"]["protocol"], "PACE");
        assert_eq!(v["access"]["secure_messaging"], "AES-128");
        assert_eq!(v["access"]["pace"]["parameter_id"], 13);
        assert_eq!(v["access"]["pace"]["protocol"]["mapping"], "GM");
        assert_eq!(v["access"]["extended_length"], chip == "modern");
        let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
        assert_eq!(files, ["EF_COM", "DG1", "DG2", "DG14", "EF_SOD"]);
        assert!(v["stats"]["apdus"].as_u64().unwrap() >= 7);
        assert!(v["stats"]["elapsed_ms"].is_number());
        assert_eq!(v["verification"]["passive_authentication"]["schema"], "passchip.pa/1");
        assert_eq!(v["verification"]["passive_authentication"]["verdict"], "valid");
        assert_eq!(v["verdict"], "genuine");
        assert!(v["access"]["downgrade"].is_null());
        assert_eq!(v["access"]["dg1_differs_from_access_mrz"], false);
    }
}

#[test]
fn demo_with_bac() {
    let out = passchip(&["demo", "--json", "--bac"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["access"]["protocol"], "BAC");
    assert_eq!(v["access"]["secure_messaging"], "3DES");
    assert!(v["access"]["pace"].is_null());
}

#[test]
fn demo_with_a_seed_reads_another_document() {
    let out = passchip(&["demo", "--json", "--seed", "7"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(v["document"]["document_number"], "AA1234567");
}

#[test]
fn usage_errors_exit_2_and_help_works() {
    assert_eq!(passchip(&["demo", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(passchip(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(passchip(&["demo", "--chip", "bogus"]).status.code(), Some(2));
    let help = passchip(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("demo"));
    assert!(passchip(&["demo", "--help"]).status.success());
}

fn fixture_path(p: &str) -> String {
    format!("{}/fixtures/external/{p}", env!("CARGO_MANIFEST_DIR"))
}

/// A dump folder with the Austrian SOD and DG14 (gmrtd fixtures).
fn at_dump(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("passchip-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture_path("gmrtd/doc/AT/EF_SOD.bin"), dir.join("EF_SOD.bin")).unwrap();
    std::fs::copy(fixture_path("gmrtd/doc/AT/EF_DG14.bin"), dir.join("DG14.bin")).unwrap();
    dir
}

#[test]
fn verify_exit_codes_and_json() {
    let dir = at_dump("verify");
    let d = dir.to_str().unwrap();
    let ml = fixture_path("gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml");
    let root = fixture_path("gmrtd/masterlist/DE_ROOT_CA_CSCA07.cer");
    let nl_root = fixture_path("gmrtd/masterlist/NL_ROOT_CA.cer");

    let ok = passchip(&["verify", d, "--masterlist", &ml, "--masterlist-root", &root, "--at", "2025-06-01", "--json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["schema"], "passchip.verify/1");
    assert_eq!(v["passive_authentication"]["verdict"], "valid");
    assert_eq!(v["trust_store"]["master_lists"][0]["anchoring"]["root"]["root"], "CN=csca-germany,OU=bsi,O=bund,C=DE");

    // Evaluated after the DSC expired: ran fine, document not valid.
    let at_csca = fixture_path("gmrtd/doc/AT/CSCA.der");
    let late = passchip(&["verify", d, "--csca", &at_csca, "--at", "2040-01-01"]);
    assert_eq!(late.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&late.stdout).contains("INVALID"));
    // The master list's signer is checked like a DSC: after it expired, the list is refused.
    let expired = passchip(&["verify", d, "--masterlist", &ml, "--masterlist-root", &root, "--at", "2030-01-01"]);
    assert_eq!(expired.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&expired.stderr).contains("is not valid on 2030-01-01"));

    // A master list whose signer does not chain to the given root is refused.
    let refused = passchip(&["verify", d, "--masterlist", &ml, "--masterlist-root", &nl_root]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refused"));

    // Without a root the list is refused; asked for by name, it is used and every verdict
    // resting on it says it is not anchored.
    let refused = passchip(&["verify", d, "--masterlist", &ml, "--at", "2025-06-01"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--trust-unanchored-masterlist"));
    let unanchored =
        passchip(&["verify", d, "--masterlist", &ml, "--trust-unanchored-masterlist", "--at", "2025-06-01", "--json"]);
    assert_eq!(unanchored.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&unanchored.stdout).unwrap();
    assert!(v["trust_store"]["master_lists"][0]["anchoring"]["not_anchored"].is_object());
    let trusted = &v["passive_authentication"]["checks"].as_array().unwrap()[4];
    assert_eq!(trusted["check"], "dsc_trusted");
    assert!(trusted["reason"].as_str().unwrap().contains("NOT anchored"), "{trusted}");

    // A single CSCA file works as the trust store too.
    let csca = passchip(&["verify", d, "--csca", &fixture_path("gmrtd/doc/AT/CSCA.der"), "--at", "2025-06-01"]);
    assert_eq!(csca.status.code(), Some(0));

    // Usage and I/O errors.
    assert_eq!(passchip(&["verify", "/no/such/dir"]).status.code(), Some(2));
    assert_eq!(passchip(&["verify", d, "--at", "tomorrow"]).status.code(), Some(2));
    assert_eq!(passchip(&["verify", d, "--masterlist-root", &root, "--masterlist", &ml]).status.code(), Some(2));
    assert_eq!(passchip(&["verify"]).status.code(), Some(2));
    std::fs::remove_dir_all(dir).unwrap();
}

fn write_tmp(name: &str, text: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("passchip-{name}-{}", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

const T03_MRZ: &str = "P<SWEOEBERG<<AASA<<<<<<<<<<<<<<<<<<<<<<<<<<<\nAA12345678SWE8504124F30010198504122386<<<<72";

#[test]
fn match_exit_codes_and_json() {
    let same = write_tmp(
        "same.json",
        r#"{"orderRef":"a","status":"complete","completionData":{"user":{"personalNumber":"198504122386","name":"Åsa Öberg","givenName":"Åsa","surname":"Öberg"}}}"#,
    );
    let other = write_tmp(
        "other.json",
        r#"{"orderRef":"a","status":"complete","completionData":{"user":{"personalNumber":"199001012401","name":"Anna Svensson","givenName":"Anna","surname":"Svensson"}}}"#,
    );
    let pending = write_tmp("pending.json", r#"{"orderRef":"a","status":"pending","hintCode":"userSign"}"#);
    let (s, o, p) = (same.to_str().unwrap(), other.to_str().unwrap(), pending.to_str().unwrap());

    let ok = passchip(&["match", "--identity", s, "--mrz", T03_MRZ, "--at", "2025-01-01", "--json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["schema"], "passchip.match/1");
    assert_eq!(v["holder_match"]["outcome"], "match");
    assert_eq!(v["passive_authentication"], "not_performed");
    assert!(v["holder_match"]["reasons"].as_array().unwrap().iter().any(|r| r == "ID_MATCH"));

    assert_eq!(passchip(&["match", "--identity", o, "--mrz", T03_MRZ, "--at", "2025-01-01"]).status.code(), Some(1));
    // Expired on the date given.
    assert_eq!(passchip(&["match", "--identity", s, "--mrz", T03_MRZ, "--at", "2031-01-01"]).status.code(), Some(1));
    // Usage and input errors.
    assert_eq!(passchip(&["match", "--identity", p, "--mrz", T03_MRZ]).status.code(), Some(2));
    assert_eq!(passchip(&["match", "--identity", s]).status.code(), Some(2), "--dir or --mrz is required");
    assert_eq!(passchip(&["match", "--identity", s, "--mrz", "P<SWE"]).status.code(), Some(2));
    assert_eq!(passchip(&["match", "--identity", "/no/such/file", "--mrz", T03_MRZ]).status.code(), Some(2));
    assert_eq!(passchip(&["match", "--identity", s, "--mrz", T03_MRZ, "--kind", "nope"]).status.code(), Some(2));
    // A check digit that fails is the document's data, not a usage error: the document
    // is rejected (the document number's check digit 8 made 9).
    let bad = T03_MRZ.replace("AA12345678SWE", "AA12345679SWE");
    let out = passchip(&["match", "--identity", s, "--mrz", &bad, "--at", "2025-01-01", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["holder_match"]["outcome"], "document_rejected");
    let reasons = v["holder_match"]["reasons"].as_array().unwrap();
    assert!(reasons.contains(&serde_json::json!("MRZ_CHECK_DIGIT_FAILED")), "{reasons:?}");

    // A dump folder with DG1 from the virtual passport.
    let dir = std::env::temp_dir().join(format!("passchip-match-dump-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = passchip::emulator::VirtualDocument::specimen();
    std::fs::write(dir.join("DG1.bin"), doc.file(passchip::lds::LdsFile::dg(1).unwrap()).unwrap()).unwrap();
    let d = dir.to_str().unwrap();
    assert_eq!(passchip(&["match", "--identity", s, "--dir", d, "--at", "2026-11-21"]).status.code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
    for f in [same, other, pending] {
        std::fs::remove_file(f).unwrap();
    }
}

#[test]
fn demo_with_an_identity_verifies_end_to_end() {
    let same = write_tmp(
        "demo-id.json",
        r#"{"orderRef":"a","status":"complete","completionData":{"user":{"personalNumber":"198504122386","name":"Åsa Öberg","givenName":"Åsa","surname":"Öberg"}}}"#,
    );
    let out = passchip(&["demo", "--json", "--identity", same.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["bank_verification"]["schema"], "passchip.verification/1");
    assert_eq!(v["bank_verification"]["holder_match"]["outcome"], "match");
    assert_eq!(v["bank_verification"]["decision"], "accept");
    assert_eq!(v["verification"]["chip_authenticity"]["status"], "proven");
    assert_eq!(v["verification"]["chip_authenticity"]["proven_by"], serde_json::json!(["CA"]));
    // A cloned chip: genuine signed files, other keys. Passive authentication still
    // passes; chip authentication fails and the bank verdict rejects.
    let out = passchip(&["demo", "--json", "--cloned", "--identity", same.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a clone exits 1: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verification"]["passive_authentication"]["verdict"], "valid");
    assert_eq!(v["verification"]["chip_authenticity"]["status"], "failed");
    assert_eq!(v["bank_verification"]["decision"], "reject");
    let reasons = v["bank_verification"]["reasons"].as_array().unwrap();
    assert!(reasons.contains(&serde_json::json!("CHIP_NOT_AUTHENTIC")), "{reasons:?}");
    std::fs::remove_file(same).unwrap();
    let plain = passchip(&["demo", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(v.get("bank_verification").is_none());
}

/// The read of `demo --out` verified by `verify`, with the Active Authentication evidence
/// re-checked against the server's challenge; a replay, a forged signature and a swapped
/// key each fail (exit 1).
#[test]
fn demo_dump_is_verified_with_its_active_authentication_evidence() {
    let dir = std::env::temp_dir().join(format!("passchip-cli-aa-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let nonce = "62616e6b2d6e6365";
    let out = passchip(&["demo", "--active-authentication", "--aa-challenge", nonce, "--out", d]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("PROVEN by CA, AA"));
    for f in [
        "EF_CardAccess.bin",
        "EF_COM.bin",
        "DG1.bin",
        "DG14.bin",
        "DG15.bin",
        "EF_SOD.bin",
        "active_authentication.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} not written");
    }
    let csca = dir.join("virtual-CSCA.der");
    let csca = csca.to_str().unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", d, "--allow-test-pki", "--csca", csca, "--json"];
        args.extend_from_slice(extra);
        let out = passchip(&args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (out.status.code(), v)
    };

    let (code, v) = verify(&["--aa-challenge", nonce]);
    assert_eq!(code, Some(0));
    assert_eq!(v["passive_authentication"]["verdict"], "valid");
    let chip = &v["chip_authenticity"];
    assert_eq!(chip["status"], "proven", "{chip}");
    assert_eq!(chip["proven_by"], serde_json::json!(["AA"]));
    assert_eq!(chip["protocols"]["active_authentication"]["status"], "passed");
    assert_eq!(chip["protocols"]["active_authentication"]["detail"]["key"], "P-256");
    assert_eq!(chip["protocols"]["active_authentication"]["detail"]["hash"], "SHA-256");
    assert_eq!(chip["protocols"]["active_authentication_evidence"]["challenge"], nonce);
    assert_eq!(chip["protocols"]["chip_authentication"]["status"], "not_available");

    // Without the server's nonce a replay is not excluded: not proven, but nothing failed.
    let (code, v) = verify(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(v["chip_authenticity"]["status"], "not_proven");
    assert_eq!(v["chip_authenticity"]["protocols"]["active_authentication"]["status"], "not_completed");

    // Evidence for another challenge: a replayed answer.
    let (code, v) = verify(&["--aa-challenge", "0000000000000000"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["chip_authenticity"]["status"], "failed");

    let evidence_path = dir.join("active_authentication.json");
    let original = std::fs::read_to_string(&evidence_path).unwrap();
    let mut ev: serde_json::Value = serde_json::from_str(&original).unwrap();

    // A forged signature (one bit flipped).
    let sig = ev["signature"].as_str().unwrap().to_string();
    let flipped = format!("{}{}", if sig.starts_with('0') { "1" } else { "0" }, &sig[1..]);
    ev["signature"] = flipped.into();
    std::fs::write(&evidence_path, ev.to_string()).unwrap();
    let (code, v) = verify(&["--aa-challenge", nonce]);
    assert_eq!(code, Some(1));
    assert_eq!(v["chip_authenticity"]["protocols"]["active_authentication"]["status"], "failed");

    // Evidence made with another key than DG15's (a clone's own key, say).
    ev["signature"] = sig.into();
    ev["public_key"] = "3000".into();
    std::fs::write(&evidence_path, ev.to_string()).unwrap();
    let (code, v) = verify(&["--aa-challenge", nonce]);
    assert_eq!(code, Some(1));
    assert!(v["chip_authenticity"]["reasons"][2].as_str().unwrap().contains("not DG15's"), "{v}");

    // Unreadable evidence and a malformed challenge are usage errors.
    std::fs::write(&evidence_path, "not json").unwrap();
    assert_eq!(verify(&[]).0, Some(2));
    std::fs::write(&evidence_path, &original).unwrap();
    assert_eq!(verify(&["--aa-challenge", "0102"]).0, Some(2));

    // DG15 without its evidence: nothing to re-check, nothing proven.
    std::fs::remove_file(&evidence_path).unwrap();
    let (code, v) = verify(&["--aa-challenge", nonce]);
    assert_eq!(code, Some(0));
    assert_eq!(v["chip_authenticity"]["protocols"]["active_authentication"]["status"], "not_completed");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn demo_writes_the_portrait_as_stored_or_as_png() {
    let dir = std::env::temp_dir().join(format!("passchip-face-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (png, jpg) = (dir.join("face.png"), dir.join("face.jpg"));
    for path in [&png, &jpg] {
        let out = passchip(&["demo", "--json", "--face", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // --json keeps stdout a single JSON document.
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
    }
    let png = std::fs::read(&png).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!((&png[16..20], &png[20..24]), (&240u32.to_be_bytes()[..], &320u32.to_be_bytes()[..]));
    assert_eq!(std::fs::read(&jpg).unwrap(), passchip::emulator::face::FACE_JPEG);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn passchip_log_prints_events_on_stderr_without_secrets() {
    let out = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["demo", "--json"])
        .env("PASSCHIP_LOG", "trace")
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = String::from_utf8(out.stderr).unwrap();
    assert!(log.contains("access control done") && log.contains(" apdu "), "{log}");
    // The specimen's document number, name, birth date and MRZ stay out of the log.
    for secret in ["AA1234567", "OEBERG", "850412", "P<SWE"] {
        assert!(!log.contains(secret), "{secret} in:\n{log}");
    }
    // stdout stays one JSON document.
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
}

/// Each attack of `demo --hostile` fails: exit 1, and what caught it is in the output.
#[test]
fn demo_refuses_every_attack() {
    // Attacks refused before the document is read: the error on stderr.
    for (mode, said) in [
        ("cam-explicit-curve", "non-standard PACE domain parameters"),
        ("singular-curve", "non-standard PACE domain parameters"),
        ("smooth-order-curve", "non-standard PACE domain parameters"),
        ("composite-order-dh", "non-standard PACE domain parameters"),
        ("leave-on-extra-group", "another document"),
    ] {
        let out = passchip(&["demo", "--json", "--hostile", mode]);
        assert_eq!(out.status.code(), Some(1), "{mode}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{mode}: {err}");
        assert!(out.stdout.is_empty(), "{mode}: nothing of the document is shown");
    }
    // Attacks caught in a completed read: the JSON says how.
    let demo = |mode: &str| {
        let out = passchip(&["demo", "--json", "--hostile", mode]);
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let v = demo("hidden-card-access");
    assert_eq!(v["verdict"], "not_verified");
    assert_eq!(v["access"]["protocol"], "BAC");
    assert_eq!(v["access"]["downgrade"]["expected"], "PACE");
    assert_eq!(v["access"]["downgrade"]["used"], "BAC");
    let v = demo("refuse-proofs");
    assert_eq!(v["verdict"], "not_genuine");
    let protocols = &v["verification"]["chip_authenticity"]["protocols"];
    for p in ["chip_authentication", "active_authentication"] {
        assert_eq!(protocols[p]["status"], "failed", "{p}");
        assert!(protocols[p]["reason"].as_str().unwrap().contains("refused by the chip"), "{p}");
    }
    assert_eq!(v["verification"]["chip_authenticity"]["status"], "failed");
    let v = demo("foreign-card-security");
    assert_eq!(v["verdict"], "not_genuine");
    assert_eq!(v["verification"]["chip_authenticity"]["protocols"]["pace_cam"]["status"], "failed");
    let v = demo("substituted-document");
    assert_eq!(v["verdict"], "not_genuine");
    assert_eq!(v["access"]["dg1_differs_from_access_mrz"], true);
}

/// `passchip` with the trust folder named in the environment.
fn passchip_in(store: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passchip")).args(args).env("PASSCHIP_TRUST_STORE", store).output().unwrap()
}

/// `trust import`, `list`, `audit`, and `verify` using the folder when no trust flag is given.
#[test]
fn trust_store_commands_and_verify_through_the_folder() {
    let store = std::env::temp_dir().join(format!("passchip-cli-trust-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store);
    let ml = fixture_path("gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml");
    let out = passchip_in(&store, &["trust", "import", &ml, "--at", "2025-06-01", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "passchip.trust-import/1");
    assert_eq!(v["imports"][0]["kind"], "master_list");
    assert_eq!(v["imports"][0]["certificates_added"], 588);
    assert_eq!(v["imports"][0]["anchoring"][0]["pinned_root"]["pin"], "DE");
    // Something refused: exit 1, the rest imported, the reason printed.
    let dsc = fixture_path("gmrtd/doc/FI/DSC.der");
    let csca = fixture_path("gmrtd/masterlist/IDN_2010_SERIES_CSCA_CERT/2020-10_CSCA.cer");
    let out = passchip_in(&store, &["trust", "import", &dsc, &csca]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("REFUSED") && text.contains("not a CA certificate"), "{text}");
    assert!(text.contains("1 certificate(s) added"), "{text}");

    let out = passchip_in(&store, &["trust", "list", "--country", "fi", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "passchip.trust-list/1");
    let countries = v["countries"].as_array().unwrap();
    assert_eq!(countries.len(), 1);
    assert_eq!(countries[0]["country"], "FI");
    assert!(countries[0]["certificates"].as_array().unwrap().iter().all(|c| c["source"]["kind"] == "master_list"));
    let text = String::from_utf8_lossy(&passchip_in(&store, &["trust", "list"]).stdout).to_string();
    assert!(text.contains("CSCA Finland") && text.contains("the DE root passchip pins"), "{text}");

    let out = passchip_in(&store, &["trust", "audit", "--at", "2026-06-01", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let out = passchip_in(&store, &["trust", "audit", "--at", "2026-06-01", "--country", "XZ"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("XZ: no CSCA valid today"));

    // `verify` with no trust flag uses the folder and says which and how old.
    let dir = at_dump("trust-folder");
    let d = dir.to_str().unwrap();
    let out = passchip_in(&store, &["verify", d, "--at", "2025-06-01", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passive_authentication"]["verdict"], "valid");
    assert_eq!(v["trust_store"]["folder"]["path"], store.to_str().unwrap());
    assert_eq!(v["trust_store"]["folder"]["age_days"], 0);
    let text = String::from_utf8_lossy(&passchip_in(&store, &["verify", d, "--at", "2025-06-01"]).stdout).to_string();
    assert!(text.contains(&format!("Trust store    {}", store.display())), "{text}");
    // --trust-store names another (missing) folder: a usage error, not an empty store.
    let out = passchip_in(&store, &["verify", d, "--trust-store", "/nonexistent/store"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no trust store there"));
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(store).unwrap();
}

/// The emulator's PKI is a test PKI: refused unless allowed by name; `demo --out` says so.
/// A clone `demo` caught is recorded in the dump, and `verify` refuses it again.
#[test]
fn the_test_pki_is_refused_and_a_caught_clone_stays_caught() {
    let dir = std::env::temp_dir().join(format!("passchip-cli-caught-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let out = passchip(&["demo", "--hostile", "refuse-proofs", "--out", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TEST PKI"));
    let csca = dir.join("virtual-CSCA.der");
    let csca = csca.to_str().unwrap();
    let out = passchip(&["verify", d, "--csca", csca]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TEST PKI"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = passchip(&["verify", d, "--csca", csca, "--allow-test-pki", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passive_authentication"]["verdict"], "valid");
    assert_eq!(v["chip_authenticity"]["status"], "failed");
    let reasons = v["chip_authenticity"]["reasons"].to_string();
    assert!(reasons.contains("the read that made this dump caught it failing"), "{reasons}");
    // The record is the reader's word: without it the dump proves nothing either way.
    std::fs::remove_file(dir.join("anti_cloning.json")).unwrap();
    let out = passchip(&["verify", d, "--csca", csca, "--allow-test-pki", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["chip_authenticity"]["status"], "not_proven");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The virtual passport read and verified through a trust folder holding its CSCA (the
/// test PKI, allowed by name), as a bank's store would hold a real one.
#[test]
fn the_virtual_passport_verifies_through_a_trust_folder() {
    let store = std::env::temp_dir().join(format!("passchip-cli-demo-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store);
    let csca = store.with_extension("csca.der");
    std::fs::write(&csca, passchip::emulator::VirtualDocument::specimen().pki().unwrap().csca().der()).unwrap();
    let s = store.to_str().unwrap();
    let out = passchip(&["trust", "import", "--trust-store", s, csca.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "the test PKI is refused without --allow-test-pki");
    assert!(String::from_utf8_lossy(&out.stdout).contains("TEST PKI"));
    let out = passchip(&["trust", "import", "--trust-store", s, "--allow-test-pki", csca.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let out = passchip(&["demo", "--trust-store", s, "--allow-test-pki", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "genuine");
    let anchor = &v["verification"]["passive_authentication"]["anchor"];
    assert_eq!(anchor["source"]["path"], csca.to_str().unwrap(), "{anchor}");
    // Kept in the folder but not allowed for this run: nothing anchors the document.
    let out = passchip(&["demo", "--trust-store", s, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "not_verified");
    std::fs::remove_dir_all(&store).unwrap();
    std::fs::remove_file(csca).unwrap();
}

/// A folder of CSCA files, DER and PEM, imported in one go; the DSC among them refused.
#[test]
fn trust_import_takes_a_folder_of_pem_and_der_certificates() {
    let base = std::env::temp_dir().join(format!("passchip-cli-certdir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (certs, store) = (base.join("certs"), base.join("store"));
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(fixture_path("gmrtd/doc/AT/CSCA.der"), certs.join("AT.der")).unwrap();
    let fi = std::fs::read(fixture_path("gmrtd/doc/FI/CSCA.der")).unwrap();
    let pem = pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &fi).unwrap();
    std::fs::write(certs.join("FI.pem"), pem).unwrap();
    std::fs::copy(fixture_path("gmrtd/doc/FI/DSC.der"), certs.join("FI-DSC.cer")).unwrap();
    let out =
        passchip(&["trust", "import", "--trust-store", store.to_str().unwrap(), certs.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "the DSC is refused");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["certificates"], 2);
    let refused: Vec<String> = v["imports"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["refused"].as_array().unwrap().iter().map(|r| r["item"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(refused[0].contains("FI-DSC.cer"), "{refused:?}");
    let out = passchip(&["trust", "list", "--trust-store", store.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let countries: Vec<&str> =
        v["countries"].as_array().unwrap().iter().map(|c| c["country"].as_str().unwrap()).collect();
    assert_eq!(countries, ["AT", "FI"]);
    std::fs::remove_dir_all(&base).unwrap();
}

/// DG11 in the issuing state's own script is parsed and shown, and marked authenticated
/// when passive authentication vouches for it.
#[test]
fn a_cyrillic_dg11_is_shown() {
    let out = passchip(&["demo", "--dg11-name", "ФЁДОРОВА<<АННА<МАРИЯ", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["holder_details"]["full_name_primary"], "ФЁДОРОВА");
    assert_eq!(v["holder_details"]["full_name_secondary"], "АННА МАРИЯ");
    assert_eq!(v["holder_details"]["authenticated"], true);
    let text = String::from_utf8(passchip(&["demo", "--dg11-name", "ΠΑΠΑΔΟΠΟΥΛΟΥ<<ΕΛΕΝΗ"]).stdout).unwrap();
    assert!(text.contains("Full name     ΠΑΠΑΔΟΠΟΥΛΟΥ, ΕΛΕΝΗ (DG11)"), "{text}");
    // Without DG11 there is no holder_details at all.
    let v: serde_json::Value = serde_json::from_slice(&passchip(&["demo", "--json"]).stdout).unwrap();
    assert!(v.get("holder_details").is_none());
}

/// An EF.SOD exported as the bare ContentInfo (as middleware and phone SDKs do) verifies,
/// and `verify` says which form it got.
#[test]
fn verify_takes_an_sod_without_its_tag_and_says_so() {
    let dir = std::env::temp_dir().join(format!("passchip-cli-bare-sod-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    assert_eq!(passchip(&["demo", "--out", d]).status.code(), Some(0));
    let sod = std::fs::read(dir.join("EF_SOD.bin")).unwrap();
    let bare = passchip::low_level::tlv::Tlv::parse_exact(&sod).unwrap().value.to_vec();
    std::fs::write(dir.join("EF_SOD.bin"), &bare).unwrap();
    let csca = dir.join("virtual-CSCA.der");
    let out = passchip(&["verify", d, "--csca", csca.to_str().unwrap(), "--allow-test-pki", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let parsed = v["passive_authentication"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "sod_parsed")
        .unwrap()
        .clone();
    assert!(parsed["reason"].as_str().unwrap().contains("bare ContentInfo"), "{parsed}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `attempts status|unblock` and `audit export` on a ledger the library filled: the
/// identity is locked after three rejections, unblocked by an operator, and the trail
/// exports as JSON lines with hashes only.
#[test]
fn attempts_and_audit_commands() {
    use passchip::ledger::{AuditRow, Counted, KeyHasher, Ledger, Policy, SqliteStore};
    let db = std::env::temp_dir().join(format!("passchip-cli-ledger-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let key_hex = "6b".repeat(32);
    let key = vec![0x6bu8; 32];
    {
        let l = Ledger::new(SqliteStore::open(&db).unwrap(), Policy::default(), KeyHasher::new(&key).unwrap());
        let id = l.hasher().identity("SE198504122386");
        let mut row = AuditRow::new(passchip::date::now_unix(), "kiosk-7", "reject");
        row.identity = Some(id.as_str().to_string());
        row.reasons = vec!["HOLDER_MISMATCH".into()];
        for _ in 0..3 {
            l.record(&[&id], Counted::Failure, &row).unwrap();
        }
        let old = AuditRow::new(passchip::date::now_unix() - 400 * 86_400, "kiosk-7", "accept");
        l.record(&[], Counted::Neither, &old).unwrap();
    }
    let ledger = format!("sqlite:{}", db.display());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_passchip")).args(args).env("PASSCHIP_LEDGER_KEY", &key_hex).output().unwrap()
    };
    let out = run(&["attempts", "status", "--national-id", "SE198504122386", "--ledger", &ledger, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "passchip.attempts/1");
    assert_eq!(v["gate"]["state"], "locked");
    assert!(v["gate"]["until"].as_u64().unwrap() > passchip::date::now_unix());
    let out = run(&["attempts", "status", "--document", "SWE:AA1234567", "--ledger", &ledger]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["audit", "purge", "--older-than", "365", "--ledger", &ledger]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 audit row"), "the 400-day-old row goes");
    let out = run(&["audit", "export", "--ledger", &ledger, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["schema"], "passchip.audit-row/1");
    assert_eq!(lines[0]["host"], "kiosk-7");
    assert!(!lines[0].to_string().contains("198504122386"), "no raw number in the trail");
    assert_eq!(
        run(&["attempts", "unblock", "--national-id", "SE198504122386", "--ledger", &ledger]).status.code(),
        Some(0)
    );
    let out = run(&["attempts", "status", "--national-id", "SE198504122386", "--ledger", &ledger]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("may try"));
    // A schedule of one's own: one failure blocks.
    let strict = ["--ledger", ledger.as_str(), "--attempt-policy", "1:block"];
    let out = run(&[&["attempts", "status", "--document", "SWE:AA1234567"][..], &strict].concat());
    assert_eq!(out.status.code(), Some(0));
    let out =
        run(&[&["attempts", "status", "--document", "SWE:AA1234567"][..], &["--attempt-policy", "0:block"]].concat());
    assert_eq!(out.status.code(), Some(2), "a schedule of no failures is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--attempt-policy"));
    // Without the bank's key: a usage error, never a ledger keyed by nothing.
    let out = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["attempts", "status", "--national-id", "X", "--ledger", &ledger])
        .env_remove("PASSCHIP_LEDGER_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PASSCHIP_LEDGER_KEY"));
    std::fs::remove_file(&db).unwrap();
}

/// `demo --identity` with a ledger: three rejections lock the person (the third verdict
/// says until when), the fourth attempt is refused before any card is read
/// (`ATTEMPTS_LOCKED`, exit 1, the verdict alone as JSON), the holder is refused on the
/// document the fraudster used, and the trail has every decision.
#[test]
fn demo_identity_is_counted_in_the_ledger() {
    let db = std::env::temp_dir().join(format!("passchip-cli-demo-ledger-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&db);
    demo_ledger_flow(&format!("sqlite:{}", db.display()), "sqlite");
    std::fs::remove_file(db).unwrap();
}

/// The same flow with the fleet's PostgreSQL ledger (when `PASSCHIP_TEST_POSTGRES` names a
/// server; `.ci/run` always starts one).
#[test]
fn demo_identity_is_counted_in_a_postgres_ledger() {
    let Ok(admin) = std::env::var("PASSCHIP_TEST_POSTGRES") else {
        assert!(std::env::var_os("CI").is_none(), "CI runs the PostgreSQL suite: set PASSCHIP_TEST_POSTGRES");
        return;
    };
    let db = format!("passchip_t_cli_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let (server, _) = admin.split('?').next().unwrap().rsplit_once('/').unwrap();
    demo_ledger_flow(&format!("{server}/{db}"), "postgres");
}

fn demo_ledger_flow(ledger: &str, name: &str) {
    let ledger = ledger.to_string();
    let other = write_tmp(
        &format!("demo-ledger-other-{name}.json"),
        r#"{"orderRef":"a","status":"complete","completionData":{"user":{"personalNumber":"199001012380","name":"Bo Ek","givenName":"Bo","surname":"Ek"}}}"#,
    );
    let holder = write_tmp(
        &format!("demo-ledger-holder-{name}.json"),
        r#"{"orderRef":"a","status":"complete","completionData":{"user":{"personalNumber":"198504122386","name":"Åsa Öberg","givenName":"Åsa","surname":"Öberg"}}}"#,
    );
    let run = |identity: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_passchip"))
            .args(["demo", "--json", "--identity", identity.to_str().unwrap(), "--ledger", &ledger])
            .args(["--host-id", "kiosk-3"])
            .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
            .env("PASSCHIP_LEDGER_KEY", "5a".repeat(32))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (out.status.code(), v, String::from_utf8_lossy(&out.stderr).to_string())
    };
    for attempt in 1..=3 {
        let (code, v, err) = run(&other);
        assert_eq!(code, Some(1), "{err}");
        let bank = &v["bank_verification"];
        assert_eq!(bank["decision"], "reject");
        let state = if attempt < 3 { "open" } else { "locked" };
        assert_eq!(bank["attempts"]["state"], state, "attempt {attempt}: {bank}");
    }
    let (code, v, err) = run(&other);
    assert_eq!(code, Some(1));
    assert_eq!(v["schema"], "passchip.verification/1", "the refusal stands alone: {v}");
    assert_eq!(v["reasons"], serde_json::json!(["ATTEMPTS_LOCKED"]));
    assert!(v["holder_match"].is_null() && v["access"].is_null());
    assert!(v["attempts"]["until"].as_u64().unwrap() > passchip::date::now_unix() + 3 * 3600 - 60);
    assert!(err.contains("locked until"), "{err}");
    // The holder, with the document the fraudster failed on: read, then refused.
    let (code, v, _) = run(&holder);
    assert_eq!(code, Some(1));
    assert_eq!(v["bank_verification"]["reasons"], serde_json::json!(["ATTEMPTS_LOCKED"]));
    let out = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["audit", "export", "--json", "--ledger", &ledger])
        .env("PASSCHIP_LEDGER_KEY", "5a".repeat(32))
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["host"] == "kiosk-3"));
    assert_eq!(rows[0]["reasons"], serde_json::json!(["DOCUMENT_AUTHENTIC", "CHIP_AUTHENTIC", "HOLDER_MISMATCH"]));
    let status = |who: &str| {
        Command::new(env!("CARGO_BIN_EXE_passchip"))
            .args(["attempts", "status", "--national-id", who, "--ledger", &ledger])
            .env("PASSCHIP_LEDGER_KEY", "5a".repeat(32))
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(status("SE199001012380"), Some(1), "the CLI finds the key the verdict counted");
    assert_eq!(status("SE19900101-2380"), Some(1), "in any of the number's forms");
    assert_eq!(status("SE198504122386"), Some(0), "the holder was refused, not counted");
    // A stricter schedule of the bank's: the first failure blocks (the holder's e-ID on
    // another document: a mismatch).
    let out = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["demo", "--json", "--seed", "7", "--identity", holder.to_str().unwrap(), "--ledger", &ledger])
        .args(["--attempt-policy", "1:block"])
        .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
        .env("PASSCHIP_LEDGER_KEY", "5a".repeat(32))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["bank_verification"]["decision"], "reject");
    assert_eq!(v["bank_verification"]["attempts"]["state"], "blocked", "{}", v["bank_verification"]);
    // A chip whose DG1 was altered after signing: passive authentication fails, so the
    // number DG1 names is the chip's word and is not counted (a forger cannot lock someone
    // else's document); the person is.
    let third = write_tmp(
        &format!("demo-ledger-third-{name}.json"),
        r#"{"orderRef":"a","status":"complete","completionData":{"user":{"personalNumber":"196001012385","name":"Carl Berg","givenName":"Carl","surname":"Berg"}}}"#,
    );
    let forged = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["demo", "--json", "--seed", "11", "--hostile", "altered-dg1", "--identity", third.to_str().unwrap()])
        .args(["--ledger", &ledger, "--attempt-policy", "1:block"])
        .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
        .env("PASSCHIP_LEDGER_KEY", "5a".repeat(32))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&forged.stdout).unwrap();
    assert_eq!(v["bank_verification"]["decision"], "reject");
    assert_eq!(v["verification"]["passive_authentication"]["verdict"], "invalid");
    let number = v["document"]["document_number"].as_str().unwrap().to_string();
    let state = v["document"]["issuing_state"].as_str().unwrap().to_string();
    let doc_status = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(["attempts", "status", "--document", &format!("{state}:{number}"), "--ledger", &ledger])
        .args(["--attempt-policy", "1:block"])
        .env("PASSCHIP_LEDGER_KEY", "5a".repeat(32))
        .output()
        .unwrap();
    assert_eq!(doc_status.status.code(), Some(0), "an unauthenticated DG1's number is not counted");
    std::fs::remove_file(third).unwrap();
    // Without a key or a location, no ledger is consulted: the holder is accepted.
    let out = passchip(&["demo", "--json", "--identity", holder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["bank_verification"]["attempts"].is_null());
    for f in [other, holder] {
        std::fs::remove_file(f).unwrap();
    }
}
