//! Two-key triple DES (3DES-EDE, keys K1 K2 K1) in CBC mode, and DES parity
//! adjustment, as BAC and 3DES secure messaging use them (ICAO 9303-11 §9.8.6.1).

use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit, block_padding::NoPadding};
use des::TdesEde2;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The DES/3DES block length.
pub const BLOCK: usize = 8;

/// A 16-byte two-key 3DES key. Wiped on drop; never printed; not `Clone`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct TdesKey([u8; 16]);

impl core::fmt::Debug for TdesKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("TdesKey(..)")
    }
}

impl TdesKey {
    /// Wraps the 16 key bytes (parity is applied).
    #[must_use]
    pub fn new(mut bytes: [u8; 16]) -> Self {
        adjust_parity(&mut bytes);
        Self(bytes)
    }

    /// The key from a slice of exactly 16 bytes (parity is applied), with no copy of it
    /// left on the caller's stack; `None` for another length.
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut key = Self([0; 16]);
        key.0.copy_from_slice(bytes.get(..16).filter(|_| bytes.len() == 16)?);
        adjust_parity(&mut key.0);
        Some(key)
    }

    /// The key bytes, for the ICAO test vectors and the MAC/cipher set-up.
    #[must_use]
    pub fn expose(&self) -> &[u8; 16] {
        &self.0
    }

    /// A keyed 3DES block cipher.
    #[must_use]
    pub fn cipher(&self) -> TdesEde2 {
        <TdesEde2 as KeyInit>::new(&self.0.into())
    }
}

/// Sets each byte's least significant bit so the byte has odd parity (DES key parity).
pub fn adjust_parity(key: &mut [u8]) {
    for b in key.iter_mut() {
        let ones = (*b & 0xFE).count_ones();
        *b = (*b & 0xFE) | u8::from(ones % 2 == 0);
    }
}

/// Encrypts `buf` in place with 3DES-CBC and the given IV. `buf.len()` must be a
/// multiple of 8; callers pad first.
///
/// # Errors
/// [`NotBlockAligned`] if it is not.
pub fn cbc_encrypt(cipher: &TdesEde2, iv: &[u8; 8], buf: &mut [u8]) -> Result<(), NotBlockAligned> {
    let len = buf.len();
    if !len.is_multiple_of(BLOCK) {
        return Err(NotBlockAligned);
    }
    cbc::Encryptor::<TdesEde2>::inner_iv_init(cipher.clone(), iv.into())
        .encrypt_padded::<NoPadding>(buf, len)
        .map(|_| ())
        .map_err(|_| NotBlockAligned)
}

/// Decrypts `buf` in place with 3DES-CBC and the given IV.
///
/// # Errors
/// [`NotBlockAligned`] if `buf.len()` is not a multiple of 8.
pub fn cbc_decrypt(cipher: &TdesEde2, iv: &[u8; 8], buf: &mut [u8]) -> Result<(), NotBlockAligned> {
    if !buf.len().is_multiple_of(BLOCK) {
        return Err(NotBlockAligned);
    }
    cbc::Decryptor::<TdesEde2>::inner_iv_init(cipher.clone(), iv.into())
        .decrypt_padded::<NoPadding>(buf)
        .map(|_| ())
        .map_err(|_| NotBlockAligned)
}

/// Data handed to a block cipher was not a whole number of blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("data is not a whole number of cipher blocks")]
pub struct NotBlockAligned;

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn parity() {
        let mut k = hex!("239AB9CB282DAF66231DC5A4DF6BFBAE");
        adjust_parity(&mut k);
        assert!(k.iter().all(|b| b.count_ones() % 2 == 1));
    }

    // ICAO 9303-11 Appendix D.3: E_IFD = 3DES-CBC(K_enc, S), IV = 0, and back.
    #[test]
    fn icao_d3_encrypt_and_decrypt() {
        let k_enc = TdesKey::new(hex!("AB94FDECF2674FDFB9B391F85D7F76F2"));
        let mut s = hex!("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B");
        cbc_encrypt(&k_enc.cipher(), &[0; 8], &mut s).unwrap();
        assert_eq!(s, hex!("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"));
        let mut e_ic = hex!("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F");
        cbc_decrypt(&k_enc.cipher(), &[0; 8], &mut e_ic).unwrap();
        assert_eq!(e_ic, hex!("4608F91988702212781723860C06C2260B4F80323EB3191CB04970CB4052790B"));
        assert_eq!(cbc_encrypt(&k_enc.cipher(), &[0; 8], &mut [0; 7]), Err(NotBlockAligned));
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(format!("{:?}", TdesKey::new([7; 16])), "TdesKey(..)");
    }
}
