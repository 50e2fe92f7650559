//! Limits that model real chips ([`ChipProfile`]).

use crate::tlv::Tag;

/// Limits that model real chips.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChipProfile {
    /// Largest Ne accepted in a short READ BINARY (256 for most chips, 160 for some
    /// older ones); above it the chip answers a protected `6700`.
    pub max_short_ne: u32,
    /// Largest Ne accepted in an extended READ BINARY, or `None` for a chip without
    /// extended length, which rejects extended APDUs with a bare `6700` before secure
    /// messaging sees them (as some Chinese passports do).
    pub max_extended_ne: Option<u32>,
    /// Whether READ BINARY with a short EF identifier works.
    pub sfi: bool,
    /// Whether the chip still accepts BAC (PACE-only chips answer `6D00`).
    pub bac: bool,
    /// Whether the master file has EF.ATR/INFO stating these limits (DO `7F66` with the
    /// largest response, or card capabilities without extended length).
    pub atr_info: bool,
    /// How an EAC-protected data group is refused: `false`, a protected `6982` (secure
    /// messaging goes on); `true`, a bare `6982` that ends secure messaging (seen on some
    /// chips: the terminal must authenticate again).
    pub eac_refusal_ends_sm: bool,
}

impl Default for ChipProfile {
    fn default() -> Self {
        Self::modern()
    }
}

impl ChipProfile {
    /// A modern chip: extended length up to 64 KiB, SFI, Ne up to 256 in short APDUs.
    #[must_use]
    pub fn modern() -> Self {
        Self {
            max_short_ne: 256,
            max_extended_ne: Some(65536),
            sfi: true,
            bac: true,
            atr_info: false,
            eac_refusal_ends_sm: false,
        }
    }

    /// A chip without extended length.
    #[must_use]
    pub fn no_extended_length() -> Self {
        Self { max_extended_ne: None, ..Self::modern() }
    }

    /// An old chip: short APDUs only, at most 160 bytes a read.
    #[must_use]
    pub fn legacy_le160() -> Self {
        Self { max_short_ne: 160, max_extended_ne: None, ..Self::modern() }
    }

    /// Sets the extended-length limit.
    #[must_use]
    pub fn with_max_extended_ne(mut self, n: Option<u32>) -> Self {
        self.max_extended_ne = n;
        self
    }

    /// Sets the short-Ne limit.
    #[must_use]
    pub fn with_max_short_ne(mut self, n: u32) -> Self {
        self.max_short_ne = n;
        self
    }

    /// Enables or disables BAC (a PACE-only chip).
    #[must_use]
    pub fn with_bac(mut self, yes: bool) -> Self {
        self.bac = yes;
        self
    }

    /// Refuses EAC-protected data groups with a bare `6982` that ends secure messaging.
    #[must_use]
    pub fn with_eac_refusal_ending_sm(mut self, yes: bool) -> Self {
        self.eac_refusal_ends_sm = yes;
        self
    }

    /// Publishes the limits in EF.ATR/INFO, or not.
    #[must_use]
    pub fn with_atr_info(mut self, yes: bool) -> Self {
        self.atr_info = yes;
        self
    }

    /// EF.ATR/INFO's content for these limits. The largest response is stated for the
    /// largest plaintext ≤ `max_extended_ne` that fills its last AES block, so that a
    /// reader sizing its reads from it never asks for more than the chip takes.
    #[must_use]
    pub fn atr_info_file(&self) -> Vec<u8> {
        match self.max_extended_ne {
            Some(n) => {
                let n = n as usize;
                let fitted = n.saturating_sub((n + 1) % 16);
                let r = crate::sm::protected_response_len(fitted, 16) as u32;
                let mut ints = crate::tlv::encode_to_vec(Tag::new(0x02), &0xFFFFu32.to_be_bytes()[2..]);
                ints.extend(crate::tlv::encode_to_vec(Tag::new(0x02), &r.to_be_bytes()[1..]));
                crate::tlv::encode_to_vec(Tag::new(0x7F66), &ints)
            }
            None => crate::tlv::encode_to_vec(Tag::new(0x47), &[0x00, 0x00, 0x00]),
        }
    }

    /// Enables or disables short EF identifiers.
    #[must_use]
    pub fn with_sfi(mut self, yes: bool) -> Self {
        self.sfi = yes;
        self
    }
}
