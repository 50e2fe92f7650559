//! Round trips of the reader against our virtual chip: BAC, secure messaging and
//! adaptive file reading, with the positive and the negative cases of the
//! foundation issue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "emulator")]

use passchip::emulator::{ChipProfile, Fault, VirtualChip, VirtualDocument};
use passchip::lds::LdsFile;
use passchip::low_level::access::{AccessError, AccessProtocol};
use passchip::low_level::apdu::StatusWord;
use passchip::low_level::sm::SmError;
use passchip::mrz::MrzKey;
use passchip::reader::{ReadError, ReadOptions, Secured, Session, SessionError, read_with_bac};
use passchip::transport::InProcess;

fn secured(
    doc: VirtualDocument,
    profile: ChipProfile,
    options: ReadOptions,
) -> Session<InProcess<VirtualChip>, Secured> {
    let key = doc.mrz_key();
    let mut s = Session::new(InProcess::new(VirtualChip::with_profile(doc, profile)), options);
    s.select_application().unwrap();
    s.bac(&key).map_err(|(_, e)| e).unwrap()
}

fn assert_byte_exact(read: &passchip::reader::DocumentRead, doc: &VirtualDocument) {
    for (f, content) in doc.files() {
        assert_eq!(read.files.get(&f).map(Vec::as_slice), Some(content), "{f} differs");
    }
    assert_eq!(read.files.len(), doc.files().count());
}

#[test]
fn bac_with_the_right_mrz_reads_every_file_byte_exact() {
    let doc = VirtualDocument::specimen();
    let key = doc.mrz_key();
    let read = read_with_bac(InProcess::new(VirtualChip::new(doc.clone())), &key, ReadOptions::default()).unwrap();
    assert_eq!(read.access, AccessProtocol::Bac);
    assert_byte_exact(&read, &doc);
    let mrz = &read.dg1.as_ref().unwrap().mrz;
    assert_eq!(mrz.primary_identifier, "OEBERG");
    assert_eq!(mrz.secondary_identifier, "AASA");
    assert_eq!(mrz.document_number, "AA1234567");
    assert_eq!(read.com.as_ref().unwrap().data_groups.len(), 3);
    // Extended length: one READ BINARY per file (EF.COM, DG1, DG2, DG14, EF.SOD).
    assert_eq!(read.stats.read_binary, 5, "{:?}", read.stats);
    // DG14's key: Chip Authentication ran after BAC and switched to AES secure messaging.
    let ca = match &read.anti_cloning.chip_authentication {
        passchip::reader::Attempt::Passed(ca) => ca,
        other => panic!("{other:?}"),
    };
    assert_eq!(ca.protocol.cipher, passchip::low_level::access::pace::Cipher::Aes128);
    assert_eq!(read.suite, passchip::low_level::sm::SuiteKind::Tdes);
}

#[test]
fn mrz_typed_by_the_user_opens_the_chip() {
    let doc = VirtualDocument::from_seed(77);
    let key = passchip::mrz::Mrz::parse(&doc.mrz_text()).unwrap().access_key();
    let read = read_with_bac(InProcess::new(VirtualChip::new(doc.clone())), &key, ReadOptions::default()).unwrap();
    assert_byte_exact(&read, &doc);
}

#[test]
fn chip_limited_to_le_160_without_extended_length_is_read_completely() {
    let doc = VirtualDocument::specimen();
    let mut s = secured(doc.clone(), ChipProfile::legacy_le160(), ReadOptions::default());
    let read = s.read_document(&mut |_| {}).unwrap();
    assert_byte_exact(&read, &doc);
    assert!(!s.uses_extended_length());
    let dg2 = doc.file(LdsFile::dg(2).unwrap()).unwrap().len();
    // 160-byte chunks after the fallbacks, not fewer bytes than that.
    assert!(read.stats.read_binary as usize <= dg2 / 160 + 20, "{:?}", read.stats);
}

#[test]
fn chip_without_extended_length_is_read_with_short_apdus() {
    let doc = VirtualDocument::specimen();
    let mut s = secured(doc.clone(), ChipProfile::no_extended_length(), ReadOptions::default());
    let read = s.read_document(&mut |_| {}).unwrap();
    assert_byte_exact(&read, &doc);
    assert!(!s.uses_extended_length());
    let total: usize = doc.files().map(|(_, b)| b.len()).sum();
    // One rejected extended probe, then 223-byte reads.
    assert!(read.stats.read_binary as usize <= total / 223 + 4 + 1, "{:?}", read.stats);
}

#[test]
fn chip_with_a_small_extended_buffer_is_read_in_large_chunks() {
    let doc = VirtualDocument::specimen();
    let profile = ChipProfile::modern().with_max_extended_ne(Some(4096));
    let mut s = secured(doc.clone(), profile, ReadOptions::default());
    let read = s.read_document(&mut |_| {}).unwrap();
    assert_byte_exact(&read, &doc);
    assert!(s.uses_extended_length());
    assert!(read.stats.read_binary <= 20, "{:?}", read.stats);
}

#[test]
fn short_only_reader_and_no_sfi_chip() {
    let doc = VirtualDocument::specimen();
    let profile = ChipProfile::modern().with_sfi(false);
    let mut s = secured(doc.clone(), profile, ReadOptions::default().short_only());
    let read = s.read_document(&mut |_| {}).unwrap();
    assert_byte_exact(&read, &doc);
}

#[test]
fn reader_without_extended_length_support() {
    let doc = VirtualDocument::specimen();
    let key = doc.mrz_key();
    let t = InProcess::new(VirtualChip::new(doc.clone())).without_extended_length();
    let read = read_with_bac(t, &key, ReadOptions::default()).unwrap();
    assert_byte_exact(&read, &doc);
}

#[test]
fn files_above_32k_use_odd_ins_read_binary() {
    let mut doc = VirtualDocument::specimen();
    let big: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let dg11 = passchip::low_level::tlv::encode_to_vec(passchip::low_level::tlv::Tag::new(0x6B), &big);
    doc.set_file(LdsFile::dg(11).unwrap(), dg11.clone());
    for (profile, options) in [
        (ChipProfile::modern(), ReadOptions::default()),
        (ChipProfile::modern().with_max_extended_ne(Some(8000)), ReadOptions::default()),
        (ChipProfile::legacy_le160(), ReadOptions::default()),
    ] {
        let mut s = secured(doc.clone(), profile.clone(), options);
        let got = s.read_file(LdsFile::dg(11).unwrap()).unwrap().unwrap();
        assert_eq!(got, dg11, "{profile:?}");
    }
}

#[test]
fn progress_is_reported_up_to_the_total() {
    let doc = VirtualDocument::specimen();
    let dg2_len = doc.file(LdsFile::dg(2).unwrap()).unwrap().len();
    let mut s = secured(doc, ChipProfile::no_extended_length(), ReadOptions::default());
    let mut seen = Vec::new();
    s.read_file_with_progress(LdsFile::dg(2).unwrap(), &mut |p| seen.push((p.read, p.total))).unwrap();
    assert!(seen.len() > 10);
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(seen.last(), Some(&(dg2_len, Some(dg2_len))));
}

#[test]
fn any_file_by_sfi_or_fid() {
    let doc = VirtualDocument::specimen();
    let mut s = secured(doc.clone(), ChipProfile::modern(), ReadOptions::default());
    assert_eq!(s.read_sfi(0x1E).unwrap().as_deref(), doc.file(LdsFile::Com));
    assert_eq!(s.read_fid([0x01, 0x1D]).unwrap().as_deref(), doc.file(LdsFile::Sod));
    assert_eq!(s.read_sfi(0x02).unwrap().as_deref(), doc.file(LdsFile::dg(2).unwrap()));
}

#[test]
fn missing_file_is_none_and_the_channel_stays_open() {
    let mut s = secured(VirtualDocument::specimen(), ChipProfile::modern(), ReadOptions::default());
    assert_eq!(s.read_file(LdsFile::dg(11).unwrap()).unwrap(), None);
    assert_eq!(s.read_fid([0x01, 0x0B]).unwrap(), None);
    assert!(s.read_file(LdsFile::Com).unwrap().is_some());
}

#[test]
fn file_claiming_too_many_bytes_is_refused_before_reading() {
    let mut doc = VirtualDocument::specimen();
    doc.set_file(LdsFile::dg(2).unwrap(), vec![0x75, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]);
    let mut s = secured(doc, ChipProfile::modern(), ReadOptions::default());
    match s.read_file(LdsFile::dg(2).unwrap()) {
        Err(ReadError::FileTooLarge { claimed, limit, .. }) => {
            assert_eq!(claimed, 0x7FFF_FFFF + 6);
            assert_eq!(limit, passchip::reader::DEFAULT_MAX_FILE_SIZE);
        }
        other => panic!("{other:?}"),
    }
    let before = s.stats().read_binary;
    assert!(before <= 1);
}

#[test]
fn file_shorter_than_its_header_claims_is_an_error_not_a_hang() {
    let mut doc = VirtualDocument::specimen();
    doc.set_file(LdsFile::dg(2).unwrap(), vec![0x75, 0x82, 0x10, 0x00, 1, 2, 3]);
    for profile in [ChipProfile::modern(), ChipProfile::legacy_le160()] {
        let mut s = secured(doc.clone(), profile, ReadOptions::default());
        assert!(matches!(s.read_file(LdsFile::dg(2).unwrap()), Err(ReadError::Stalled { offset: 7, .. })));
    }
}

#[test]
fn wrong_mrz_is_access_denied() {
    let doc = VirtualDocument::specimen();
    let wrong = MrzKey::new("AA1234567", "850412", "300102").unwrap();
    let err = read_with_bac(InProcess::new(VirtualChip::new(doc)), &wrong, ReadOptions::default()).unwrap_err();
    match err {
        SessionError::Access(AccessError::AccessDenied { status }) => {
            assert_eq!(status, StatusWord::AuthenticationFailed)
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("check the MRZ"));
}

#[test]
fn failed_bac_hands_the_plain_session_back() {
    let doc = VirtualDocument::specimen();
    let right = doc.mrz_key();
    let wrong = MrzKey::new("AA1234568", "850412", "300101").unwrap();
    let mut s = Session::new(InProcess::new(VirtualChip::new(doc)), ReadOptions::default());
    s.select_application().unwrap();
    let (s, e) = s.bac(&wrong).unwrap_err();
    assert!(matches!(e, AccessError::AccessDenied { .. }));
    let mut secured = s.bac(&right).map_err(|(_, e)| e).unwrap();
    assert!(secured.read_file(LdsFile::Com).unwrap().is_some());
}

fn read_dg2_with_fault(fault: Fault, after: u32) -> ReadError {
    let mut s =
        secured(VirtualDocument::specimen(), ChipProfile::no_extended_length(), ReadOptions::default().short_only());
    s.transport_mut().handler_mut().inject(fault, after);
    s.read_file(LdsFile::dg(2).unwrap()).unwrap_err()
}

#[test]
fn tampered_response_mac_is_bad_mac() {
    assert_eq!(read_dg2_with_fault(Fault::TamperResponseMac, 5), ReadError::Sm(SmError::BadMac));
}

#[test]
fn wrong_ssc_is_a_counter_mismatch() {
    assert_eq!(read_dg2_with_fault(Fault::SkewCounter(2), 3), ReadError::Sm(SmError::CounterMismatch { delta: 2 }));
}

#[test]
fn unprotected_6988_ends_the_channel() {
    let e = read_dg2_with_fault(Fault::Unprotected(StatusWord::SmObjectsIncorrect), 2);
    assert_eq!(e, ReadError::Sm(SmError::Unprotected(StatusWord::SmObjectsIncorrect)));
}

#[test]
fn after_a_secure_messaging_failure_the_channel_is_closed() {
    let mut s = secured(VirtualDocument::specimen(), ChipProfile::modern(), ReadOptions::default());
    s.transport_mut().handler_mut().inject(Fault::TamperResponseMac, 0);
    assert_eq!(s.read_file(LdsFile::Com), Err(ReadError::Sm(SmError::BadMac)));
    assert_eq!(s.read_file(LdsFile::Com), Err(ReadError::Sm(SmError::Closed)));
}

#[test]
fn the_same_seed_gives_the_same_document_and_session() {
    let a = VirtualDocument::from_seed(5);
    let b = VirtualDocument::from_seed(5);
    assert_eq!(a.files().collect::<Vec<_>>(), b.files().collect::<Vec<_>>());
}

/// The per-phase costs add up to the session's, and each phase did its share: PACE in
/// access, the files in read, Chip Authentication after the read; progress was reported
/// for every file read.
#[test]
fn phases_account_for_the_whole_session() {
    use passchip::reader::{Credentials, read_document_with_progress};
    let doc = VirtualDocument::specimen();
    let mut seen = std::collections::BTreeSet::new();
    let r = read_document_with_progress(
        InProcess::new(VirtualChip::new(doc.clone())),
        &Credentials::Mrz(doc.mrz_key()),
        ReadOptions::default(),
        &mut |p| {
            seen.insert(p.file.replace('.', "_"));
        },
    )
    .unwrap();
    let s = r.stats;
    let p = s.phases;
    assert_eq!(p.access.apdus + p.read.apdus + p.anti_cloning.apdus, s.apdus);
    assert_eq!(p.access.bytes_sent + p.read.bytes_sent + p.anti_cloning.bytes_sent, s.bytes_sent);
    assert_eq!(p.access.bytes_received + p.read.bytes_received + p.anti_cloning.bytes_received, s.bytes_received);
    assert!(p.access.apdus >= 6, "EF.CardAccess, MSE:Set AT, 4 × GENERAL AUTHENTICATE: {p:?}");
    assert!(p.read.apdus >= r.files.len() as u64);
    assert!(p.anti_cloning.apdus >= 2, "Chip Authentication: {p:?}");
    assert!(p.access.elapsed + p.read.elapsed + p.anti_cloning.elapsed <= s.elapsed);
    let files: std::collections::BTreeSet<String> = r.files.keys().map(|f| f.name()).collect();
    assert_eq!(seen, files);
    assert_eq!(r.card_access.as_deref(), doc.card_access());
}
