//! Anti-cloning round trips against the emulator: Chip Authentication (3DES and AES,
//! ECDH and DH), Active Authentication (RSA ISO 9796-2 with SHA-1 and SHA-256, ECDSA
//! on P-256 and brainpoolP256r1, plain and DER), PACE-CAM against EF.CardSecurity, cloned
//! chips, and a DG14 not covered by the SOD.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::date::Date;
use passchip::emulator::{AaSpec, ChipAuthSpec, DocumentSpec, VirtualChip, VirtualDocument};
use passchip::identity::verification::{ChipAuthenticity, ChipStatus};
use passchip::lds::LdsFile;
use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use passchip::low_level::active_auth::AaEvidence;
use passchip::low_level::chip_auth::CaProtocol;
use passchip::low_level::crypto::ec::NamedCurve;
use passchip::low_level::crypto::hash::HashAlg;
use passchip::pki::{PaOptions, PassiveAuthentication, TrustSource, TrustStore, Verdict};
use passchip::reader::{
    AccessPolicy, AntiCloningRead, Attempt, Credentials, DocumentRead, ReadOptions, read_document,
    recheck_active_authentication,
};
use passchip::transport::InProcess;

fn read(doc: &VirtualDocument, options: ReadOptions) -> DocumentRead {
    read_document(InProcess::new(VirtualChip::new(doc.clone())), &Credentials::Mrz(doc.mrz_key()), options).unwrap()
}

fn assess(doc: &VirtualDocument, r: &DocumentRead) -> ChipAuthenticity {
    let mut store = TrustStore::new();
    store.add(doc.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    let dgs =
        r.files.iter().filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((*n, b.clone())) } else { None }).collect();
    let options = PaOptions::at(Date::parse("2026-11-21").unwrap());
    let pa = PassiveAuthentication::verify(&r.files[&LdsFile::Sod], &dgs, &store, &options);
    assert_eq!(pa.verdict(), Verdict::Valid, "{:?}", pa.checks());
    let cs = r.card_security.as_ref().map(|b| PassiveAuthentication::verify_card_security(b, &store, &options));
    ChipAuthenticity::assess(&r.anti_cloning, Some(&pa), cs.as_ref())
}

fn ca(ka: KeyAgreement, domain: u32, cipher: Cipher, key_id: Option<u32>) -> ChipAuthSpec {
    ChipAuthSpec { protocol: CaProtocol { key_agreement: ka, cipher }, domain, key_id }
}

#[test]
fn chip_authentication_every_variant_with_bac_and_pace() {
    let variants = [
        ca(KeyAgreement::Ecdh, 13, Cipher::Tdes, None),
        ca(KeyAgreement::Ecdh, 13, Cipher::Aes128, Some(1)),
        ca(KeyAgreement::Ecdh, 8, Cipher::Tdes, None), // P-192, as Russian passports
        ca(KeyAgreement::Ecdh, 17, Cipher::Aes256, Some(7)), // brainpoolP512r1, as Dutch ones
        ca(KeyAgreement::Dh, 0, Cipher::Tdes, None),
        ca(KeyAgreement::Dh, 2, Cipher::Aes128, Some(2)),
    ];
    for (i, spec) in variants.into_iter().enumerate() {
        for policy in [AccessPolicy::BacOnly, AccessPolicy::Auto] {
            let doc = VirtualDocument::build(DocumentSpec {
                chip_authentication: Some(spec),
                seed: 100 + i as u64,
                ..DocumentSpec::specimen()
            });
            let r = read(&doc, ReadOptions::default().with_access(policy));
            let Attempt::Passed(outcome) = &r.anti_cloning.chip_authentication else {
                panic!("{spec:?} {policy:?}: {:?}", r.anti_cloning.chip_authentication)
            };
            assert_eq!(outcome.protocol, spec.protocol);
            assert_eq!(outcome.key_id, spec.key_id);
            let chip = assess(&doc, &r);
            assert!(chip.proven(), "{spec:?}: {:?}", chip.reasons());
            assert_eq!(chip.proven_by(), ["CA"]);
        }
    }
}

#[test]
fn a_cloned_chip_fails_chip_and_active_authentication() {
    let spec = DocumentSpec {
        cloned: true,
        active_authentication: Some(AaSpec::Ecdsa { curve: NamedCurve::P256, hash: HashAlg::Sha256, der: false }),
        ..DocumentSpec::specimen()
    };
    let doc = VirtualDocument::build(spec.clone());
    let r = read(&doc, ReadOptions::default());
    assert!(r.anti_cloning.chip_authentication.failed(), "{:?}", r.anti_cloning.chip_authentication);
    let chip = assess(&doc, &r);
    assert_eq!(chip.status(), ChipStatus::Failed);
    // AA alone (no CA on the chip) detects the clone as well, and keeps the evidence.
    let doc = VirtualDocument::build(DocumentSpec { chip_authentication: None, ..spec });
    let r = read(&doc, ReadOptions::default());
    assert!(r.anti_cloning.active_authentication.failed(), "{:?}", r.anti_cloning.active_authentication);
    let evidence = r.anti_cloning.active_authentication_evidence.as_ref().unwrap();
    assert!(evidence.verify().is_err());
    assert_eq!(assess(&doc, &r).status(), ChipStatus::Failed);
}

#[test]
fn active_authentication_rsa_and_ecdsa_with_a_server_challenge() {
    let specs = [
        AaSpec::Rsa { bits: 1024, hash: HashAlg::Sha1 },
        AaSpec::Rsa { bits: 1024, hash: HashAlg::Sha256 },
        AaSpec::Rsa { bits: 2048, hash: HashAlg::Sha256 },
        AaSpec::Ecdsa { curve: NamedCurve::P256, hash: HashAlg::Sha256, der: false },
        AaSpec::Ecdsa { curve: NamedCurve::BrainpoolP256r1, hash: HashAlg::Sha256, der: false },
        AaSpec::Ecdsa { curve: NamedCurve::BrainpoolP256r1, hash: HashAlg::Sha384, der: true },
    ];
    let nonce = *b"bank-nce";
    for (i, aa) in specs.into_iter().enumerate() {
        let doc = VirtualDocument::build(DocumentSpec {
            chip_authentication: None,
            active_authentication: Some(aa),
            seed: 200 + i as u64,
            ..DocumentSpec::specimen()
        });
        for options in [ReadOptions::default(), ReadOptions::default().short_only()] {
            let r = read(&doc, options.with_aa_challenge(nonce));
            assert!(
                r.anti_cloning.active_authentication.passed(),
                "{aa:?}: {:?}",
                r.anti_cloning.active_authentication
            );
            let chip = assess(&doc, &r);
            assert_eq!(chip.proven_by(), ["AA"], "{aa:?}: {:?}", chip.reasons());
            // The server re-checks the evidence offline, from JSON.
            let evidence = r.anti_cloning.active_authentication_evidence.clone().unwrap();
            assert_eq!(evidence.challenge(), nonce);
            let back = AaEvidence::from_json(&evidence.to_json()).unwrap();
            assert!(back.verify().is_ok());
            // Another challenge: the signature does not transfer.
            let other = evidence.to_json().replace("62616e6b2d6e6365", "6f746865722d6e63");
            let replay = AaEvidence::from_json(&other).unwrap();
            assert_eq!(replay.challenge(), b"other-nc");
            assert!(matches!(replay.verify(), Err(passchip::low_level::active_auth::AaError::Invalid(_))), "{aa:?}");
            // The back-office re-check ties the evidence to the dump's DG15 and DG14 and to the nonce.
            let (dg14, dg15) = (r.files.get(&LdsFile::dg(14).unwrap()), r.files.get(&LdsFile::dg(15).unwrap()));
            let (dg14, dg15) = (dg14.map(Vec::as_slice), dg15.map(Vec::as_slice));
            assert!(recheck_active_authentication(&evidence, dg14, dg15, Some(&nonce)).passed(), "{aa:?}");
            assert!(recheck_active_authentication(&evidence, dg14, dg15, Some(b"other-nc")).failed());
            assert!(matches!(recheck_active_authentication(&evidence, dg14, dg15, None), Attempt::NotCompleted(_)));
            assert!(matches!(
                recheck_active_authentication(&evidence, dg14, None, Some(&nonce)),
                Attempt::NotCompleted(_)
            ));
            assert!(recheck_active_authentication(&replay, dg14, dg15, Some(b"other-nc")).failed());
            if matches!(aa, AaSpec::Ecdsa { .. }) {
                // DG14 must name the hash the evidence claims.
                let r = recheck_active_authentication(&evidence, None, dg15, Some(&nonce));
                assert!(r.failed(), "{aa:?}: {r:?}");
            }
            let stored = AntiCloningRead::from_stored(
                recheck_active_authentication(&evidence, dg14, dg15, Some(&nonce)),
                Some(evidence.clone()),
            );
            let mut offline = r.clone();
            offline.anti_cloning = stored;
            assert_eq!(assess(&doc, &offline).proven_by(), ["AA"]);
        }
    }
}

#[test]
fn a_long_rsa_signature_from_a_chip_without_extended_length() {
    use passchip::emulator::ChipProfile;
    let doc = VirtualDocument::build(DocumentSpec {
        chip_authentication: None,
        active_authentication: Some(AaSpec::Rsa { bits: 2048, hash: HashAlg::Sha256 }),
        ..DocumentSpec::specimen()
    });
    // The reader asks for extended length first (a 256-byte signature does not fit a short
    // protected answer); the chip refuses with 6700 and is asked again with Le = 00.
    let chip = VirtualChip::with_profile(doc.clone(), ChipProfile::no_extended_length());
    let r = read_document(InProcess::new(chip), &Credentials::Mrz(doc.mrz_key()), ReadOptions::default()).unwrap();
    assert!(r.anti_cloning.active_authentication.passed(), "{:?}", r.anti_cloning.active_authentication);
    assert_eq!(assess(&doc, &r).proven_by(), ["AA"]);
}

#[test]
fn pace_cam_is_checked_against_the_signed_card_security() {
    let cam = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Cam, cipher: Cipher::Aes128 };
    let spec = DocumentSpec { pace: Some((cam, 13)), ..DocumentSpec::specimen() };
    let doc = VirtualDocument::build(spec.clone());
    let r = read(&doc, ReadOptions::default());
    assert!(r.card_security.is_some());
    assert!(r.anti_cloning.pace_cam.passed(), "{:?}", r.anti_cloning.pace_cam);
    assert!(matches!(r.anti_cloning.chip_authentication, Attempt::NotAvailable(_)));
    let chip = assess(&doc, &r);
    assert_eq!(chip.proven_by(), ["PACE-CAM"], "{:?}", chip.reasons());
    // Without a trusted EF.CardSecurity the proof does not count.
    let unsigned = ChipAuthenticity::assess(&r.anti_cloning, None, None);
    assert!(!unsigned.proven());

    let doc = VirtualDocument::build(DocumentSpec { cloned: true, ..spec });
    let r = read(&doc, ReadOptions::default());
    assert!(r.anti_cloning.pace_cam.failed(), "{:?}", r.anti_cloning.pace_cam);
    assert_eq!(assess(&doc, &r).status(), ChipStatus::Failed);
}

/// A DG14 the SOD does not cover is an injected group: passive authentication is invalid
/// (naming it), and the Chip Authentication that passed with its key proves nothing.
#[test]
fn a_dg14_not_covered_by_the_sod_proves_nothing() {
    let doc = VirtualDocument::build(DocumentSpec { omit_from_sod: vec![14], ..DocumentSpec::specimen() });
    let r = read(&doc, ReadOptions::default());
    assert!(r.anti_cloning.chip_authentication.passed());
    let mut store = TrustStore::new();
    store.add(doc.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    let (pa, chip) =
        passchip::identity::verification::verify_read(&r, &store, &PaOptions::at(Date::parse("2026-11-21").unwrap()));
    assert_eq!(pa.verdict(), Verdict::Invalid);
    let hashes = pa.check(passchip::pki::CheckName::DataGroupHashes).unwrap();
    assert_eq!(hashes.reason(), Some("read but not covered by the SOD (injected): DG14"));
    assert_eq!(chip.status(), ChipStatus::NotProven);
    assert!(chip.reasons().iter().any(|s| s.contains("passive authentication is not valid")), "{:?}", chip.reasons());
}

#[test]
fn anti_cloning_can_be_turned_off_and_says_so() {
    let doc = VirtualDocument::specimen();
    let r = read(&doc, ReadOptions::default().with_anti_cloning(false));
    assert!(matches!(&r.anti_cloning.chip_authentication, Attempt::NotAvailable(s) if s.contains("turned off")));
    assert_eq!(assess(&doc, &r).status(), ChipStatus::NotProven);
}
