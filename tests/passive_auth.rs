//! Passive authentication end to end on real documents' SODs (gmrtd, MIT) with the
//! German master list as the trust store, and the negative cases: each failure has its
//! own check and reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use passchip::date::Date;
use passchip::lds::DgNumber;
use passchip::pki::pa::DgStatus;
use passchip::pki::{Cert, CheckName, PaOptions, PassiveAuthentication, Status, TrustStore, Verdict};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/external/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn de_store() -> &'static TrustStore {
    static STORE: OnceLock<TrustStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let root = Cert::from_der(&fixture("gmrtd/masterlist/DE_ROOT_CA_CSCA07.cer")).unwrap();
        let mut store = TrustStore::new();
        store
            .add_master_list(
                &fixture("gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml"),
                &root,
                "DE ML",
                passchip::date::Date::parse("2026-08-01").unwrap(),
            )
            .unwrap();
        store
    })
}

fn dgs(list: &[(u8, &str)]) -> BTreeMap<DgNumber, Vec<u8>> {
    list.iter().map(|(n, p)| (DgNumber::new(*n).unwrap(), fixture(p))).collect()
}

fn opts(date: &str) -> PaOptions {
    PaOptions::at(Date::parse(date).unwrap())
}

fn status(r: &PassiveAuthentication, c: CheckName) -> Status {
    r.check(c).unwrap().status()
}

fn at_document() -> (Vec<u8>, BTreeMap<DgNumber, Vec<u8>>) {
    (fixture("gmrtd/doc/AT/EF_SOD.bin"), dgs(&[(14, "gmrtd/doc/AT/EF_DG14.bin")]))
}

#[test]
fn austrian_document_is_valid_against_the_german_master_list() {
    let (sod, dgs) = at_document();
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2025-06-01"));
    for c in r.checks() {
        if c.name() != CheckName::DscNotRevoked {
            assert_eq!(c.status(), Status::Passed, "{:?}: {:?}", c.name(), c.reason());
        }
    }
    assert_eq!(status(&r, CheckName::DscNotRevoked), Status::NotPerformed);
    assert_eq!(r.verdict(), Verdict::Valid);
    let dg14 = r.data_groups().iter().find(|d| d.data_group() == 14).unwrap();
    assert_eq!(dg14.status(), DgStatus::Matched);
    assert!(r.data_groups().iter().filter(|d| d.data_group() != 14).all(|d| d.status() == DgStatus::NotRead));
    assert!(r.anchor().unwrap().certificate.subject.contains("AT"));
}

#[test]
fn every_issuer_chains_to_the_german_master_list() {
    for cc in ["AT", "AU", "CN", "DE", "FI", "FR", "MY", "NZ", "PH", "RU", "SG", "UK", "US"] {
        let sod = fixture(&format!("gmrtd/doc/{cc}/EF_SOD.bin"));
        let r = PassiveAuthentication::verify(&sod, &BTreeMap::new(), de_store(), &opts("2025-06-01"));
        assert_eq!(status(&r, CheckName::SodSignature), Status::Passed, "{cc}");
        assert_eq!(status(&r, CheckName::DscTrusted), Status::Passed, "{cc}: {:?}", r.check(CheckName::DscTrusted));
        // Nothing read: the DG check cannot pass, so the verdict cannot be valid.
        assert_eq!(status(&r, CheckName::DataGroupHashes), Status::NotPerformed, "{cc}");
        assert_eq!(r.verdict(), Verdict::Invalid, "{cc}");
    }
}

#[test]
fn a_changed_data_group_fails_its_hash() {
    let (sod, mut dgs) = at_document();
    dgs.get_mut(&DgNumber::new(14).unwrap()).unwrap()[20] ^= 1;
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2025-06-01"));
    assert_eq!(status(&r, CheckName::DataGroupHashes), Status::Failed);
    assert!(r.check(CheckName::DataGroupHashes).unwrap().reason().unwrap().contains("DG14"));
    assert_eq!(r.verdict(), Verdict::Invalid);
}

#[test]
fn a_data_group_the_sod_does_not_cover_is_reported() {
    let (sod, mut dgs) = at_document();
    dgs.insert(DgNumber::new(15).unwrap(), vec![0x6F, 0x00]);
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2025-06-01"));
    let dg15 = r.data_groups().iter().find(|d| d.data_group() == 15).unwrap();
    assert_eq!(dg15.status(), DgStatus::NotInSod);
    assert!(r.check(CheckName::DataGroupHashes).unwrap().reason().unwrap().contains("DG15"));
}

#[test]
fn a_changed_signed_attribute_fails() {
    let (mut sod, dgs) = at_document();
    // The messageDigest attribute: 06 09 2A864886F70D010904 31 22 04 20 <32 bytes>.
    let oid = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04];
    let pos = sod.windows(oid.len()).position(|w| w == oid).unwrap() + oid.len() + 4 + 5;
    sod[pos] ^= 1;
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2025-06-01"));
    assert_eq!(status(&r, CheckName::SodSignedAttributes), Status::Failed);
    assert_eq!(r.verdict(), Verdict::Invalid);
}

#[test]
fn a_changed_signature_fails() {
    let (mut sod, dgs) = at_document();
    let n = sod.len();
    sod[n - 5] ^= 1; // inside the SignerInfo signature, the last field of the SOD
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2025-06-01"));
    assert_eq!(status(&r, CheckName::SodSignature), Status::Failed, "{:?}", r.checks());
    assert_eq!(status(&r, CheckName::DscTrusted), Status::NotPerformed);
    assert_eq!(r.verdict(), Verdict::Invalid);
}

#[test]
fn a_wrong_csca_is_not_trusted() {
    let (sod, dgs) = at_document();
    let mut store = TrustStore::new();
    store.add(
        Cert::from_der(&fixture("gmrtd/doc/US/CSCA.der")).unwrap(),
        passchip::pki::TrustSource::File { path: "US CSCA".into() },
    );
    let r = PassiveAuthentication::verify(&sod, &dgs, &store, &opts("2025-06-01"));
    assert_eq!(status(&r, CheckName::DscTrusted), Status::Failed);
    assert!(r.check(CheckName::DscTrusted).unwrap().reason().unwrap().contains("no CSCA"));
    let empty = PassiveAuthentication::verify(&sod, &dgs, &TrustStore::new(), &opts("2025-06-01"));
    assert!(empty.check(CheckName::DscTrusted).unwrap().reason().unwrap().contains("empty"));
    assert_eq!(empty.verdict(), Verdict::Invalid);
}

#[test]
fn an_expired_dsc_fails_validity_only() {
    let (sod, dgs) = at_document();
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2034-01-01"));
    assert_eq!(status(&r, CheckName::DscValidity), Status::Failed);
    assert_eq!(status(&r, CheckName::SodSignature), Status::Passed);
    assert_eq!(r.verdict(), Verdict::Invalid);
    // An audit "as of" a date inside the validity passes.
    let audit = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2024-01-01"));
    assert_eq!(status(&audit, CheckName::DscValidity), Status::Passed);
}

#[test]
fn a_country_mismatch_fails() {
    let (sod, dgs) = at_document();
    let options = opts("2025-06-01").with_issuing_state("FRA");
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &options);
    assert_eq!(status(&r, CheckName::CountryConsistency), Status::Failed);
    assert_eq!(r.verdict(), Verdict::Invalid);
    let ok = opts("2025-06-01").with_issuing_state("AUT");
    assert_eq!(
        status(&PassiveAuthentication::verify(&sod, &dgs, de_store(), &ok), CheckName::CountryConsistency),
        Status::Passed
    );
}

#[test]
fn an_unknown_algorithm_is_reported_not_guessed() {
    let (mut sod, dgs) = at_document();
    // The last SHA-256 OID is the SignerInfo's digestAlgorithm: make it 2.16.840.1.101.3.4.2.127.
    let sha256 = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    let pos = sod.windows(sha256.len()).rposition(|w| w == sha256).unwrap();
    sod[pos + 10] = 0x7F;
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2025-06-01"));
    let sig = r.check(CheckName::SodSignature).unwrap();
    assert_eq!(sig.status(), Status::Failed);
    assert!(sig.reason().unwrap().contains("unsupported"), "{:?}", sig.reason());
    assert_eq!(r.verdict(), Verdict::Invalid);
}

#[test]
fn garbage_is_an_unparsed_sod_not_a_panic() {
    let r = PassiveAuthentication::verify(&[0x77, 0x03, 1, 2, 3], &BTreeMap::new(), de_store(), &opts("2025-06-01"));
    assert_eq!(status(&r, CheckName::SodParsed), Status::Failed);
    assert!(r.checks().iter().skip(1).all(|c| c.status() == Status::NotPerformed));
    assert_eq!(r.verdict(), Verdict::Invalid);
}

#[test]
fn report_json_has_the_documented_shape() {
    let (sod, dgs) = at_document();
    let r = PassiveAuthentication::verify(&sod, &dgs, de_store(), &opts("2025-06-01"));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["schema"], "passchip.pa/1");
    assert_eq!(v["verdict"], "valid");
    assert_eq!(v["evaluated_at"], "2025-06-01");
    let names: Vec<&str> = v["checks"].as_array().unwrap().iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "sod_parsed",
            "sod_content_type",
            "sod_signed_attributes",
            "sod_signature",
            "dsc_trusted",
            "dsc_validity",
            "csca_validity",
            "dsc_key_usage",
            "csca_constraints",
            "country_consistency",
            "dsc_not_revoked",
            "data_group_hashes"
        ]
    );
    assert_eq!(v["checks"][10]["status"], "not_performed");
    assert_eq!(v["data_groups"][0]["data_group"], 1);
    assert_eq!(v["data_groups"][0]["status"], "not_read");
    assert!(v["signer"]["subject"].as_str().unwrap().contains("AT"));
    assert_eq!(v["anchor"]["source"]["kind"], "master_list");
    assert!(v["document_expired"].is_null());
}

#[test]
fn malaysian_signer_identifier_with_reordered_rdns_is_tolerated_and_reported() {
    let sod = fixture("gmrtd/doc/MY/EF_SOD.bin");
    let r = PassiveAuthentication::verify(&sod, &BTreeMap::new(), de_store(), &opts("2025-06-01"));
    let sig = r.check(CheckName::SodSignature).unwrap();
    assert_eq!(sig.status(), Status::Passed);
    assert!(sig.reason().unwrap().contains("matched by serial number"), "{:?}", sig.reason());
}
