use std::collections::VecDeque;

use super::*;
use crate::crypto::RngError;
use crate::crypto::ec::{Curve, NamedCurve};
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
    let pw = PacePassword::mrz(b"T22000129364081251010318");
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
    let pw = PacePassword::mrz(b"T22000129364081251010318");
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
    // Integrated Mapping on P-224 (p ≡ 1 mod 4: no point encoding).
    let im = PaceProtocol { mapping: Mapping::Im, ..protocol };
    assert!(matches!(
        authenticate(&mut Suspended, &pw, im, 10, &mut crate::crypto::OsRandom),
        Err(AccessError::Unsupported(_))
    ));
    assert!(matches!(
        authenticate(&mut Suspended, &pw, protocol, 99, &mut crate::crypto::OsRandom),
        Err(AccessError::Unsupported(_))
    ));
    assert_eq!(format!("{pw:?}"), "PacePassword(PIN, ..)");
    assert_eq!(kdf::sha1_kdf(&pw.key_material(), kdf::PACE)[..16], hex!("591468CDA83D65219CCCB8560233600F"));
}

/// The ICAO chip of G.2 (DH, RFC 5114 1024-bit group), as a script.
struct G2Chip {
    step: usize,
    seen: Vec<Vec<u8>>,
    /// Replaces the answer at this step.
    hostile: Option<(usize, Vec<u8>)>,
}
const G2_PK_MAP_IFD: [u8; 128] = hex!(
    "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022DCB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C"
);
const G2_PK_DH_IFD: [u8; 128] = hex!(
    "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747CC7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4"
);
impl Transport for G2Chip {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.seen.push(c.to_vec());
        self.step += 1;
        if let Some((at, answer)) = &self.hostile
            && *at == self.step
        {
            return Ok(answer.clone());
        }
        let pk_map_ic = hex!(
            "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6"
        );
        let pk_dh_ic = hex!(
            "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1"
        );
        let ok = |mut v: Vec<u8>| {
            v.extend_from_slice(&[0x90, 0x00]);
            v
        };
        Ok(match self.step {
            1 => vec![0x90, 0x00],
            2 => ok(dyn_auth(0x80, &hex!("854D8DF5827FA6852D1A4FA701CDDDCA"))),
            3 => ok(dyn_auth(0x82, &pk_map_ic)),
            4 => ok(dyn_auth(0x84, &pk_dh_ic)),
            5 => hex!("7C1B8608917F37B5C0E6D8D1870F4445544553544356434130303030339000").to_vec(),
            _ => vec![0x6D, 0x00],
        })
    }
}

fn g2(hostile: Option<(usize, Vec<u8>)>) -> (G2Chip, Result<(SecureChannel, PaceOutcome), AccessError>) {
    let card_access = SecurityInfos::parse(&hex!("31143012060A04007F00070202040102020102020100")).unwrap();
    let (protocol, id) = card_access.pace().next().unwrap();
    let pw = PacePassword::mrz(b"T22000129364081251010318");
    let mut rng = Scalars(
        [
            hex!("5265030F751F4AD18B08AC565FC7AC952E41618D").to_vec(),
            hex!("89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA").to_vec(),
        ]
        .into(),
    );
    let mut chip = G2Chip { step: 0, seen: vec![], hostile };
    let r = authenticate(&mut chip, &pw, protocol, id.unwrap(), &mut rng);
    (chip, r)
}

// ICAO 9303-11 Appendix G.2: PACE DH Generic Mapping on the RFC 5114 1024-bit group, AES-128.
#[test]
fn icao_g2_dh_generic_mapping() {
    let (chip, r) = g2(None);
    let (mut channel, outcome) = r.unwrap();
    assert_eq!(outcome.parameter_id, Some(0));
    // The example omits the domain parameter reference; we always send it (84 01 00).
    assert_eq!(chip.seen[0], hex!("0022C1A412800A04007F00070202040102830101840100").to_vec());
    let mut ga2 = hex!("10860000867C8183818180").to_vec();
    ga2.extend_from_slice(&G2_PK_MAP_IFD);
    ga2.push(0x00);
    assert_eq!(chip.seen[2], ga2);
    // PK_DH,IFD = ĝ^SK_DH,IFD: only right if the mapping (g^s · h) was.
    assert!(chip.seen[3].windows(128).any(|w| w == G2_PK_DH_IFD));
    // T_IFD over the chip's key under tag 84 (the DH public value).
    assert_eq!(chip.seen[4], hex!("008600000C7C0A8508B46DD9BD4D98381F00").to_vec());
    assert!(channel.protect(&Command::select_emrtd_application()).is_ok());
}

#[test]
fn hostile_dh_values_are_rejected() {
    // Values every DH chip must never send: 0, 1, p − 1 (order 2), a value outside the
    // subgroup, and one longer than p.
    let p_bytes = hex!(
        "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371"
    );
    let mut p_minus_1 = p_bytes.to_vec();
    *p_minus_1.last_mut().unwrap() -= 1;
    let mut two = vec![0u8; 128];
    two[127] = 2;
    for (step, tag) in [(3, 0x82), (4, 0x84)] {
        for bad in [vec![0u8; 128], vec![1u8], p_minus_1.clone(), two.clone(), vec![0xFF; 129]] {
            let mut resp = dyn_auth(tag, &bad);
            resp.extend_from_slice(&[0x90, 0x00]);
            let (_, r) = g2(Some((step, resp)));
            assert_eq!(r.unwrap_err(), AccessError::ChipAuthenticationFailed("it sent an invalid public key"));
        }
    }
    // A wrong token.
    let (_, r) = g2(Some((5, hex!("7C0A8608917F37B5C0E6D8D09000").to_vec())));
    assert!(matches!(r, Err(AccessError::ChipAuthenticationFailed(_))));
}

/// A chip that answers with a fixed script and records the commands.
struct Script {
    answers: VecDeque<Vec<u8>>,
    seen: Vec<Vec<u8>>,
}
impl Transport for Script {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.seen.push(c.to_vec());
        Ok(self.answers.pop_front().unwrap_or_else(|| vec![0x6D, 0x00]))
    }
}
fn ok(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut v = dyn_auth(tag, value);
    v.extend_from_slice(&[0x90, 0x00]);
    v
}

// BSI "Worked Example for EAC" v1.01, PACE part with ECDH: brainpoolP256r1, AES-128, PIN 123456.
#[test]
fn bsi_eac_worked_example_ecdh_pace_with_pin() {
    let mut chip = Script {
        answers: [
            vec![0x90, 0x00],
            ok(0x80, &hex!("CE834CDE69FFBB1D1EB21585CD709F18")),
            ok(0x82, &hex!("049CFCF7582AC986D0DD52FA53123414C3E1B96B4D00ABA8E574679B70EFB5BC3B45D2F13729CC2AE178E7E241B443213533B77DBB44649A815DDC4A2384BA422A")),
            ok(0x84, &hex!("04282CF38073036AFAC216AF135BD994DA0C357F10BD4C34AFEA1042B2EB0FD6804DF3658B835AC2E7133F13691184542BB50B109963A4662ABDC08B9763AF4B5B")),
            ok(0x86, &hex!("A2658C2F38600B0F")),
        ]
        .into(),
        seen: vec![],
    };
    let mut rng = Scalars(
        [
            hex!("752287F5B02DE3C4BC3E17945118C51B23C97278E4CD748048AC56BA5BDC3D46").to_vec(),
            hex!("9D9A32DF93A57CCE33CA3CDD3457E33A976F293546C73550F397259C93BE0120").to_vec(),
        ]
        .into(),
    );
    let protocol = PaceProtocol::from_oid(&const_oid::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.2")).unwrap();
    let pw = PacePassword::Pin(Zeroizing::new("123456".into()));
    let (_, outcome) = authenticate(&mut chip, &pw, protocol, 13, &mut rng).unwrap();
    assert_eq!(outcome.password, PasswordKind::Pin);
    assert_eq!(chip.seen[0][5..], hex!("800A04007F0007020204020283010384010D"));
    let pk_map_pcd = hex!(
        "043DD29BBE5907FD21A152ADA4895FAAE7ACC55F5E50EFBFDE5AB0C6EB54F198D615913635F0FDF5BEB383E00355F82D3C41ED0DF2E28363433DFB73856A15DC9F"
    );
    assert!(chip.seen[2].windows(65).any(|w| w == pk_map_pcd));
    let pk_pcd = hex!(
        "04518BC4E532AD2A9BD6527804D5D665ABD51041037A0CC8AA922804EB501C222B3427388599AFAAE9FBACE2DF93E13C3C4979CD12F0AE3E3C0126028391554582"
    );
    assert!(chip.seen[3].windows(65).any(|w| w == pk_pcd));
    assert_eq!(chip.seen[4], hex!("008600000C7C0A8508A27AE7B36573C1D900").to_vec());
}

// BSI worked example, PACE with DH (the RFC 5114 1024-bit group, AES-128, PIN). Its secret
// exponents are full length; reduced mod q they are those of ICAO G.2, so the public
// values and tokens must come out the same.
#[test]
fn bsi_eac_worked_example_dh_pace_with_pin() {
    let mut chip = Script {
        answers: [
            vec![0x90, 0x00],
            ok(0x80, &hex!("9ABB8864CA0FF1551E620D1EF4E13510")),
            ok(0x82, &hex!("78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6")),
            ok(0x84, &hex!("075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1")),
            ok(0x86, &hex!("917F37B5C0E6D8D1")),
        ]
        .into(),
        seen: vec![],
    };
    let mut rng = Scalars(
        [
            hex!("5265030F751F4AD18B08AC565FC7AC952E41618D").to_vec(),
            hex!("89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA").to_vec(),
        ]
        .into(),
    );
    let protocol = PaceProtocol::from_oid(&const_oid::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.1.2")).unwrap();
    let pw = PacePassword::Pin(Zeroizing::new("123456".into()));
    authenticate(&mut chip, &pw, protocol, 0, &mut rng).unwrap();
    assert!(chip.seen[2].windows(128).any(|w| w == G2_PK_MAP_IFD));
    assert!(chip.seen[3].windows(128).any(|w| w == G2_PK_DH_IFD));
    assert_eq!(chip.seen[4], hex!("008600000C7C0A8508B46DD9BD4D98381F00").to_vec());
}

fn i1_chip(a_ic: &[u8]) -> Script {
    let mut ga4 = tlv::encode_to_vec(Tag::new(0x86), &hex!("8596CF055C67C1A3"));
    tlv::encode(Tag::new(0x8A), a_ic, &mut ga4);
    let mut ga4 = tlv::encode_to_vec(Tag::new(0x7C), &ga4);
    ga4.extend_from_slice(&[0x90, 0x00]);
    Script {
        answers: [
            vec![0x90, 0x00],
            ok(0x80, &hex!("CB60E8E0D85B76A9BD304747C2AD42E2")),
            ok(0x82, &I1_PK_MAP_IC),
            ok(0x84, &hex!("0402AD566F3C6EC7F9324509AD50A51FA52030782A4968FCFEDF737DAEA993333111C3B9B4C2287789BD137E7F8AA882E2A3C633CCD6ECC2C63C57AD401A09C2E1")),
            ga4,
        ]
        .into(),
        seen: vec![],
    }
}
const I1_PK_MAP_IC: [u8; 65] = hex!(
    "04A234236AA9B9621E8EFB73B5245C0E09D2576E5277183C1208BDD55280CAE8B304F365713A356E65A451E165ECC9AC0AC46E3771342C8FE5AEDD092685338E23"
);
const I1_A_IC: [u8; 48] =
    hex!("1EEA964DAAE372AC990E3EFDE6333353BFC89A6704D93DA8798CF77F5B7A54BD10CBA372B42BE0B9B5F28AA8DE2F4F92");
/// PK_IC from the example's ChipAuthenticationPublicKeyInfo (key ID 13).
const I1_PK_IC: [u8; 65] = hex!(
    "041872709494399E7470A6431BE25E83EEE24FEA568C2ED28DB48E05DB3A610DC884D256A40E35EFCB59BF6753D3A489D28C7A4D973C2DA138A6E7A4A08F68E16F"
);

fn i1(chip: &mut Script) -> Result<(SecureChannel, PaceOutcome), AccessError> {
    let card_access = SecurityInfos::parse(&hex!("31143012060A04007F0007020204060202010202010D")).unwrap();
    let (protocol, id) = card_access.pace().next().unwrap();
    assert_eq!(protocol.mapping, Mapping::Cam);
    let pw = PacePassword::mrz(b"C11T002JM496081222310314");
    let mut rng = Scalars(
        [
            hex!("5D8BB87BD74D985A4B7D4325B9F7B976FE835122773400798914AA22738135CC").to_vec(),
            hex!("76ECFDAA9841C323A3F5FC5E88B88DB3EFF7E35EBF57A7E6946CB630006C2120").to_vec(),
        ]
        .into(),
    );
    authenticate(chip, &pw, protocol, id.unwrap(), &mut rng)
}

// ICAO 9303-11 Appendix I.1: PACE-CAM on brainpoolP256r1, AES-128, MRZ.
#[test]
fn icao_i1_chip_authentication_mapping() {
    let mut chip = i1_chip(&I1_A_IC);
    let (_, outcome) = i1(&mut chip).unwrap();
    let pk_map_ifd = hex!(
        "047F1D410ADB7DDB3B84BF1030800981A9105D7457B4A3ADE002384F3086C67EDE1AB889104A27DB6D842B019020FBF3CEACB0DC627F7BDCAC29969E19D0E553C1"
    );
    assert!(chip.seen[2].windows(65).any(|w| w == pk_map_ifd));
    let pk_dh_ifd = hex!(
        "04446C934084D9DAB863944F219520076C29EE3F7AE6722B11FF319EC1C7728F955483400BFF60BF0C5929270009277DC2A515E12575010AD9BA916CF1BF86FEFC"
    );
    assert!(chip.seen[3].windows(65).any(|w| w == pk_dh_ifd));
    assert_eq!(chip.seen[4], hex!("008600000C7C0A8508E86BD06018A1CD3B00").to_vec());
    let cam = outcome.cam.expect("CAM evidence");
    assert_eq!(cam.ca_ic(), hex!("85DC3FA93D0952BFA82F5FD189EE75BD82F11D1F0B8ED4BF5319AC9B53C426B3"));
    cam.verify(&I1_PK_IC).unwrap();
    // Another chip's static key does not explain this mapping key: a clone.
    let other = Curve::named(NamedCurve::BrainpoolP256r1).unwrap();
    let wrong = other.encode_point(other.generator());
    assert!(matches!(cam.verify(&wrong), Err(AccessError::ChipAuthenticationFailed(_))));
    assert!(matches!(cam.verify(&I1_PK_IC[..64]), Err(AccessError::ChipAuthenticationFailed(_))));
}

#[test]
fn cam_data_that_is_missing_or_tampered_is_refused() {
    // No 8A object at all.
    let mut chip = i1_chip(&[]);
    chip.answers[4] = hex!("7C0A86088596CF055C67C1A39000").to_vec();
    assert!(matches!(i1(&mut chip), Err(AccessError::Malformed(_))));
    // A flipped bit in the last block breaks the padding or the value.
    let mut tampered = I1_A_IC;
    tampered[47] ^= 1;
    match i1(&mut i1_chip(&tampered)) {
        Err(AccessError::Malformed(_)) => {}
        Ok((_, outcome)) => assert!(outcome.cam.unwrap().verify(&I1_PK_IC).is_err()),
        Err(e) => panic!("{e}"),
    }
    // A flipped bit in the first block changes CA_IC: it no longer matches.
    let mut tampered = I1_A_IC;
    tampered[0] ^= 1;
    let (_, outcome) = i1(&mut i1_chip(&tampered)).unwrap();
    assert!(outcome.cam.unwrap().verify(&I1_PK_IC).is_err());
}

/// Replays raw bytes (`false`) or scalars with the `Scalars` encoding (`true`).
struct Mixed(VecDeque<(bool, Vec<u8>)>);
impl RandomSource for Mixed {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RngError> {
        let (scalar, x) = self.0.pop_front().ok_or(RngError)?;
        if scalar {
            return Scalars([x].into()).fill(buf);
        }
        buf.copy_from_slice(&x);
        Ok(())
    }
}

fn run_im(oid: &str, id: u32, answers: Vec<Vec<u8>>, t: [u8; 16], sk: Vec<u8>) -> (Script, Result<(), AccessError>) {
    let mut chip = Script { answers: answers.into(), seen: vec![] };
    let protocol = PaceProtocol::from_oid(&const_oid::ObjectIdentifier::new_unwrap(oid)).unwrap();
    assert_eq!(protocol.mapping, Mapping::Im);
    let mut rng = Mixed([(false, t.to_vec()), (true, sk)].into());
    let r = authenticate(&mut chip, &PacePassword::can("123456"), protocol, id, &mut rng).map(|_| ());
    (chip, r)
}

// ICAO 9303-11 Appendix H.1: PACE ECDH Integrated Mapping on brainpoolP256r1, AES-128.
#[test]
fn icao_h1_ecdh_integrated_mapping() {
    let answers = vec![
        vec![0x90, 0x00],
        ok(0x80, &hex!("143DC40C08C8E891FBED7DEDB92B64AD")),
        vec![0x90, 0x00],
        ok(
            0x84,
            &hex!(
                "0467F78E5F7F7686082B293E8D087E056916D0F74BC01A5F8957D0DE45691E51E8932B69A962B52A0985AD2C0A271EE6A13A8ADDDCD1A3A994B9DED257F4D22753"
            ),
        ),
        ok(0x86, &hex!("75D4D96E8D5B0308")),
    ];
    let t = hex!("5DD4CBFC96F5453B130D890A1CDBAE32");
    let sk = hex!("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595").to_vec();
    let (chip, r) = run_im("0.4.0.127.0.7.2.2.4.4.2", 13, answers, t, sk);
    r.unwrap();
    assert_eq!(chip.seen[2], hex!("10860000147C1281105DD4CBFC96F5453B130D890A1CDBAE3200").to_vec());
    let pk_dh_ifd = hex!(
        "0489CBA23FFE96AA18D824627C3E934E54A9FD0B87A95D1471DC1C0ABFDCD640D46755DE9B7B778280B6BEBD57439ADFEB0E21FD4ED6DF42578C13418A59B34C37"
    );
    assert!(chip.seen[3].windows(65).any(|w| w == pk_dh_ifd), "Ĝ from R(s,t) and the point encoding");
    assert_eq!(chip.seen[4], hex!("008600000C7C0A8508450F02B86F6A090900").to_vec());
}

// ICAO 9303-11 Appendix H.2: PACE DH Integrated Mapping on the RFC 5114 1024-bit group.
#[test]
fn icao_h2_dh_integrated_mapping() {
    let answers = vec![
        vec![0x90, 0x00],
        ok(0x80, &hex!("9ABB8864CA0FF1551E620D1EF4E13510")),
        hex!("7C009000").to_vec(),
        ok(
            0x84,
            &hex!(
                "928D9A0F9DBA450F13FC859C6F290D1D36E42431138A4378500BEB4E0401854CFF111F71CB6DC1D0335807A11388CC8EAA87B07907AAD9FBA6B169AF6D8C26AF8DDDC39ADC3AD2E3FF882B84D23E9768E95A80E4746FB07A9767679FE92133B4D379935C771BD7FBED6C7BB4B1708B275EA75679524CDC9C6A91370CC662A2F3"
            ),
        ),
        ok(0x86, &hex!("C2F04230187E1525")),
    ];
    let t = hex!("B3A6DB3C870C3E99245E0D1C06B747DE");
    // The example's exponent is full length; reduced mod q it is this one.
    let sk = hex!("89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA").to_vec();
    let (chip, r) = run_im("0.4.0.127.0.7.2.2.4.3.2", 0, answers, t, sk);
    r.unwrap();
    assert_eq!(chip.seen[2], hex!("10860000147C128110B3A6DB3C870C3E99245E0D1C06B747DE00").to_vec());
    let pk_dh_ifd = hex!(
        "0F0CC62945A8029251FB7EF3C094E12EC68E4EF07F27CB9D9CD04C5C4250FAE0E4F8A951557E929AEB48E5C6DD47F2F5CD7C351A9BD2CD722C07EDE166770F08FFCB370262CF308DD7B07F2E0DA9CAAA1492344C852906919538C98A4BA4187E76CE9D87832386D319CE2E043C3343AEAE6EDBA1A9894DC5094D22F7FE1351D5"
    );
    assert!(chip.seen[3].windows(128).any(|w| w == pk_dh_ifd));
    assert_eq!(chip.seen[4], hex!("008600000C7C0A850855D61977CBF5307E00").to_vec());
}

#[test]
fn integrated_mapping_pseudo_random_function_h1_h2() {
    let r = pseudo_random(
        Cipher::Aes128,
        &hex!("2923BE84E16CD6AE529049F1F1BBE9EB"),
        &hex!("5DD4CBFC96F5453B130D890A1CDBAE32"),
        256,
    )
    .unwrap();
    assert_eq!(
        r.as_slice(),
        hex!("E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA8DA0FF397ED8C445D3E421E4FEB57322")
    );
    // l = 256 for AES-192/256: 32-byte nonces, 32-byte outputs.
    assert!(matches!(pseudo_random(Cipher::Aes256, &[0; 16], &[0; 16], 256), Err(AccessError::Malformed(_))));
    let r = pseudo_random(Cipher::Aes192, &[1; 32], &[2; 32], 256).unwrap();
    assert_eq!(r.len(), 64, "ceil((256 + 64) / 256) = 2 blocks of 32 bytes");
    assert_ne!(r.as_slice(), pseudo_random(Cipher::Aes256, &[1; 32], &[2; 32], 256).unwrap().as_slice());
    assert!(pseudo_random(Cipher::Aes128, &[0; 8], &[0; 16], 256).is_err());
}

#[test]
fn explicit_domain_parameters_are_checked() {
    let der = |tag: u32, parts: &[Vec<u8>]| tlv::encode_to_vec(Tag::new(tag), &parts.concat());
    let oid = |o: &const_oid::ObjectIdentifier| der(0x06, &[o.as_bytes().to_vec()]);
    let int = |v: &[u8]| der(0x02, &[v.to_vec()]);
    let g0 = crate::crypto::dh::DhGroup::standard(0).unwrap();
    let (p, g, q) = ([&[0u8][..], &g0.modulus()].concat(), g0.encode(g0.generator()), g0.order());
    // X9.42 with q: usable; PKCS #3 style without q: refused (values could not be checked).
    let x942 = der(0x30, &[oid(&crate::oid::DH_PUBLIC_NUMBER), der(0x30, &[int(&p), int(&g), int(&q)])]);
    assert!(matches!(Group::explicit(KeyAgreement::Dh, &x942), Ok(Group::Dh(_))));
    let pkcs3 = der(0x30, &[oid(&crate::oid::DH_PUBLIC_NUMBER), der(0x30, &[int(&p), int(&g)])]);
    assert_eq!(Group::explicit(KeyAgreement::Dh, &pkcs3).unwrap_err(), "DH parameters without q");
    // A generator outside the subgroup.
    let bad_g = der(0x30, &[oid(&crate::oid::DH_PUBLIC_NUMBER), der(0x30, &[int(&p), int(&[2]), int(&q)])]);
    assert_eq!(Group::explicit(KeyAgreement::Dh, &bad_g).unwrap_err(), "unusable DH group");
    // ECParameters as a named curve OID; a key agreement that does not match the algorithm.
    let bp = const_oid::ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.7");
    let named = der(0x30, &[oid(&crate::oid::EC_PUBLIC_KEY), oid(&bp)]);
    assert!(matches!(Group::explicit(KeyAgreement::Ecdh, &named), Ok(Group::Ec(_))));
    assert!(Group::explicit(KeyAgreement::Dh, &named).is_err());
    assert!(Group::explicit(KeyAgreement::Ecdh, &[0x30, 0x00]).is_err());
    // Integrated Mapping is refused up front on P-224 given explicitly (p ≡ 1 mod 4).
    let p224 =
        der(0x30, &[oid(&crate::oid::EC_PUBLIC_KEY), oid(&const_oid::ObjectIdentifier::new_unwrap("1.3.132.0.33"))]);
    let im = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Im, cipher: Cipher::Aes128 };
    assert!(!explicit_supported(im, &p224));
    assert!(explicit_supported(im, &named));
    let r = authenticate_explicit(
        &mut Script { answers: VecDeque::new(), seen: vec![] },
        &PacePassword::can("1"),
        im,
        Some(32),
        &p224,
        DomainPolicy::StandardOnly,
        &mut crate::crypto::OsRandom,
    );
    assert!(matches!(r, Err(AccessError::Unsupported(_))));
}

/// A custom group is refused before the first command under the default policy, and only
/// a fully valid one runs when the caller opts in.
#[cfg(feature = "emulator")]
#[test]
fn custom_domain_parameters_are_refused_before_any_command() {
    use crate::crypto::ec::{Curve, DomainParams, NamedCurve};
    let der = |tag: u32, parts: &[Vec<u8>]| tlv::encode_to_vec(Tag::new(tag), &parts.concat());
    let oid = |o: &const_oid::ObjectIdentifier| der(0x06, &[o.as_bytes().to_vec()]);
    let gm = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes256 };
    let explicit = |d: &DomainParams| {
        let curve = Curve::from_params(d).unwrap();
        der(0x30, &[oid(&crate::oid::EC_PUBLIC_KEY), crate::emulator::pki::explicit_params_of(&curve, d)])
    };
    // brainpoolP256r1 written out in full is a standard group, whatever ID it comes under.
    let bp = explicit(&DomainParams::named(NamedCurve::BrainpoolP256r1));
    assert!(check_domain(&Group::explicit(KeyAgreement::Ecdh, &bp).unwrap(), DomainPolicy::StandardOnly).is_ok());
    let k1 = explicit(&DomainParams::secp256k1());
    let k1_group = Group::explicit(KeyAgreement::Ecdh, &k1).unwrap();
    assert!(matches!(
        check_domain(&k1_group, DomainPolicy::StandardOnly),
        Err(AccessError::NonStandardDomainParameters(_))
    ));
    assert_eq!(check_domain(&k1_group, DomainPolicy::ValidatedCustom), Ok(()));
    let mut cusp = DomainParams::named(NamedCurve::P256);
    (cusp.a, cusp.b, cusp.gx, cusp.gy) = (vec![0], vec![0], vec![4], vec![8]);
    cusp.n = cusp.p.clone();
    let cusp_group = Group::explicit(KeyAgreement::Ecdh, &explicit(&cusp)).unwrap();
    assert_eq!(
        check_domain(&cusp_group, DomainPolicy::ValidatedCustom),
        Err(AccessError::UnsafeDomainParameters("the curve is singular (4a³ + 27b² = 0)"))
    );
    for (policy, expected) in
        [(DomainPolicy::StandardOnly, "non-standard PACE domain parameters"), (DomainPolicy::ValidatedCustom, "unsafe")]
    {
        let mut link = Script { answers: VecDeque::new(), seen: vec![] };
        let r = authenticate_explicit(
            &mut link,
            &PacePassword::can("123456"),
            gm,
            Some(32),
            &explicit(&cusp),
            policy,
            &mut crate::crypto::OsRandom,
        );
        assert!(r.as_ref().is_err_and(|e| e.to_string().contains(expected)), "{policy:?}: {r:?}");
        assert!(link.seen.is_empty(), "{policy:?}: nothing may be sent");
    }
}

#[test]
fn domain_names() {
    assert_eq!(domain_name(KeyAgreement::Ecdh, 13), "brainpoolP256r1");
    assert_eq!(domain_name(KeyAgreement::Dh, 2), "2048-bit MODP group, 256-bit subgroup (RFC 5114)");
    assert_eq!(domain_name(KeyAgreement::Ecdh, 32), "explicit parameters");
}

/// A chip whose encrypted nonce is not one cipher block (Generic Mapping) is refused at GA 1,
/// before any key is derived from it.
#[test]
fn a_nonce_of_the_wrong_length_is_refused() {
    let gm = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes128 };
    for len in [8usize, 15, 17, 32] {
        let mut chip = Script { answers: [vec![0x90, 0x00], ok(0x80, &vec![0xA5; len])].into(), seen: vec![] };
        let r = authenticate(&mut chip, &PacePassword::can("123456"), gm, 13, &mut crate::crypto::OsRandom);
        assert_eq!(r.unwrap_err(), AccessError::Malformed("GA 1 (the encrypted nonce has the wrong length)"), "{len}");
        assert_eq!(chip.seen.len(), 2, "MSE:Set AT and GA 1 only");
    }
    let tdes = PaceProtocol { cipher: Cipher::Tdes, ..gm };
    let mut chip = Script { answers: [vec![0x90, 0x00], ok(0x80, &[0xA5; 16])].into(), seen: vec![] };
    let r = authenticate(&mut chip, &PacePassword::can("123456"), tdes, 13, &mut crate::crypto::OsRandom);
    assert_eq!(r.unwrap_err(), AccessError::Malformed("GA 1 (the encrypted nonce has the wrong length)"));
}
