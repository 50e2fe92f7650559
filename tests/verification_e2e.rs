//! End to end: a BAC-only virtual passport read over BAC, passive authentication against
//! its CSCA, and a BankID `/collect` response: one verdict for the bank. A PACE passport
//! opened with BAC is a downgrade.
#![cfg(all(feature = "emulator", feature = "serde"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "common/bankid.rs"]
mod bankid;

use std::collections::BTreeMap;

use passchip::date::Date;
use passchip::emulator::{DocumentSpec, VirtualChip, VirtualDocument};
use passchip::identity::asserted::from_json;
use passchip::identity::matching::{Outcome, Reason};
use passchip::identity::verification::{
    AccessInfo, ChipAuthenticity, Decision, DecisionReason, DocumentEvidence, Verification, VerificationPolicy,
};
use passchip::lds::{DgNumber, LdsFile};
use passchip::pki::{PaOptions, PassiveAuthentication, TrustSource, TrustStore};
use passchip::reader::{ReadOptions, read_with_bac};
use passchip::transport::InProcess;

/// The specimen without PACE (no EF.CardAccess, no PACEInfo in DG14): a BAC passport.
fn bac_passport(spec: DocumentSpec) -> VirtualDocument {
    VirtualDocument::build(DocumentSpec { pace: None, ..spec })
}

fn verify(doc: &VirtualDocument, bankid: &str, tamper: bool, policy: &VerificationPolicy) -> Verification {
    let key = doc.mrz_key();
    let read = read_with_bac(InProcess::new(VirtualChip::new(doc.clone())), &key, ReadOptions::default()).unwrap();
    let mut dgs: BTreeMap<DgNumber, Vec<u8>> = read
        .files
        .iter()
        .filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((*n, b.clone())) } else { None })
        .collect();
    if tamper {
        let dg2 = dgs.get_mut(&DgNumber::new(2).unwrap()).unwrap();
        let n = dg2.len();
        dg2[n - 50] ^= 1;
    }
    let mut store = TrustStore::new();
    store.add(doc.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    let today = Date::parse("2026-11-21").unwrap();
    let pa = PassiveAuthentication::verify(&read.files[&LdsFile::Sod], &dgs, &store, &PaOptions::at(today));
    let chip = ChipAuthenticity::assess(&read.anti_cloning, Some(&pa), None);
    let identity = from_json(bankid, None).unwrap();
    let mrz = &read.dg1.as_ref().unwrap().mrz;
    let evidence = DocumentEvidence {
        access: Some(&AccessInfo::of(&read)),
        passive_authentication: Some(&pa),
        mrz,
        has_dg11: false,
        chip: Some(&chip),
    };
    Verification::decide(&identity, evidence, today, policy)
}

#[test]
fn the_right_person_matches() {
    let doc = bac_passport(DocumentSpec::specimen());
    let v = verify(&doc, &bankid::collect("198504122386", "Åsa", "Öberg"), false, &VerificationPolicy::default());
    assert_eq!(v.holder_match().unwrap().outcome(), Outcome::Match, "{:?}", v.holder_match().unwrap().reasons());
    assert!(v.holder_match().unwrap().has(Reason::IdMatch));
    // Chip Authentication with the SOD-covered DG14 key proved the chip original.
    assert_eq!(v.decision(), Decision::Accept, "{:?} {:?}", v.reasons(), v.chip_authenticity());
    assert!(v.reasons().contains(&DecisionReason::ChipAuthentic));
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["schema"], "passchip.verification/1");
    assert_eq!(json["decision"], "accept");
    assert_eq!(json["holder_match"]["outcome"], "match");
    assert_eq!(json["passive_authentication"]["verdict"], "valid");
    assert_eq!(json["chip_authenticity"]["status"], "proven");
    assert_eq!(json["chip_authenticity"]["proven_by"][0], "CA");
    assert_eq!(json["access"]["protocol"], "BAC");
    assert_eq!(json["access"]["secure_messaging"], "3DES");
    assert!(json["access"]["downgrade"].is_null());
}

/// A PACE passport opened with BAC: DG14 (signed) lists PACE, so the read reports a
/// downgrade and the verdict is at most `review`, even for the right person.
#[test]
fn a_pace_passport_opened_with_bac_is_a_downgrade() {
    let doc = VirtualDocument::specimen();
    let v = verify(&doc, &bankid::collect("198504122386", "Åsa", "Öberg"), false, &VerificationPolicy::default());
    assert_eq!(v.holder_match().unwrap().outcome(), Outcome::Match);
    assert!(v.reasons().contains(&DecisionReason::AccessDowngraded), "{:?}", v.reasons());
    assert_eq!(v.decision(), Decision::Review);
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["reasons"][0], "ACCESS_DOWNGRADED");
    assert_eq!(json["access"]["downgrade"]["expected"], "PACE");
    assert_eq!(json["access"]["downgrade"]["used"], "BAC");
}

#[test]
fn a_different_person_is_a_mismatch() {
    let doc = bac_passport(DocumentSpec::specimen());
    let v = verify(&doc, &bankid::collect("199001012401", "Anna", "Svensson"), false, &VerificationPolicy::default());
    assert_eq!(v.holder_match().unwrap().outcome(), Outcome::Mismatch);
    assert_eq!(v.decision(), Decision::Reject);
}

#[test]
fn expired_or_tampered_documents_are_rejected() {
    let expired = bac_passport(DocumentSpec { date_of_expiry: "240101".into(), ..DocumentSpec::specimen() });
    let v = verify(&expired, &bankid::collect("198504122386", "Åsa", "Öberg"), false, &VerificationPolicy::default());
    assert_eq!(v.holder_match().unwrap().outcome(), Outcome::DocumentRejected);
    assert!(v.holder_match().unwrap().has(Reason::DocumentExpired));
    assert_eq!(v.decision(), Decision::Reject);

    let doc = bac_passport(DocumentSpec::specimen());
    let v = verify(&doc, &bankid::collect("198504122386", "Åsa", "Öberg"), true, &VerificationPolicy::default());
    assert_eq!(v.holder_match().unwrap().outcome(), Outcome::DocumentRejected);
    assert!(v.holder_match().unwrap().has(Reason::PassiveAuthFailed));
    assert!(v.reasons().contains(&DecisionReason::DocumentNotAuthentic));
    assert_eq!(v.decision(), Decision::Reject);
}

#[test]
fn smart_id_and_mobile_id_certificates_against_the_estonian_specimen() {
    use passchip::emulator::{SignatureScheme, Validity, VirtualPki};
    use passchip::identity::matching::{DocumentFacts, MatchPolicy, match_holder};
    let scheme = SignatureScheme::Ecdsa {
        curve: passchip::low_level::crypto::ec::NamedCurve::P256,
        explicit: false,
        hash: passchip::low_level::crypto::hash::HashAlg::Sha256,
    };
    let mut pki = VirtualPki::generate(1, "EE", scheme, Validity::default()).unwrap();
    let dob = Date::parse("1980-01-08").unwrap();
    let cert = pki.person_certificate("EE", "PNOEE-38001085718", "JAAK-KRISTJAN", "JÕEORG", Some(dob)).unwrap();
    let b64 = <base64ct::Base64 as base64ct::Encoding>::encode_string(&cert);
    let smart = format!(
        r#"{{"state":"COMPLETE","result":{{"endResult":"OK","documentNumber":"PNOEE-38001085718-MOCK-Q"}},"signature":{{"value":"x","algorithm":"sha512WithRSAEncryption"}},"cert":{{"value":"{b64}","certificateLevel":"QUALIFIED"}}}}"#
    );
    let id = from_json(&smart, None).unwrap();
    assert_eq!(id.scheme, passchip::identity::asserted::Scheme::SmartId);
    assert_eq!(id.country, Some(passchip::identity::national_id::IdCountry::Ee));
    assert_eq!(id.national_id.as_deref(), Some("38001085718"));
    assert_eq!(id.surname.as_deref(), Some("JÕEORG"));
    assert_eq!(id.date_of_birth, Some(dob));
    let mobile = format!(r#"{{"state":"COMPLETE","result":"OK","signature":{{"value":"x"}},"cert":"{b64}"}}"#);
    assert_eq!(from_json(&mobile, None).unwrap().scheme, passchip::identity::asserted::Scheme::MobileId);
    let refused = r#"{"state":"COMPLETE","result":{"endResult":"USER_REFUSED"}}"#;
    assert!(from_json(refused, None).is_err());

    // The Estonian ID-card specimen (identity-matching reference §5.2).
    let mrz = passchip::mrz::Mrz::parse(
        "IDESTAS0002262038001085718<<<<\n8001081M2606288EST<<<<<<<<<<<9\nJOEORG<<JAAK<KRISTJAN<<<<<<<<<",
    )
    .unwrap();
    let m = match_holder(
        &id,
        &DocumentFacts::mrz_only(&mrz),
        Date::parse("2025-01-01").unwrap(),
        &MatchPolicy::person_only(),
    );
    assert_eq!(m.outcome(), Outcome::Match, "{:?}", m.reasons());
}
