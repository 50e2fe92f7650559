//! The mappings of PACE (ICAO 9303-11 §4.4.3.3): Generic Mapping's new generator and
//! Integrated Mapping's pseudo-random function.

use zeroize::Zeroizing;

use crate::access::AccessError;

use super::group::{Element, Group};
use super::keys::cipher_blocks;
use super::protocol::Cipher;

/// The pseudo-random number mapping R(s, t) of Integrated Mapping (9303-11 §4.4.3.3.2),
/// before reduction mod p. With the block cipher E of the protocol in CBC mode (IV 0),
/// l = 128 bits for 3DES and AES-128 and l = 256 bits for AES-192/256 (the length of the
/// nonces s and t, of c₀, c₁ and of each output): `k₀ = E(t, s)`, then `xᵢ = E(kᵢ, c₁)` and
/// `kᵢ₊₁ = E(kᵢ, c₀)`, every key cut to the cipher's key length, until the output has at
/// least `bits(p) + 64` bits (so the reduction's bias is negligible).
///
/// The l = 256 case has no published worked example; it follows the ICAO text as other
/// implementations read it (the first key is t itself, 32 bytes).
pub(crate) fn pseudo_random(
    cipher: Cipher,
    s: &[u8],
    t: &[u8],
    p_bits: u32,
) -> Result<Zeroizing<Vec<u8>>, AccessError> {
    const C0_128: [u8; 16] =
        [0xA6, 0x68, 0x89, 0x2A, 0x7C, 0x41, 0xE3, 0xCA, 0x73, 0x9F, 0x40, 0xB0, 0x57, 0xD8, 0x59, 0x04];
    const C1_128: [u8; 16] =
        [0xA4, 0xE1, 0x36, 0xAC, 0x72, 0x5F, 0x73, 0x8B, 0x01, 0xC1, 0xF6, 0x02, 0x17, 0xC1, 0x88, 0xAD];
    const C0_256: [u8; 32] = [
        0xD4, 0x63, 0xD6, 0x52, 0x34, 0x12, 0x4E, 0xF7, 0x89, 0x70, 0x54, 0x98, 0x6D, 0xCA, 0x0A, 0x17, 0x4E, 0x28,
        0xDF, 0x75, 0x8C, 0xBA, 0xA0, 0x3F, 0x24, 0x06, 0x16, 0x41, 0x4D, 0x5A, 0x16, 0x76,
    ];
    const C1_256: [u8; 32] = [
        0x54, 0xBD, 0x72, 0x55, 0xF0, 0xAA, 0xF8, 0x31, 0xBE, 0xC3, 0x42, 0x3F, 0xCF, 0x39, 0xD6, 0x9B, 0x6C, 0xBF,
        0x06, 0x66, 0x77, 0xD0, 0xFA, 0xAE, 0x5A, 0xAD, 0xD9, 0x9D, 0xF8, 0xE5, 0x35, 0x17,
    ];
    let (c0, c1): (&[u8], &[u8]) = match cipher {
        Cipher::Tdes | Cipher::Aes128 => (&C0_128, &C1_128),
        Cipher::Aes192 | Cipher::Aes256 => (&C0_256, &C1_256),
    };
    let l = c0.len();
    if s.len() != l || t.len() != l {
        return Err(AccessError::Malformed("nonce"));
    }
    let key_len = cipher.key_len();
    let encrypt = |key: &[u8], data: &[u8]| -> Result<Zeroizing<Vec<u8>>, AccessError> {
        let mut out = Zeroizing::new(data.to_vec());
        cipher_blocks(cipher, key, &mut out, false)?;
        Ok(out)
    };
    let cut = |mut k: Zeroizing<Vec<u8>>| {
        k.truncate(key_len);
        k
    };
    let mut key = cut(encrypt(t, s)?);
    let mut out = Zeroizing::new(Vec::new());
    while out.len() * 8 < p_bits as usize + 64 {
        out.extend_from_slice(&encrypt(&key, c1)?);
        key = cut(encrypt(&key, c0)?);
    }
    Ok(out)
}

/// Generic Mapping (9303-11 §4.4.3.3.1): the new generator `s·G + SK·PK_other` (ECDH) or
/// `g^s · PK_other^SK` (DH). The same on both sides.
pub(crate) fn map_generic(
    group: &Group,
    s: &[u8],
    sk_map: &[u8],
    pk_map_other: &Element,
) -> Result<Element, AccessError> {
    let h = group.mul(sk_map, pk_map_other).ok_or(AccessError::ChipAuthenticationFailed("H is the identity"))?;
    let sg = group
        .mul(s, &group.generator())
        .ok_or(AccessError::ChipAuthenticationFailed("the nonce maps to the identity"))?;
    group.combine(&sg, &h).ok_or(AccessError::ChipAuthenticationFailed("the mapped generator is the identity"))
}

pub(super) fn decode(group: &Group, enc: &[u8]) -> Result<Element, AccessError> {
    group.decode(enc).ok_or(AccessError::ChipAuthenticationFailed("it sent an invalid public key"))
}
