//! AES for PACE and AES secure messaging (ICAO 9303-11 §9.8.6.2): CBC with a given IV,
//! single-block encryption (the SM IV is `E(KS_enc, SSC)`), and CMAC truncated to 8 bytes.

use aes::{Aes128, Aes192, Aes256};
use cbc::cipher::{
    BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit, block_padding::NoPadding,
};
use cmac::{Cmac, Mac};

use super::tdes::NotBlockAligned;

/// The AES block length.
pub const BLOCK: usize = 16;

/// A keyed AES cipher of one of the three key sizes. Key schedules wipe on drop.
#[derive(Clone)]
pub enum AesCipher {
    /// AES-128.
    A128(Aes128),
    /// AES-192.
    A192(Aes192),
    /// AES-256.
    A256(Aes256),
}

impl core::fmt::Debug for AesCipher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AesCipher({} bits, ..)", self.key_bits())
    }
}

macro_rules! each {
    ($self:expr, $c:ident => $body:expr) => {
        match $self {
            AesCipher::A128($c) => $body,
            AesCipher::A192($c) => $body,
            AesCipher::A256($c) => $body,
        }
    };
}

impl AesCipher {
    /// Keys AES with 16, 24 or 32 bytes; `None` for any other length.
    #[must_use]
    pub fn new(key: &[u8]) -> Option<Self> {
        Some(match key.len() {
            16 => Self::A128(Aes128::new_from_slice(key).ok()?),
            24 => Self::A192(Aes192::new_from_slice(key).ok()?),
            32 => Self::A256(Aes256::new_from_slice(key).ok()?),
            _ => return None,
        })
    }

    /// The key size in bits.
    #[must_use]
    pub fn key_bits(&self) -> u32 {
        match self {
            Self::A128(_) => 128,
            Self::A192(_) => 192,
            Self::A256(_) => 256,
        }
    }

    /// Encrypts one block in place (ECB of one block).
    pub fn encrypt_block(&self, block: &mut [u8; BLOCK]) {
        let b: &mut aes::Block = block.into();
        each!(self, c => c.encrypt_block(b));
    }

    /// CBC-encrypts whole blocks in place.
    ///
    /// # Errors
    /// [`NotBlockAligned`].
    pub fn cbc_encrypt(&self, iv: &[u8; BLOCK], buf: &mut [u8]) -> Result<(), NotBlockAligned> {
        let len = buf.len();
        if !len.is_multiple_of(BLOCK) {
            return Err(NotBlockAligned);
        }
        each!(self, c => cbc::Encryptor::inner_iv_init(c.clone(), iv.into())
            .encrypt_padded::<NoPadding>(buf, len)
            .map(|_| ())
            .map_err(|_| NotBlockAligned))
    }

    /// CBC-decrypts whole blocks in place.
    ///
    /// # Errors
    /// [`NotBlockAligned`].
    pub fn cbc_decrypt(&self, iv: &[u8; BLOCK], buf: &mut [u8]) -> Result<(), NotBlockAligned> {
        if !buf.len().is_multiple_of(BLOCK) {
            return Err(NotBlockAligned);
        }
        each!(self, c => cbc::Decryptor::inner_iv_init(c.clone(), iv.into())
            .decrypt_padded::<NoPadding>(buf)
            .map(|_| ())
            .map_err(|_| NotBlockAligned))
    }
}

/// A keyed AES-CMAC (RFC 4493), truncated to 8 bytes as ICAO uses it.
#[derive(Clone)]
pub enum CmacKey {
    /// AES-128.
    A128(Cmac<Aes128>),
    /// AES-192.
    A192(Cmac<Aes192>),
    /// AES-256.
    A256(Cmac<Aes256>),
}

impl core::fmt::Debug for CmacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CmacKey(..)")
    }
}

impl CmacKey {
    /// Keys CMAC with 16, 24 or 32 bytes.
    #[must_use]
    pub fn new(key: &[u8]) -> Option<Self> {
        Some(match key.len() {
            16 => Self::A128(<Cmac<Aes128> as KeyInit>::new_from_slice(key).ok()?),
            24 => Self::A192(<Cmac<Aes192> as KeyInit>::new_from_slice(key).ok()?),
            32 => Self::A256(<Cmac<Aes256> as KeyInit>::new_from_slice(key).ok()?),
            _ => return None,
        })
    }

    /// CMAC over the concatenation of `parts`, first 8 bytes.
    #[must_use]
    pub fn mac8(&self, parts: &[&[u8]]) -> [u8; 8] {
        fn run<M: Mac + Clone>(m: &M, parts: &[&[u8]]) -> [u8; 8] {
            let mut m = m.clone();
            for p in parts {
                m.update(p);
            }
            let full = m.finalize().into_bytes();
            let mut out = [0u8; 8];
            for (o, b) in out.iter_mut().zip(full.iter()) {
                *o = *b;
            }
            out
        }
        match self {
            Self::A128(m) => run(m, parts),
            Self::A192(m) => run(m, parts),
            Self::A256(m) => run(m, parts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    // RFC 4493 example 2 (16-byte message).
    #[test]
    fn rfc4493_cmac() {
        let k = CmacKey::new(&hex!("2b7e151628aed2a6abf7158809cf4f3c")).unwrap();
        assert_eq!(k.mac8(&[&hex!("6bc1bee22e409f96e93d7e117393172a")]), hex!("070a16b46b4d4144"));
        assert_eq!(k.mac8(&[&hex!("6bc1bee22e409f96"), &hex!("e93d7e117393172a")]), hex!("070a16b46b4d4144"));
    }

    // FIPS 197 C.1 single block, and a CBC round trip.
    #[test]
    fn fips197_block_and_cbc() {
        let c = AesCipher::new(&hex!("000102030405060708090a0b0c0d0e0f")).unwrap();
        let mut b = hex!("00112233445566778899aabbccddeeff");
        c.encrypt_block(&mut b);
        assert_eq!(b, hex!("69c4e0d86a7b0430d8cdb78070b4c55a"));
        let mut buf = [7u8; 48];
        c.cbc_encrypt(&[1; 16], &mut buf).unwrap();
        c.cbc_decrypt(&[1; 16], &mut buf).unwrap();
        assert_eq!(buf, [7u8; 48]);
        assert!(AesCipher::new(&[0; 15]).is_none());
        assert_eq!(AesCipher::new(&[0; 32]).unwrap().key_bits(), 256);
    }
}
