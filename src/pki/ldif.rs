//! LDIF (RFC 2849), as the ICAO PKD publishes its downloads: `icaopkd-001-*` carries DSCs
//! (`userCertificate;binary`) and CRLs (`certificateRevocationList;binary`),
//! `icaopkd-002-*` master lists (`CscaMasterListData`).
//!
//! ```text
//! ldif-content = [version-spec SEP] 1*(ldif-attrval-record *SEP)
//! attrval-spec = AttributeDescription value-spec SEP
//! value-spec   = ":" (FILL 0*1(SAFE-STRING) / ":" FILL 0*1(BASE64-STRING) / "<" FILL url)
//! ```
//!
//! Lines are folded by a line break followed by one space; `#` starts a comment line;
//! records are separated by empty lines. The parser is total: what it cannot read is an
//! [`LdifError`] naming the line, never a panic. URL values (`:<`) are refused: a trust
//! store import never fetches anything.

use base64ct::{Base64, Encoding};

/// One LDIF record: its DN and its attributes in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LdifRecord {
    /// The distinguished name (`dn:` line), as text.
    pub dn: String,
    /// `(attribute description in lower case, with its options; value bytes)`.
    pub attributes: Vec<(String, Vec<u8>)>,
}

impl LdifRecord {
    /// The values of an attribute (description compared case-insensitively, options
    /// included: `usercertificate;binary`).
    pub fn values<'a>(&'a self, description: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.attributes.iter().filter(move |(d, _)| d.eq_ignore_ascii_case(description)).map(|(_, v)| v.as_slice())
    }
}

/// The input is not LDIF passchip can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("LDIF line {line}: {reason}")]
pub struct LdifError {
    /// 1-based line number (of the logical line's first physical line).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Whether `bytes` look like LDIF (a `version:`, `dn:` or comment line first).
#[must_use]
pub fn looks_like_ldif(bytes: &[u8]) -> bool {
    let head = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = head.split(|&b| b == b'\n').find(|l| !l.iter().all(u8::is_ascii_whitespace)).unwrap_or_default();
    let lower = first.to_ascii_lowercase();
    lower.starts_with(b"version:") || lower.starts_with(b"dn:") || lower.starts_with(b"#")
}

/// Parses LDIF content records.
///
/// # Errors
/// [`LdifError`] for a line that is neither an attribute, a comment, a fold nor a
/// separator, undecodable base64, a URL value, or text that is not UTF-8 where text is due.
pub fn parse(bytes: &[u8]) -> Result<Vec<LdifRecord>, LdifError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut records = Vec::new();
    let mut current: Option<LdifRecord> = None;
    for (line_no, logical) in unfold(body) {
        let err = |reason: String| LdifError { line: line_no, reason };
        if logical.is_empty() {
            records.extend(current.take());
            continue;
        }
        let Some(colon) = logical.iter().position(|&b| b == b':') else {
            return Err(err("expected `attribute: value`".into()));
        };
        let (name, rest) = logical.split_at(colon);
        let name = std::str::from_utf8(name).map_err(|_| err("attribute name is not text".into()))?.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b';' || b == b'.') {
            return Err(err(format!("not an attribute description: {name:?}")));
        }
        let rest = rest.get(1..).unwrap_or_default();
        let value = match rest.first() {
            Some(b':') => {
                let text = std::str::from_utf8(rest.get(1..).unwrap_or_default())
                    .map_err(|_| err("base64 value is not text".into()))?;
                let text: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
                Base64::decode_vec(&text).map_err(|e| err(format!("{name}: base64: {e}")))?
            }
            Some(b'<') => return Err(err(format!("{name}: URL values are not fetched"))),
            _ => trim_fill(rest).to_vec(),
        };
        let name = name.to_ascii_lowercase();
        if name == "version" && current.is_none() && records.is_empty() {
            continue;
        }
        match current.as_mut() {
            None if name == "dn" => {
                let dn = String::from_utf8(value).map_err(|_| err("dn is not UTF-8".into()))?;
                current = Some(LdifRecord { dn, attributes: Vec::new() });
            }
            None => return Err(err(format!("record must start with dn:, found {name}:"))),
            Some(r) => r.attributes.push((name, value)),
        }
    }
    records.extend(current);
    Ok(records)
}

fn trim_fill(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|&b| b != b' ').unwrap_or(v.len());
    v.get(start..).unwrap_or_default()
}

/// Logical lines with their first physical line number: folds joined (a line starting
/// with one space continues the previous one), comments (and their folds) dropped,
/// CR before LF removed.
fn unfold(body: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut out: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut in_comment = false;
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some(cont) = line.strip_prefix(b" ") {
            if in_comment {
                continue;
            }
            if let Some((_, last)) = out.last_mut().filter(|(_, l)| !l.is_empty()) {
                last.extend_from_slice(cont);
                continue;
            }
        }
        in_comment = line.first() == Some(&b'#');
        if !in_comment {
            out.push((i + 1, line.to_vec()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_base64_values_and_comments() {
        let text = b"version: 1\n\
# a comment\n  folded into the comment\n\
dn: cn=one,o=ml,c=DE\n\
objectClass: top\n\
CscaMasterListData:: AAEC\n Aw==\n\
\n\
dn: cn=two,\n o=dsc\r\n\
userCertificate;binary:: /w==\n";
        let r = parse(text).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].dn, "cn=one,o=ml,c=DE");
        assert_eq!(r[0].values("cscamasterlistdata").collect::<Vec<_>>(), vec![&[0u8, 1, 2, 3][..]]);
        assert_eq!(r[0].values("objectclass").next(), Some(&b"top"[..]));
        assert_eq!(r[1].dn, "cn=two,o=dsc");
        assert_eq!(r[1].values("userCertificate;binary").next(), Some(&[0xFFu8][..]));
        assert!(looks_like_ldif(text));
        assert!(!looks_like_ldif(&[0x30, 0x82]));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse(b"dn: x\nno colon here\n").unwrap_err().line, 2);
        assert!(parse(b"dn: x\nuserCertificate;binary:: !!!\n").is_err());
        assert!(parse(b"dn: x\njpegPhoto:< file:///etc/passwd\n").unwrap_err().reason.contains("URL"));
        assert!(parse(b"objectClass: top\n").is_err());
        assert!(parse(b"").unwrap().is_empty());
        // Arbitrary bytes never panic.
        for n in 0..=255u8 {
            let _ = parse(&[b'd', b'n', b':', b' ', n, b'\n', b' ', n, b':', b':', n]);
        }
    }
}
