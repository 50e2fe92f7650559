//! The ICAO key derivation function (ICAO 9303-11 §9.7.1):
//! `KDF(K, c) = H(K ‖ c)` with `c` a 32-bit big-endian counter, truncated to the key length.
//! For 3DES the 16 bytes are then DES parity-adjusted (9303-11 §9.7.1.1).

use sha1::{Digest, Sha1};

use super::tdes::TdesKey;

/// Counter value for the encryption key.
pub const ENC: u32 = 1;
/// Counter value for the MAC key.
pub const MAC: u32 = 2;
/// Counter value for the PACE password key K_π.
pub const PACE: u32 = 3;

/// `SHA-1(seed ‖ counter)`, the 3DES and AES-128 form of the KDF, before truncation.
#[must_use]
pub fn sha1_kdf(seed: &[u8], counter: u32) -> zeroize::Zeroizing<[u8; 20]> {
    let mut h = Sha1::new();
    h.update(seed);
    h.update(counter.to_be_bytes());
    let mut out = zeroize::Zeroizing::new([0u8; 20]);
    out.copy_from_slice(&h.finalize());
    out
}

/// Derives a two-key 3DES key: first 16 bytes of `SHA-1(seed ‖ counter)`, parity-adjusted.
#[must_use]
pub fn derive_tdes(seed: &[u8], counter: u32) -> TdesKey {
    let digest = sha1_kdf(seed, counter);
    let mut key = [0u8; 16];
    key.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    let out = TdesKey::new(key);
    zeroize::Zeroize::zeroize(&mut key);
    out
}

/// Derives an AES key of `len` bytes (16, 24 or 32): SHA-1 truncated to 16 for AES-128,
/// SHA-256 truncated to 24 or 32 for AES-192/256 (ICAO 9303-11 §9.7.1.2).
#[must_use]
pub fn derive_aes(seed: &[u8], counter: u32, len: usize) -> zeroize::Zeroizing<Vec<u8>> {
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(32));
    if len <= 16 {
        out.extend_from_slice(sha1_kdf(seed, counter).get(..16).unwrap_or_default());
    } else {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(seed);
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        out.truncate(len.min(32));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    // ICAO 9303-11 Appendix D.2 (also ../shared/reference/test-vectors.json bac_d2_key_derivation).
    #[test]
    fn icao_d2_key_derivation() {
        let seed = hex!("239AB9CB282DAF66231DC5A4DF6BFBAE");
        assert_eq!(derive_tdes(&seed, ENC).expose(), &hex!("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(derive_tdes(&seed, MAC).expose(), &hex!("7962D9ECE03D1ACD4C76089DCE131543"));
    }

    // ICAO 9303-11 G.1: KS_enc and KS_mac from the shared secret (AES-128).
    #[test]
    fn icao_g1_session_keys() {
        let k = hex!("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925");
        assert_eq!(derive_aes(&k, ENC, 16).as_slice(), &hex!("F5F0E35C0D7161EE6724EE513A0D9A7F"));
        assert_eq!(derive_aes(&k, MAC, 16).as_slice(), &hex!("FE251C7858B356B24514B3BD5F4297D1"));
        assert_eq!(derive_aes(&k, ENC, 32).len(), 32);
    }

    // ICAO 9303-11 A.11 gotcha 2: CAN/PIN passwords are not hashed; KDF("123456", 3).
    #[test]
    fn pace_password_key_for_a_can() {
        let k = sha1_kdf(b"123456", PACE);
        assert_eq!(&k[..16], &hex!("591468CDA83D65219CCCB8560233600F"));
    }
}
