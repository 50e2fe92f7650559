//! The document and holder halves of the verdict, attacked without touching a chip: data
//! groups injected into a dump, master lists that vouch for themselves, out-of-date CRLs,
//! links and FIFOs in an uploaded dump folder. Each must fail, through the library and
//! through `passchip verify` / `passchip match`.
#![cfg(all(feature = "emulator", feature = "cli"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "common/bankid.rs"]
mod bankid;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use passchip::date::Date;
use passchip::emulator::{DocumentSpec, VirtualDocument};
use passchip::lds::dump::Overwrite;
use passchip::lds::{Dg11, DgNumber, Dump, LdsFile};
use passchip::pki::{
    CheckName, Crl, MasterList, MasterListError, PaOptions, PassiveAuthentication, Status, TrustSource, TrustStore,
    Verdict,
};

/// No trust folder unless a test names one: the machine's own store must not decide a test.
const NO_TRUST_STORE: &str = "/nonexistent/passchip-test-no-trust-store";

fn passchip(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passchip"))
        .args(args)
        .env("PASSCHIP_TRUST_STORE", NO_TRUST_STORE)
        .output()
        .expect("run passchip")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("passchip-evidence-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A BAC passport of the specimen (no PACE: nothing about access here).
fn passport() -> VirtualDocument {
    VirtualDocument::build(DocumentSpec { pace: None, ..DocumentSpec::specimen() })
}

/// `doc`'s files as a dump folder, with its CSCA beside it as `csca.der`.
fn dump_of(doc: &VirtualDocument, name: &str) -> PathBuf {
    let dir = tmp(name);
    let files = doc.files().map(|(f, b)| (f, b.to_vec())).collect();
    Dump::from_files(&files).write(&dir, Overwrite::Refuse).unwrap();
    std::fs::write(dir.join("csca.der"), doc.pki().unwrap().csca().der()).unwrap();
    dir
}

/// Another person's DG11: Anna Svensson, her personnummer and birth date.
fn dg11_of_anna() -> Vec<u8> {
    let mut d = Dg11::parse(&[0x6B, 0x00]).unwrap();
    d.full_name_primary = Some("SVENSSON".into());
    d.full_name_secondary = Some("ANNA".into());
    d.personal_number = Some("19900101-2401".into());
    d.full_date_of_birth = Some(day("1990-01-01"));
    d.encode()
}

fn bankid(dir: &Path, pnr: &str, given: &str, surname: &str) -> PathBuf {
    bankid::write(&dir.join(format!("bankid-{pnr}.json")), pnr, given, surname)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

// 1. An injected DG11 turns another person into a match -----------------------------------

/// A genuine passport of Åsa Öberg plus a DG11 naming Anna Svensson, which the SOD does not
/// cover: passive authentication is invalid (naming DG11), and the holder match never uses
/// it: Anna is not a match, with or without trust flags.
#[test]
fn an_injected_dg11_is_refused_and_never_matches_another_person() {
    let doc = passport();
    let dir = dump_of(&doc, "injected-dg11");
    std::fs::write(dir.join("DG11.bin"), dg11_of_anna()).unwrap();
    let d = dir.to_str().unwrap();
    let csca = dir.join("csca.der");
    let csca = csca.to_str().unwrap();
    let at = "2026-11-21";

    // The library: injected, named.
    let dump = Dump::read(&dir).unwrap();
    let mut store = TrustStore::new();
    store.add_path(Path::new(csca)).unwrap();
    let pa = PassiveAuthentication::verify_document(
        dump.sod.as_ref().unwrap(),
        dump.com.as_deref(),
        &dump.data_groups,
        &store,
        &PaOptions::at(day(at)),
    );
    assert_eq!(pa.verdict(), Verdict::Invalid);
    assert_eq!(
        pa.check(CheckName::DataGroupHashes).unwrap().reason(),
        Some("read but not covered by the SOD (injected): DG11")
    );
    assert!(pa.authenticated_document().is_none());

    // `verify`: exit 1, DG11 named.
    let out = passchip(&["verify", d, "--allow-test-pki", "--csca", csca, "--at", at, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let hashes = v["passive_authentication"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "data_group_hashes")
        .unwrap()
        .clone();
    assert_eq!(hashes["status"], "failed");
    assert!(hashes["reason"].as_str().unwrap().contains("DG11"), "{hashes}");

    // `match` without trust flags: DG1 only, and it says so. Anna is not a match.
    let anna = bankid(&dir, "199001012401", "Anna", "Svensson");
    let out = passchip(&["match", "--identity", anna.to_str().unwrap(), "--dir", d, "--at", at, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["holder_match"]["outcome"], "mismatch");
    let reasons = v["holder_match"]["reasons"].as_array().unwrap();
    assert!(reasons.contains(&serde_json::json!("DG11_NOT_AUTHENTICATED")), "{reasons:?}");
    // With the trust flags of `verify`: the document itself is rejected.
    let out = passchip(&[
        "match",
        "--identity",
        anna.to_str().unwrap(),
        "--dir",
        d,
        "--allow-test-pki",
        "--csca",
        csca,
        "--at",
        at,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["passive_authentication"], "invalid");
    assert_eq!(v["holder_match"]["outcome"], "document_rejected");
    // The real holder still matches on DG1 alone (the injected DG11 is ignored).
    let asa = bankid(&dir, "198504122386", "Åsa", "Öberg");
    let out = passchip(&["match", "--identity", asa.to_str().unwrap(), "--dir", d, "--at", at, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(dir).unwrap();
}

/// An honest DG11 the SOD does not cover is refused too: only what the SOD signs counts.
#[test]
fn an_honest_dg11_outside_the_sod_is_refused_too() {
    let with = VirtualDocument::build(DocumentSpec {
        pace: None,
        extra_data_groups: true,
        omit_from_sod: vec![11],
        ..DocumentSpec::specimen()
    });
    let dir = dump_of(&with, "honest-dg11");
    let csca = dir.join("csca.der");
    let out = passchip(&[
        "verify",
        dir.to_str().unwrap(),
        "--allow-test-pki",
        "--csca",
        csca.to_str().unwrap(),
        "--at",
        "2026-11-21",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("injected"), "{}", String::from_utf8_lossy(&out.stdout));
    std::fs::remove_dir_all(dir).unwrap();
}

/// EF.COM listing a group the SOD does not cover (here DG13, absent from the dump).
#[test]
fn ef_com_listing_a_group_the_sod_does_not_cover_is_refused() {
    let doc = passport();
    let dir = dump_of(&doc, "com-extra");
    let mut com = passchip::lds::EfCom::parse(doc.file(LdsFile::Com).unwrap()).unwrap();
    com.data_groups.push(DgNumber::new(13).unwrap());
    std::fs::write(dir.join("EF_COM.bin"), com.encode()).unwrap();
    let csca = dir.join("csca.der");
    let out = passchip(&[
        "verify",
        dir.to_str().unwrap(),
        "--allow-test-pki",
        "--csca",
        csca.to_str().unwrap(),
        "--at",
        "2026-11-21",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("listed in EF.COM but not covered by the SOD: DG13"), "{text}");
    std::fs::remove_dir_all(dir).unwrap();
}

// 2. A master list that vouches for itself -------------------------------------------------

/// The forger: a root R of their own (PKI 666) whose DSC signs master lists, and a forged
/// "CSCA" F (PKI 667) that signed a forged passport.
struct Forgery {
    forged: VirtualDocument,
    root: passchip::pki::Cert,
    self_vouching: Vec<u8>,
    cms_anchored: Vec<u8>,
}

fn forgery() -> Forgery {
    let forged = VirtualDocument::build(DocumentSpec { pace: None, seed: 667, ..DocumentSpec::specimen() });
    let mut pki = passchip::emulator::VirtualPki::generate(
        666,
        "SE",
        passchip::emulator::SignatureScheme::Ecdsa {
            curve: passchip::low_level::crypto::ec::NamedCurve::P256,
            explicit: false,
            hash: passchip::low_level::crypto::hash::HashAlg::Sha256,
        },
        passchip::emulator::Validity::default(),
    )
    .unwrap();
    let root = pki.csca().clone();
    let f = forged.pki().unwrap().csca().clone();
    // R inside the list (the list vouches for itself), or only in the CMS certificates field.
    let self_vouching = pki.master_list(&[&root, &f], &[]).unwrap();
    let cms_anchored = pki.master_list(&[&f], &[&root]).unwrap();
    Forgery { forged, root, self_vouching, cms_anchored }
}

#[test]
fn a_master_list_that_vouches_for_itself_anchors_nothing() {
    let f = forgery();
    let at = day("2026-11-21");
    // The library: an unanchored list only by name; a CMS certificate never anchors.
    assert!(MasterList::open_unanchored(&f.self_vouching, at).is_ok());
    assert!(matches!(MasterList::open_unanchored(&f.cms_anchored, at), Err(MasterListError::SignerUnknown(_))));
    // The caller's own root does anchor it (and then the caller trusts the forger).
    assert!(MasterList::open(&f.cms_anchored, &f.root, at).is_ok());

    let dir = dump_of(&f.forged, "forged");
    let d = dir.to_str().unwrap();
    let (sv, cms) = (dir.join("self.ml"), dir.join("cms.ml"));
    std::fs::write(&sv, &f.self_vouching).unwrap();
    std::fs::write(&cms, &f.cms_anchored).unwrap();
    // `verify` refuses both lists without a root (exit 2): the forged document is never valid.
    for list in [&sv, &cms] {
        let out = passchip(&["verify", d, "--masterlist", list.to_str().unwrap(), "--at", "2026-11-21"]);
        assert_eq!(out.status.code(), Some(2), "{}", list.display());
        assert!(String::from_utf8_lossy(&out.stderr).contains("refused"));
    }
    // Opting in: the CMS-anchored list is still refused; the self-vouching one is used, and
    // the verdict says it rests on a list that is not anchored.
    let out = passchip(&[
        "verify",
        d,
        "--masterlist",
        cms.to_str().unwrap(),
        "--trust-unanchored-masterlist",
        "--at",
        "2026-11-21",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no certificate in the master list issued its signer"));
    let out = passchip(&[
        "verify",
        d,
        "--masterlist",
        sv.to_str().unwrap(),
        "--trust-unanchored-masterlist",
        "--allow-test-pki",
        "--at",
        "2026-11-21",
        "--json",
    ]);
    let v = json(&out);
    let trusted = v["passive_authentication"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "dsc_trusted")
        .unwrap()
        .clone();
    assert!(trusted["reason"].as_str().unwrap().contains("NOT anchored"), "{trusted}");
    std::fs::remove_dir_all(dir).unwrap();
}

// 3. CRLs out of date --------------------------------------------------------------------

#[test]
fn a_crl_out_of_date_is_no_revocation_check() {
    let doc = passport();
    let dgs =
        doc.files().filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((n, b.to_vec())) } else { None }).collect();
    let mut pki = passchip::emulator::VirtualPki::generate(
        doc.spec().seed,
        "SE",
        doc.spec().signature.unwrap(),
        passchip::emulator::Validity::default(),
    )
    .unwrap();
    let at = day("2026-11-21");
    let check = |crl: Vec<u8>, require: bool| {
        let mut store = TrustStore::new();
        store.add(doc.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual".into() });
        store.add_crl(Crl::from_der(&crl).unwrap());
        let options = PaOptions::at(at).with_required_crl(require);
        let pa = PassiveAuthentication::verify(doc.file(LdsFile::Sod).unwrap(), &dgs, &store, &options);
        let c = pa.check(CheckName::DscNotRevoked).unwrap().clone();
        (pa.verdict(), c.status(), c.reason().unwrap_or("").to_string())
    };
    // Current: passed.
    let (v, s, _) = check(pki.crl(&[], day("2026-11-01"), day("2026-12-01")).unwrap(), true);
    assert_eq!((v, s), (Verdict::Valid, Status::Passed));
    // Expired (nextUpdate before the date), not yet valid (thisUpdate after it), or without
    // nextUpdate: not performed, "CRL out of date"; with --require-crl the verdict is invalid.
    for crl in [
        pki.crl(&[], day("2026-01-01"), day("2026-02-01")).unwrap(),
        pki.crl(&[], day("2026-12-01"), day("2027-01-01")).unwrap(),
        pki.crl_with(&[], day("2026-11-01"), None).unwrap(),
    ] {
        let (v, s, why) = check(crl.clone(), false);
        assert_eq!((v, s), (Verdict::Valid, Status::NotPerformed), "{why}");
        assert!(why.contains("CRL out of date"), "{why}");
        assert_eq!(check(crl, true).0, Verdict::Invalid);
    }
}

// 4. A dump folder is an upload ------------------------------------------------------------

#[cfg(unix)]
#[test]
fn links_fifos_and_devices_in_a_dump_folder_are_refused() {
    let doc = passport();
    let dir = dump_of(&doc, "links");
    let d = dir.to_str().unwrap();
    let csca = dir.join("csca.der");
    // A link to /dev/zero where DG2 should be: refused at once (no endless read).
    std::fs::remove_file(dir.join("DG2.bin")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("DG2.bin")).unwrap();
    let started = std::time::Instant::now();
    let out = passchip(&["verify", d, "--allow-test-pki", "--csca", csca.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a regular file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(Dump::read(&dir).is_err());
    // A FIFO where DG11 would be: refused without blocking.
    std::fs::remove_file(dir.join("DG2.bin")).unwrap();
    let fifo = dir.join("DG11.bin");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out = passchip(&["verify", d, "--allow-test-pki", "--csca", csca.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    let out =
        passchip(&["match", "--identity", bankid(&dir, "198504122386", "Åsa", "Öberg").to_str().unwrap(), "--dir", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    std::fs::remove_dir_all(dir).unwrap();
}

// 3. Names and dates the holder match must not wave through --------------------------------

fn reasons(v: &serde_json::Value) -> Vec<String> {
    v["holder_match"]["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect()
}

/// `passchip match` on a genuine dump of `doc` (trust flags given) for a BankID user.
fn match_dump(
    doc: &VirtualDocument,
    name: &str,
    pnr: &str,
    given: &str,
    surname: &str,
) -> (Option<i32>, serde_json::Value) {
    let dir = dump_of(doc, name);
    let id = bankid(&dir, pnr, given, surname);
    let csca = dir.join("csca.der");
    let out = passchip(&[
        "match",
        "--identity",
        id.to_str().unwrap(),
        "--dir",
        dir.to_str().unwrap(),
        "--allow-test-pki",
        "--csca",
        csca.to_str().unwrap(),
        "--at",
        "2026-11-21",
        "--json",
    ]);
    let v = json(&out);
    std::fs::remove_dir_all(dir).unwrap();
    (out.status.code(), v)
}

/// A bank that gives the holder's name in Cyrillic against a Latin MRZ: compared under
/// ICAO 9303-3's table (Гагарин ↔ GAGARIN), another name is a conflict, and a name in a
/// script no table maps is a review, never a match.
#[test]
fn a_cyrillic_bank_name_against_a_latin_mrz_through_match() {
    let doc = VirtualDocument::build(DocumentSpec {
        pace: None,
        surname: "GAGARIN".into(),
        given_names: "IURII".into(),
        ..DocumentSpec::specimen()
    });
    let (code, v) = match_dump(&doc, "cyrillic-same", "198504122386", "Юрий", "Гагарин");
    assert_eq!((code, &v["holder_match"]["outcome"]), (Some(0), &serde_json::json!("match")), "{v}");
    assert!(reasons(&v).contains(&"SURNAME_EQUAL".to_owned()), "{v}");

    let (code, v) = match_dump(&doc, "cyrillic-other", "198504122386", "Юрий", "Титов");
    assert_eq!(code, Some(1));
    assert_ne!(v["holder_match"]["outcome"], "match");
    assert!(reasons(&v).contains(&"SURNAME_CONFLICT".to_owned()), "{v}");

    let (code, v) = match_dump(&doc, "cyrillic-unmapped", "198504122386", "Юрий", "加加林");
    assert_eq!((code, &v["holder_match"]["outcome"]), (Some(1), &serde_json::json!("review")), "{v}");
    assert!(reasons(&v).contains(&"SURNAME_UNMAPPABLE".to_owned()), "{v}");
}

/// A child born 2025 and a bank user born 1925 with the same ten digits: the document's
/// signed DG11 gives the century, and a hundred years apart is a mismatch.
#[test]
fn a_hundred_year_birth_date_gap_through_match() {
    let mut dg11 = Dg11::parse(&[0x6B, 0x00]).unwrap();
    dg11.full_name_primary = Some("OEBERG".into());
    dg11.full_name_secondary = Some("AASA".into());
    dg11.personal_number = Some("20250301-1237".into());
    dg11.full_date_of_birth = Some(day("2025-03-01"));
    let doc = VirtualDocument::build(DocumentSpec {
        pace: None,
        date_of_birth: "250301".into(),
        personal_number: "2503011237".into(),
        custom_data_groups: vec![(11, dg11.encode())],
        ..DocumentSpec::specimen()
    });
    let (code, v) = match_dump(&doc, "century-1925", "192503011237", "Åsa", "Öberg");
    assert_eq!((code, &v["holder_match"]["outcome"]), (Some(1), &serde_json::json!("mismatch")), "{v}");
    assert!(reasons(&v).contains(&"DOB_MISMATCH".to_owned()), "{v}");
    let (code, v) = match_dump(&doc, "century-2025", "202503011237", "Åsa", "Öberg");
    assert_eq!((code, &v["holder_match"]["outcome"]), (Some(0), &serde_json::json!("match")), "{v}");
}
