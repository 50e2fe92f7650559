//! ISO/IEC 9797-1 padding method 2 (ICAO 9303-11 §9.8.3): append `80`, then `00`
//! up to a multiple of the block length. Always adds at least one byte.

/// Bytes that `pad` would append to a message of `len` bytes.
#[must_use]
pub const fn pad_len(len: usize, block: usize) -> usize {
    block - (len % block)
}

/// Appends method-2 padding to `buf`.
pub fn pad(buf: &mut Vec<u8>, block: usize) {
    let n = pad_len(buf.len(), block);
    buf.push(0x80);
    buf.resize(buf.len() + n - 1, 0);
}

/// Returns a padded copy of `data`.
#[must_use]
pub fn padded(data: &[u8], block: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(data.len() + block);
    v.extend_from_slice(data);
    pad(&mut v, block);
    v
}

/// Strips method-2 padding, or `None` if the data is not correctly padded: the last
/// non-zero byte must be `80` and lie within the final block.
#[must_use]
pub fn unpad(data: &[u8], block: usize) -> Option<&[u8]> {
    if data.is_empty() || !data.len().is_multiple_of(block) {
        return None;
    }
    let zeros = data.iter().rev().take_while(|&&b| b == 0).count();
    if zeros >= block {
        return None;
    }
    let end = data.len() - zeros - 1;
    match data.get(end) {
        Some(0x80) => data.get(..end),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_and_unpads() {
        assert_eq!(padded(&[1, 2, 3], 8), vec![1, 2, 3, 0x80, 0, 0, 0, 0]);
        assert_eq!(padded(&[0; 8], 8).len(), 16);
        assert_eq!(padded(&[], 16), {
            let mut v = vec![0x80];
            v.resize(16, 0);
            v
        });
        assert_eq!(unpad(&[1, 2, 3, 0x80, 0, 0, 0, 0], 8), Some(&[1u8, 2, 3][..]));
        assert_eq!(unpad(&[0x80, 0, 0, 0, 0, 0, 0, 0], 8), Some(&[][..]));
    }

    #[test]
    fn rejects_bad_padding() {
        assert_eq!(unpad(&[1, 2, 3, 0, 0, 0, 0, 0], 8), None);
        assert_eq!(unpad(&[1, 2, 3], 8), None);
        assert_eq!(unpad(&[], 8), None);
        assert_eq!(unpad(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8), None);
        assert_eq!(unpad(&[1, 2, 3, 4, 5, 6, 7, 0x81], 8), None);
    }
}
