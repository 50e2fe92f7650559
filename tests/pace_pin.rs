//! PIN and PUK against the virtual ID card: retry counters read from 63CX, a suspended PIN
//! only tried after the CAN (inside the CAN's channel), a blocked PIN unblocked with the
//! PUK and RESET RETRY COUNTER, and nothing ever retried on its own.
#![cfg(feature = "emulator")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::emulator::{DocumentSpec, VirtualChip, VirtualDocument};
use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use passchip::low_level::access::AccessError;
use passchip::low_level::access::pace::{PacePassword, PasswordKind};
use passchip::low_level::crypto::OsRandom;
use passchip::reader::{PinFlowError, ReadOptions, Session};
use passchip::transport::InProcess;
use zeroize::Zeroizing;

const PROTOCOL: PaceProtocol =
    PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes128 };

fn card() -> InProcess<VirtualChip> {
    let doc = VirtualDocument::build(DocumentSpec {
        pace: Some((PROTOCOL, 13)),
        pin: Some("271828".into()),
        puk: Some("3141592653".into()),
        signature: None,
        ..DocumentSpec::specimen()
    });
    InProcess::new(VirtualChip::new(doc))
}

fn pin(s: &str) -> PacePassword {
    PacePassword::Pin(Zeroizing::new(s.into()))
}

fn can() -> PacePassword {
    PacePassword::can("123456")
}

/// One tap: a fresh session on the same chip (the retry counter persists).
fn try_pin(link: &mut InProcess<VirtualChip>, p: &str, with_can: bool) -> Result<(), AccessError> {
    link.handler_mut().reset();
    let session = Session::new(&mut *link, ReadOptions::default());
    let can = can();
    match session.pace_pin(&pin(p), with_can.then_some(&can), PROTOCOL, 13, &mut OsRandom) {
        Ok(s) => {
            assert_eq!(s.pace_outcome().unwrap().password, PasswordKind::Pin);
            Ok(())
        }
        Err(e) => Err(e.error().clone()),
    }
}

#[test]
fn the_right_pin_opens_the_chip() {
    let mut link = card();
    try_pin(&mut link, "271828", false).unwrap();
    assert_eq!(link.handler().pin_tries(), 3);
}

#[test]
fn wrong_pins_count_down_then_suspend_then_block_and_the_puk_unblocks() {
    let mut link = card();
    let wrong = |tries_left| AccessError::WrongPassword { password: PasswordKind::Pin, tries_left: Some(tries_left) };
    assert_eq!(try_pin(&mut link, "000000", false), Err(wrong(2)));
    assert_eq!(try_pin(&mut link, "000000", false), Err(wrong(1)));
    // Suspended: without the CAN the PIN is not even tried (no try is spent).
    assert_eq!(
        try_pin(&mut link, "271828", false),
        Err(AccessError::PasswordSuspended { password: PasswordKind::Pin })
    );
    assert_eq!(link.handler().pin_tries(), 1);
    // With the CAN first, the right PIN works inside the CAN's channel and resets the counter.
    try_pin(&mut link, "271828", true).unwrap();
    assert_eq!(link.handler().pin_tries(), 3);

    // Down to suspended again, then the last try (after the CAN) is wrong: blocked.
    assert_eq!(try_pin(&mut link, "000000", false), Err(wrong(2)));
    assert_eq!(try_pin(&mut link, "000000", false), Err(wrong(1)));
    assert_eq!(try_pin(&mut link, "000000", true), Err(wrong(0)));
    assert_eq!(try_pin(&mut link, "271828", true), Err(AccessError::PasswordBlocked { password: PasswordKind::Pin }));

    // A channel opened with the CAN may not reset the counter.
    link.handler_mut().reset();
    let mut by_can = Session::new(&mut link, ReadOptions::default()).pace(&can(), PROTOCOL, 13).unwrap();
    assert!(matches!(by_can.reset_pin_retry_counter(), Err(AccessError::Refused { .. })));
    drop(by_can);

    // A wrong PUK costs a PUK try and changes nothing.
    link.handler_mut().reset();
    let puk = |s: &str| PacePassword::Puk(Zeroizing::new(s.into()));
    match Session::new(&mut link, ReadOptions::default()).unblock_pin(&puk("0000000000"), PROTOCOL, 13, &mut OsRandom) {
        Err(PinFlowError::Plain(
            _,
            AccessError::WrongPassword { password: PasswordKind::Puk, tries_left: Some(9) },
        )) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(link.handler().pin_tries(), 0);
    // The PUK unblocks; the PIN works again.
    link.handler_mut().reset();
    Session::new(&mut link, ReadOptions::default())
        .unblock_pin(&puk("3141592653"), PROTOCOL, 13, &mut OsRandom)
        .unwrap();
    assert_eq!(link.handler().pin_tries(), 3);
    try_pin(&mut link, "271828", false).unwrap();
}

#[test]
fn a_chip_without_a_pin_says_so() {
    let doc = VirtualDocument::build(DocumentSpec {
        pace: Some((PROTOCOL, 13)),
        signature: None,
        ..DocumentSpec::specimen()
    });
    let mut link = InProcess::new(VirtualChip::new(doc));
    assert!(matches!(try_pin(&mut link, "271828", false), Err(AccessError::Refused { step: "MSE:Set AT", .. })));
}
