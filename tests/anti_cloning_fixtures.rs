//! Real DG14, DG15 and EF.CardSecurity files parse and their keys are usable (gmrtd
//! samples read from real documents, and the BSI TR-03105 reference dataset; MIT, in
//! fixtures/external with provenance).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::date::Date;
use passchip::lds::security_infos::{Cipher, KeyAgreement};
use passchip::lds::{CardSecurity, Dg14, Dg15};
use passchip::low_level::chip_auth::{CaProtocol, ChipPublicKey};
use passchip::low_level::crypto::sig::PublicKey;
use passchip::pki::{Cert, PaOptions, PassiveAuthentication, TrustSource, TrustStore, Verdict};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/external/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn gmrtd_dg14_samples() {
    for (country, cipher, key) in [
        ("AT", Cipher::Aes128, "brainpoolP256r1"),
        ("FI", Cipher::Aes256, "brainpoolP384r1"),
        ("MY", Cipher::Tdes, "brainpoolP256r1"),
    ] {
        let dg14 = Dg14::parse(&fixture(&format!("gmrtd/doc/{country}/EF_DG14.bin"))).unwrap();
        let options = dg14.infos.chip_authentication();
        assert_eq!(options.len(), 1, "{country}");
        let o = &options[0];
        assert_eq!(o.protocol, CaProtocol { key_agreement: KeyAgreement::Ecdh, cipher }, "{country}");
        assert!(!o.implied);
        let k = ChipPublicKey::from_spki(&o.public_key).unwrap();
        assert_eq!(k.describe(), key, "{country}");
        assert_eq!(k.key_agreement(), KeyAgreement::Ecdh);
    }
}

#[test]
fn gmrtd_nz_dg15_is_an_rsa_key() {
    let dg15 = Dg15::parse(&fixture("gmrtd/doc/NZ/EF_DG15.bin")).unwrap();
    let key = PublicKey::from_spki(&dg15.public_key).unwrap();
    assert!(matches!(key, PublicKey::Rsa(_)), "{key:?}");
}

#[test]
fn gmrtd_card_security_samples_parse_and_verify() {
    for country in ["DE", "FI"] {
        let bytes = fixture(&format!("gmrtd/doc/{country}/EF_CardSecurity.bin"));
        let cs = CardSecurity::parse(&bytes).unwrap();
        let keys: Vec<_> = cs.infos.chip_authentication_keys().collect();
        assert!(!keys.is_empty(), "{country}");
        for (_, spki) in keys {
            let k = ChipPublicKey::from_spki(spki).unwrap_or_else(|e| panic!("{country}: {e}"));
            assert_eq!(k.key_agreement(), KeyAgreement::Ecdh, "{country}");
            assert!(k.describe().starts_with("brainpoolP"), "{country}: {}", k.describe());
        }
        // Its signature chains to the country's CSCA (the gmrtd sample set's).
        let mut store = TrustStore::new();
        let csca = Cert::from_der_or_pem(&fixture(&format!("gmrtd/doc/{country}/CSCA.der"))).unwrap();
        for c in csca {
            store.add(c, TrustSource::File { path: country.into() });
        }
        let pa = PassiveAuthentication::verify_card_security(
            &bytes,
            &store,
            &PaOptions::at(Date::parse("2024-06-01").unwrap()),
        );
        let sig = pa.check(passchip::pki::CheckName::SodSignature).unwrap();
        assert_eq!(sig.status(), passchip::pki::Status::Passed, "{country}: {:?}", pa.checks());
        let trusted = pa.check(passchip::pki::CheckName::DscTrusted).unwrap();
        assert_eq!(trusted.status(), passchip::pki::Status::Passed, "{country}: {:?}", pa.checks());
        assert_eq!(pa.verdict(), Verdict::Valid, "{country}: {:?}", pa.checks());
    }
}

#[test]
fn bsi_reference_dataset_dg14_and_dg15() {
    let dir = "icao-9303/bsi-tr03105-5-referencedataset";
    let dg14 = Dg14::parse(&fixture(&format!("{dir}/Datagroup14.bin"))).unwrap();
    let options = dg14.infos.chip_authentication();
    assert!(!options.is_empty());
    let key = ChipPublicKey::from_spki(&options[0].public_key).unwrap();
    assert_eq!(key.describe(), "brainpoolP224r1");
    assert_eq!(options[0].public_key, fixture(&format!("{dir}/DG14_pk.bin")));
    let dg15 = Dg15::parse(&fixture(&format!("{dir}/Datagroup15.bin"))).unwrap();
    assert_eq!(dg15.public_key, fixture(&format!("{dir}/DG15_pk.bin")));
    assert_eq!(PublicKey::from_spki(&dg15.public_key).unwrap().describe(), "RSA-1024");
}

#[test]
fn hostile_files_are_typed_errors() {
    assert!(Dg14::parse(&[0x6E, 0x02, 0x31, 0x00]).unwrap().infos.chip_authentication().is_empty());
    assert!(Dg14::parse(&[0x6F, 0x00]).is_err());
    assert!(Dg15::parse(&[0x6F, 0x02, 0x04, 0x00]).is_err());
    assert!(Dg15::parse(&[0x6F, 0x03, 0x30, 0x01]).is_err());
    assert!(CardSecurity::parse(&[0x30, 0x00]).is_err());
    assert!(ChipPublicKey::from_spki(&[0x30, 0x00]).is_err());
}
