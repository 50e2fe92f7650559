//! Small DER builders for the emulator's PKI: enough to issue certificates, CRLs and
//! CMS SignedData. Everything is built with the crate's TLV encoder.

use crate::date::Date;
use crate::tlv::{Tag, encode, encode_to_vec};

/// `SEQUENCE { parts… }`.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    encode_to_vec(Tag::new(0x30), &parts.concat())
}

/// `SET { parts… }` with the elements in DER order (sorted by encoding).
pub(crate) fn set(parts: &[&[u8]]) -> Vec<u8> {
    let mut sorted: Vec<&[u8]> = parts.to_vec();
    sorted.sort();
    encode_to_vec(Tag::new(0x31), &sorted.concat())
}

/// A context-specific tag around `content` (`[n]`, constructed when `constructed`).
pub(crate) fn ctx(n: u8, constructed: bool, content: &[u8]) -> Vec<u8> {
    encode_to_vec(Tag::new(u32::from(0x80 | if constructed { 0x20 } else { 0 } | n)), content)
}

/// A non-negative INTEGER from big-endian magnitude bytes (minimal, sign byte added).
pub(crate) fn uint(bytes: &[u8]) -> Vec<u8> {
    let z = bytes.iter().take_while(|&&b| b == 0).count();
    let mut v: Vec<u8> = bytes.get(z..).unwrap_or_default().to_vec();
    if v.first().is_none_or(|&b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    encode_to_vec(Tag::new(0x02), &v)
}

/// A small INTEGER.
pub(crate) fn small_int(n: u32) -> Vec<u8> {
    uint(&n.to_be_bytes())
}

/// An OBJECT IDENTIFIER.
pub(crate) fn oid(o: &const_oid::ObjectIdentifier) -> Vec<u8> {
    encode_to_vec(Tag::new(0x06), o.as_bytes())
}

/// An OCTET STRING.
pub(crate) fn octets(b: &[u8]) -> Vec<u8> {
    encode_to_vec(Tag::new(0x04), b)
}

/// A BIT STRING with no unused bits.
pub(crate) fn bits(b: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(b.len() + 1);
    v.push(0);
    v.extend_from_slice(b);
    encode_to_vec(Tag::new(0x03), &v)
}

/// `NULL`.
pub(crate) const NULL: [u8; 2] = [0x05, 0x00];

/// A Name `C=…, O=…, CN=…` (PrintableString/UTF8String values).
pub(crate) fn name(country: &str, org: &str, cn: &str) -> Vec<u8> {
    let atv = |o: &str, tag: u32, v: &str| {
        let id = const_oid::ObjectIdentifier::new_unwrap(o);
        set(&[&seq(&[&oid(&id), &encode_to_vec(Tag::new(tag), v.as_bytes())])])
    };
    seq(&[&atv("2.5.4.6", 0x13, country), &atv("2.5.4.10", 0x0C, org), &atv("2.5.4.3", 0x0C, cn)])
}

/// A Name from `(attribute OID, value)` pairs, UTF8String values (PrintableString for C).
pub(crate) fn name_attrs(attrs: &[(&str, &str)]) -> Vec<u8> {
    let rdns: Vec<Vec<u8>> = attrs
        .iter()
        .map(|(o, v)| {
            let id = const_oid::ObjectIdentifier::new_unwrap(o);
            let tag = if *o == "2.5.4.6" || *o == "2.5.4.5" { 0x13 } else { 0x0C };
            set(&[&seq(&[&oid(&id), &encode_to_vec(Tag::new(tag), v.as_bytes())])])
        })
        .collect();
    let refs: Vec<&[u8]> = rdns.iter().map(Vec::as_slice).collect();
    seq(&refs)
}

/// A Time: UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5).
pub(crate) fn time(d: Date) -> Vec<u8> {
    if d.year < 2050 {
        let s = format!("{:02}{:02}{:02}000000Z", d.year.rem_euclid(100), d.month, d.day);
        encode_to_vec(Tag::new(0x17), s.as_bytes())
    } else {
        let s = format!("{:04}{:02}{:02}000000Z", d.year, d.month, d.day);
        encode_to_vec(Tag::new(0x18), s.as_bytes())
    }
}

/// An Extension `SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`.
pub(crate) fn extension(id: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    let o = oid(&const_oid::ObjectIdentifier::new_unwrap(id));
    let mut parts: Vec<Vec<u8>> = vec![o];
    if critical {
        let mut b = Vec::new();
        encode(Tag::new(0x01), &[0xFF], &mut b);
        parts.push(b);
    }
    parts.push(octets(value));
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    seq(&refs)
}
