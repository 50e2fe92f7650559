//! Interop tests on fixtures we may read but not redistribute (JMRTD: LGPL-3.0,
//! OpenPACE: GPL-3.0), taken from `../shared/fixtures/external`. They are `#[ignore]`d so
//! `cargo test` passes on a plain clone; `.ci/run` runs them with `--ignored`, and they
//! fail loudly when the shared folder is missing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use passchip::lds::{DgNumber, Sod};
use passchip::low_level::crypto::sig::{self, AlgorithmId, SignatureAlgorithm};
use passchip::pki::Cert;

fn shared(path: &str) -> Vec<u8> {
    let base = std::env::var_os("PASSCHIP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    let full = base.join("fixtures/external").join(path);
    std::fs::read(&full).unwrap_or_else(|e| {
        panic!("interop fixture {} is missing ({e}); set PASSCHIP_SHARED to the shared folder", full.display())
    })
}

fn verify_sod(sod: &Sod) -> Cert {
    let sd = &sod.signed_data;
    let signer = &sd.signers[0];
    let digest = signer.digest_alg().unwrap();
    assert_eq!(signer.message_digest.as_deref(), Some(digest.digest(&sd.econtent).as_slice()));
    let dsc = Cert::from_der(&sd.certificates[0]).unwrap();
    let alg_t = passchip::low_level::tlv::Tlv::parse_exact(&signer.signature_algorithm).unwrap();
    let alg = SignatureAlgorithm::from_algorithm_id(&AlgorithmId::parse(alg_t).unwrap(), Some(digest)).unwrap();
    sig::verify(dsc.public_key().unwrap(), &alg, signer.signed_bytes(&sd.econtent), &signer.signature).unwrap();
    dsc
}

#[test]
#[ignore = "interop: needs ../shared (JMRTD samples, LGPL-3.0)"]
fn jmrtd_bsi2008_brainpool_p224_explicit_sha1() {
    let sod = Sod::parse(&shared("JMRTD/bsi2008/EF_SOD.bin")).unwrap();
    let dsc = verify_sod(&sod);
    assert_eq!(dsc.public_key().unwrap().describe(), "brainpoolP224r1 (explicit)");
    let so = &sod.security_object;
    assert_eq!(so.hash_alg, passchip::low_level::crypto::hash::HashAlg::Sha1);
    for n in [1u8, 2, 3, 14] {
        let content = shared(&format!("JMRTD/bsi2008/Datagroup{n}.bin"));
        assert_eq!(&so.hash_alg.digest(&content), &so.hashes[&DgNumber::new(n).unwrap()], "DG{n}");
    }
    assert!(!so.hashes.contains_key(&DgNumber::new(4).unwrap()), "DG4 is not hashed in this SOD");
}

#[test]
#[ignore = "interop: needs ../shared (JMRTD samples, LGPL-3.0)"]
fn jmrtd_loes2006_sha256_rsa() {
    let sod = Sod::parse(&shared("JMRTD/loes2006/ef011D.bin")).unwrap();
    verify_sod(&sod);
    let so = &sod.security_object;
    for (n, f) in [(1u8, "ef0101"), (2, "ef0102"), (15, "ef010F")] {
        let content = shared(&format!("JMRTD/loes2006/{f}.bin"));
        assert_eq!(&so.hash_alg.digest(&content), &so.hashes[&DgNumber::new(n).unwrap()], "DG{n}");
    }
}

#[test]
#[ignore = "interop: needs ../shared (OpenPACE, GPL-3.0)"]
fn openpace_german_id_card_security_chains_to_csca_013() {
    let raw = shared("openpace/cardsecurity/dan/EF_CardSecurity.bin");
    let sd = passchip::lds::cms::SignedData::parse(&raw).unwrap();
    assert_eq!(sd.econtent_type, passchip::low_level::oid::BSI_SECURITY_OBJECT);
    let signer = &sd.signers[0];
    let digest = signer.digest_alg().unwrap();
    let dsc = Cert::from_der(&sd.certificates[0]).unwrap();
    let alg_t = passchip::low_level::tlv::Tlv::parse_exact(&signer.signature_algorithm).unwrap();
    let alg = SignatureAlgorithm::from_algorithm_id(&AlgorithmId::parse(alg_t).unwrap(), Some(digest)).unwrap();
    sig::verify(dsc.public_key().unwrap(), &alg, signer.signed_bytes(&sd.econtent), &signer.signature).unwrap();
    let csca_files = std::fs::read_dir(
        std::env::var_os("PASSCHIP_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")))
            .join("fixtures/external/openpace/cardsecurity/dan"),
    )
    .unwrap();
    let csca_path =
        csca_files.filter_map(Result::ok).map(|e| e.path()).find(|p| p.to_string_lossy().contains("csca")).unwrap();
    let csca = Cert::from_der(&std::fs::read(csca_path).unwrap()).unwrap();
    dsc.verify_signed_by(csca.public_key().unwrap()).unwrap();
    assert_eq!(dsc.public_key().unwrap().describe(), "brainpoolP224r1 (explicit)");
}

#[test]
#[ignore = "interop: needs ../shared (OpenPACE samples, GPL-3.0)"]
fn openpace_card_access_files() {
    use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol, SecurityInfo, SecurityInfos};
    use passchip::reader::choose_pace;
    let parse = |f: &str| SecurityInfos::parse(&shared(&format!("openpace/{f}"))).unwrap();
    let gm = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes128 };
    // Trailing garbage after the SET is tolerated and counted.
    let new_card = parse("cardaccess/new_testcard_with_38B_trailing_garbage.bin");
    assert_eq!((new_card.trailing_bytes, choose_pace(&new_card)), (38, Some((gm, Some(13)))));
    let slovenia = parse("cardaccess/slovenia_trailing_bytes.bin");
    assert_eq!((slovenia.trailing_bytes, choose_pace(&slovenia)), (2, None), "CA infos only: a BAC document");
    // A card offering GM and CAM: CAM is chosen (it also proves the chip).
    let ca3 = parse("cardaccess/ca3.bin");
    assert_eq!(choose_pace(&ca3), Some((PaceProtocol { mapping: Mapping::Cam, ..gm }, Some(13))));
    assert_eq!(choose_pace(&parse("cardaccess/dan.bin")), Some((gm, Some(13))));
    // The BSI worked example's DH card: RFC 5114 group 0.
    let dh = parse("eac-worked-example/dh/EF_CardAccess.bin");
    assert_eq!(choose_pace(&dh), Some((PaceProtocol { key_agreement: KeyAgreement::Dh, ..gm }, Some(0))));
    // The old BSI test card: explicit brainpoolP256r1 under a bsiEckaDH OID, no parameter IDs.
    let old = parse("cardaccess/old_testcard.bin");
    let domain = old
        .infos
        .iter()
        .find_map(|i| match i {
            SecurityInfo::PaceDomainParameters { domain_parameter, .. } => Some(domain_parameter.clone()),
            _ => None,
        })
        .unwrap();
    assert!(passchip::low_level::access::pace::explicit_supported(gm, &domain));
    // No parameter ID on either side, one set of parameters: PACE on those, no reference
    // in MSE:Set AT (ICAO 9303-11 §9.2.1).
    assert_eq!(old.pace_domain_parameters(None), Some(domain.as_slice()));
    assert_eq!(choose_pace(&old), Some((gm, None)));
}

#[test]
#[ignore = "interop: needs ../shared (JMRTD samples, LGPL-3.0)"]
fn jmrtd_dg14_with_a_pkcs3_dh_chip_authentication_key() {
    use passchip::lds::Dg14;
    use passchip::lds::security_infos::{Cipher, KeyAgreement};
    use passchip::low_level::chip_auth::ChipPublicKey;
    let dg14 = Dg14::parse(&shared("JMRTD/doc9303/spec_sample_encoded_dg14.bin")).unwrap();
    let options = dg14.infos.chip_authentication();
    assert_eq!(options.len(), 1);
    assert_eq!(options[0].protocol.key_agreement, KeyAgreement::Dh);
    assert_eq!(options[0].protocol.cipher, Cipher::Tdes);
    // dhKeyAgreement { p, g, l } without q: usable, range-checked only.
    let key = ChipPublicKey::from_spki(&options[0].public_key).unwrap();
    assert_eq!(key.describe(), "DH-1024");
}

#[test]
#[ignore = "interop: needs ../shared (OpenPACE, GPL-3.0)"]
fn openpace_eac_worked_example_card_security() {
    use passchip::lds::CardSecurity;
    use passchip::low_level::chip_auth::ChipPublicKey;
    for (variant, key) in [("ecdh", "brainpoolP256r1"), ("dh", "DH-1024")] {
        let cs = CardSecurity::parse(&shared(&format!("openpace/eac-worked-example/{variant}/EF_CardSecurity.bin")))
            .unwrap_or_else(|e| panic!("{variant}: {e}"));
        let keys: Vec<_> = cs.infos.chip_authentication_keys().collect();
        assert!(!keys.is_empty(), "{variant}");
        let k = ChipPublicKey::from_spki(keys[0].1).unwrap_or_else(|e| panic!("{variant}: {e}"));
        assert_eq!(k.describe(), key);
    }
}

#[test]
#[ignore = "interop: needs ../shared (JMRTD samples, LGPL-3.0)"]
fn jmrtd_face_records_parse_and_their_jpeg2000_portraits_export() {
    use passchip::lds::face::{Dg2, FaceStandard, ImageFormat};
    for file in ["JMRTD/loes2006/ef0102.bin", "JMRTD/bsi2008/Datagroup2.bin"] {
        let bytes = shared(file);
        let dg2 = Dg2::parse(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let face = dg2.portrait().unwrap();
        assert_eq!((face.standard, face.format), (FaceStandard::Iso19794_5_2005, ImageFormat::Jp2), "{file}");
        #[cfg(feature = "portrait")]
        {
            let pixels = passchip::lds::portrait::decode(face.data).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(pixels.width > 200 && pixels.height > 200, "{file}: {pixels:?}");
            assert!(passchip::lds::portrait::to_png(face.data).unwrap().starts_with(b"\x89PNG"));
        }
    }
}
