//! The Active Authentication challenge on the command line: 8 bytes in hex, as a bank
//! server sends its nonce (`demo --aa-challenge`, `verify --aa-challenge`).

/// An 8-byte challenge from hex.
pub fn parse(hex: &str) -> Result<[u8; 8], String> {
    // from_str_radix alone would take a sign ("+1").
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{hex:?} is not 8 bytes of hex"));
    }
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok())).collect();
    bytes.and_then(|b| <[u8; 8]>::try_from(b).ok()).ok_or_else(|| format!("{hex:?} is not 8 bytes of hex"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn eight_bytes_of_hex_only() {
        assert_eq!(super::parse("62616e6B2d6e6365"), Ok(*b"bank-nce"));
        for bad in [
            "",
            "0102",
            "62616e6b2d6e636500",
            "zz616e6b2d6e6365",
            "62616e6b2d6e636",
            "é2616e6b2d6e636",
            "+1616e6b2d6e6365",
        ] {
            assert!(super::parse(bad).is_err(), "{bad}");
        }
    }
}
