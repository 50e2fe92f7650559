//! A card that leaves the field (or is reset) mid-read: the read resumes in a new session
//! from the last good offset, at every step where the card can vanish.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "emulator")]

use std::cell::Cell;

use passchip::emulator::{AaSpec, ChipProfile, DocumentSpec, VirtualChip, VirtualDocument};
use passchip::lds::LdsFile;
use passchip::reader::{
    Attempt, Credentials, DocumentRead, Interruption, PartialRead, ReadOptions, SessionError, read_document_resuming,
};
use passchip::transport::{ApduHandler, Transport, TransportError};

/// The reader's field with one chip in it, which leaves (or is reset) when the count of
/// commands it has seen, over every session, reaches one of `cuts`.
struct Field<'a> {
    chip: &'a mut VirtualChip,
    seen: &'a Cell<u64>,
    cuts: &'a [u64],
    how: TransportError,
}

impl Transport for Field<'_> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.seen.set(self.seen.get() + 1);
        if self.cuts.contains(&self.seen.get()) {
            // Power is lost: the chip forgets its session.
            self.chip.reset();
            return Err(self.how.clone());
        }
        Ok(self.chip.handle(capdu))
    }

    fn supports_extended_length(&self) -> bool {
        self.chip.profile().max_extended_ne.is_some()
    }
}

/// Reads until complete, presenting the card again after each interruption.
fn read_through(
    chip: &mut VirtualChip,
    credentials: &Credentials,
    options: &ReadOptions,
    cuts: &[u64],
    how: TransportError,
) -> (DocumentRead, Vec<SessionError>) {
    let seen = Cell::new(0);
    let mut partial = PartialRead::new();
    let mut errors = Vec::new();
    for _ in 0..=cuts.len() {
        let field = Field { chip: &mut *chip, seen: &seen, cuts, how: how.clone() };
        match read_document_resuming(field, credentials, options.clone(), &mut partial, &mut |_| {}) {
            Ok(read) => return (read, errors),
            Err(e) => {
                assert!(e.is_interrupted(), "cut {cuts:?}: {e}");
                errors.push(e);
            }
        }
    }
    panic!("cuts {cuts:?}: still interrupted after {} sessions: {errors:?}", cuts.len() + 1);
}

fn assert_byte_exact(read: &DocumentRead, doc: &VirtualDocument) {
    for (f, content) in doc.files() {
        assert_eq!(read.files.get(&f).map(Vec::as_slice), Some(content), "{f} differs");
    }
    assert_eq!(read.files.len(), doc.files().count());
}

fn short_chip(doc: &VirtualDocument) -> VirtualChip {
    VirtualChip::with_profile(doc.clone(), ChipProfile::legacy_le160())
}

#[test]
fn removed_in_the_middle_of_dg2_the_read_resumes_where_it_stopped() {
    let doc = VirtualDocument::specimen();
    let creds = Credentials::Mrz(doc.mrz_key());
    let options = ReadOptions::default();
    let dg2_len = doc.file(LdsFile::dg(2).unwrap()).unwrap().len();
    assert!(dg2_len > 4 * 160, "DG2 must take many short reads");

    // A clean read, noting the command count when DG2 is half read.
    let seen = Cell::new(0);
    let mut cut = 0;
    let mut chip = short_chip(&doc);
    let field = Field { chip: &mut chip, seen: &seen, cuts: &[], how: TransportError::CardRemoved };
    let mut sod_chunks = 0u64;
    let mut half_way = |p: passchip::reader::Progress<'_>| {
        if p.file == "DG2" && p.read >= dg2_len / 2 && cut == 0 {
            cut = seen.get() + 1;
        }
        if p.file == "EF.SOD" {
            sod_chunks += 1;
        }
    };
    let clean = read_document_resuming(field, &creds, options.clone(), &mut PartialRead::new(), &mut half_way).unwrap();
    assert!(cut > 0);

    let (read, errors) = read_through(&mut short_chip(&doc), &creds, &options, &[cut], TransportError::CardRemoved);
    assert_byte_exact(&read, &doc);
    assert_eq!(errors.len(), 1);
    let SessionError::Interrupted { during, cause } = &errors[0] else { panic!("{:?}", errors[0]) };
    assert_eq!(cause, &TransportError::CardRemoved);
    let Interruption::Read { file, offset } = during else { panic!("{during:?}") };
    assert_eq!(file.name(), "DG2");
    assert!(*offset >= dg2_len / 2 && *offset < dg2_len, "{offset} of {dg2_len}");
    assert_eq!(read.interruptions, vec![during.clone()]);
    assert!(errors[0].to_string().contains("present the card again"), "{}", errors[0]);
    // Nothing read twice but EF.SOD, which the resumed session reads again to prove it is
    // the same chip: beyond that, two READ BINARY more than the clean read, the one whose
    // answer was lost and EF.CardAccess, read again before PACE.
    assert!(sod_chunks > 0);
    assert_eq!(
        read.stats.read_binary,
        clean.stats.read_binary + 2 + sod_chunks,
        "{:?} vs {:?}",
        read.stats,
        clean.stats
    );
    // Both sessions are counted: the second one authenticated again.
    assert!(read.stats.apdus > clean.stats.apdus, "{:?}", read.stats);
    assert!(read.stats.phases.access.apdus > clean.stats.phases.access.apdus);
    assert!(read.anti_cloning.chip_authentication.passed());
    let shown = format!("{read:?}");
    assert!(shown.contains("DG2") && !shown.contains("OEBERG") && !shown.contains("AA1234567"), "{shown}");
}

#[test]
fn the_read_completes_wherever_the_card_vanishes() {
    // Every command of a BAC read on a short-APDU chip, and every other one of a PACE
    // read with extended length, Chip Authentication and Active Authentication.
    let bac_doc = VirtualDocument::build(DocumentSpec { pace: None, ..DocumentSpec::specimen() });
    let pace_doc = VirtualDocument::build(DocumentSpec {
        active_authentication: Some(AaSpec::Ecdsa {
            curve: passchip::low_level::crypto::ec::NamedCurve::P256,
            hash: passchip::low_level::crypto::hash::HashAlg::Sha256,
            der: false,
        }),
        ..DocumentSpec::specimen()
    });
    let cases = [
        (
            bac_doc.clone(),
            ChipProfile::legacy_le160(),
            Credentials::Mrz(bac_doc.mrz_key()),
            1,
            TransportError::CardRemoved,
        ),
        (
            pace_doc.clone(),
            ChipProfile::modern(),
            Credentials::Can { can: "123456".to_string().into(), mrz: None },
            2,
            TransportError::CardReset,
        ),
    ];
    for (doc, profile, creds, step, how) in cases {
        let options = ReadOptions::default();
        let mut chip = VirtualChip::with_profile(doc.clone(), profile.clone());
        let (clean, _) = read_through(&mut chip, &creds, &options, &[], how.clone());
        let mut during = std::collections::BTreeSet::new();
        for cut in (1..=clean.stats.apdus).step_by(step) {
            let mut chip = VirtualChip::with_profile(doc.clone(), profile.clone());
            let (read, errors) = read_through(&mut chip, &creds, &options, &[cut], how.clone());
            assert_byte_exact(&read, &doc);
            assert_eq!(errors.len(), 1, "cut {cut}");
            assert_eq!(read.access, clean.access);
            // The anti-cloning checks ran to the end in the session that completed.
            assert_eq!(
                read.anti_cloning.chip_authentication.status(),
                clean.anti_cloning.chip_authentication.status(),
                "cut {cut}"
            );
            assert_eq!(
                read.anti_cloning.active_authentication.status(),
                clean.anti_cloning.active_authentication.status(),
                "cut {cut}"
            );
            during.insert(format!("{:?}", std::mem::discriminant(&read.interruptions[0])));
            // Two cuts, the second one in the resumed session.
            let mut chip = VirtualChip::with_profile(doc.clone(), profile.clone());
            let (read, errors) = read_through(&mut chip, &creds, &options, &[cut, cut + 7], how.clone());
            assert_byte_exact(&read, &doc);
            assert_eq!(errors.len(), 2, "cuts {cut}, {}", cut + 7);
        }
        // Cuts fell in access control, in files and in the anti-cloning checks.
        assert_eq!(during.len(), 3, "{during:?}");
    }
}

#[test]
fn anti_cloning_interrupted_runs_again_without_reading_the_files_again() {
    let doc = VirtualDocument::specimen();
    let creds = Credentials::Mrz(doc.mrz_key());
    let options = ReadOptions::default();
    let mut chip = short_chip(&doc);
    let (clean, _) = read_through(&mut chip, &creds, &options, &[], TransportError::CardRemoved);
    let mut chip = short_chip(&doc);
    // The last command of the read is Chip Authentication's proof.
    let (read, errors) = read_through(&mut chip, &creds, &options, &[clean.stats.apdus], TransportError::CardRemoved);
    assert!(matches!(&errors[0], SessionError::Interrupted { during: Interruption::AntiCloning, .. }), "{errors:?}");
    assert!(matches!(read.anti_cloning.chip_authentication, Attempt::Passed(_)));
    // No file but EF.SOD was read again: the second session opened the chip, proved it is
    // the same one by its EF.SOD, and ran the checks.
    let sod_len = doc.file(LdsFile::Sod).unwrap().len() as u64;
    let sod_chunks = sod_len.div_ceil(160);
    let (r, c) = (read.stats.phases.read, clean.stats.phases.read);
    assert_eq!(r.apdus, c.apdus + sod_chunks, "{r:?} vs {c:?}");
    let extra = r.bytes_received - c.bytes_received;
    assert!(extra >= sod_len && extra <= sod_len + 40 * sod_chunks, "{extra} bytes more for a {sod_len}-byte EF.SOD");
    assert!(read.stats.phases.access.apdus > clean.stats.phases.access.apdus);
    assert_byte_exact(&read, &doc);
}

#[test]
fn another_document_presented_to_resume_is_refused() {
    let first = VirtualDocument::specimen();
    let mut spec = DocumentSpec::specimen();
    spec.pace = spec.pace.map(|(p, _)| (p, 12));
    let second = VirtualDocument::build(spec);
    assert_ne!(first.card_access(), second.card_access());
    let creds = Credentials::Can { can: "123456".to_string().into(), mrz: None };
    let mut partial = PartialRead::new();
    let (mut a, mut b) = (VirtualChip::new(first), VirtualChip::new(second));
    let seen = Cell::new(0);
    let field = Field { chip: &mut a, seen: &seen, cuts: &[13], how: TransportError::CardRemoved };
    let e = read_document_resuming(field, &creds, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap_err();
    assert!(e.is_interrupted(), "{e}");
    assert!(partial.bytes_kept() > 0);
    let field = Field { chip: &mut b, seen: &seen, cuts: &[], how: TransportError::CardRemoved };
    let e = read_document_resuming(field, &creds, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap_err();
    assert_eq!(e, SessionError::DifferentDocument);
    // What was kept of the first document is wiped.
    assert_eq!(partial.bytes_kept(), 0);
}

#[test]
fn what_is_kept_is_not_shown_by_debug() {
    let doc = VirtualDocument::specimen();
    let creds = Credentials::Can { can: "123456".to_string().into(), mrz: None };
    let mut partial = PartialRead::new();
    let mut chip = VirtualChip::new(doc);
    let seen = Cell::new(0);
    let field = Field { chip: &mut chip, seen: &seen, cuts: &[13], how: TransportError::CardRemoved };
    let e = read_document_resuming(field, &creds, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap_err();
    assert!(e.is_interrupted(), "{e}");
    let shown = format!("{partial:?}");
    assert!(shown.contains("DG1") && !shown.contains("OEBERG"), "{shown}");
}

#[test]
fn a_card_that_never_stays_ends_with_interruptions_not_a_wrong_result() {
    let doc = VirtualDocument::specimen();
    let creds = Credentials::Mrz(doc.mrz_key());
    let mut partial = PartialRead::new();
    let mut chip = short_chip(&doc);
    let seen = Cell::new(0);
    let cuts: Vec<u64> = (1..200).collect();
    for _ in 0..5 {
        let field = Field { chip: &mut chip, seen: &seen, cuts: &cuts, how: TransportError::CardRemoved };
        let e = read_document_resuming(field, &creds, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap_err();
        assert_eq!(e, SessionError::Interrupted { during: Interruption::Access, cause: TransportError::CardRemoved });
    }
    assert_eq!(partial.interruptions().len(), 5);
    assert_eq!(partial.bytes_kept(), 0);
}
