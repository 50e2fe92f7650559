//! What an ATR (ISO/IEC 7816-3 §8) says about a chip's APDU limits: the card-capabilities
//! object (ISO/IEC 7816-4 §12.1.1.9, compact-TLV tag `7`) in the historical bytes tells
//! whether the chip accepts extended Lc/Le; EF.ATR/INFO ([`AtrInfo`]) says the same and
//! more (the largest command and response APDUs). Both are hints: readers still learn by
//! trial, because chips that announce extended length sometimes refuse it.

use crate::tlv::{Tag, Tlv, TlvError};

/// The historical bytes of an ATR, or `None` when the ATR is malformed.
#[must_use]
pub fn historical_bytes(atr: &[u8]) -> Option<&[u8]> {
    let (&ts, rest) = atr.split_first()?;
    if ts != 0x3B && ts != 0x3F {
        return None;
    }
    let (&t0, mut rest) = rest.split_first()?;
    let k = usize::from(t0 & 0x0F);
    let mut y = t0 >> 4;
    let mut t_protocols = false;
    // Interface bytes: TA_i, TB_i, TC_i, TD_i as announced by Y_i; TD_i announces the next.
    for _ in 0..16 {
        let present = usize::from(y & 1) + usize::from((y >> 1) & 1) + usize::from((y >> 2) & 1);
        rest = rest.get(present..)?;
        if y & 0x8 == 0 {
            break;
        }
        let (&td, r) = rest.split_first()?;
        rest = r;
        t_protocols |= td & 0x0F != 0;
        y = td >> 4;
    }
    // A TCK follows the historical bytes when any protocol other than T=0 is announced.
    let hist = rest.get(..k)?;
    let tail = rest.len() - k;
    if tail > usize::from(t_protocols) {
        return None;
    }
    Some(hist)
}

/// Whether the ATR announces extended Lc/Le: `Some(true)` or `Some(false)` from the
/// card-capabilities object, `None` when the ATR does not say.
#[must_use]
pub fn extended_length(atr: &[u8]) -> Option<bool> {
    let hist = historical_bytes(atr)?;
    // Category indicator 0x80: compact-TLV objects follow (0x00 puts a status at the end).
    let objects = match hist.split_first()? {
        (0x80, rest) => rest,
        (0x00, rest) => rest.get(..rest.len().checked_sub(3)?)?,
        _ => return None,
    };
    let mut i = 0usize;
    while let Some(&h) = objects.get(i) {
        let (tag, len) = (h >> 4, usize::from(h & 0x0F));
        let value = objects.get(i + 1..i + 1 + len)?;
        if tag == 0x7 {
            // Third software function byte, bit 7 (0x40): extended Lc and Le fields.
            return value.get(2).map(|b| b & 0x40 != 0);
        }
        i += 1 + len;
    }
    None
}

/// The file identifier of EF.ATR/INFO in the master file.
pub const ATR_INFO_FID: [u8; 2] = [0x2F, 0x01];

/// What EF.ATR/INFO (FID `2F01` in the master file, ISO/IEC 7816-4 §8.2.1.1; ICAO 9303-10
/// asks eMRTDs with extended length to publish it there) says about the chip's APDU
/// limits. The file is read without authentication, so it is only a hint: a reader that
/// trusts it too much is corrected by trial, one that ignores it learns by trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AtrInfo {
    /// Card capabilities (DO `47`, third software function byte, bit `40`): extended
    /// Lc and Le fields.
    pub extended_length: Option<bool>,
    /// Extended length information (DO `7F66`), first integer: the most bytes a command
    /// APDU may have.
    pub max_command: Option<u32>,
    /// DO `7F66`, second integer: the most bytes a response APDU may have (data and SW).
    pub max_response: Option<u32>,
}

impl AtrInfo {
    /// Parses the file: a sequence of BER-TLV data objects, possibly followed by `00` or
    /// `FF` padding. Objects other than `47` and `7F66` are skipped.
    ///
    /// # Errors
    /// [`TlvError`] when the objects are malformed.
    pub fn parse(mut file: &[u8]) -> Result<Self, TlvError> {
        let mut info = Self::default();
        while let Some(&first) = file.first() {
            if first == 0x00 || first == 0xFF {
                break;
            }
            let (tlv, rest) = Tlv::parse(file)?;
            file = rest;
            if tlv.tag == Tag::new(0x47) {
                info.extended_length = tlv.value.get(2).map(|b| b & 0x40 != 0);
            } else if tlv.tag == Tag::new(0x7F66) {
                let mut ints = tlv.children().filter_map(Result::ok).filter(|t| t.tag == Tag::new(0x02));
                info.max_command = ints.next().and_then(|t| be_u32(t.value));
                info.max_response = ints.next().and_then(|t| be_u32(t.value));
                if info.max_response.is_some() {
                    // Limits are only stated by chips that have extended length.
                    info.extended_length.get_or_insert(info.max_response.is_some_and(|r| r > 258));
                }
            }
        }
        Ok(info)
    }
}

/// A big-endian unsigned integer of 1 to 4 significant bytes (leading zeros allowed).
fn be_u32(v: &[u8]) -> Option<u32> {
    let start = v.iter().position(|&b| b != 0).unwrap_or(v.len());
    let digits = v.get(start..)?;
    if v.is_empty() || digits.len() > 4 {
        return None;
    }
    Some(digits.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)))
}

/// An ATR with the given historical bytes for T=1 (`3B 8n 80 01 hist TCK`), as our
/// emulator presents itself.
#[must_use]
pub fn build_t1(historical: &[u8]) -> Vec<u8> {
    let k = historical.len().min(15);
    let mut atr = vec![0x3B, 0x80 | k as u8, 0x80, 0x01];
    atr.extend_from_slice(historical.get(..k).unwrap_or_default());
    let tck = atr.iter().skip(1).fold(0u8, |a, b| a ^ b);
    atr.push(tck);
    atr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_card_capabilities() {
        // German eID card (nPA), as vsmartcard serves it: 73 F7 41 E0 → extended length.
        let npa = [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];
        assert_eq!(historical_bytes(&npa).unwrap().len(), 10);
        assert_eq!(extended_length(&npa), Some(true));
        let short = build_t1(&[0x80, 0x73, 0x00, 0x00, 0x80]);
        assert_eq!(extended_length(&short), Some(false));
        let built = build_t1(&[0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00]);
        assert_eq!(built, npa);
        // vsmartcard's ISO 7816 card: TA1 and two TDs before the history; capabilities without extended length.
        assert_eq!(extended_length(&[0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B]), Some(false));
        // No capabilities object: no answer.
        assert_eq!(extended_length(&build_t1(&[0x80, 0x31, 0xF8])), None);
    }

    #[test]
    fn reads_ef_atr_info() {
        // Extended length information: commands up to 0x0F0F bytes, responses up to 0x10000
        // (three-byte integer), beside other objects and trailing padding.
        let file =
            [0x43, 0x01, 0xB8, 0x7F, 0x66, 0x09, 0x02, 0x02, 0x0F, 0x0F, 0x02, 0x03, 0x01, 0x00, 0x00, 0x00, 0xFF];
        let info = AtrInfo::parse(&file).unwrap();
        assert_eq!(info.max_command, Some(0x0F0F));
        assert_eq!(info.max_response, Some(0x1_0000));
        assert_eq!(info.extended_length, Some(true));
        // Card capabilities without extended length, and nothing else.
        let caps = AtrInfo::parse(&[0x47, 0x03, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!(caps, AtrInfo { extended_length: Some(false), max_command: None, max_response: None });
        // Capabilities say yes, the limits are stated with a leading zero byte.
        let both =
            AtrInfo::parse(&[0x47, 0x03, 0, 0, 0x40, 0x7F, 0x66, 0x08, 2, 2, 0x01, 0x00, 2, 2, 0x04, 0x00]).unwrap();
        assert_eq!((both.extended_length, both.max_response), (Some(true), Some(0x400)));
        assert_eq!(AtrInfo::parse(&[]).unwrap(), AtrInfo::default());
    }

    #[test]
    fn malformed_atr_info_is_refused_or_says_nothing() {
        assert!(AtrInfo::parse(&[0x7F, 0x66, 0x08, 0x02]).is_err());
        // Integers too long, empty, or missing say nothing.
        let odd = AtrInfo::parse(&[0x7F, 0x66, 0x09, 2, 5, 1, 2, 3, 4, 5, 2, 0]).unwrap();
        assert_eq!((odd.max_command, odd.max_response), (None, None));
        assert_eq!(AtrInfo::parse(&[0x7F, 0x66, 0x00]).unwrap(), AtrInfo::default());
        assert_eq!(AtrInfo::parse(&[0x47, 0x01, 0x00]).unwrap().extended_length, None);
    }

    #[test]
    fn malformed_atrs_say_nothing() {
        // Empty; TS only; interface bytes missing; a bad TS; TD2 missing; a compact-TLV
        // object longer than the history; history shorter than K; bytes after the TCK.
        for atr in [
            &[][..],
            &[0x3B],
            &[0x3B, 0xFF],
            &[0x12, 0x00],
            &[0x3B, 0x8F, 0x80],
            &[0x3B, 0x02, 0x80, 0x7F],
            &[0x3B, 0x02, 0x80],
            &[0x3B, 0x01, 0x80, 0x00, 0x00],
        ] {
            assert_eq!(extended_length(atr), None, "{atr:02X?}");
        }
        assert_eq!(historical_bytes(&[0x3B, 0x02, 0x80]), None);
        assert_eq!(historical_bytes(&[0x3B, 0x01, 0x80, 0x00, 0x00]), None);
        assert_eq!(historical_bytes(&[0x3B, 0x02, 0x80, 0x7F]), Some(&[0x80, 0x7F][..]));
    }
}
