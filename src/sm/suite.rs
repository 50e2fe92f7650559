//! Secure-messaging cipher suites. Each suite answers four questions: block length,
//! SSC length, how to encrypt/decrypt a message for a given SSC, and how to MAC.
//! 3DES (ICAO 9303-11 §9.8.6.1) is here; AES (§9.8.6.2) is the second variant of the
//! same enum, not a copy of the channel.

use des::TdesEde2;

use crate::crypto::{
    aes::{self, AesCipher, CmacKey},
    padding,
    retail_mac::RetailMacKey,
    tdes::{self, TdesKey},
};

/// Which algorithms protect the channel: the cipher a PACE or Chip Authentication
/// protocol names (ICAO 9303-11 §9.8), and the suite of the channel it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Cipher {
    /// Two-key 3DES-CBC with IV 0, retail MAC, 8-byte SSC.
    #[cfg_attr(feature = "serde", serde(rename = "3DES"))]
    Tdes,
    /// AES-128-CBC with IV = E(KS_enc, SSC), CMAC-8, 16-byte SSC.
    #[cfg_attr(feature = "serde", serde(rename = "AES-128"))]
    Aes128,
    /// AES-192, as AES-128.
    #[cfg_attr(feature = "serde", serde(rename = "AES-192"))]
    Aes192,
    /// AES-256, as AES-128.
    #[cfg_attr(feature = "serde", serde(rename = "AES-256"))]
    Aes256,
}

/// The same type under the name the secure-messaging API used first.
pub type SuiteKind = Cipher;

impl Cipher {
    /// Key length in bytes.
    #[must_use]
    pub fn key_len(self) -> usize {
        match self {
            Self::Tdes | Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }

    /// The cipher of an OID's last arc in the PACE and Chip Authentication protocol
    /// families (1 3DES, 2 AES-128, 3 AES-192, 4 AES-256).
    pub(crate) fn from_arc(n: u32) -> Option<Self> {
        Some(match n {
            1 => Self::Tdes,
            2 => Self::Aes128,
            3 => Self::Aes192,
            4 => Self::Aes256,
            _ => return None,
        })
    }
}

impl core::fmt::Display for Cipher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Tdes => "3DES",
            Self::Aes128 => "AES-128",
            Self::Aes192 => "AES-192",
            Self::Aes256 => "AES-256",
        })
    }
}

/// Keyed algorithms of one channel. Key material lives in the RustCrypto objects,
/// which wipe themselves on drop (`zeroize` feature).
pub(crate) enum Suite {
    Tdes { enc: Box<TdesEde2>, mac: Box<RetailMacKey> },
    Aes { enc: Box<AesCipher>, mac: Box<CmacKey> },
}

/// A cipher operation got data that is not whole blocks (an internal or chip error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockError;

impl Suite {
    /// 3DES keys KS_enc and KS_mac.
    pub(crate) fn tdes(ks_enc: &TdesKey, ks_mac: &TdesKey) -> Self {
        Self::Tdes { enc: Box::new(ks_enc.cipher()), mac: Box::new(RetailMacKey::new(ks_mac)) }
    }

    /// AES keys KS_enc and KS_mac (16, 24 or 32 bytes each, the same length).
    pub(crate) fn aes(ks_enc: &[u8], ks_mac: &[u8]) -> Option<Self> {
        Some(Self::Aes { enc: Box::new(AesCipher::new(ks_enc)?), mac: Box::new(CmacKey::new(ks_mac)?) })
    }

    pub(crate) fn kind(&self) -> SuiteKind {
        match self {
            Self::Tdes { .. } => SuiteKind::Tdes,
            Self::Aes { enc, .. } => match enc.key_bits() {
                128 => SuiteKind::Aes128,
                192 => SuiteKind::Aes192,
                _ => SuiteKind::Aes256,
            },
        }
    }

    pub(crate) fn block_len(&self) -> usize {
        match self {
            Self::Tdes { .. } => tdes::BLOCK,
            Self::Aes { .. } => aes::BLOCK,
        }
    }

    /// AES SM's per-message IV: E(KS_enc, SSC).
    fn aes_iv(enc: &AesCipher, ssc: &[u8]) -> [u8; aes::BLOCK] {
        let mut iv = [0u8; aes::BLOCK];
        for (d, s) in iv.iter_mut().rev().zip(ssc.iter().rev()) {
            *d = *s;
        }
        enc.encrypt_block(&mut iv);
        iv
    }

    /// Encrypts whole blocks in place for the message with this SSC.
    pub(crate) fn encrypt(&self, _ssc: &[u8], buf: &mut [u8]) -> Result<(), BlockError> {
        match self {
            // 3DES SM uses IV = 0 for every message.
            Self::Tdes { enc, .. } => tdes::cbc_encrypt(enc, &[0; 8], buf).map_err(|_| BlockError),
            Self::Aes { enc, .. } => enc.cbc_encrypt(&Self::aes_iv(enc, _ssc), buf).map_err(|_| BlockError),
        }
    }

    /// Decrypts whole blocks in place for the message with this SSC.
    pub(crate) fn decrypt(&self, _ssc: &[u8], buf: &mut [u8]) -> Result<(), BlockError> {
        match self {
            Self::Tdes { enc, .. } => tdes::cbc_decrypt(enc, &[0; 8], buf).map_err(|_| BlockError),
            Self::Aes { enc, .. } => enc.cbc_decrypt(&Self::aes_iv(enc, _ssc), buf).map_err(|_| BlockError),
        }
    }

    /// MAC over `ssc ‖ parts…`, method-2 padded, truncated to 8 bytes.
    pub(crate) fn mac(&self, ssc: &[u8], parts: &[&[u8]]) -> [u8; 8] {
        match self {
            Self::Tdes { mac, .. } => {
                let mut all: [&[u8]; 5] = [ssc, &[], &[], &[], &[]];
                for (slot, p) in all.iter_mut().skip(1).zip(parts.iter()) {
                    *slot = p;
                }
                mac.mac_padded(&all)
            }
            Self::Aes { mac, .. } => {
                let len = ssc.len() + parts.iter().map(|p| p.len()).sum::<usize>();
                let mut pad = [0u8; aes::BLOCK];
                pad[0] = 0x80;
                let pad = pad.get(..padding::pad_len(len, aes::BLOCK)).unwrap_or(&pad);
                let mut all: [&[u8]; 6] = [ssc, &[], &[], &[], &[], pad];
                for (slot, p) in all.iter_mut().skip(1).take(4).zip(parts.iter()) {
                    *slot = p;
                }
                mac.mac8(&all)
            }
        }
    }
}
