//! Secure-messaging cipher suites. Each suite answers four questions: block length,
//! SSC length, how to encrypt/decrypt a message for a given SSC, and how to MAC.
//! 3DES (ICAO 9303-11 §9.8.6.1) is here; AES (§9.8.6.2) is the second variant of the
//! same enum, not a copy of the channel.

use des::TdesEde2;

use crate::crypto::{
    retail_mac::RetailMacKey,
    tdes::{self, TdesKey},
};

/// Which algorithms protect the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SuiteKind {
    /// Two-key 3DES-CBC with IV 0, retail MAC, 8-byte SSC.
    #[cfg_attr(feature = "serde", serde(rename = "3DES"))]
    Tdes,
}

impl core::fmt::Display for SuiteKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Tdes => "3DES",
        })
    }
}

/// Keyed algorithms of one channel. Key material lives in the RustCrypto objects,
/// which wipe themselves on drop (`zeroize` feature).
pub(crate) enum Suite {
    Tdes { enc: TdesEde2, mac: RetailMacKey },
}

/// A cipher operation got data that is not whole blocks (an internal or chip error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockError;

impl Suite {
    /// 3DES keys KS_enc and KS_mac.
    pub(crate) fn tdes(ks_enc: &TdesKey, ks_mac: &TdesKey) -> Self {
        Self::Tdes { enc: ks_enc.cipher(), mac: RetailMacKey::new(ks_mac) }
    }

    pub(crate) fn kind(&self) -> SuiteKind {
        match self {
            Self::Tdes { .. } => SuiteKind::Tdes,
        }
    }

    pub(crate) fn block_len(&self) -> usize {
        match self {
            Self::Tdes { .. } => tdes::BLOCK,
        }
    }

    /// Encrypts whole blocks in place for the message with this SSC.
    pub(crate) fn encrypt(&self, _ssc: &[u8], buf: &mut [u8]) -> Result<(), BlockError> {
        match self {
            // 3DES SM uses IV = 0 for every message.
            Self::Tdes { enc, .. } => tdes::cbc_encrypt(enc, &[0; 8], buf).map_err(|_| BlockError),
        }
    }

    /// Decrypts whole blocks in place for the message with this SSC.
    pub(crate) fn decrypt(&self, _ssc: &[u8], buf: &mut [u8]) -> Result<(), BlockError> {
        match self {
            Self::Tdes { enc, .. } => tdes::cbc_decrypt(enc, &[0; 8], buf).map_err(|_| BlockError),
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
        }
    }
}
