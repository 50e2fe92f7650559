//! Distinguished names compared as RFC 5280 §7.1 says, not byte for byte. Issuers encode
//! the same name differently: the ICAO master list's signer names its issuer in
//! PrintableString while the United Nations CSCA's subject is UTF8String; attributes of a
//! multi-valued RDN come in another order; case and spaces differ. Each attribute value
//! is prepared as RFC 4518 does for caseIgnoreMatch (transcoded to Unicode, NFKC,
//! case-folded, insignificant spaces removed), each RDN compared as a set, the RDN
//! sequence in order.
//!
//! ```text
//! Name ::= SEQUENCE OF RelativeDistinguishedName
//! RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
//! AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
//! ```

use unicode_normalization::UnicodeNormalization;
use x509_cert::name::Name;

/// Whether two names are the same name (RFC 5280 §7.1).
#[must_use]
pub fn names_match(a: &Name, b: &Name) -> bool {
    a == b || canonical(a) == canonical(b)
}

/// A name's canonical form: equal for names that match, as a map key. Values that are
/// not character strings are kept as their bytes in hex.
#[must_use]
pub fn canonical(name: &Name) -> String {
    let mut out = String::new();
    for rdn in name.iter_rdn() {
        let mut avas: Vec<String> = rdn
            .iter()
            .map(|atv| format!("{}={}", atv.oid, prepared(string_tag(&atv.value), atv.value.value())))
            .collect();
        avas.sort();
        out.push('/');
        out.push_str(&avas.join("+"));
    }
    out
}

/// The canonical form of a Name in DER; `None` when it does not parse.
#[must_use]
pub fn canonical_der(der: &[u8]) -> Option<String> {
    use der::Decode;
    Name::from_der(der).ok().map(|n| canonical(&n))
}

/// The universal tag number of a primitive value (0 for anything else: not a string).
fn string_tag(value: &der::Any) -> u8 {
    let tag = der::Tagged::tag(value);
    match tag.class() {
        der::Class::Universal if !tag.is_constructed() => u8::try_from(u32::from(tag.number())).unwrap_or(0),
        _ => 0,
    }
}

/// An attribute value prepared for caseIgnoreMatch (RFC 4518 §2): transcoded, NFKC,
/// case-folded, leading and trailing spaces removed and inner runs of spaces made one.
fn prepared(tag: u8, bytes: &[u8]) -> String {
    let Some(text) = transcode(tag, bytes) else {
        return format!("#{}", base16ct::lower::encode_string(bytes));
    };
    let folded: String = text.nfkc().flat_map(char::to_lowercase).collect::<String>().nfkc().collect();
    folded.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The string types of DirectoryString and the others names use, as Unicode.
fn transcode(tag: u8, bytes: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, PrintableString, IA5String, VisibleString, NumericString
        0x0C | 0x13 | 0x16 | 0x1A | 0x12 => String::from_utf8(bytes.to_vec()).ok(),
        // TeletexString: in practice Latin-1
        0x14 => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UTF-16BE
        0x1E if bytes.len().is_multiple_of(2) => {
            let units: Option<Vec<u16>> =
                bytes.chunks_exact(2).map(|c| <[u8; 2]>::try_from(c).ok().map(u16::from_be_bytes)).collect();
            String::from_utf16(&units?).ok()
        }
        // UniversalString: UTF-32BE
        0x1C if bytes.len().is_multiple_of(4) => bytes
            .chunks_exact(4)
            .map(|c| <[u8; 4]>::try_from(c).ok().map(u32::from_be_bytes).and_then(char::from_u32))
            .collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use der::Decode;

    use super::*;

    /// A Name of RDNs, each a list of (OID bytes, string tag, value).
    fn name(rdns: &[&[(&[u8], u8, &str)]]) -> Name {
        let tlv = |tag: u8, v: &[u8]| crate::tlv::encode_to_vec(crate::tlv::Tag::new(u32::from(tag)), v);
        let mut seq = Vec::new();
        for rdn in rdns {
            let mut set = Vec::new();
            for (oid, tag, value) in *rdn {
                let mut atv = tlv(0x06, oid);
                atv.extend(tlv(*tag, value.as_bytes()));
                set.extend(tlv(0x30, &atv));
            }
            seq.extend(tlv(0x31, &set));
        }
        Name::from_der(&tlv(0x30, &seq)).unwrap()
    }

    const C: &[u8] = &[0x55, 0x04, 0x06];
    const O: &[u8] = &[0x55, 0x04, 0x0A];
    const CN: &[u8] = &[0x55, 0x04, 0x03];

    #[test]
    fn printable_and_utf8_case_and_spaces_and_rdn_order() {
        let un_utf8 = name(&[&[(C, 0x13, "UN")], &[(O, 0x0C, "United Nations")], &[(CN, 0x0C, "United Nations CSCA")]]);
        let un_printable =
            name(&[&[(C, 0x13, "UN")], &[(O, 0x13, "United Nations")], &[(CN, 0x13, "united  nations CSCA ")]]);
        assert_ne!(un_utf8, un_printable, "different bytes");
        assert!(names_match(&un_utf8, &un_printable));
        // Attributes of one RDN in another order match; RDNs in another order do not.
        let multi_a = name(&[&[(C, 0x13, "NL"), (O, 0x0C, "Kingdom")]]);
        let multi_b = name(&[&[(O, 0x13, "KINGDOM"), (C, 0x13, "nl")]]);
        assert!(names_match(&multi_a, &multi_b));
        let swapped = name(&[&[(O, 0x0C, "United Nations")], &[(C, 0x13, "UN")], &[(CN, 0x0C, "United Nations CSCA")]]);
        assert!(!names_match(&un_utf8, &swapped));
        // Another value, another attribute type, one RDN more: no match.
        assert!(!names_match(
            &un_utf8,
            &name(&[&[(C, 0x13, "UN")], &[(O, 0x0C, "United Nation")], &[(CN, 0x0C, "United Nations CSCA")]])
        ));
        assert!(!names_match(&multi_a, &name(&[&[(C, 0x13, "NL"), (CN, 0x0C, "Kingdom")]])));
        assert!(!names_match(&multi_a, &name(&[&[(C, 0x13, "NL")], &[(O, 0x0C, "Kingdom")]])));
        // BMPString and NFKC: "Ａ" (fullwidth) is "a".
        let bmp = {
            let tlv = |tag: u8, v: &[u8]| crate::tlv::encode_to_vec(crate::tlv::Tag::new(u32::from(tag)), v);
            let mut atv = tlv(0x06, CN);
            atv.extend(tlv(0x1E, &[0xFF, 0x21, 0x00, 0x42]));
            Name::from_der(&tlv(0x30, &tlv(0x31, &tlv(0x30, &atv)))).unwrap()
        };
        assert!(names_match(&bmp, &name(&[&[(CN, 0x0C, "ab")]])));
        assert_eq!(canonical(&un_utf8), canonical(&un_printable));
    }
}
