//! ICAO 9303-11 Appendix D worked examples (and retail-MAC vectors), from
//! fixtures/vectors/icao-9303-11-bac-sm.json, driven through the public API: key
//! derivation, BAC against a chip that replays the published answers, then the three
//! secure-messaging exchanges of D.4 over the channel BAC opened.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::VecDeque;

use passchip::low_level::access::bac::{BacKeys, authenticate};
use passchip::low_level::apdu::{Command, Le, StatusWord};
use passchip::low_level::crypto::{RandomSource, RngError, kdf, retail_mac::RetailMacKey, tdes::TdesKey};
use passchip::mrz::MrzKey;
use passchip::transport::{Transport, TransportError};
use serde_json::Value;

fn vectors() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/vectors/icao-9303-11-bac-sm.json"))
            .expect("fixture present");
    serde_json::from_str(&text).expect("valid JSON")
}

fn hex(v: &Value, entry: &str, field: &str) -> Vec<u8> {
    let s = v[entry][field].as_str().unwrap_or_else(|| panic!("{entry}.{field} missing"));
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn arr16(b: &[u8]) -> [u8; 16] {
    b.try_into().unwrap()
}

#[test]
fn d2_key_derivation() {
    let v = vectors();
    let e = "bac_d2_key_derivation";
    let info = String::from_utf8(hex(&v, e, "mrz_information")).unwrap();
    // "L898902C<3" "690806" "1" "940623" "6": the fields a user types.
    let key = MrzKey::new(&info[..9], &info[10..16], &info[17..23]).unwrap();
    assert_eq!(key.mrz_information().as_slice(), info.as_bytes());
    assert_eq!(key.seed().as_slice(), hex(&v, e, "k_seed").as_slice());
    let seed = hex(&v, e, "k_seed");
    assert_eq!(kdf::derive_tdes(&seed, kdf::ENC).expose().as_slice(), hex(&v, e, "k_enc").as_slice());
    assert_eq!(kdf::derive_tdes(&seed, kdf::MAC).expose().as_slice(), hex(&v, e, "k_mac").as_slice());
}

#[test]
fn retail_mac_vectors() {
    let v = vectors();
    for e in [
        "retail_mac_bc_hello_world",
        "retail_mac_d3_m_ifd",
        "retail_mac_d3_m_ic",
        "retail_mac_gmrtd_1",
        "retail_mac_gmrtd_2",
        "retail_mac_gmrtd_3",
    ] {
        let key = RetailMacKey::new(&TdesKey::new(arr16(&hex(&v, e, "key"))));
        let mac = if v[e]["data"].is_string() {
            key.mac_unpadded(&hex(&v, e, "data"))
        } else {
            key.mac_padded(&[&hex(&v, e, "data_before_padding")])
        };
        assert_eq!(mac.as_slice(), hex(&v, e, "mac").as_slice(), "{e}");
    }
}

/// Returns the published nonces in order.
struct Replay(VecDeque<u8>);
impl RandomSource for Replay {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RngError> {
        for b in buf {
            *b = self.0.pop_front().ok_or(RngError)?;
        }
        Ok(())
    }
}

/// A chip that expects exactly the published commands and gives the published answers.
struct Script(VecDeque<(Vec<u8>, Vec<u8>)>);
impl Transport for Script {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (expected, answer) = self.0.pop_front().expect("no more scripted exchanges");
        assert_eq!(capdu, expected.as_slice(), "command differs from the worked example");
        Ok(answer)
    }
}

#[test]
fn d3_bac_then_d4_secure_messaging() {
    let v = vectors();
    let d3 = "bac_d3_mutual_authentication";
    let mut auth_answer = hex(&v, d3, "external_authenticate_response_data");
    auth_answer.extend(hex(&v, d3, "external_authenticate_sw"));
    let mut script = vec![
        (hex(&v, d3, "get_challenge_c_apdu"), hex(&v, d3, "get_challenge_r_apdu")),
        (hex(&v, d3, "external_authenticate_c_apdu"), auth_answer),
    ];
    for e in ["sm_d4_select_ef_com", "sm_d4_read_binary_4_at_0", "sm_d4_read_binary_18_at_4"] {
        script.push((hex(&v, e, "protected_c_apdu"), hex(&v, e, "r_apdu")));
    }
    let mut chip = Script(script.into());
    let keys = BacKeys::from_seed(&hex(&v, "bac_d2_key_derivation", "k_seed").try_into().unwrap());
    let mut nonces: VecDeque<u8> = hex(&v, d3, "rnd_ifd").into_iter().chain(hex(&v, d3, "k_ifd")).collect();
    let mut channel = authenticate(&mut chip, &keys, &mut Replay(std::mem::take(&mut nonces))).unwrap();

    let r = channel.transmit(&mut chip, &Command::select_ef(&[0x01, 0x1E])).unwrap();
    assert_eq!(r.sw(), StatusWord::Ok);
    let r = channel.transmit(&mut chip, &Command::read_binary(0, Le::Ne(4))).unwrap();
    assert_eq!(r.data(), hex(&v, "sm_d4_read_binary_4_at_0", "decrypted_data").as_slice());
    let mut com = r.data().to_vec();
    let r = channel.transmit(&mut chip, &Command::read_binary(4, Le::Ne(0x12))).unwrap();
    assert_eq!(r.data(), hex(&v, "sm_d4_read_binary_18_at_4", "decrypted_data").as_slice());
    com.extend_from_slice(r.data());
    assert_eq!(com, hex(&v, "sm_d4_read_binary_18_at_4", "ef_com_assembled"));
    let parsed = passchip::lds::EfCom::parse(&com).unwrap();
    assert_eq!(parsed.lds_version, "0106");
    assert!(chip.0.is_empty());
}
