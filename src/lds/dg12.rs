//! DG12, additional document details (ICAO 9303-10 §4.7.12). Every field is optional:
//!
//! ```text
//! 6C L
//!    5C L   tag list
//!    5F19   issuing authority        5F26 date of issue: CCYYMMDD ASCII or 4 bytes BCD
//!    A0 { 02 count, 5F1A name … }    other persons
//!    5F1B   endorsements, observations          5F1C tax or exit requirements
//!    5F1D   image of the front (JPEG)          5F1E image of the rear (JPEG)
//!    5F55   personalization date and time: CCYYMMDDhhmmss ASCII or 7 bytes BCD
//!    5F56   personalization system serial number
//! ```

use super::dg11::{full_date, spaced};
use super::{LdsError, tlv_err};
use crate::date::Date;
use crate::tlv::{Tag, Tlv};

/// Parsed DG12 (document data; `Debug` shows no values).
#[derive(Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Dg12 {
    /// Issuing authority.
    pub issuing_authority: Option<String>,
    /// Date of issue.
    pub date_of_issue: Option<Date>,
    /// Other persons on the document (`<<` between primary and secondary identifier).
    pub other_persons: Vec<String>,
    /// Endorsements and observations.
    pub endorsements: Option<String>,
    /// Tax or exit requirements.
    pub tax_exit_requirements: Option<String>,
    /// Image of the document's front, as stored.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub front_image: Option<Vec<u8>>,
    /// Image of the document's rear, as stored.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub rear_image: Option<Vec<u8>>,
    /// Personalization date and time, `YYYY-MM-DDThh:mm:ss`.
    pub personalization_time: Option<String>,
    /// Personalization system serial number.
    pub personalization_system: Option<String>,
}

/// Personal data: wiped when dropped.
impl Drop for Dg12 {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.issuing_authority.zeroize();
        self.other_persons.zeroize();
        self.endorsements.zeroize();
        self.tax_exit_requirements.zeroize();
        self.front_image.zeroize();
        self.rear_image.zeroize();
        self.personalization_time.zeroize();
        self.personalization_system.zeroize();
    }
}

impl core::fmt::Debug for Dg12 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Dg12(..)")
    }
}

/// CCYYMMDDhhmmss as ASCII digits or seven BCD bytes.
fn date_time(b: &[u8]) -> Option<String> {
    let digits: Vec<u8> = if b.len() == 7 && b.iter().all(|x| x >> 4 <= 9 && x & 0x0F <= 9) {
        b.iter().flat_map(|x| [x >> 4, x & 0x0F]).collect()
    } else {
        b.iter().filter(|c| c.is_ascii_digit()).map(|c| c - b'0').collect()
    };
    if digits.len() != 14 {
        return None;
    }
    let bcd: Vec<u8> = digits.chunks(2).map(|p| p.iter().fold(0u8, |a, &d| a * 16 + d)).collect();
    let date = full_date(bcd.get(..4)?)?;
    let two = |i: usize| digits.get(i..i + 2).map(|d| d.iter().fold(0u32, |a, &x| a * 10 + u32::from(x)));
    let (h, m, s) = (two(8)?, two(10)?, two(12)?);
    (h < 24 && m < 60 && s < 61).then(|| format!("{date}T{h:02}:{m:02}:{s:02}"))
}

impl Dg12 {
    /// Parses DG12.
    ///
    /// # Errors
    /// [`LdsError`] for a broken structure (unknown tags are skipped).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let err = tlv_err("DG12");
        let dg = Tlv::parse_tagged(bytes, Tag::new(0x6C)).map_err(&err)?;
        let mut out = Self::default();
        for t in dg.children() {
            let t = t.map_err(&err)?;
            match t.tag.value() {
                0x5F19 => out.issuing_authority = spaced(t.value),
                0x5F26 => out.date_of_issue = full_date(t.value),
                0x5F1B => out.endorsements = spaced(t.value),
                0x5F1C => out.tax_exit_requirements = spaced(t.value),
                0x5F1D => out.front_image = Some(t.value.to_vec()),
                0x5F1E => out.rear_image = Some(t.value.to_vec()),
                0x5F55 => out.personalization_time = date_time(t.value),
                0x5F56 => out.personalization_system = spaced(t.value),
                0xA0 => {
                    for person in t.children() {
                        let person = person.map_err(&err)?;
                        if person.tag == Tag::new(0x5F1A) {
                            out.other_persons.push(String::from_utf8_lossy(person.value).trim().to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::{encode, encode_to_vec};

    #[test]
    fn every_field_and_both_date_encodings() {
        let mut body = Vec::new();
        encode(Tag::new(0x5F19), b"POLISMYNDIGHETEN", &mut body);
        encode(Tag::new(0x5F26), &[0x20, 0x21, 0x03, 0x15], &mut body);
        let mut others = encode_to_vec(Tag::new(0x02), &[2]);
        encode(Tag::new(0x5F1A), b"OEBERG<<LINA", &mut others);
        encode(Tag::new(0x5F1A), b"OEBERG<<MAX", &mut others);
        encode(Tag::new(0xA0), &others, &mut body);
        encode(Tag::new(0x5F1B), b"NO<ENDORSEMENTS", &mut body);
        encode(Tag::new(0x5F1D), &[0xFF, 0xD8, 0xFF], &mut body);
        encode(Tag::new(0x5F55), b"20210315101112", &mut body);
        encode(Tag::new(0x5F56), b"SN12345", &mut body);
        let d = Dg12::parse(&encode_to_vec(Tag::new(0x6C), &body)).unwrap();
        assert_eq!(d.issuing_authority.as_deref(), Some("POLISMYNDIGHETEN"));
        assert_eq!(d.date_of_issue, Date::parse("2021-03-15").ok());
        assert_eq!(d.other_persons, ["OEBERG<<LINA", "OEBERG<<MAX"]);
        assert_eq!(d.endorsements.as_deref(), Some("NO ENDORSEMENTS"));
        assert_eq!(d.front_image.as_deref(), Some(&[0xFF, 0xD8, 0xFF][..]));
        assert_eq!(d.personalization_time.as_deref(), Some("2021-03-15T10:11:12"));
        assert_eq!(d.personalization_system.as_deref(), Some("SN12345"));
        assert_eq!(format!("{d:?}"), "Dg12(..)");
        // BCD date and time; a nonsense time is dropped, not guessed.
        assert_eq!(date_time(&[0x20, 0x21, 0x03, 0x15, 0x23, 0x59, 0x59]).as_deref(), Some("2021-03-15T23:59:59"));
        assert_eq!(date_time(b"20210315256000"), None);
        assert_eq!(date_time(b"2021"), None);
        assert!(Dg12::parse(&[0x6B, 0x00]).is_err());
        assert!(Dg12::parse(&[0x6C, 0x05, 0x5F, 0x19, 0x09]).is_err());
    }
}
