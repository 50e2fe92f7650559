//! DG11, additional personal details (ICAO 9303-10 §4.7.11). Every field is optional:
//!
//! ```text
//! 6B L
//!    5C L   tag list
//!    5F0E   full name, national characters allowed, `<<` between primary and secondary
//!    5F10   personal number
//!    5F2B   full date of birth: CCYYMMDD as ASCII, or 4 bytes BCD (seen on MY, ES and others)
//!    5F11   place of birth        5F42 address        5F12 telephone
//!    5F13   profession            5F14 title          5F15 personal summary
//!    5F16   proof of citizenship (an image)                5F17 other valid TD numbers
//!    5F18   custody information   A0 { 02 count, 5F0F other name … } other names
//! ```

use super::{LdsError, tlv_err};
use crate::date::Date;
use crate::tlv::{Tag, Tlv};

/// Parsed DG11 (personal data: `Debug` shows no values).
#[derive(Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Dg11 {
    /// Primary identifier of the full name (surnames).
    pub full_name_primary: Option<String>,
    /// Secondary identifier of the full name (given names).
    pub full_name_secondary: Option<String>,
    /// The personal number as written.
    pub personal_number: Option<String>,
    /// The full date of birth.
    pub full_date_of_birth: Option<Date>,
    /// Place of birth (`<` separators as spaces).
    pub place_of_birth: Option<String>,
    /// Permanent address (`<` separators as spaces).
    pub address: Option<String>,
    /// Telephone.
    pub telephone: Option<String>,
    /// Profession.
    pub profession: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Personal summary.
    pub personal_summary: Option<String>,
    /// Other valid travel document numbers (`<`-separated on the chip).
    pub other_travel_documents: Vec<String>,
    /// Custody information.
    pub custody_information: Option<String>,
    /// Other names, each as written (`<<` between primary and secondary identifier).
    pub other_names: Vec<String>,
    /// Proof of citizenship: an image (ISO/IEC 10918 JPEG), as stored.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub proof_of_citizenship: Option<Vec<u8>>,
}

/// Personal data: wiped when dropped.
impl Drop for Dg11 {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.full_name_primary.zeroize();
        self.full_name_secondary.zeroize();
        self.personal_number.zeroize();
        self.place_of_birth.zeroize();
        self.address.zeroize();
        self.telephone.zeroize();
        self.profession.zeroize();
        self.title.zeroize();
        self.personal_summary.zeroize();
        self.custody_information.zeroize();
        self.proof_of_citizenship.zeroize();
        self.other_travel_documents.zeroize();
        self.other_names.zeroize();
    }
}

impl core::fmt::Debug for Dg11 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Dg11(..)")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_string()
}

/// A text field with `<` fillers as spaces; `None` when empty.
pub(crate) fn spaced(b: &[u8]) -> Option<String> {
    let t = text(b).replace('<', " ");
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A full date in any encoding seen in DG11/DG12 fields: CCYYMMDD in ASCII (ICAO), the
/// same with separators, DD.MM.CCYY (separators required, so that it cannot be mistaken
/// for CCYYMMDD), four BCD bytes (CC YY MM DD), or four binary bytes (year as a 16-bit
/// big-endian number, month, day). A date that is not a calendar date is `None`, never
/// guessed.
pub(crate) fn full_date(b: &[u8]) -> Option<Date> {
    let date = |y: u32, m: u32, d: u32| {
        (1800..=2200).contains(&y).then(|| Date::parse(&format!("{y:04}-{m:02}-{d:02}")).ok()).flatten()
    };
    if let &[c, y, m, d] = b {
        let bcd = b.iter().all(|x| x >> 4 <= 9 && x & 0x0F <= 9);
        let from_bcd = |x: u8| u32::from(x >> 4) * 10 + u32::from(x & 0x0F);
        let as_bcd = bcd.then(|| date(from_bcd(c) * 100 + from_bcd(y), from_bcd(m), from_bcd(d))).flatten();
        if as_bcd.is_some() || b.iter().all(u8::is_ascii_digit) {
            return as_bcd;
        }
        return date((u32::from(c) << 8) | u32::from(y), u32::from(m), u32::from(d));
    }
    let digits: Vec<u32> = b.iter().filter(|c| c.is_ascii_digit()).map(|c| u32::from(c - b'0')).collect();
    if digits.len() != 8 {
        return None;
    }
    let n = |r: core::ops::Range<usize>| digits.get(r).map(|d| d.iter().fold(0u32, |a, &x| a * 10 + x));
    let separated = b.iter().any(|c| !c.is_ascii_digit());
    date(n(0..4)?, n(4..6)?, n(6..8)?).or_else(|| separated.then(|| date(n(4..8)?, n(2..4)?, n(0..2)?)).flatten())
}

impl Dg11 {
    /// Parses DG11.
    ///
    /// # Errors
    /// [`LdsError`] for a broken structure (unknown tags are skipped).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let err = tlv_err("DG11");
        let dg = Tlv::parse_tagged(bytes, Tag::new(0x6B)).map_err(&err)?;
        let mut out = Self::default();
        for t in dg.children() {
            let t = t.map_err(&err)?;
            match t.tag.value() {
                0x5F0E => {
                    let name = text(t.value);
                    let (p, s) = name.split_once("<<").unwrap_or((name.as_str(), ""));
                    let clean = |x: &str| x.split('<').filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
                    out.full_name_primary = Some(clean(p)).filter(|x| !x.is_empty());
                    out.full_name_secondary = Some(clean(s)).filter(|x| !x.is_empty());
                }
                0x5F10 => out.personal_number = Some(text(t.value)).filter(|x| !x.is_empty()),
                0x5F2B => out.full_date_of_birth = full_date(t.value),
                0x5F11 => out.place_of_birth = Some(text(t.value).replace('<', " ")),
                0x5F42 => out.address = spaced(t.value),
                0x5F12 => out.telephone = spaced(t.value),
                0x5F13 => out.profession = spaced(t.value),
                0x5F14 => out.title = spaced(t.value),
                0x5F15 => out.personal_summary = spaced(t.value),
                0x5F16 => out.proof_of_citizenship = Some(t.value.to_vec()),
                0x5F17 => {
                    out.other_travel_documents =
                        text(t.value).split('<').filter(|x| !x.is_empty()).map(str::to_string).collect();
                }
                0x5F18 => out.custody_information = spaced(t.value),
                0xA0 => {
                    for name in t.children() {
                        let name = name.map_err(&err)?;
                        if name.tag == Tag::new(0x5F0F) {
                            out.other_names.push(text(name.value));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Encodes the fields this reader knows (the emulator serves DG11 with this).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        use crate::tlv::{encode, encode_to_vec};
        let mut tags = Vec::new();
        let mut body = Vec::new();
        if self.full_name_primary.is_some() || self.full_name_secondary.is_some() {
            let name = format!(
                "{}<<{}",
                self.full_name_primary.as_deref().unwrap_or("").replace(' ', "<"),
                self.full_name_secondary.as_deref().unwrap_or("").replace(' ', "<")
            );
            tags.extend_from_slice(&[0x5F, 0x0E]);
            encode(Tag::new(0x5F0E), name.as_bytes(), &mut body);
        }
        if let Some(p) = &self.personal_number {
            tags.extend_from_slice(&[0x5F, 0x10]);
            encode(Tag::new(0x5F10), p.as_bytes(), &mut body);
        }
        if let Some(d) = self.full_date_of_birth {
            tags.extend_from_slice(&[0x5F, 0x2B]);
            let s = format!("{:04}{:02}{:02}", d.year, d.month, d.day);
            encode(Tag::new(0x5F2B), s.as_bytes(), &mut body);
        }
        let mut all = encode_to_vec(Tag::new(0x5C), &tags);
        all.extend_from_slice(&body);
        encode_to_vec(Tag::new(0x6B), &all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    // ICAO 9303-10 A.5 (test-vectors.md A.10).
    #[test]
    fn icao_example() {
        let b = hex!(
            "6B605C0A5F0E5F115F425F125F135F0E0D534D4954483C3C4A4F484E3C4A5F110A414E59544F574E3C4D4E5F4217313233204D41504C452052443C414E59544F574E3C4D4E5F120B31363132353535313231325F130C54524156454C3C4147454E54"
        );
        let d = Dg11::parse(&b).unwrap();
        assert_eq!(d.full_name_primary.as_deref(), Some("SMITH"));
        assert_eq!(d.full_name_secondary.as_deref(), Some("JOHN J"));
        assert_eq!(d.place_of_birth.as_deref(), Some("ANYTOWN MN"));
        assert_eq!(d.personal_number, None);
        assert_eq!(d.address.as_deref(), Some("123 MAPLE RD ANYTOWN MN"));
        assert_eq!(d.telephone.as_deref(), Some("16125551212"));
        assert_eq!(d.profession.as_deref(), Some("TRAVEL AGENT"));
        assert_eq!(format!("{d:?}"), "Dg11(..)");
        // Bad input: another data group, a cut file, a broken "other names" template.
        assert!(Dg11::parse(&hex!("6C00")).is_err());
        assert!(Dg11::parse(&b[..b.len() - 1]).is_err());
        assert!(Dg11::parse(&hex!("6B05A0035F0F09")).is_err());
        let names = Dg11::parse(&hex!("6B0EA00C020102 5F0F024142 5F0F0143")).unwrap();
        assert_eq!(names.other_names, ["AB", "C"]);
    }

    #[test]
    fn dates_in_ascii_and_bcd_and_round_trip() {
        assert_eq!(full_date(b"19850412"), Date::parse("1985-04-12").ok());
        assert_eq!(full_date(b"1985-04-12"), Date::parse("1985-04-12").ok());
        assert_eq!(full_date(&[0x19, 0x85, 0x04, 0x12]), Date::parse("1985-04-12").ok());
        assert_eq!(full_date(b"19851312"), None);
        // Binary (1985 = 0x07C1), day-first with separators, and nonsense refused.
        assert_eq!(full_date(&[0x07, 0xC1, 0x04, 0x0C]), Date::parse("1985-04-12").ok());
        assert_eq!(full_date(b"12.04.1985"), Date::parse("1985-04-12").ok());
        assert_eq!(full_date(b"12041985"), None, "day-first without separators is ambiguous");
        assert_eq!(full_date(&[0xFF, 0xFF, 0xFF, 0xFF]), None);
        assert_eq!(full_date(&[0x19, 0x85, 0x13, 0x01]), None);
        assert_eq!(full_date(b"1985"), None);
        let mut d = Dg11::default();
        d.full_name_primary = Some("ÖBERG".into());
        d.full_name_secondary = Some("ÅSA".into());
        d.personal_number = Some("19850412-2386".into());
        d.full_date_of_birth = Date::parse("1985-04-12").ok();
        assert_eq!(Dg11::parse(&d.encode()).unwrap(), d);
    }
}
