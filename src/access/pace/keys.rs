//! PACE key material (ICAO 9303-11 §4.4.3, §9.7): the derived keys, the block cipher with
//! IV 0, the authentication token and the secure-messaging suite of the session keys.

use zeroize::Zeroizing;

use crate::access::AccessError;
use crate::crypto::{aes::AesCipher, kdf, retail_mac::RetailMacKey, tdes};
use crate::sm::Suite;
use crate::tlv::{self, Tag};

use super::protocol::Cipher;

/// A key derived for `cipher` (KDF with counter `c`): parity-adjusted 3DES or AES bytes.
pub(crate) fn derive_key(cipher: Cipher, seed: &[u8], counter: u32) -> Zeroizing<Vec<u8>> {
    match cipher {
        Cipher::Tdes => Zeroizing::new(kdf::derive_tdes(seed, counter).expose().to_vec()),
        c => kdf::derive_aes(seed, counter, c.key_len()),
    }
}

/// Decrypts (or encrypts) whole blocks with IV 0 under a PACE cipher key.
pub(crate) fn cipher_blocks(cipher: Cipher, key: &[u8], buf: &mut [u8], decrypt: bool) -> Result<(), AccessError> {
    let bad = AccessError::Malformed("nonce");
    match cipher {
        Cipher::Tdes => {
            let c = tdes::TdesKey::from_slice(key).ok_or(bad.clone())?.cipher();
            if decrypt { tdes::cbc_decrypt(&c, &[0; 8], buf) } else { tdes::cbc_encrypt(&c, &[0; 8], buf) }
                .map_err(|_| bad)
        }
        _ => {
            let c = AesCipher::new(key).ok_or(bad.clone())?;
            if decrypt { c.cbc_decrypt(&[0; 16], buf) } else { c.cbc_encrypt(&[0; 16], buf) }.map_err(|_| bad)
        }
    }
}

/// The authentication token: MAC over `7F49 { 06 OID, 84|86 public key }` (9303-11
/// §4.4.3.4; the key tag is [`Group::key_tag`]).
pub(crate) fn token(cipher: Cipher, ks_mac: &[u8], oid: &[u8], key_tag: u32, public_key: &[u8]) -> [u8; 8] {
    let mut inner = Vec::new();
    tlv::encode(Tag::new(0x06), oid, &mut inner);
    tlv::encode(Tag::new(key_tag), public_key, &mut inner);
    let input = tlv::encode_to_vec(Tag::new(0x7F49), &inner);
    match cipher {
        Cipher::Tdes => {
            let k = tdes::TdesKey::from_slice(ks_mac).unwrap_or_else(|| tdes::TdesKey::new([0; 16]));
            RetailMacKey::new(&k).mac_padded(&[&input])
        }
        _ => crate::crypto::aes::CmacKey::new(ks_mac).map_or([0; 8], |m| m.mac8(&[&input])),
    }
}

/// The secure-messaging suite of the session keys.
pub(crate) fn session_suite(cipher: Cipher, ks_enc: &[u8], ks_mac: &[u8]) -> Option<(Suite, Vec<u8>)> {
    match cipher {
        Cipher::Tdes => {
            let (e, m) = (tdes::TdesKey::from_slice(ks_enc)?, tdes::TdesKey::from_slice(ks_mac)?);
            Some((Suite::tdes(&e, &m), vec![0; 8]))
        }
        _ => Some((Suite::aes(ks_enc, ks_mac)?, vec![0; 16])),
    }
}
