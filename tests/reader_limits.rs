//! A reader (or driver) that cannot carry extended-length APDUs: the first extended
//! exchange fails below the chip, and the read goes on with short APDUs from where it
//! stopped, after authenticating again.
#![cfg(feature = "emulator")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::emulator::{VirtualChip, VirtualDocument};
use passchip::reader::{Credentials, PartialRead, ReadOptions, SessionError, read_document_resuming};
use passchip::transport::{InProcess, Transport, TransportError};

/// A reader path that fails every extended APDU, as `PcscCard` reports it.
struct ShortOnlyReader<T>(T, usize);

impl<T: Transport> Transport for ShortOnlyReader<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        if capdu.len() >= 7 && capdu[4] == 0 {
            self.1 += 1;
            return Err(TransportError::ExtendedLengthUnsupported("test reader: Transaction failed".into()));
        }
        self.0.transmit(capdu)
    }
}

#[test]
fn a_reader_without_extended_length_reads_on_with_short_apdus() {
    let doc = VirtualDocument::specimen();
    let creds = Credentials::Can { can: doc.spec().can.clone().into(), mrz: None };
    let chip = || VirtualChip::new(doc.clone());
    let mut partial = PartialRead::new();
    let mut reader = ShortOnlyReader(InProcess::new(chip()), 0);
    let first = read_document_resuming(&mut reader, &creds, ReadOptions::default(), &mut partial, &mut |_| {});
    match first {
        Err(SessionError::Interrupted { cause: TransportError::ExtendedLengthUnsupported(_), .. }) => {}
        other => panic!("expected an interruption for short APDUs, got {other:?}"),
    }
    assert_eq!(reader.1, 1, "one extended APDU tried");
    assert!(partial.reader_needs_short_apdus());
    // The same reader again: the read completes with short APDUs only.
    let mut reader = ShortOnlyReader(InProcess::new(chip()), 0);
    let read = read_document_resuming(&mut reader, &creds, ReadOptions::default(), &mut partial, &mut |_| {}).unwrap();
    assert_eq!(reader.1, 0, "no extended APDU after the failure");
    assert!(!read.extended_length);
    assert_eq!(read.interruptions.len(), 1);
    for (f, bytes) in doc.files() {
        assert_eq!(read.files.get(&f).map(Vec::as_slice), Some(bytes), "{f}");
    }
    assert!(read.anti_cloning.chip_authentication.passed());
}

/// Without the fallback's cost: a caller that knows its reader asks for short APDUs.
#[test]
fn short_only_never_sends_an_extended_apdu() {
    let doc = VirtualDocument::specimen();
    let creds = Credentials::Can { can: doc.spec().can.clone().into(), mrz: None };
    let mut reader = ShortOnlyReader(InProcess::new(VirtualChip::new(doc.clone())), 0);
    let read = read_document_resuming(
        &mut reader,
        &creds,
        ReadOptions::default().short_only(),
        &mut PartialRead::new(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(reader.1, 0);
    assert!(read.interruptions.is_empty());
}
