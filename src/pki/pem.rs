//! PEM (RFC 7468) as certificate folders and CRL files hold it: one or more blocks, with
//! whatever text a tool printed around them. Each block is decoded with `pem-rfc7468`,
//! and what comes out is the original DER, which is what signatures are checked over.

/// The DER of every `-----BEGIN {label}-----` block of `bytes`, in order.
///
/// # Errors
/// A description when a block is malformed, has another label, or none is found.
pub(crate) fn blocks(bytes: &[u8], label: &str) -> Result<Vec<Vec<u8>>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(start) = find(rest, begin.as_bytes()) {
        let from_begin = rest.get(start..).unwrap_or_default();
        let stop = find(from_begin, end.as_bytes()).ok_or_else(|| format!("a {label} block has no END line"))?;
        let block_len = stop + end.len();
        let block = from_begin.get(..block_len).unwrap_or_default();
        let (found, der) = pem_rfc7468::decode_vec(block).map_err(|e| format!("PEM: {e}"))?;
        if found != label {
            return Err(format!("PEM: expected {label}, found {found}"));
        }
        out.push(der);
        rest = from_begin.get(block_len..).unwrap_or_default();
    }
    if out.is_empty() {
        return Err(format!("PEM: no {label} block"));
    }
    Ok(out)
}

/// Whether `bytes` look like PEM rather than DER.
pub(crate) fn is_pem(bytes: &[u8]) -> bool {
    find(bytes, b"-----BEGIN ").is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_decoded_with_text_around_them() {
        let pem = b"Certificate:\n  text printed by a tool\n-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\nmore\n-----BEGIN CERTIFICATE-----\nBAUG\n-----END CERTIFICATE-----\n";
        assert_eq!(blocks(pem, "CERTIFICATE").unwrap(), [vec![1, 2, 3], vec![4, 5, 6]]);
        assert!(blocks(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "CERTIFICATE").is_err());
        assert!(blocks(b"-----BEGIN CERTIFICATE-----\nAQID\n", "CERTIFICATE").is_err());
        assert!(blocks(b"no pem here", "CERTIFICATE").is_err());
        assert!(is_pem(b"x\n-----BEGIN X509 CRL-----") && !is_pem(&[0x30, 0x82]));
    }
}
