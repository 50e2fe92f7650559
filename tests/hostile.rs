//! Hostile chips: every `emulator::Hostile` mode ends the read with its own typed error
//! (or, where the bytes are merely inconsistent, with a read that passive authentication
//! rejects), never a panic; the heap stays under a stated bound; and the same reader and
//! link read a well-behaved chip right afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::emulator::{DocumentSpec, Hostile, VirtualChip, VirtualDocument};
use passchip::lds::LdsFile;
use passchip::low_level::sm::SmError;
use passchip::reader::{AccessPolicy, Credentials, DocumentRead, ReadError, ReadOptions, SessionError, read_document};
use passchip::transport::{InProcess, TransportError};

/// The heap a hostile read may use at its peak: the 1 MiB file-size limit, the decoded
/// copy of the largest response, and the session's bookkeeping (docs/security.md, "Limits").
const PEAK_HEAP: usize = 4 << 20;

fn options() -> ReadOptions {
    ReadOptions::default().with_access(AccessPolicy::BacOnly)
}

/// Reads through `link` with the chip hostile, then makes the chip well-behaved and reads
/// again over the same link: the second read must be complete.
fn hostile_read(doc: &VirtualDocument, mode: Hostile) -> Result<DocumentRead, SessionError> {
    let mut link = InProcess::new(VirtualChip::new(doc.clone()).hostile(mode.clone()));
    let creds = Credentials::Mrz(doc.mrz_key());
    let mut result = None;
    let info = allocation_counter::measure(|| result = Some(read_document(&mut link, &creds, options())));
    assert!(info.bytes_max < PEAK_HEAP as u64, "{mode:?}: peak heap {} bytes", info.bytes_max);
    // The reader is usable again: a fresh chip on the same link reads completely.
    *link.handler_mut() = VirtualChip::new(doc.clone());
    let again = read_document(&mut link, &creds, options()).unwrap_or_else(|e| panic!("{mode:?}: after: {e}"));
    for (f, content) in doc.files() {
        assert_eq!(again.files.get(&f).map(Vec::as_slice), Some(content), "{mode:?}: after: {f}");
    }
    result.unwrap()
}

fn sm(e: &SessionError) -> Option<&SmError> {
    match e {
        SessionError::Read(ReadError::Sm(s)) => Some(s),
        _ => None,
    }
}

#[test]
fn wrong_missing_replayed_and_truncated_macs_are_secure_messaging_errors() {
    let doc = VirtualDocument::specimen();
    let e = hostile_read(&doc, Hostile::WrongMac).unwrap_err();
    assert_eq!(sm(&e), Some(&SmError::BadMac), "{e}");
    let e = hostile_read(&doc, Hostile::MissingMac).unwrap_err();
    assert!(matches!(sm(&e), Some(SmError::Malformed(_) | SmError::BadMac)), "{e}");
    let e = hostile_read(&doc, Hostile::ReplayedResponses).unwrap_err();
    assert!(matches!(sm(&e), Some(SmError::BadMac | SmError::CounterMismatch { .. })), "{e}");
    let e = hostile_read(&doc, Hostile::TruncatedResponses).unwrap_err();
    assert!(sm(&e).is_some(), "{e}");
}

#[test]
fn an_unprotected_error_inside_secure_messaging_is_not_trusted() {
    let e = hostile_read(&VirtualDocument::specimen(), Hostile::UnprotectedErrors).unwrap_err();
    assert!(matches!(sm(&e), Some(SmError::Unprotected(_))), "{e}");
}

#[test]
fn endless_61xx_chains_and_6cxx_loops_are_cut_off() {
    let doc = VirtualDocument::specimen();
    for mode in [Hostile::EndlessGetResponse, Hostile::WrongLeLoop] {
        let e = hostile_read(&doc, mode.clone()).unwrap_err();
        assert!(matches!(e, SessionError::Transport(TransportError::EndlessChain(_))), "{mode:?}: {e:?}");
    }
}

#[test]
fn a_file_claiming_gigabytes_is_refused_before_reading() {
    let e = hostile_read(&VirtualDocument::specimen(), Hostile::HugeLength).unwrap_err();
    assert!(
        matches!(&e, SessionError::Read(ReadError::FileTooLarge { claimed, limit, .. }) if *claimed > *limit),
        "{e:?}"
    );
}

#[test]
fn deeply_nested_tlv_is_read_and_refused_by_the_parsers_without_recursion() {
    let doc = VirtualDocument::build(DocumentSpec { extra_data_groups: true, ..DocumentSpec::specimen() });
    let read = hostile_read(&doc, Hostile::DeepNesting).unwrap();
    let dg11 = &read.files[&LdsFile::dg(11).unwrap()];
    assert!(dg11.len() > 300_000);
    assert!(matches!(
        passchip::low_level::tlv::validate(dg11),
        Err(passchip::low_level::tlv::TlvError::TooDeep { .. })
    ));
    // The DG11 parser looks one level down only: it returns, with nothing in it.
    let parsed = passchip::lds::Dg11::parse(dg11).unwrap();
    assert_eq!(parsed.full_name_primary, None);
}

#[test]
fn a_file_that_grows_or_changes_while_read_fails_passive_authentication() {
    let doc = VirtualDocument::specimen();
    for (mode, dg) in [(Hostile::GrowingFile, 2), (Hostile::ChangingAnswers, 1)] {
        let read = hostile_read(&doc, mode.clone()).unwrap();
        let file = LdsFile::dg(dg).unwrap();
        assert_ne!(read.files.get(&file).map(Vec::as_slice), doc.file(file), "{mode:?}");
        let sod = passchip::lds::Sod::parse(&read.files[&LdsFile::Sod]).unwrap();
        let expected = &sod.security_object.hashes[&passchip::lds::DgNumber::new(dg).unwrap()];
        let actual = sod.security_object.hash_alg.digest(&read.files[&file]);
        assert_ne!(&actual[..], &expected[..], "{mode:?}: the SOD must not vouch for what was read");
    }
}

#[test]
fn a_scripted_chip_gets_typed_outcomes() {
    // After BAC, the chip answers from a script: each script and what the reader makes of it.
    let doc = VirtualDocument::specimen();
    let sod = LdsFile::Sod;
    // Nothing (every answer 6A82): every file is missing, nothing is invented.
    let read = hostile_read(&doc, Hostile::Scripted(Vec::new().into())).unwrap();
    assert!(read.files.is_empty() && read.missing.contains(&sod) && read.dg1.is_none(), "{:?}", read.missing);
    // 9000 without data, forever: the file read stalls and says where.
    let e = hostile_read(&doc, Hostile::Scripted(vec![vec![0x90, 0x00]; 50].into())).unwrap_err();
    assert!(matches!(e, SessionError::Read(ReadError::Stalled { offset: 0, .. })), "{e:?}");
    // A header claiming 64 KiB, then 6A82 halfway: the chip's status, with the offset.
    let e = hostile_read(&doc, Hostile::Scripted(vec![vec![0x60, 0x82, 0xFF, 0xFF, 0x90, 0x00]].into())).unwrap_err();
    assert!(matches!(e, SessionError::Read(ReadError::ChipStatus { offset: 4, .. })), "{e:?}");
    // 6CXX / 61XX inside secure messaging: no plain chain is followed there.
    let odd = vec![vec![0x6C, 0x00], vec![0x61, 0x00], vec![0x6B, 0x00]];
    let e = hostile_read(&doc, Hostile::Scripted(odd.into())).unwrap_err();
    assert!(sm(&e).is_some(), "{e:?}");
    // A header claiming 1 MiB + 6 bytes of content (+ 6 of header): refused before reading on.
    let big = [vec![0x60, 0x84, 0x00, 0x10, 0x00, 0x06], vec![0; 200], vec![0x90, 0x00]].concat();
    let e = hostile_read(&doc, Hostile::Scripted(vec![big; 10].into())).unwrap_err();
    assert!(
        matches!(e, SessionError::Read(ReadError::FileTooLarge { claimed: 1_048_588, limit: 1_048_576, .. })),
        "{e:?}"
    );
}

/// A DG14 built to attack Chip Authentication: off-curve points and the DH values 0, 1
/// and p − 1 are refused when the key is decoded, before any secret touches them.
#[test]
fn invalid_chip_authentication_keys_are_refused() {
    use passchip::low_level::chip_auth::{ChipAuthError, ChipPublicKey};
    use passchip::low_level::tlv::{Tag, encode_to_vec};
    let doc = VirtualDocument::specimen();
    let dg14 = passchip::lds::Dg14::parse(doc.file(LdsFile::dg(14).unwrap()).unwrap()).unwrap();
    let spki = dg14.infos.chip_authentication()[0].public_key.clone();
    assert!(ChipPublicKey::from_spki(&spki).is_ok());
    // Off the curve: the point's last byte changed (the SPKI ends with it).
    let mut off = spki.clone();
    *off.last_mut().unwrap() ^= 0x01;
    assert!(matches!(ChipPublicKey::from_spki(&off), Err(ChipAuthError::BadKey(_))));
    // DH on RFC 5114 group 0 (standardized domain parameters, ID 0).
    let group = passchip::low_level::crypto::dh::DhGroup::standard(0).unwrap();
    let p = group.modulus();
    let mut p_minus_1 = p.clone();
    *p_minus_1.last_mut().unwrap() -= 1;
    let dh_spki = |y: &[u8]| {
        let alg = [
            encode_to_vec(Tag::new(0x06), &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x02]),
            encode_to_vec(Tag::new(0x02), &[0x00]),
        ]
        .concat();
        let mut int = y.to_vec();
        if int.first().is_some_and(|b| b & 0x80 != 0) {
            int.insert(0, 0);
        }
        let bits = [vec![0], encode_to_vec(Tag::new(0x02), &int)].concat();
        encode_to_vec(
            Tag::new(0x30),
            &[encode_to_vec(Tag::new(0x30), &alg), encode_to_vec(Tag::new(0x03), &bits)].concat(),
        )
    };
    assert!(ChipPublicKey::from_spki(&dh_spki(&group.encode(group.generator()))).is_ok(), "g itself decodes");
    // 2 is in range but outside the order-q subgroup: refused too.
    for y in [vec![0x00], vec![0x01], vec![0x02], p_minus_1, p] {
        assert!(matches!(ChipPublicKey::from_spki(&dh_spki(&y)), Err(ChipAuthError::BadKey(_))), "{:02X?}", &y[..1]);
    }
}

/// PACE against a chip that sends an invalid public key: off-curve points and the point at
/// infinity (ECDH), 0, 1, p − 1 and a value outside the subgroup (DH), for every mapping
/// that sends one. The reader stops with an access error naming the chip, before the
/// password is spent on anything else, and reads the same chip once it behaves.
#[test]
fn pace_refuses_invalid_keys_from_the_chip() {
    use passchip::emulator::BadKey;
    use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
    use passchip::low_level::access::AccessError;
    let cases = [
        (KeyAgreement::Ecdh, Mapping::Gm, 13, vec![BadKey::OffCurve, BadKey::Infinity]),
        (KeyAgreement::Ecdh, Mapping::Im, 13, vec![BadKey::OffCurve, BadKey::Infinity]),
        (KeyAgreement::Ecdh, Mapping::Cam, 13, vec![BadKey::OffCurve]),
        (KeyAgreement::Dh, Mapping::Gm, 0, vec![BadKey::Zero, BadKey::One, BadKey::PMinusOne, BadKey::OutsideSubgroup]),
        (KeyAgreement::Dh, Mapping::Im, 0, vec![BadKey::Zero, BadKey::One, BadKey::PMinusOne, BadKey::OutsideSubgroup]),
    ];
    for (ka, mapping, id, kinds) in cases {
        let protocol = PaceProtocol { key_agreement: ka, mapping, cipher: Cipher::Aes128 };
        let doc = VirtualDocument::build(DocumentSpec { pace: Some((protocol, id)), ..DocumentSpec::specimen() });
        let creds = Credentials::Can { can: "123456".to_string().into(), mrz: None };
        for kind in kinds {
            let mut link = InProcess::new(VirtualChip::new(doc.clone()).hostile(Hostile::PaceKey(kind)));
            let mut result = None;
            let info = allocation_counter::measure(|| {
                result = Some(read_document(&mut link, &creds, ReadOptions::default()));
            });
            assert!(info.bytes_max < PEAK_HEAP as u64, "{kind:?}: peak heap {} bytes", info.bytes_max);
            let e = result.unwrap().unwrap_err();
            assert!(
                matches!(e, SessionError::Access(AccessError::ChipAuthenticationFailed(_))),
                "{ka:?} {mapping:?} {kind:?}: {e:?}"
            );
            assert!(e.to_string().contains("invalid public key"), "{e}");
            *link.handler_mut() = VirtualChip::new(doc.clone());
            read_document(&mut link, &creds, ReadOptions::default()).unwrap_or_else(|e| panic!("after {kind:?}: {e}"));
        }
    }
}
