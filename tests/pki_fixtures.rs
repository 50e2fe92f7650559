//! Passive-authentication building blocks against real documents' PKI (gmrtd, MIT,
//! fixtures/external/gmrtd: 14 issuers' DSC and CSCA) and the BSI TR-03105-5 dataset.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::pki::Cert;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/external/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const ISSUERS: [&str; 13] = ["AT", "AU", "CN", "DE", "FI", "FR", "MY", "NZ", "PH", "RU", "SG", "UK", "US"];

#[test]
fn every_dsc_is_signed_by_its_csca() {
    for cc in ISSUERS {
        let dsc = Cert::from_der(&fixture(&format!("gmrtd/doc/{cc}/DSC.der"))).unwrap();
        let csca = Cert::from_der(&fixture(&format!("gmrtd/doc/{cc}/CSCA.der"))).unwrap();
        let key = csca.public_key().unwrap_or_else(|e| panic!("{cc} CSCA key: {e}"));
        dsc.verify_signed_by(key).unwrap_or_else(|e| panic!("{cc}: {e} ({})", dsc.signature_algorithm().unwrap()));
        assert_eq!(dsc.issuer_name(), csca.subject_name(), "{cc}");
        assert!(dsc.public_key().is_ok(), "{cc} DSC key");
    }
}

#[test]
fn indonesian_dsc_and_link_chain() {
    let dir = "gmrtd/masterlist/IDN_2010_SERIES_CSCA_CERT";
    let c2010 = Cert::from_der(&fixture(&format!("{dir}/2010-12_CSCA.cer"))).unwrap();
    let link2016 = Cert::from_der(&fixture(&format!("{dir}/2016-01_CSCA_LINK.cer"))).unwrap();
    let c2016 = Cert::from_der(&fixture(&format!("{dir}/2016-01_CSCA.cer"))).unwrap();
    let link2020 = Cert::from_der(&fixture(&format!("{dir}/2020-10_CSCA_LINK.cer"))).unwrap();
    let c2020 = Cert::from_der(&fixture(&format!("{dir}/2020-10_CSCA.cer"))).unwrap();
    link2016.verify_signed_by(c2010.public_key().unwrap()).unwrap();
    link2020.verify_signed_by(c2016.public_key().unwrap()).unwrap();
    c2020.verify_signed_by(c2020.public_key().unwrap()).unwrap();
    assert!(c2020.is_self_issued());
}

#[test]
fn a_dsc_does_not_verify_under_another_csca() {
    let dsc = Cert::from_der(&fixture("gmrtd/doc/FR/DSC.der")).unwrap();
    let other = Cert::from_der(&fixture("gmrtd/doc/US/CSCA.der")).unwrap();
    assert_eq!(dsc.verify_signed_by(other.public_key().unwrap()), Err(passchip::crypto::sig::SigError::Invalid));
    let ec_csca = Cert::from_der(&fixture("gmrtd/doc/DE/CSCA.der")).unwrap();
    assert!(matches!(
        dsc.verify_signed_by(ec_csca.public_key().unwrap()),
        Err(passchip::crypto::sig::SigError::KeyMismatch { .. })
    ));
}

#[test]
fn keys_are_described() {
    let de = Cert::from_der(&fixture("gmrtd/doc/DE/CSCA.der")).unwrap();
    assert_eq!(de.public_key().unwrap().describe(), "brainpoolP512r1 (explicit)");
    let au = Cert::from_der(&fixture("gmrtd/doc/AU/CSCA.der")).unwrap();
    assert_eq!(au.public_key().unwrap().describe(), "RSA-4096");
    assert_eq!(au.subject_country().as_deref(), Some("AU"));
}

#[test]
fn tampered_certificates_fail_on_every_key_type() {
    for cc in ["DE", "FI", "AT", "UK", "RU", "MY", "AU"] {
        let mut der = fixture(&format!("gmrtd/doc/{cc}/DSC.der"));
        let csca = Cert::from_der(&fixture(&format!("gmrtd/doc/{cc}/CSCA.der"))).unwrap();
        // Flip a bit in the last byte of tbsCertificate (inside an extension value), which still parses.
        let outer = passchip::tlv::Tlv::parse_exact(&der).unwrap();
        let tbs = outer.children().next().unwrap().unwrap();
        let pos = tbs.offset + tbs.raw.len() - 1;
        der[pos] ^= 0x01;
        let dsc = Cert::from_der(&der).unwrap_or_else(|e| panic!("{cc}: tampered DSC no longer parses: {e}"));
        assert_eq!(
            dsc.verify_signed_by(csca.public_key().unwrap()),
            Err(passchip::crypto::sig::SigError::Invalid),
            "{cc} accepted a tampered certificate"
        );
    }
}
