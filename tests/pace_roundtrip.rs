//! PACE against the virtual chip: every standardized curve, every cipher, MRZ and CAN,
//! wrong passwords, PACE-only chips, and the BAC fallback that must be reported.
#![cfg(feature = "emulator")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::emulator::{ChipProfile, DocumentSpec, VirtualChip, VirtualDocument};
use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use passchip::low_level::access::pace::PasswordKind;
use passchip::low_level::access::{AccessError, AccessProtocol};
use passchip::low_level::sm::SuiteKind;
use passchip::reader::{AccessPolicy, Credentials, ReadOptions, SessionError, read_document};
use passchip::transport::{InProcess, Transport, TransportError};

fn doc(cipher: Cipher, param: u32) -> VirtualDocument {
    doc_with(KeyAgreement::Ecdh, cipher, param)
}

fn doc_with(key_agreement: KeyAgreement, cipher: Cipher, param: u32) -> VirtualDocument {
    doc_mapped(key_agreement, Mapping::Gm, cipher, param)
}

fn doc_mapped(key_agreement: KeyAgreement, mapping: Mapping, cipher: Cipher, param: u32) -> VirtualDocument {
    let protocol = PaceProtocol { key_agreement, mapping, cipher };
    // The SOD signature is not what these tests are about: keep document builds fast.
    VirtualDocument::build(DocumentSpec { pace: Some((protocol, param)), signature: None, ..DocumentSpec::specimen() })
}

fn can(doc: &VirtualDocument) -> Credentials {
    Credentials::Can { can: zeroize::Zeroizing::new(doc.spec().can.clone()), mrz: None }
}

fn assert_complete(read: &passchip::reader::DocumentRead, doc: &VirtualDocument) {
    for (f, content) in doc.files() {
        assert_eq!(read.files.get(&f).map(Vec::as_slice), Some(content), "{f}");
    }
}

#[test]
fn the_specimen_opens_with_pace_by_default() {
    let d = VirtualDocument::specimen();
    let read = read_document(
        InProcess::new(VirtualChip::new(d.clone())),
        &Credentials::Mrz(d.mrz_key()),
        ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(read.access, AccessProtocol::Pace);
    assert_eq!(read.suite, SuiteKind::Aes128);
    let pace = read.pace.clone().unwrap();
    assert_eq!(pace.parameter_id, Some(13));
    assert_eq!(pace.password, PasswordKind::Mrz);
    assert!(read.bac_fallback.is_none());
    assert_complete(&read, &d);
}

#[test]
fn every_standardized_curve() {
    let ciphers = [Cipher::Aes128, Cipher::Aes256, Cipher::Tdes, Cipher::Aes192];
    for (i, param) in (8u32..=18).enumerate() {
        let cipher = ciphers[i % ciphers.len()];
        let d = doc(cipher, param);
        let read = read_document(
            InProcess::new(VirtualChip::new(d.clone())),
            &Credentials::Mrz(d.mrz_key()),
            ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("curve {param}, {cipher:?}: {e}"));
        assert_eq!(read.pace.as_ref().unwrap().parameter_id, Some(param));
        assert_complete(&read, &d);
    }
}

#[test]
fn every_standardized_dh_group_with_mrz_and_can() {
    // RFC 5114 groups 0 (1024/160), 1 (2048/224), 2 (2048/256); every cipher appears.
    for (param, cipher) in [(0, Cipher::Tdes), (1, Cipher::Aes192), (2, Cipher::Aes256), (0, Cipher::Aes128)] {
        let d = doc_with(KeyAgreement::Dh, cipher, param);
        for creds in [Credentials::Mrz(d.mrz_key()), can(&d)] {
            let read = read_document(InProcess::new(VirtualChip::new(d.clone())), &creds, ReadOptions::default())
                .unwrap_or_else(|e| panic!("DH group {param}, {cipher:?}: {e}"));
            let pace = read.pace.clone().unwrap();
            assert_eq!((pace.protocol.key_agreement, pace.parameter_id), (KeyAgreement::Dh, Some(param)));
            assert_complete(&read, &d);
        }
    }
    let d = doc_with(KeyAgreement::Dh, Cipher::Aes128, 2);
    let wrong = Credentials::Can { can: zeroize::Zeroizing::new("000000".into()), mrz: None };
    assert!(matches!(
        read_document(InProcess::new(VirtualChip::new(d)), &wrong, ReadOptions::default()),
        Err(SessionError::Access(AccessError::WrongPassword { password: PasswordKind::Can, .. }))
    ));
}

#[test]
fn chip_authentication_mapping_proves_the_static_key() {
    for (param, cipher) in [(13, Cipher::Aes128), (12, Cipher::Aes192), (17, Cipher::Aes256), (15, Cipher::Aes128)] {
        let d = doc_mapped(KeyAgreement::Ecdh, Mapping::Cam, cipher, param);
        let (_, pk_ic) = d.chip_authentication_key().unwrap();
        for creds in [Credentials::Mrz(d.mrz_key()), can(&d)] {
            let read = read_document(InProcess::new(VirtualChip::new(d.clone())), &creds, ReadOptions::default())
                .unwrap_or_else(|e| panic!("CAM {param}, {cipher:?}: {e}"));
            let pace = read.pace.clone().unwrap();
            assert_eq!(pace.protocol.mapping, Mapping::Cam);
            let cam = pace.cam.expect("CAM evidence");
            cam.verify(&pk_ic).unwrap();
            // Another document's chip key does not fit: a cloned chip cannot pass.
            let other = doc_mapped(KeyAgreement::Ecdh, Mapping::Cam, cipher, param);
            let other = VirtualDocument::build(DocumentSpec { seed: 99, ..other.spec().clone() });
            assert!(cam.verify(&other.chip_authentication_key().unwrap().1).is_err());
            assert_complete(&read, &d);
        }
    }
}

#[test]
fn integrated_mapping_on_curves_and_groups() {
    for (ka, param, cipher) in [
        (KeyAgreement::Ecdh, 13, Cipher::Aes128),
        (KeyAgreement::Ecdh, 8, Cipher::Tdes),
        (KeyAgreement::Ecdh, 17, Cipher::Aes128),
        (KeyAgreement::Ecdh, 18, Cipher::Tdes),
        (KeyAgreement::Ecdh, 16, Cipher::Aes192),
        (KeyAgreement::Ecdh, 12, Cipher::Aes256),
        (KeyAgreement::Dh, 0, Cipher::Tdes),
        (KeyAgreement::Dh, 2, Cipher::Aes128),
        (KeyAgreement::Dh, 1, Cipher::Aes256),
        (KeyAgreement::Dh, 0, Cipher::Aes192),
    ] {
        let d = doc_mapped(ka, Mapping::Im, cipher, param);
        for creds in [Credentials::Mrz(d.mrz_key()), can(&d)] {
            let read = read_document(InProcess::new(VirtualChip::new(d.clone())), &creds, ReadOptions::default())
                .unwrap_or_else(|e| panic!("IM {ka:?} {param}, {cipher:?}: {e}"));
            let pace = read.pace.clone().unwrap();
            assert_eq!((pace.protocol.mapping, pace.parameter_id), (Mapping::Im, Some(param)));
            assert_complete(&read, &d);
        }
    }
    // A wrong password gives another generator, so the tokens fail.
    let d = doc_mapped(KeyAgreement::Ecdh, Mapping::Im, Cipher::Aes128, 13);
    let wrong = Credentials::Can { can: zeroize::Zeroizing::new("000000".into()), mrz: None };
    assert!(matches!(
        read_document(InProcess::new(VirtualChip::new(d)), &wrong, ReadOptions::default()),
        Err(SessionError::Access(AccessError::WrongPassword { password: PasswordKind::Can, .. }))
    ));
}

#[test]
fn explicit_domain_parameters_under_a_proprietary_id() {
    for (ka, mapping, group, cipher) in [
        (KeyAgreement::Ecdh, Mapping::Gm, 13, Cipher::Aes128),
        (KeyAgreement::Ecdh, Mapping::Gm, 14, Cipher::Aes256),
        (KeyAgreement::Ecdh, Mapping::Im, 12, Cipher::Aes128),
        (KeyAgreement::Ecdh, Mapping::Cam, 15, Cipher::Aes192),
        (KeyAgreement::Dh, Mapping::Gm, 1, Cipher::Aes128),
    ] {
        let protocol = PaceProtocol { key_agreement: ka, mapping, cipher };
        let d = VirtualDocument::build(DocumentSpec {
            pace: Some((protocol, 32)),
            pace_explicit: Some(group),
            signature: None,
            ..DocumentSpec::specimen()
        });
        let infos = passchip::lds::security_infos::SecurityInfos::parse(d.card_access().unwrap()).unwrap();
        assert!(infos.pace_domain_parameters(Some(32)).is_some());
        assert!(infos.pace_domain_parameters(None).is_none(), "the set has an ID: no unreferenced set");
        let read = read_document(InProcess::new(VirtualChip::new(d.clone())), &can(&d), ReadOptions::default())
            .unwrap_or_else(|e| panic!("explicit {ka:?} {mapping:?} {group}: {e}"));
        let pace = read.pace.clone().unwrap();
        assert_eq!((pace.protocol, pace.parameter_id), (protocol, Some(32)));
        if mapping == Mapping::Cam {
            pace.cam.unwrap().verify(&d.chip_authentication_key().unwrap().1).unwrap();
        }
        assert_complete(&read, &d);
    }
}

/// A chip with one set of explicit domain parameters and no parameterId anywhere (ICAO
/// 9303-11 §9.2.1 allows it; the old BSI test card does it): PACE runs on those parameters
/// and MSE:Set AT carries no reference, which this chip insists on.
#[test]
fn explicit_domain_parameters_without_a_parameter_id() {
    use passchip::lds::security_infos::SecurityInfos;
    for (ka, mapping, group, cipher) in [
        // The old BSI test card: brainpoolP256r1, Generic Mapping, AES-128.
        (KeyAgreement::Ecdh, Mapping::Gm, 13, Cipher::Aes128),
        (KeyAgreement::Ecdh, Mapping::Gm, 14, Cipher::Aes256),
        (KeyAgreement::Ecdh, Mapping::Im, 12, Cipher::Tdes),
        (KeyAgreement::Dh, Mapping::Gm, 0, Cipher::Aes128),
    ] {
        let protocol = PaceProtocol { key_agreement: ka, mapping, cipher };
        let d = VirtualDocument::build(DocumentSpec {
            pace: Some((protocol, 32)),
            pace_explicit: Some(group),
            pace_without_parameter_id: true,
            signature: None,
            ..DocumentSpec::specimen()
        });
        let infos = SecurityInfos::parse(d.card_access().unwrap()).unwrap();
        assert_eq!(infos.pace().collect::<Vec<_>>(), [(protocol, None)]);
        assert!(infos.pace_domain_parameters(None).is_some());
        assert_eq!(passchip::reader::choose_pace(&infos), Some((protocol, None)));
        for creds in [Credentials::Mrz(d.mrz_key()), can(&d)] {
            let read = read_document(InProcess::new(VirtualChip::new(d.clone())), &creds, ReadOptions::default())
                .unwrap_or_else(|e| panic!("unreferenced {ka:?} {mapping:?} {group}: {e}"));
            let pace = read.pace.clone().unwrap();
            assert_eq!((pace.protocol, pace.parameter_id), (protocol, None));
            assert_complete(&read, &d);
        }
        // The same parameters with a reference the chip never published: refused.
        let domain = infos.pace_domain_parameters(None).unwrap().to_vec();
        let session =
            passchip::reader::Session::new(InProcess::new(VirtualChip::new(d.clone())), ReadOptions::default());
        let refused = session.pace_with_domain(
            &passchip::low_level::access::pace::PacePassword::mrz(&d.mrz_key().mrz_information()),
            protocol,
            Some(32),
            Some(&domain),
            &mut passchip::low_level::crypto::OsRandom,
        );
        assert!(refused.is_err(), "{ka:?} {mapping:?}: a reference the chip does not know must be refused");
    }
}

#[test]
fn every_cipher_with_mrz_and_can() {
    for (cipher, suite) in [
        (Cipher::Tdes, SuiteKind::Tdes),
        (Cipher::Aes128, SuiteKind::Aes128),
        (Cipher::Aes192, SuiteKind::Aes192),
        (Cipher::Aes256, SuiteKind::Aes256),
    ] {
        let d = doc(cipher, 12);
        for creds in [Credentials::Mrz(d.mrz_key()), can(&d)] {
            let read = read_document(InProcess::new(VirtualChip::new(d.clone())), &creds, ReadOptions::default())
                .unwrap_or_else(|e| panic!("{cipher:?}: {e}"));
            assert_eq!(read.suite, suite);
            assert_complete(&read, &d);
        }
        let read =
            read_document(InProcess::new(VirtualChip::new(d.clone())), &can(&d), ReadOptions::default()).unwrap();
        assert_eq!(read.pace.as_ref().unwrap().password, PasswordKind::Can);
    }
}

#[test]
fn a_wrong_can_is_refused_and_not_retried() {
    let d = doc(Cipher::Aes128, 13);
    let wrong = Credentials::Can { can: zeroize::Zeroizing::new("000000".into()), mrz: Some(d.mrz_key()) };
    // Even with the MRZ at hand and the fallback allowed, a wrong password is not retried with BAC.
    let options = ReadOptions::default().with_access(AccessPolicy::AutoWithBacFallback);
    match read_document(InProcess::new(VirtualChip::new(d)), &wrong, options) {
        Err(SessionError::Access(AccessError::WrongPassword { password: PasswordKind::Can, .. })) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn pace_only_chips_and_bac_only_documents() {
    let d = doc(Cipher::Aes128, 13);
    let pace_only = VirtualChip::with_profile(d.clone(), ChipProfile::modern().with_bac(false));
    let e = read_document(
        InProcess::new(pace_only),
        &Credentials::Mrz(d.mrz_key()),
        ReadOptions::default().with_access(AccessPolicy::BacOnly),
    );
    assert!(matches!(e, Err(SessionError::Access(AccessError::Refused { step: "GET CHALLENGE", .. }))), "{e:?}");
    // A chip without EF.CardAccess is read with BAC under the default policy…
    let bac_doc = VirtualDocument::build(DocumentSpec { pace: None, signature: None, ..DocumentSpec::specimen() });
    let read = read_document(
        InProcess::new(VirtualChip::new(bac_doc.clone())),
        &Credentials::Mrz(bac_doc.mrz_key()),
        ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(read.access, AccessProtocol::Bac);
    // …and refused when PACE is required.
    let e = read_document(
        InProcess::new(VirtualChip::new(bac_doc.clone())),
        &Credentials::Mrz(bac_doc.mrz_key()),
        ReadOptions::default().with_access(AccessPolicy::PaceOnly),
    );
    assert!(matches!(e, Err(SessionError::Access(AccessError::Unsupported(_)))));
    // A CAN cannot open a BAC-only chip.
    assert!(
        read_document(InProcess::new(VirtualChip::new(bac_doc.clone())), &can(&bac_doc), ReadOptions::default())
            .is_err()
    );
}

/// A reader path where PACE breaks (MSE:Set AT refused), to exercise the fallback.
struct BrokenPace(InProcess<VirtualChip>);
impl Transport for BrokenPace {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, TransportError> {
        if c.get(1) == Some(&0x22) { Ok(vec![0x6A, 0x80]) } else { self.0.transmit(c) }
    }
}

#[test]
fn fallback_to_bac_happens_only_when_allowed_and_is_reported() {
    let d = doc(Cipher::Aes128, 13);
    let creds = Credentials::Mrz(d.mrz_key());
    let strict = read_document(BrokenPace(InProcess::new(VirtualChip::new(d.clone()))), &creds, ReadOptions::default());
    assert!(matches!(strict, Err(SessionError::Access(AccessError::Refused { step: "MSE:Set AT", .. }))), "{strict:?}");
    let options = ReadOptions::default().with_access(AccessPolicy::AutoWithBacFallback);
    let read = read_document(BrokenPace(InProcess::new(VirtualChip::new(d.clone()))), &creds, options).unwrap();
    assert_eq!(read.access, AccessProtocol::Bac);
    assert!(read.bac_fallback.as_deref().unwrap().contains("PACE failed"));
    assert_complete(&read, &d);
}

/// A hostile terminal: the virtual chip must refuse invalid mapping keys (invalid-curve and
/// small-subgroup attacks against the chip's secret) instead of computing with them.
#[test]
fn the_virtual_chip_rejects_invalid_terminal_keys() {
    use passchip::low_level::apdu::{Command, Le};
    use passchip::low_level::tlv::{Tag, encode_to_vec};
    let apdu = |cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], le: Le| {
        let mut out = Vec::new();
        Command::new(cla, ins, p1, p2).with_data(data).with_le(le).encode(&mut out).unwrap();
        out
    };
    // GA 2 of a fresh run with `mapping_key` as the terminal's key: the chip's answer.
    let ga2 = |ka: KeyAgreement, param: u8, mapping_key: &[u8]| {
        let mut chip = InProcess::new(VirtualChip::new(doc_with(ka, Cipher::Aes128, u32::from(param))));
        let oid = PaceProtocol { key_agreement: ka, mapping: Mapping::Gm, cipher: Cipher::Aes128 }.oid();
        let mut at = encode_to_vec(Tag::new(0x80), oid.as_bytes());
        at.extend_from_slice(&[0x83, 0x01, 0x02, 0x84, 0x01, param]);
        assert_eq!(chip.transmit(&apdu(0x00, 0x22, 0xC1, 0xA4, &at, Le::None)).unwrap(), [0x90, 0x00]);
        let ga1 = chip.transmit(&apdu(0x10, 0x86, 0, 0, &[0x7C, 0x00], Le::MAX_SHORT)).unwrap();
        assert_eq!(ga1[ga1.len() - 2..], [0x90, 0x00]);
        let data = encode_to_vec(Tag::new(0x7C), &encode_to_vec(Tag::new(0x81), mapping_key));
        chip.transmit(&apdu(0x10, 0x86, 0, 0, &data, Le::MAX_SHORT)).unwrap()
    };
    let curve =
        passchip::low_level::crypto::ec::Curve::named(passchip::low_level::crypto::ec::NamedCurve::BrainpoolP256r1)
            .unwrap();
    let valid_point = curve.encode_point(curve.generator());
    let mut off_curve = valid_point.clone();
    *off_curve.last_mut().unwrap() ^= 1;
    let dh = passchip::low_level::crypto::dh::DhGroup::standard(0).unwrap();
    let valid_value = dh.encode(dh.generator());
    let mut two = vec![0u8; 128];
    two[127] = 2;
    for (ka, param, valid, bad) in
        [(KeyAgreement::Ecdh, 13u8, valid_point, off_curve), (KeyAgreement::Dh, 0u8, valid_value, two)]
    {
        // The same exchange with a valid key goes on (the chip's own mapping key, 9000) ...
        let ok = ga2(ka, param, &valid);
        assert_eq!(ok[ok.len() - 2..], [0x90, 0x00], "{ka:?}");
        assert_eq!(ok[0], 0x7C);
        // ... and with an invalid one it stops before computing anything with it.
        assert_eq!(ga2(ka, param, &bad), [0x6A, 0x80], "{ka:?}: the chip computed with an invalid key");
    }
}

/// EF.CardAccess of a German and an Austrian passport (gmrtd, MIT): what the reader picks.
#[test]
fn real_card_access_files() {
    use passchip::lds::security_infos::SecurityInfos;
    let pick = |country: &str| {
        let bytes = std::fs::read(format!("fixtures/external/gmrtd/doc/{country}/EF_CardAccess.bin")).unwrap();
        passchip::reader::choose_pace(&SecurityInfos::parse(&bytes).unwrap())
    };
    let gm = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes128 };
    assert_eq!(pick("DE"), Some((PaceProtocol { mapping: Mapping::Cam, ..gm }, Some(13))));
    assert_eq!(pick("AT"), Some((gm, Some(13))));
}
