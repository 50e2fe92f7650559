//! What real documents do that the letter of ICAO 9303 does not: legacy eContentTypes
//! (Belgian, French, Dutch), EF.SOD exported without its tag, names encoded differently by
//! issuer and subject (RFC 5280 §7.1).
#![cfg(feature = "emulator")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use passchip::date::Date;
use passchip::emulator::{SignatureScheme, Validity, VirtualDocument, VirtualPki};
use passchip::lds::{DgNumber, LdsFile, Sod};
use passchip::low_level::crypto::ec::NamedCurve;
use passchip::low_level::crypto::hash::HashAlg;
use passchip::pki::{
    CheckName, MasterList, PaOptions, PassiveAuthentication, Status, TrustSource, TrustStore, Verdict,
};

fn pki(seed: u64) -> VirtualPki {
    let scheme = SignatureScheme::Ecdsa { curve: NamedCurve::P256, explicit: false, hash: HashAlg::Sha256 };
    VirtualPki::generate(seed, "SE", scheme, Validity::default()).unwrap()
}

fn today() -> Date {
    Date::parse("2026-11-21").unwrap()
}

fn groups(doc: &VirtualDocument) -> BTreeMap<DgNumber, Vec<u8>> {
    doc.files().filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((n, b.to_vec())) } else { None }).collect()
}

fn store_of(p: &VirtualPki) -> TrustStore {
    let mut s = TrustStore::new();
    s.add(p.csca().clone(), TrustSource::File { path: "csca".into() });
    s
}

/// The specimen's LDSSecurityObject signed again by `p` under `content_type`, as EF.SOD.
fn resigned(doc: &VirtualDocument, p: &mut VirtualPki, content_type: &str) -> Vec<u8> {
    let econtent = Sod::parse(doc.file(LdsFile::Sod).unwrap()).unwrap().signed_data.econtent;
    let oid = const_oid::ObjectIdentifier::new(content_type).unwrap();
    let ci = p.sign_content(&oid, &econtent).unwrap();
    passchip::low_level::tlv::encode_to_vec(passchip::low_level::tlv::Tag::new(0x77), &ci)
}

#[test]
fn legacy_econtent_types_are_accepted_and_named() {
    let doc = VirtualDocument::specimen();
    let mut p = pki(31);
    for (oid, says) in [
        ("1.3.27.1.1.1", "Belgian and French"),
        ("1.2.528.1.1006.1.20.1", "some Dutch documents"),
        ("1.2.840.113549.1.7.1", "id-data"),
    ] {
        let sod = resigned(&doc, &mut p, oid);
        let pa = PassiveAuthentication::verify(&sod, &groups(&doc), &store_of(&p), &PaOptions::at(today()));
        assert_eq!(pa.verdict(), Verdict::Valid, "{oid}: {:?}", pa.checks());
        let c = pa.check(CheckName::SodContentType).unwrap();
        assert_eq!(c.status(), Status::Passed);
        assert!(c.reason().unwrap().contains(says) && c.reason().unwrap().contains("tolerated"), "{oid}: {c:?}");
    }
    // The ICAO type needs no note; an unknown one is refused.
    let pa = PassiveAuthentication::verify(
        &resigned(&doc, &mut p, "2.23.136.1.1.1"),
        &groups(&doc),
        &store_of(&p),
        &PaOptions::at(today()),
    );
    assert_eq!(pa.check(CheckName::SodContentType).unwrap().reason(), None);
    let pa = PassiveAuthentication::verify(
        &resigned(&doc, &mut p, "1.2.3.4"),
        &groups(&doc),
        &store_of(&p),
        &PaOptions::at(today()),
    );
    assert_eq!(pa.verdict(), Verdict::Invalid);
    assert_eq!(pa.check(CheckName::SodParsed).unwrap().status(), Status::Failed);
}

#[test]
fn an_sod_exported_without_its_tag_verifies_and_says_so() {
    let doc = VirtualDocument::specimen();
    let tagged = doc.file(LdsFile::Sod).unwrap();
    let bare = passchip::low_level::tlv::Tlv::parse_exact(tagged).unwrap().value.to_vec();
    assert_eq!(bare[0], 0x30);
    let mut store = TrustStore::new();
    store.add(doc.pki().unwrap().csca().clone(), TrustSource::File { path: "csca".into() });
    for (sod, bare_form) in [(tagged.to_vec(), false), (bare, true)] {
        let pa = PassiveAuthentication::verify(&sod, &groups(&doc), &store, &PaOptions::at(today()));
        assert_eq!(pa.verdict(), Verdict::Valid);
        let note = pa.check(CheckName::SodParsed).unwrap().reason().unwrap_or("").to_string();
        assert_eq!(note.contains("bare ContentInfo"), bare_form, "{note}");
    }
}

/// The DSC, the master-list signer, SignerInfos and CRLs name the CSCA in PrintableString
/// and upper case; its subject is UTF8String in mixed case. Same name, other bytes.
#[test]
fn names_encoded_otherwise_still_chain_anchor_and_revoke() {
    let doc = VirtualDocument::specimen();
    let mut p = pki(32).with_issuer_name_reencoded().unwrap();
    let (csca, dsc) = (p.csca().clone(), p.dsc().clone());
    assert_ne!(dsc.issuer_der(), csca.subject_der(), "the bytes differ");
    assert!(passchip::pki::name::names_match(dsc.issuer_name(), csca.subject_name()));
    // The master list signed by a signer whose issuer is written otherwise opens under its root.
    let ml = p.master_list(&[&csca], &[]).unwrap();
    MasterList::open(&ml, &csca, today()).unwrap();
    // Passive authentication anchors the DSC, and the CRL (issuer written otherwise) is its CSCA's.
    let sod = resigned(&doc, &mut p, "2.23.136.1.1.1");
    let mut store = store_of(&p);
    let pa = PassiveAuthentication::verify(&sod, &groups(&doc), &store, &PaOptions::at(today()));
    assert_eq!(pa.verdict(), Verdict::Valid, "{:?}", pa.checks());
    let crl = p.crl(&[&dsc], today(), Date::parse("2026-12-21").unwrap()).unwrap();
    store.add_crl(passchip::pki::Crl::from_der(&crl).unwrap());
    let pa = PassiveAuthentication::verify(&sod, &groups(&doc), &store, &PaOptions::at(today()));
    assert_eq!(pa.check(CheckName::DscNotRevoked).unwrap().status(), Status::Failed, "{:?}", pa.checks());
    assert_eq!(pa.verdict(), Verdict::Invalid);
}

#[cfg(feature = "trust-folder")]
#[test]
fn a_trust_folder_matches_crl_issuers_written_otherwise() {
    use passchip::pki::folder::{ImportOptions, TrustFolder};
    let mut p = pki(33).with_issuer_name_reencoded().unwrap();
    let dir = std::env::temp_dir().join(format!("passchip-field-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut folder = TrustFolder::open(&dir).unwrap();
    let options = ImportOptions::at(today()).allowing_test_pki(true);
    folder.import(p.csca().der(), "csca.der", None, &options).unwrap();
    let dsc = p.dsc().clone();
    let crl = p.crl(&[&dsc], today(), Date::parse("2026-12-21").unwrap()).unwrap();
    let r = folder.import(&crl, "csca.crl", None, &options).unwrap();
    assert_eq!((r.crls_added, r.refused.len()), (1, 0), "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Lithuanian DSCs state brainpoolP224r1 while their key and signatures are on P-224
/// (gmrtd#130): tolerated, only between standardized curves of the same size, and named.
#[test]
fn a_dsc_key_stated_on_the_wrong_curve_of_its_size_is_tolerated_and_named() {
    let doc = VirtualDocument::specimen();
    let scheme = SignatureScheme::Ecdsa { curve: NamedCurve::P224, explicit: true, hash: HashAlg::Sha224 };
    let base = || VirtualPki::generate(34, "SE", scheme, Validity::default()).unwrap();
    let mut p = base().with_dsc_curve_misstated(NamedCurve::BrainpoolP224r1).unwrap();
    assert!(p.dsc().public_key().is_err(), "the point is not on the curve the DSC states");
    let sod = resigned(&doc, &mut p, "2.23.136.1.1.1");
    let pa = PassiveAuthentication::verify(&sod, &groups(&doc), &store_of(&p), &PaOptions::at(today()));
    assert_eq!(pa.verdict(), Verdict::Valid, "{:?}", pa.checks());
    let why = pa.check(CheckName::SodSignature).unwrap().reason().unwrap().to_string();
    assert!(
        why.contains("tolerated issuer error") && why.contains("brainpoolP224r1") && why.contains("P-224"),
        "{why}"
    );
    // A curve of another size is no such error: the key is unusable and nothing verifies.
    let mut other = base().with_dsc_curve_misstated(NamedCurve::BrainpoolP256r1).unwrap();
    let sod = resigned(&doc, &mut other, "2.23.136.1.1.1");
    let pa = PassiveAuthentication::verify(&sod, &groups(&doc), &store_of(&other), &PaOptions::at(today()));
    assert_eq!(pa.verdict(), Verdict::Invalid);
    assert_eq!(pa.check(CheckName::SodSignature).unwrap().status(), Status::Failed);
    // An honest DSC needs no tolerance, and none is named.
    let mut honest = base();
    let sod = resigned(&doc, &mut honest, "2.23.136.1.1.1");
    let pa = PassiveAuthentication::verify(&sod, &groups(&doc), &store_of(&honest), &PaOptions::at(today()));
    assert_eq!(pa.verdict(), Verdict::Valid);
    assert!(!pa.check(CheckName::SodSignature).unwrap().reason().unwrap().contains("tolerated"));
}
