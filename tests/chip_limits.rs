//! The chip's limits learnt from EF.ATR/INFO: the first extended read is sized to the
//! largest response the chip states, and a chip that says it has no extended length is
//! never sent an extended APDU.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "emulator")]

use passchip::emulator::{ChipProfile, VirtualChip, VirtualDocument};
use passchip::reader::{Credentials, DocumentRead, ReadOptions, read_document};
use passchip::transport::InProcess;
use passchip::transport::atr::AtrInfo;

fn read(profile: ChipProfile, options: ReadOptions) -> DocumentRead {
    let doc = VirtualDocument::specimen();
    let creds = Credentials::Mrz(doc.mrz_key());
    let read = read_document(InProcess::new(VirtualChip::with_profile(doc.clone(), profile)), &creds, options).unwrap();
    for (f, content) in doc.files() {
        assert_eq!(read.files.get(&f).map(Vec::as_slice), Some(content), "{f} differs");
    }
    read
}

/// READ BINARY commands needed for the specimen's files at `chunk` bytes each.
fn reads_needed(chunk: usize) -> u64 {
    VirtualDocument::specimen().files().map(|(_, b)| b.len().div_ceil(chunk) as u64).sum()
}

#[test]
fn a_small_extended_buffer_stated_in_ef_atr_info_is_used_from_the_first_read() {
    let small = ChipProfile::modern().with_max_extended_ne(Some(4095));
    let stated = read(small.clone().with_atr_info(true), ReadOptions::default());
    let probed = read(small, ReadOptions::default());
    assert!(stated.extended_length && probed.extended_length);
    // Every READ BINARY of the document succeeded at 4095 bytes.
    assert_eq!(stated.stats.phases.read.apdus, reads_needed(4095), "{:?}", stated.stats);
    // Without it, the reader halves 0xFF00 four times before 4080 bytes are accepted.
    assert!(probed.stats.read_binary > stated.stats.read_binary + 2, "{:?} vs {:?}", probed.stats, stated.stats);
    assert!(probed.stats.apdus > stated.stats.apdus);
}

#[test]
fn a_chip_that_states_no_extended_length_gets_short_reads_only() {
    let short = ChipProfile::no_extended_length();
    let stated = read(short.clone().with_atr_info(true), ReadOptions::default());
    let probed = read(short, ReadOptions::default());
    assert!(!stated.extended_length && !probed.extended_length);
    // Probing costs one refused extended READ BINARY; EF.ATR/INFO costs its own read instead.
    assert_eq!(stated.stats.read_binary, probed.stats.read_binary);
    assert_eq!(stated.stats.phases.read.apdus, reads_needed(223), "{:?}", stated.stats);
    assert_eq!(probed.stats.phases.read.apdus, reads_needed(223) + 1, "{:?}", probed.stats);
}

#[test]
fn ef_atr_info_is_skipped_when_the_caller_says_so_or_extended_length_is_off() {
    let profile = ChipProfile::modern().with_atr_info(true);
    let with = read(profile.clone(), ReadOptions::default());
    let without = read(profile.clone(), ReadOptions::default().with_atr_info(false));
    // SELECT and READ BINARY of EF.ATR/INFO.
    assert_eq!(with.stats.apdus, without.stats.apdus + 2);
    let short_only = read(profile, ReadOptions::default().short_only());
    assert_eq!(short_only.stats.phases.read.apdus, reads_needed(223));
    assert_eq!(short_only.stats.apdus, without.stats.apdus - without.stats.phases.read.apdus + reads_needed(223));
}

#[test]
fn the_emulators_ef_atr_info_states_what_it_takes() {
    let info = AtrInfo::parse(&ChipProfile::modern().with_max_extended_ne(Some(1000)).atr_info_file()).unwrap();
    assert_eq!(info.extended_length, Some(true));
    // 991 bytes of plaintext fill 62 AES blocks: the largest read at most 1000 that does.
    assert_eq!(passchip::low_level::sm::max_plaintext_in(info.max_response.unwrap() as usize), 991);
    let none = AtrInfo::parse(&ChipProfile::legacy_le160().atr_info_file()).unwrap();
    assert_eq!(none.extended_length, Some(false));
}

/// The modelled-link comparison of docs/performance.md, as outcomes: extended length halves the modelled
/// read time against fixed short reads; on a short-only chip the strategy costs at most
/// the two commands it spends learning that (EF.ATR/INFO's SELECT and the refused probe).
#[test]
fn our_strategy_on_a_modelled_link_beats_fixed_chunking() {
    use passchip::transport::model::{LinkModel, Modelled};
    use std::time::Duration;
    let model = LinkModel::iso14443_424(Duration::from_millis(5));
    let time = |profile: ChipProfile, options: ReadOptions| {
        let doc = VirtualDocument::specimen();
        let mut link = Modelled::new(InProcess::new(VirtualChip::with_profile(doc.clone(), profile)), model);
        let read = read_document(&mut link, &Credentials::Mrz(doc.mrz_key()), options).unwrap();
        (link.elapsed(), read.stats.apdus)
    };
    let fixed = |n| ReadOptions::default().short_only().with_short_chunk(n);
    let (ours, _) = time(ChipProfile::modern(), ReadOptions::default());
    let (f223, _) = time(ChipProfile::modern(), fixed(223));
    let (f160, _) = time(ChipProfile::modern(), fixed(160));
    assert!(ours * 2 < f223 && f223 < f160, "{ours:?} {f223:?} {f160:?}");
    let (ours, ours_apdus) = time(ChipProfile::no_extended_length(), ReadOptions::default());
    let (f223, f223_apdus) = time(ChipProfile::no_extended_length(), fixed(223));
    assert_eq!(ours_apdus, f223_apdus + 2);
    assert!(ours < f223 + model.exchange(300, 300) * 2, "{ours:?} {f223:?}");
}
