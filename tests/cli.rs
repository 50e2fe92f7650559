//! The `passchip` command-line contract: commands, flags, exit codes, JSON shape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "cli")]

use std::process::Command;

fn passchip(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passchip")).args(args).output().expect("run passchip")
}

#[test]
fn demo_prints_a_readable_summary() {
    let out = passchip(&["demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in ["OEBERG, AASA", "AA1234567", "1985-04-12", "2030-01-01", "BAC", "DG2", "APDUs", "NOT PERFORMED"] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
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
        assert_eq!(v["document"]["sex"], "female");
        assert_eq!(v["access"]["protocol"], "BAC");
        assert_eq!(v["access"]["secure_messaging"], "3DES");
        assert_eq!(v["access"]["extended_length"], chip == "modern");
        let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
        assert_eq!(files, ["EF_COM", "DG1", "DG2", "EF_SOD"]);
        assert!(v["stats"]["apdus"].as_u64().unwrap() >= 7);
        assert!(v["stats"]["elapsed_ms"].is_number());
        assert_eq!(v["verification"]["passive_authentication"]["status"], "not_performed");
    }
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
