use super::*;
use crate::apdu::ParsedCommand;
use crate::crypto::tdes::TdesKey;
use hex_literal::hex;

// ICAO 9303-11 Appendix D.4 (keys and SSC from D.3).
const KS_ENC: [u8; 16] = hex!("979EC13B1CBFE9DCD01AB0FED307EAE5");
const KS_MAC: [u8; 16] = hex!("F1CB1F1FB5ADF208806B89DC579DC1F8");
const SSC0: [u8; 8] = hex!("887022120C06C226");

fn suite() -> Suite {
    Suite::tdes(&TdesKey::new(KS_ENC), &TdesKey::new(KS_MAC))
}

fn channel() -> SecureChannel {
    SecureChannel::new(suite(), &SSC0)
}

fn unprotect_raw(ch: &mut SecureChannel, raw: &[u8]) -> Result<Response, SmError> {
    let (data, sw) = Response::split(raw).unwrap();
    ch.unprotect(data, sw)
}

#[test]
fn icao_d4_select_and_read_ef_com() {
    let mut ch = channel();
    let fid = [0x01, 0x1E];
    let c = ch.protect(&Command::select_ef(&fid)).unwrap();
    assert_eq!(c.as_slice(), &hex!("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"));
    let r = unprotect_raw(&mut ch, &hex!("990290008E08FA855A5D4C50A8ED9000")).unwrap();
    assert_eq!(r.sw(), StatusWord::Ok);
    assert!(r.data().is_empty());

    let c = ch.protect(&Command::read_binary(0, Le::Ne(4))).unwrap();
    assert_eq!(c.as_slice(), &hex!("0CB000000D9701048E08ED6705417E96BA5500"));
    let r = unprotect_raw(&mut ch, &hex!("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")).unwrap();
    assert_eq!(r.data(), &hex!("60145F01"));

    let c = ch.protect(&Command::read_binary(4, Le::Ne(0x12))).unwrap();
    assert_eq!(c.as_slice(), &hex!("0CB000040D9701128E082EA28A70F3C7B53500"));
    let r = unprotect_raw(
        &mut ch,
        &hex!("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"),
    )
    .unwrap();
    assert_eq!(r.data(), &hex!("04303130365F36063034303030305C026175"));
    assert_eq!(ch.ssc.bytes().0[..8], hex!("887022120C06C22C"));
}

#[test]
fn tampered_mac_closes_the_channel() {
    let mut ch = channel();
    ch.protect(&Command::select_ef(&[1, 0x1E])).unwrap();
    let mut raw = hex!("990290008E08FA855A5D4C50A8ED9000");
    raw[9] ^= 0x01;
    assert_eq!(unprotect_raw(&mut ch, &raw), Err(SmError::BadMac));
    assert!(!ch.is_open());
    assert_eq!(ch.protect(&Command::read_binary(0, Le::Ne(4))).map(|_| ()), Err(SmError::Closed));
}

#[test]
fn tampered_status_is_caught_by_the_mac() {
    let mut ch = channel();
    ch.protect(&Command::select_ef(&[1, 0x1E])).unwrap();
    // DO99 changed from 9000 to 6A82: the MAC covers it.
    let raw = hex!("99026A828E08FA855A5D4C50A8ED9000");
    assert_eq!(unprotect_raw(&mut ch, &raw), Err(SmError::BadMac));
}

#[test]
fn response_for_another_counter_is_a_counter_mismatch() {
    let mut ch = channel();
    ch.protect(&Command::select_ef(&[1, 0x1E])).unwrap();
    // The READ BINARY response was made with SSC ...C22A; we expect ...C228.
    let r = unprotect_raw(&mut ch, &hex!("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"));
    assert_eq!(r, Err(SmError::CounterMismatch { delta: 2 }));
    assert!(!ch.is_open());
}

#[test]
fn bare_status_word_is_unprotected_and_ends_the_channel() {
    let mut ch = channel();
    ch.protect(&Command::select_ef(&[1, 0x1E])).unwrap();
    assert_eq!(unprotect_raw(&mut ch, &hex!("6988")), Err(SmError::Unprotected(StatusWord::SmObjectsIncorrect)));
    assert!(!ch.is_open());
    let mut ch = channel();
    ch.protect(&Command::select_ef(&[1, 0x1E])).unwrap();
    // Even a bare 9000 is not trusted.
    assert_eq!(unprotect_raw(&mut ch, &hex!("9000")), Err(SmError::Unprotected(StatusWord::Ok)));
}

#[test]
fn malformed_structures_are_rejected_before_decryption() {
    let cases: [&[u8]; 6] = [
        &hex!("8E08FA855A5D4C50A8ED"),                  // no DO99
        &hex!("99029000"),                              // no DO8E
        &hex!("990290008E08FA855A5D4C50A8ED 0101"),     // data after 8E
        &hex!("9902900099029000 8E08FA855A5D4C50A8ED"), // duplicate 99
        &hex!("01020304"),                              // unknown DO
        &hex!("99 05 90"),                              // broken TLV
    ];
    for data in cases {
        let mut ch = channel();
        ch.protect(&Command::select_ef(&[1, 0x1E])).unwrap();
        assert!(matches!(ch.unprotect(data, StatusWord::Ok), Err(SmError::Malformed(_))), "{data:02X?}");
        assert!(!ch.is_open());
    }
}

#[test]
fn chip_and_terminal_round_trip() {
    let mut host = channel();
    let mut chip = ChipChannel::new(suite(), &SSC0);
    for len in [0usize, 1, 7, 8, 9, 223, 231, 232, 255, 300, 4096] {
        let data: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        let cmd =
            Command::new(0x00, 0xDA, 0x01, 0x02).with_data(&data).with_le(Le::Ne(if len > 200 { 4096 } else { 200 }));
        let wrapped = host.protect(&cmd).unwrap();
        let parsed = ParsedCommand::parse(&wrapped).unwrap();
        let opened = chip.open_command(&parsed).unwrap();
        assert_eq!(opened.data.as_slice(), &data[..]);
        assert_eq!(opened.ne, cmd.le.ne());
        assert_eq!((opened.cla, opened.ins, opened.p1, opened.p2), (0x00, 0xDA, 0x01, 0x02));
        let resp = chip.protect_response(&data, StatusWord::EndOfFile, false);
        let r = unprotect_raw(&mut host, &resp).unwrap();
        assert_eq!(r.data(), &data[..]);
        assert_eq!(r.sw(), StatusWord::EndOfFile);
    }
    // Odd INS uses DO85 both ways.
    let offset = [0x54, 0x02, 0x80, 0x00];
    let cmd = Command::read_binary_odd(&offset, Le::MAX_SHORT);
    let wrapped = host.protect(&cmd).unwrap();
    assert_eq!(ParsedCommand::parse(&wrapped).unwrap().data[0], 0x85);
    let opened = chip.open_command(&ParsedCommand::parse(&wrapped).unwrap()).unwrap();
    assert_eq!(opened.data.as_slice(), &offset);
    let resp = chip.protect_response(&[0x53, 0x01, 0xAA], StatusWord::Ok, true);
    assert_eq!(resp[0], 0x85);
    assert_eq!(unprotect_raw(&mut host, &resp).unwrap().data(), &[0x53, 0x01, 0xAA]);
}

#[test]
fn chip_rejects_a_command_with_a_bad_mac() {
    let mut host = channel();
    let mut chip = ChipChannel::new(suite(), &SSC0);
    let mut wrapped = host.protect(&Command::read_binary(0, Le::Ne(4))).unwrap().to_vec();
    let n = wrapped.len();
    wrapped[n - 2] ^= 0x40;
    assert_eq!(chip.open_command(&ParsedCommand::parse(&wrapped).unwrap()).map(|_| ()), Err(SmError::BadMac));
}

#[test]
fn max_short_read_matches_icao() {
    assert_eq!(channel().max_short_read(), 231);
}

#[test]
fn debug_is_redacted() {
    assert_eq!(format!("{:?}", channel()), "SecureChannel(3DES, open)");
}

proptest::proptest! {
    #[test]
    fn unprotect_never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..80), sw in proptest::num::u16::ANY) {
        let mut ch = channel();
        let [a, b] = sw.to_be_bytes();
        let _ = ch.unprotect(&data, StatusWord::from_bytes(a, b));
    }
}

// BSI "Worked Example for EAC" v1.01 (via OpenPACE): AES-128 SM, SSC 1 and 2.
#[test]
fn bsi_aes_secure_messaging_vectors() {
    let suite =
        Suite::aes(&hex!("68406B4162100563D9C901A6154D2901"), &hex!("73FF268784F72AF833FDC9464049AFC9")).unwrap();
    assert_eq!(suite.kind(), SuiteKind::Aes128);
    let mut buf = crate::crypto::padding::padded(&hex!("830D44454356434141543030303031"), 16);
    suite.encrypt(&hex!("00000000000000000000000000000001"), &mut buf).unwrap();
    assert_eq!(buf, hex!("BE90237EEB4BA0FF253EA246AE31C8B8"));
    suite.decrypt(&hex!("00000000000000000000000000000001"), &mut buf).unwrap();
    assert_eq!(&buf[..15], &hex!("830D44454356434141543030303031"));
    assert_eq!(suite.mac(&hex!("00000000000000000000000000000002"), &[&hex!("99029000")]), hex!("A89570A68664A7D6"));
}

#[test]
fn aes_chip_and_terminal_round_trip() {
    for key_len in [16usize, 24, 32] {
        let ks = vec![0x5Au8; key_len];
        let km = vec![0xA5u8; key_len];
        let mut host = SecureChannel::new(Suite::aes(&ks, &km).unwrap(), &[0u8; 16]);
        let mut chip = ChipChannel::new(Suite::aes(&ks, &km).unwrap(), &[0u8; 16]);
        assert_eq!(host.max_short_read(), 223);
        for len in [0usize, 1, 15, 16, 17, 223, 1000] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let cmd = Command::new(0x00, 0xB0, 0, 0).with_data(&data).with_le(Le::Ne(256));
            let wrapped = host.protect(&cmd).unwrap();
            let opened = chip.open_command(&ParsedCommand::parse(&wrapped).unwrap()).unwrap();
            assert_eq!(opened.data.as_slice(), &data[..]);
            let resp = chip.protect_response(&data, StatusWord::Ok, false);
            assert_eq!(unprotect_raw(&mut host, &resp).unwrap().data(), &data[..], "AES-{}", key_len * 8);
        }
        let resp = chip.protect_response(b"x", StatusWord::Ok, false);
        let mut tampered = resp.clone();
        tampered[3] ^= 1;
        host.protect(&Command::new(0x00, 0xB0, 0, 0).with_le(Le::Ne(1))).unwrap();
        assert_eq!(unprotect_raw(&mut host, &tampered), Err(SmError::BadMac));
    }
}

#[test]
fn response_sizes_and_their_inverse() {
    // A short response (256 data bytes and SW) carries 223 bytes under AES, 231 under 3DES.
    assert_eq!(super::max_plaintext_in(258), 223);
    assert_eq!(super::protected_response_len(231, 8), 252);
    assert_eq!(super::protected_response_len(239, 8), 260);
    for n in [0usize, 1, 15, 16, 127, 223, 224, 1000, 0xFF00, 65_536] {
        let r = super::protected_response_len(n, 16);
        assert!(super::max_plaintext_in(r) >= n, "{n}");
        assert!(super::protected_response_len(n, 8) <= r, "{n}");
    }
    for r in (0..70_000).step_by(97) {
        let n = super::max_plaintext_in(r);
        assert!(n == 0 || super::protected_response_len(n, 16) <= r, "{r}");
        assert!(super::protected_response_len(n + 1, 16) > r, "{r}");
    }
}
