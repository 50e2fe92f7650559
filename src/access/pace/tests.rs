use std::collections::VecDeque;

use super::*;
use crate::crypto::RngError;
use crate::lds::security_infos::SecurityInfos;
use crate::transport::TransportError;
use hex_literal::hex;

/// Replays chosen scalars: random_scalar computes raw mod (n − 1) + 1, so feeding
/// 8 zero bytes and X − 1 yields X.
struct Scalars(VecDeque<Vec<u8>>);
impl RandomSource for Scalars {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RngError> {
        let x = self.0.pop_front().ok_or(RngError)?;
        let mut minus_one = x.clone();
        for b in minus_one.iter_mut().rev() {
            if *b == 0 {
                *b = 0xFF;
            } else {
                *b -= 1;
                break;
            }
        }
        buf.fill(0);
        let n = buf.len();
        buf[n - minus_one.len()..].copy_from_slice(&minus_one);
        Ok(())
    }
}

/// The ICAO chip of G.1, as a script; checks our commands against the published ones.
struct G1Chip {
    step: usize,
    seen: Vec<Vec<u8>>,
}
impl Transport for G1Chip {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.seen.push(c.to_vec());
        self.step += 1;
        let pk_map_ic = hex!(
            "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
        );
        let pk_dh_ic = hex!(
            "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
        );
        let ok = |mut v: Vec<u8>| {
            v.extend_from_slice(&[0x90, 0x00]);
            v
        };
        Ok(match self.step {
            1 => vec![0x90, 0x00],
            2 => hex!("7C12801095A3A016522EE98D01E76CB6B98B42C39000").to_vec(),
            3 => ok(dyn_auth(0x82, &pk_map_ic)),
            4 => ok(dyn_auth(0x84, &pk_dh_ic)),
            5 => hex!("7C0A86083ABB9674BCE93C089000").to_vec(),
            _ => vec![0x6D, 0x00],
        })
    }
}

fn g1() -> (G1Chip, Result<(SecureChannel, PaceOutcome), AccessError>) {
    let card_access = SecurityInfos::parse(&hex!("31143012060A04007F0007020204020202010202010D")).unwrap();
    let (protocol, id) = card_access.pace().next().unwrap();
    let pw = PacePassword::Mrz(MrzKey::new("T22000129", "640812", "101031").unwrap());
    let mut rng = Scalars(
        [
            hex!("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99").to_vec(),
            hex!("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595").to_vec(),
        ]
        .into(),
    );
    let mut chip = G1Chip { step: 0, seen: vec![] };
    let r = authenticate(&mut chip, &pw, protocol, id.unwrap(), &mut rng);
    (chip, r)
}

// ICAO 9303-11 Appendix G.1: PACE ECDH Generic Mapping on brainpoolP256r1, AES-128, MRZ.
#[test]
fn icao_g1_generic_mapping() {
    let (chip, r) = g1();
    let (mut channel, outcome) = r.unwrap();
    assert_eq!(outcome.password, PasswordKind::Mrz);
    // MSE:Set AT as in the example, plus the domain parameter reference 84 01 0D.
    assert_eq!(chip.seen[0], hex!("0022C1A412800A04007F0007020204020283010184010D").to_vec());
    assert_eq!(chip.seen[1], hex!("10860000027C0000").to_vec());
    assert_eq!(
        chip.seen[2],
        hex!("10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00").to_vec()
    );
    // GA 3 carries PK_DH,IFD = SK_DH,IFD · Ĝ.
    let pk_dh_ifd = hex!(
        "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
    );
    assert!(chip.seen[3].windows(pk_dh_ifd.len()).any(|w| w == pk_dh_ifd));
    assert_eq!(chip.seen[4], hex!("008600000C7C0A8508C2B0BD78D94BA86600").to_vec());
    assert_eq!(channel.suite(), crate::sm::SuiteKind::Aes128);
    assert!(channel.protect(&Command::select_emrtd_application()).is_ok());
}

/// The G.1 chip with one answer replaced.
struct Hostile {
    inner: G1Chip,
    at_step: usize,
    answer: Vec<u8>,
}
impl Transport for Hostile {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, TransportError> {
        let normal = self.inner.transmit(c)?;
        Ok(if self.inner.step == self.at_step { self.answer.clone() } else { normal })
    }
}

fn run_hostile(at_step: usize, answer: Vec<u8>) -> AccessError {
    let pw = PacePassword::Mrz(MrzKey::new("T22000129", "640812", "101031").unwrap());
    let protocol = PaceProtocol::from_oid(&const_oid::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.2")).unwrap();
    let mut rng = Scalars(
        [
            hex!("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99").to_vec(),
            hex!("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595").to_vec(),
        ]
        .into(),
    );
    let mut chip = Hostile { inner: G1Chip { step: 0, seen: vec![] }, at_step, answer };
    authenticate(&mut chip, &pw, protocol, 13, &mut rng).unwrap_err()
}

#[test]
fn hostile_and_refusing_chips() {
    // A wrong authentication token.
    assert!(matches!(
        run_hostile(5, hex!("7C0A86083ABB9674BCE93C099000").to_vec()),
        AccessError::ChipAuthenticationFailed(_)
    ));
    // A mapping key that is not on the curve (invalid-curve attack).
    let mut off = hex!("04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C55").to_vec();
    let mut resp = dyn_auth(0x82, &off);
    resp.extend_from_slice(&[0x90, 0x00]);
    assert_eq!(run_hostile(3, resp), AccessError::ChipAuthenticationFailed("it sent an invalid public key"));
    // The identity / a truncated point.
    off.truncate(1);
    let mut resp = dyn_auth(0x84, &[0x00]);
    resp.extend_from_slice(&[0x90, 0x00]);
    assert!(matches!(run_hostile(4, resp), AccessError::ChipAuthenticationFailed(_)));
    // Retry counters and refusals map to what the caller must do.
    assert_eq!(
        run_hostile(5, hex!("63C2").to_vec()),
        AccessError::WrongPassword { password: PasswordKind::Mrz, tries_left: Some(2) }
    );
    assert_eq!(
        run_hostile(5, hex!("6300").to_vec()),
        AccessError::WrongPassword { password: PasswordKind::Mrz, tries_left: None }
    );
    assert_eq!(run_hostile(1, hex!("6983").to_vec()), AccessError::PasswordBlocked { password: PasswordKind::Mrz });
    assert!(matches!(run_hostile(2, hex!("6A80").to_vec()), AccessError::Refused { step: "GA 1", .. }));
    assert!(matches!(run_hostile(2, hex!("7C009000").to_vec()), AccessError::Malformed("GA 1")));
    assert!(run_hostile(5, hex!("63C2").to_vec()).to_string().contains("2 tries left"));
}

#[test]
fn a_chip_echoing_our_key_is_refused() {
    // Answer GA 3 with our own PK_DH,IFD.
    let pk = hex!(
        "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
    );
    let mut resp = dyn_auth(0x84, &pk);
    resp.extend_from_slice(&[0x90, 0x00]);
    assert_eq!(run_hostile(4, resp), AccessError::ChipAuthenticationFailed("the chip echoed our ephemeral key"));
}

#[test]
fn pin_suspension_and_unsupported_variants() {
    let pw = PacePassword::Pin(Zeroizing::new("123456".into()));
    let protocol = PaceProtocol::from_oid(&const_oid::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.2")).unwrap();
    struct Suspended;
    impl Transport for Suspended {
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(vec![0x63, 0xC1])
        }
    }
    let e = authenticate(&mut Suspended, &pw, protocol, 13, &mut crate::crypto::OsRandom).unwrap_err();
    assert_eq!(e, AccessError::PasswordSuspended { password: PasswordKind::Pin });
    let im = PaceProtocol { mapping: Mapping::Im, ..protocol };
    assert!(matches!(
        authenticate(&mut Suspended, &pw, im, 13, &mut crate::crypto::OsRandom),
        Err(AccessError::Unsupported(_))
    ));
    assert!(matches!(
        authenticate(&mut Suspended, &pw, protocol, 99, &mut crate::crypto::OsRandom),
        Err(AccessError::Unsupported(_))
    ));
    assert_eq!(format!("{pw:?}"), "PacePassword(PIN, ..)");
    assert_eq!(kdf::sha1_kdf(&pw.key_material(), kdf::PACE)[..16], hex!("591468CDA83D65219CCCB8560233600F"));
}
