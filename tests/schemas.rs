//! The JSON contracts: every shape a script of ours may depend on is a JSON Schema in
//! docs/schemas, and real output of the CLI is checked against it here (`read/1` and
//! `readers/1`, which need a reader, in tests/pcsc_e2e.rs). A field that drifts from its
//! documentation fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "cli")]

#[path = "common/bankid.rs"]
mod bankid;
#[path = "common/schemas.rs"]
mod schemas;

use std::path::{Path, PathBuf};
use std::process::Command;

use schemas::{assert_valid, names, validator};

const NO_TRUST_STORE: &str = "/nonexistent/passchip-test-no-trust-store";

fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("passchip-schemas-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    let _ = std::fs::remove_file(&p);
    p
}

/// `passchip` with `args`; its standard output as JSON (or JSON lines).
fn json_of(args: &[&str], env: &[(&str, &str)]) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(args)
        .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
        .env_remove("PASSCHIP_LEDGER_KEY")
        .env_remove("PASSCHIP_LEDGER")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.trim().is_empty(), "{args:?} printed nothing: {}", String::from_utf8_lossy(&out.stderr));
    if text.trim_start().starts_with('{')
        && text.lines().count() > 1
        && !text.lines().nth(1).unwrap_or("").starts_with('{')
    {
        vec![serde_json::from_str(&text).unwrap()]
    } else {
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

fn checked(value: &serde_json::Value, seen: &mut Vec<String>) {
    let shape = value["schema"].as_str().expect("every shape names its schema").to_string();
    assert_valid(&shape, value);
    seen.push(shape);
}

fn identity(dir: &Path, name: &str, pnr: &str, given: &str, surname: &str) -> PathBuf {
    bankid::write(&dir.join(name), pnr, given, surname)
}

#[test]
fn every_json_shape_of_the_cli_matches_its_schema() {
    let dir = tmp("run");
    std::fs::create_dir_all(&dir).unwrap();
    let holder = identity(&dir, "holder.json", "198504122386", "Åsa", "Öberg");
    let other = identity(&dir, "other.json", "199001012380", "Bo", "Ek");
    let (h, o) = (holder.to_str().unwrap(), other.to_str().unwrap());
    let mut seen = Vec::new();
    // demo/1 with verification/1 and pa/1 inside, in the cases that shape them differently.
    let demos: Vec<Vec<&str>> = vec![
        vec!["demo", "--json"],
        vec!["demo", "--json", "--identity", h, "--active-authentication"],
        vec!["demo", "--json", "--cloned", "--identity", h],
        vec!["demo", "--json", "--bac", "--dg11-name", "ФЁДОРОВА<<АННА"],
        vec!["demo", "--json", "--seed", "7", "--identity", o],
        vec!["demo", "--json", "--chip", "le160"],
        vec!["demo", "--json", "--hostile", "altered-dg1", "--identity", h],
        vec!["demo", "--json", "--hostile", "deep-dg11"],
        vec!["demo", "--json", "--hostile", "refuse-proofs", "--identity", h],
        vec!["demo", "--json", "--hostile", "hidden-card-access", "--identity", h],
        vec!["demo", "--json", "--hostile", "substituted-document", "--identity", h],
        vec!["demo", "--json", "--hostile", "foreign-card-security"],
    ];
    for args in &demos {
        for v in json_of(args, &[]) {
            checked(&v, &mut seen);
            if let Some(b) = v.get("bank_verification") {
                checked(b, &mut seen);
            }
            checked(&v["verification"]["passive_authentication"], &mut seen);
        }
    }
    // A dump, and what verify and match say of it; the dump's own JSON files.
    let dump = dir.join("dump");
    let d = dump.to_str().unwrap();
    json_of(&["demo", "--json", "--active-authentication", "--aa-challenge", "62616e6b2d6e6365", "--out", d], &[]);
    let csca = dump.join("virtual-CSCA.der");
    let c = csca.to_str().unwrap();
    for f in ["anti_cloning.json", "active_authentication.json"] {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(dump.join(f)).unwrap()).unwrap();
        checked(&v, &mut seen);
    }
    for args in [
        vec!["verify", d, "--csca", c, "--allow-test-pki", "--aa-challenge", "62616e6b2d6e6365", "--json"],
        vec!["verify", d, "--json"],
        vec!["match", "--identity", h, "--dir", d, "--csca", c, "--allow-test-pki", "--json"],
        vec!["match", "--identity", o, "--dir", d, "--json"],
        vec![
            "match",
            "--identity",
            h,
            "--mrz",
            "P<SWEOEBERG<<AASA<<<<<<<<<<<<<<<<<<<<<<<<<<<\nAA12345678SWE8504124F30010198504122386<<<<72",
            "--at",
            "2025-01-01",
            "--json",
        ],
    ] {
        for v in json_of(&args, &[]) {
            checked(&v, &mut seen);
        }
    }
    // The trust folder.
    let store = dir.join("store");
    let s = store.to_str().unwrap();
    for args in [
        vec!["trust", "import", "--trust-store", s, "--allow-test-pki", c, "--json"],
        vec!["trust", "list", "--trust-store", s, "--json"],
        vec!["trust", "audit", "--trust-store", s, "--json"],
    ] {
        for v in json_of(&args, &[]) {
            checked(&v, &mut seen);
        }
    }
    // The ledger: counted verdicts, a refusal, the status, the trail.
    let ledger = format!("sqlite:{}", dir.join("ledger.sqlite").display());
    let key = "4d".repeat(32);
    let env = [("PASSCHIP_LEDGER_KEY", key.as_str()), ("PASSCHIP_LEDGER", ledger.as_str())];
    for _ in 0..4 {
        for v in json_of(&["demo", "--json", "--identity", o], &env) {
            checked(&v, &mut seen);
        }
    }
    for id in ["SE199001012380", "SE198504122386"] {
        for v in json_of(&["attempts", "status", "--national-id", id, "--json"], &env) {
            checked(&v, &mut seen);
        }
    }
    for v in json_of(&["audit", "export", "--json"], &env) {
        checked(&v, &mut seen);
    }
    // Every schema but those a reader is needed for was exercised.
    for name in names() {
        let shape = name.trim_end_matches(".schema.json").replacen("-1", "/1", 1);
        if ["passchip.read/1", "passchip.readers/1"].contains(&shape.as_str()) {
            continue;
        }
        assert!(seen.contains(&shape), "no output checked against {name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The check can fail: a field the documentation lacks, a decision it does not know, a
/// missing field are each refused.
#[test]
fn a_drifted_field_is_refused() {
    let good = serde_json::json!({
        "schema": "passchip.attempts/1",
        "gate": { "state": "locked", "until": 1_796_583_307 },
        "consecutive_failures": 0,
        "steps_taken": 1
    });
    let v = validator("passchip.attempts/1");
    assert!(v.is_valid(&good));
    let mut extra = good.clone();
    extra["undocumented"] = serde_json::json!(true);
    assert!(!v.is_valid(&extra), "an undocumented field");
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("steps_taken");
    assert!(!v.is_valid(&missing), "a missing field");
    let mut state = good;
    state["gate"]["state"] = serde_json::json!("paused");
    assert!(!v.is_valid(&state), "a state the documentation does not know");
    let verdict = validator("passchip.verification/1");
    assert!(!verdict.is_valid(&serde_json::json!({"schema": "passchip.verification/1", "decision": "maybe"})));
}
