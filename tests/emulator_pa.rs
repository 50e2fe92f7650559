//! Passive authentication of our own virtual documents, signed by a PKI the emulator
//! generates for every scheme real documents use: read over BAC, then verified.
#![cfg(feature = "emulator")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use passchip::date::Date;
use passchip::emulator::{DocumentSpec, SignatureScheme, Validity, VirtualChip, VirtualDocument};
use passchip::lds::{DgNumber, LdsFile};
use passchip::low_level::crypto::ec::NamedCurve;
use passchip::low_level::crypto::hash::HashAlg;
use passchip::pki::pa::DgStatus;
use passchip::pki::{CheckName, Crl, PaOptions, PassiveAuthentication, Status, TrustSource, TrustStore, Verdict};
use passchip::reader::{ReadOptions, read_with_bac};
use passchip::transport::InProcess;

fn store_for(doc: &VirtualDocument) -> TrustStore {
    let mut s = TrustStore::new();
    s.add(doc.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    s
}

fn dgs_of(doc: &VirtualDocument) -> BTreeMap<DgNumber, Vec<u8>> {
    doc.files().filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((n, b.to_vec())) } else { None }).collect()
}

fn at() -> PaOptions {
    PaOptions::at(Date::parse("2026-11-21").unwrap())
}

fn verify(doc: &VirtualDocument, store: &TrustStore, options: &PaOptions) -> PassiveAuthentication {
    PassiveAuthentication::verify(doc.file(LdsFile::Sod).unwrap(), &dgs_of(doc), store, options)
}

#[test]
fn the_virtual_passport_read_over_bac_is_authentic() {
    let doc = VirtualDocument::specimen();
    let key = doc.mrz_key();
    let read = read_with_bac(InProcess::new(VirtualChip::new(doc.clone())), &key, ReadOptions::default()).unwrap();
    let dgs: BTreeMap<DgNumber, Vec<u8>> = read
        .files
        .iter()
        .filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((*n, b.clone())) } else { None })
        .collect();
    let r = PassiveAuthentication::verify(&read.files[&LdsFile::Sod], &dgs, &store_for(&doc), &at());
    assert_eq!(r.verdict(), Verdict::Valid, "{:#?}", r.checks());
    assert_eq!(r.check(CheckName::CountryConsistency).unwrap().reason(), Some("SWE = SE"));
    assert_eq!(r.document_expired(), Some(false));
    assert!(r.data_groups().iter().all(|d| d.status() == DgStatus::Matched));
    assert_eq!(r.signer().unwrap().key, "brainpoolP256r1 (explicit)");
}

#[test]
fn every_signature_scheme_verifies() {
    use HashAlg::*;
    let ec = |curve, explicit, hash| SignatureScheme::Ecdsa { curve, explicit, hash };
    let schemes = [
        SignatureScheme::RsaPkcs1(Sha256),
        SignatureScheme::RsaPkcs1(Sha1),
        SignatureScheme::RsaPss(Sha256),
        SignatureScheme::RsaPss(Sha512),
        ec(NamedCurve::P256, false, Sha256),
        ec(NamedCurve::P384, false, Sha384),
        ec(NamedCurve::P521, true, Sha512),
        ec(NamedCurve::P192, false, Sha1),
        ec(NamedCurve::BrainpoolP224r1, true, Sha224),
        ec(NamedCurve::BrainpoolP256r1, false, Sha256),
        ec(NamedCurve::BrainpoolP320r1, true, Sha256),
        ec(NamedCurve::BrainpoolP384r1, true, Sha384),
        ec(NamedCurve::BrainpoolP512r1, true, Sha512),
    ];
    for (i, scheme) in schemes.into_iter().enumerate() {
        let spec = DocumentSpec { signature: Some(scheme), seed: 100 + i as u64, ..DocumentSpec::specimen() };
        let doc = VirtualDocument::build(spec);
        assert!(doc.pki().is_some(), "{scheme:?}: PKI generation failed");
        let r = verify(&doc, &store_for(&doc), &at());
        assert_eq!(r.verdict(), Verdict::Valid, "{scheme:?}: {:#?}", r.checks());
    }
}

#[test]
fn a_revoked_dsc_fails_and_an_unrelated_crl_does_not_count() {
    let doc = VirtualDocument::specimen();
    let dsc = doc.pki().unwrap().dsc().clone();
    // The PKI is shared behind the document; build a second, identical one to issue CRLs.
    let mut pki = passchip::emulator::VirtualPki::generate(
        doc.spec().seed,
        "SE",
        doc.spec().signature.unwrap(),
        Validity::default(),
    )
    .unwrap();
    assert_eq!(pki.dsc(), &dsc, "PKI generation is deterministic");
    let day = |s| Date::parse(s).unwrap();
    let revoked = Crl::from_der(&pki.crl(&[&dsc], day("2026-01-01"), day("2027-01-01")).unwrap()).unwrap();
    let clean = Crl::from_der(&pki.crl(&[], day("2026-01-01"), day("2027-01-01")).unwrap()).unwrap();
    assert!(revoked.is_revoked(dsc.serial()));

    let mut store = store_for(&doc);
    store.add_crl(clean);
    let r = verify(&doc, &store, &at().with_required_crl(true));
    assert_eq!(r.check(CheckName::DscNotRevoked).unwrap().status(), Status::Passed);
    assert_eq!(r.verdict(), Verdict::Valid);

    store.add_crl(revoked);
    let r = verify(&doc, &store, &at());
    assert_eq!(r.check(CheckName::DscNotRevoked).unwrap().status(), Status::Failed);
    assert_eq!(r.verdict(), Verdict::Invalid);

    // A CRL from another CSCA of the same name does not verify and is ignored.
    let mut other =
        passchip::emulator::VirtualPki::generate(7, "SE", doc.spec().signature.unwrap(), Validity::default()).unwrap();
    let foreign = Crl::from_der(&other.crl(&[&dsc], day("2026-01-01"), day("2027-01-01")).unwrap()).unwrap();
    let mut store = store_for(&doc);
    store.add_crl(foreign);
    let r = verify(&doc, &store, &at().with_required_crl(true));
    assert_eq!(r.check(CheckName::DscNotRevoked).unwrap().status(), Status::NotPerformed);
    assert_eq!(r.verdict(), Verdict::Invalid, "a required CRL check that could not be made is not a pass");
}

#[test]
fn an_expired_dsc_and_an_expired_document() {
    let d = |y| Date { year: y, month: 1, day: 1 };
    let spec = DocumentSpec { date_of_expiry: "200101".into(), ..DocumentSpec::specimen() };
    let doc =
        VirtualDocument::build_with_validity(spec, Validity { csca: (d(2010), d(2049)), dsc: (d(2011), d(2021)) });
    let r = verify(&doc, &store_for(&doc), &at());
    assert_eq!(r.check(CheckName::DscValidity).unwrap().status(), Status::Failed);
    assert_eq!(r.document_expired(), Some(true));
    assert_eq!(r.verdict(), Verdict::Invalid);
    let then = verify(&doc, &store_for(&doc), &PaOptions::at(Date::parse("2019-06-01").unwrap()));
    assert_eq!(then.check(CheckName::DscValidity).unwrap().status(), Status::Passed);
    assert_eq!(then.document_expired(), Some(false));
}

#[test]
fn tampered_chip_data_is_caught() {
    let mut doc = VirtualDocument::specimen();
    let mut dg2 = doc.file(LdsFile::dg(2).unwrap()).unwrap().to_vec();
    let n = dg2.len();
    dg2[n - 100] ^= 0x40; // a pixel of the face
    doc.set_file(LdsFile::dg(2).unwrap(), dg2);
    let r = verify(&doc, &store_for(&doc), &at());
    assert_eq!(r.check(CheckName::DataGroupHashes).unwrap().status(), Status::Failed);
    assert_eq!(r.verdict(), Verdict::Invalid);
}

#[test]
fn a_document_from_another_country_than_its_certificates() {
    let spec = DocumentSpec { issuing_state: "NOR".into(), ..DocumentSpec::specimen() };
    let doc = VirtualDocument::build(spec);
    // The PKI follows the issuing state (NO); pin the document to Sweden instead.
    let r = verify(&doc, &store_for(&doc), &at().with_issuing_state("SWE"));
    assert_eq!(r.check(CheckName::CountryConsistency).unwrap().status(), Status::Failed);
}
