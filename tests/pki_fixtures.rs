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
    assert_eq!(
        dsc.verify_signed_by(other.public_key().unwrap()),
        Err(passchip::low_level::crypto::sig::SigError::Invalid)
    );
    let ec_csca = Cert::from_der(&fixture("gmrtd/doc/DE/CSCA.der")).unwrap();
    assert!(matches!(
        dsc.verify_signed_by(ec_csca.public_key().unwrap()),
        Err(passchip::low_level::crypto::sig::SigError::KeyMismatch { .. })
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
        let outer = passchip::low_level::tlv::Tlv::parse_exact(&der).unwrap();
        let tbs = outer.children().next().unwrap().unwrap();
        let pos = tbs.offset + tbs.raw.len() - 1;
        der[pos] ^= 0x01;
        let dsc = Cert::from_der(&der).unwrap_or_else(|e| panic!("{cc}: tampered DSC no longer parses: {e}"));
        assert_eq!(
            dsc.verify_signed_by(csca.public_key().unwrap()),
            Err(passchip::low_level::crypto::sig::SigError::Invalid),
            "{cc} accepted a tampered certificate"
        );
    }
}

use passchip::lds::{DgNumber, Sod};
use passchip::low_level::crypto::hash::HashAlg;
use passchip::low_level::crypto::sig::{self, AlgorithmId, SignatureAlgorithm};

/// Checks a SOD's CMS signature with the DSC embedded in it; returns the DSC.
fn verify_sod_signature(sod: &Sod) -> Cert {
    let sd = &sod.signed_data;
    assert_eq!(sd.signers.len(), 1);
    let signer = &sd.signers[0];
    let digest = signer.digest_alg().expect("digest algorithm");
    assert_eq!(signer.message_digest.as_deref(), Some(digest.digest(&sd.econtent).as_slice()), "messageDigest");
    assert_eq!(signer.content_type, Some(sd.econtent_type), "contentType attribute");
    let dsc = Cert::from_der(&sd.certificates[0]).unwrap();
    let alg_t = passchip::low_level::tlv::Tlv::parse_exact(&signer.signature_algorithm).unwrap();
    let alg = SignatureAlgorithm::from_algorithm_id(&AlgorithmId::parse(alg_t).unwrap(), Some(digest)).unwrap();
    sig::verify(dsc.public_key().unwrap(), &alg, signer.signed_bytes(&sd.econtent), &signer.signature)
        .unwrap_or_else(|e| panic!("{e} ({alg})"));
    dsc
}

#[test]
fn every_gmrtd_sod_verifies_with_its_dsc() {
    for cc in ["AT", "AU", "CN", "DE", "FI", "FR", "ID", "MY", "NZ", "PH", "RU", "SG", "UK", "US"] {
        let sod = Sod::parse(&fixture(&format!("gmrtd/doc/{cc}/EF_SOD.bin"))).unwrap_or_else(|e| panic!("{cc}: {e}"));
        let dsc = verify_sod_signature(&sod);
        if cc != "ID" {
            assert_eq!(dsc.der(), fixture(&format!("gmrtd/doc/{cc}/DSC.der")).as_slice(), "{cc}: embedded DSC");
        }
        assert!(sod.security_object.hashes.contains_key(&DgNumber::new(1).unwrap()), "{cc}");
        assert_eq!(sod.signed_data.was_ber, cc == "NZ", "{cc}: BER");
        assert_eq!(sod.has_icao_content_type(), cc != "CN", "{cc}: eContentType");
    }
}

#[test]
fn data_group_hashes_match_the_fixture_files() {
    let cases = [
        ("gmrtd/doc/AT/EF_SOD.bin", vec![(14, "gmrtd/doc/AT/EF_DG14.bin")], HashAlg::Sha256),
        ("gmrtd/doc/FI/EF_SOD.bin", vec![(14, "gmrtd/doc/FI/EF_DG14.bin")], HashAlg::Sha512),
        ("gmrtd/doc/NZ/EF_SOD.bin", vec![(15, "gmrtd/doc/NZ/EF_DG15.bin")], HashAlg::Sha256),
    ];
    for (sod_path, dgs, alg) in cases {
        let sod = Sod::parse(&fixture(sod_path)).unwrap();
        assert_eq!(sod.security_object.hash_alg, alg);
        for (n, path) in dgs {
            let expected = &sod.security_object.hashes[&DgNumber::new(n).unwrap()];
            assert_eq!(&alg.digest(&fixture(path)), expected, "{path}");
        }
    }
}

#[test]
fn bsi_tr03105_reference_dataset() {
    let dir = "icao-9303/bsi-tr03105-5-referencedataset";
    let sod = Sod::parse(&fixture(&format!("{dir}/EF_SOD.bin"))).unwrap();
    let dsc = verify_sod_signature(&sod);
    assert!(dsc.public_key().unwrap().describe().starts_with("RSA-2048"));
    for n in [1u8, 2, 3, 4, 14] {
        let content = fixture(&format!("{dir}/Datagroup{n}.bin"));
        let expected = &sod.security_object.hashes[&DgNumber::new(n).unwrap()];
        assert_eq!(&sod.security_object.hash_alg.digest(&content), expected, "DG{n}");
    }
    // DG15 is on the chip but not covered by this SOD.
    assert!(!sod.security_object.hashes.contains_key(&DgNumber::new(15).unwrap()));
}

#[test]
fn indonesian_sod_dsc_chains_to_the_2020_csca() {
    let sod = Sod::parse(&fixture("gmrtd/doc/ID/EF_SOD.bin")).unwrap();
    let dsc = verify_sod_signature(&sod);
    let csca = Cert::from_der(&fixture("gmrtd/masterlist/IDN_2010_SERIES_CSCA_CERT/2020-10_CSCA.cer")).unwrap();
    dsc.verify_signed_by(csca.public_key().unwrap()).unwrap();
}

use passchip::pki::{Anchoring, MasterList, MasterListError};

/// A date both fixture master lists and their signers are valid on.
fn ml_date() -> passchip::date::Date {
    passchip::date::Date::parse("2026-08-01").unwrap()
}

#[test]
fn german_master_list_verifies_against_its_root_and_holds_every_csca() {
    let root = Cert::from_der(&fixture("gmrtd/masterlist/DE_ROOT_CA_CSCA07.cer")).unwrap();
    let ml = MasterList::open(&fixture("gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml"), &root, ml_date()).unwrap();
    assert_eq!(ml.certificates.len() + ml.rejected.len(), 588, "rejected: {:?}", ml.rejected);
    assert!(ml.rejected.is_empty(), "{:?}", ml.rejected);
    assert!(matches!(ml.anchoring, Anchoring::Root { .. }));
    assert!(ml.signer.subject().contains("CSCA Master List Signer"));
    for cc in ISSUERS {
        let csca = fixture(&format!("gmrtd/doc/{cc}/CSCA.der"));
        assert!(ml.certificates.iter().any(|c| c.der() == csca.as_slice()), "{cc} CSCA not in the DE master list");
    }
    // Every key in the list can be used: RSA up to 6144 bits, explicit EC parameters, e = 3.
    let unusable: Vec<String> =
        ml.certificates.iter().filter(|c| c.public_key().is_err()).map(|c| c.subject()).collect();
    assert!(unusable.is_empty(), "{unusable:?}");
}

#[test]
fn dutch_master_list_and_the_wrong_root() {
    let nl_root = Cert::from_der(&fixture("gmrtd/masterlist/NL_ROOT_CA.cer")).unwrap();
    let nl = MasterList::open(&fixture("gmrtd/masterlist/NL_ML_2026-07-22.ml"), &nl_root, ml_date()).unwrap();
    assert_eq!(nl.certificates.len() + nl.rejected.len(), 411);
    let de = fixture("gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml");
    assert!(matches!(MasterList::open(&de, &nl_root, ml_date()), Err(MasterListError::NotIssuedByRoot { .. })));
}

#[test]
fn master_list_without_root_is_not_anchored() {
    let de = fixture("gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml");
    // Refused without a root; by explicit request, accepted and said to be not anchored.
    assert_eq!(
        passchip::pki::TrustStore::new()
            .add_master_list(
                &de,
                &Cert::from_der(&fixture("gmrtd/masterlist/NL_ROOT_CA.cer")).unwrap(),
                "DE",
                ml_date()
            )
            .unwrap_err(),
        MasterListError::NotIssuedByRoot {
            signer: MasterList::open_unanchored(&de, ml_date()).unwrap().signer.subject(),
            root: Cert::from_der(&fixture("gmrtd/masterlist/NL_ROOT_CA.cer")).unwrap().subject(),
        }
    );
    let ml = MasterList::open_unanchored(&de, ml_date()).unwrap();
    match ml.anchoring {
        Anchoring::NotAnchored { issuer } => assert!(issuer.contains("csca-germany"), "{issuer}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tampered_master_list_is_refused() {
    let mut de = fixture("gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml");
    let root = Cert::from_der(&fixture("gmrtd/masterlist/DE_ROOT_CA_CSCA07.cer")).unwrap();
    // Flip a byte in the middle of the certificate list (inside the signed eContent).
    let mid = de.len() / 2;
    de[mid] ^= 0x01;
    assert!(matches!(
        MasterList::open(&de, &root, ml_date()),
        Err(MasterListError::Signature(_) | MasterListError::Malformed(_))
    ));
}

fn pem(der: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).unwrap()).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}

#[test]
fn trust_store_loads_a_folder_of_der_and_pem_certificates() {
    let dir = std::env::temp_dir().join(format!("passchip-cscas-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("at.der"), fixture("gmrtd/doc/AT/CSCA.der")).unwrap();
    std::fs::write(dir.join("fr.pem"), pem(&fixture("gmrtd/doc/FR/CSCA.der"))).unwrap();
    // Two certificates in one PEM file, and a file that is ignored by its extension.
    let both = format!("{}{}", pem(&fixture("gmrtd/doc/US/CSCA.der")), pem(&fixture("gmrtd/doc/NZ/CSCA.der")));
    std::fs::write(dir.join("us-nz.crt"), both).unwrap();
    std::fs::write(dir.join("README.txt"), "not a certificate").unwrap();
    let mut store = passchip::pki::TrustStore::new();
    assert_eq!(store.add_path(&dir).unwrap(), 4);
    assert_eq!(store.add_path(&dir).unwrap(), 0, "duplicates are not added twice");
    let fr_dsc = Cert::from_der(&fixture("gmrtd/doc/FR/DSC.der")).unwrap();
    let candidates = store.issuer_candidates(&fr_dsc);
    assert_eq!(candidates.len(), 1);
    fr_dsc.verify_signed_by(candidates[0].cert.public_key().unwrap()).unwrap();
    std::fs::write(dir.join("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
    assert!(store.add_path(&dir).is_err(), "a broken certificate file is an error, not skipped");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A PEM certificate keeps the DER its block carries, byte for byte: its signature is
/// checked over those bytes, not over a re-encoding (for every fixture CSCA, and for a
/// block with text printed around it).
#[test]
fn pem_certificates_keep_their_original_der() {
    for cc in ISSUERS {
        let der = fixture(&format!("gmrtd/doc/{cc}/CSCA.der"));
        let text = format!("Certificate: {cc}\n  (as a tool prints it)\n{}", pem(&der));
        let certs = Cert::from_der_or_pem(text.as_bytes()).unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].der(), der.as_slice(), "{cc}");
    }
}
