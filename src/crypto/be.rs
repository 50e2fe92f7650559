//! Big-endian integer byte strings: the few helpers the runtime EC and DH engines share.

use crypto_bigint::BoxedUint;
use zeroize::Zeroizing;

/// Bytes of a hex constant (whitespace and other non-hex characters ignored; an odd
/// number of digits gets a leading zero nibble).
pub(crate) fn from_hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> =
        s.bytes().filter_map(|c| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok())).collect();
    let odd = digits.len() % 2;
    let first = digits.first().copied().filter(|_| odd == 1);
    first
        .into_iter()
        .chain(digits.get(odd..).unwrap_or_default().chunks(2).map(|p| p.iter().fold(0u8, |acc, d| acc << 4 | d)))
        .collect()
}

/// Without leading zero bytes.
pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or_default()
}

/// `v` big-endian, left-padded with zeros to `len` bytes (never truncated). Zeroized on
/// drop: callers use it for secret scalars as well.
pub(crate) fn fixed(v: &BoxedUint, len: usize) -> Zeroizing<Vec<u8>> {
    let bytes = Zeroizing::new(v.to_be_bytes());
    let body = trim(&bytes);
    let mut out = Zeroizing::new(vec![0u8; len.saturating_sub(body.len())]);
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(from_hex("0A bc\n1"), [0x00, 0xAB, 0xC1]);
        assert_eq!(from_hex("ABC"), [0x0A, 0xBC]);
        assert_eq!(trim(&[0, 0, 5, 0]), [5, 0]);
        assert_eq!(fixed(&BoxedUint::from(0x0102u32), 4).as_slice(), [0, 0, 1, 2]);
        assert_eq!(fixed(&BoxedUint::from(0x0102u32), 1).as_slice(), [1, 2]);
    }
}
