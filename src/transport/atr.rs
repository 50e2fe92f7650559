//! What an ATR (ISO/IEC 7816-3 §8) says about a chip's APDU limits: the card-capabilities
//! object (ISO/IEC 7816-4 §12.1.1.9, compact-TLV tag `7`) in the historical bytes tells
//! whether the chip accepts extended Lc/Le. The answer is a hint: readers still learn by
//! trial, because chips that announce extended length sometimes refuse it.

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
