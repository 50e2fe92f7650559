//! DG16, persons to notify (ICAO 9303-10 §4.7.16):
//!
//! ```text
//! 70 L
//!    02 01 n                       number of persons
//!    A1 … An L                     one template per person:
//!       5F50 date the data was recorded (CCYYMMDD)     5F51 name (`<<` between identifiers)
//!       5F52 telephone                                 5F53 address
//! ```

use super::dg11::{full_date, spaced};
use super::{LdsError, tlv_err};
use crate::date::Date;
use crate::tlv::{Tag, Tlv};

/// One person to notify.
#[derive(Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct PersonToNotify {
    /// When the data was recorded.
    pub recorded: Option<Date>,
    /// Name as written (`<<` between primary and secondary identifier).
    pub name: Option<String>,
    /// Telephone.
    pub telephone: Option<String>,
    /// Address (`<` separators as spaces).
    pub address: Option<String>,
}

/// Parsed DG16 (personal data: `Debug` shows the count only).
#[derive(Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Dg16 {
    /// The persons, in file order.
    pub persons: Vec<PersonToNotify>,
}

/// Personal data: wiped when dropped.
impl Drop for Dg16 {
    fn drop(&mut self) {
        use zeroize::Zeroize;

        for p in &mut self.persons {
            p.name.zeroize();
            p.telephone.zeroize();
            p.address.zeroize();
        }
    }
}

impl core::fmt::Debug for Dg16 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Dg16({} persons)", self.persons.len())
    }
}

impl Dg16 {
    /// Parses DG16.
    ///
    /// # Errors
    /// [`LdsError`] for a broken structure.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let err = tlv_err("DG16");
        let dg = Tlv::parse_tagged(bytes, Tag::new(0x70)).map_err(&err)?;
        let mut out = Self::default();
        for t in dg.children() {
            let t = t.map_err(&err)?;
            // A1, A2, … one constructed context template per person.
            if !(0xA1..=0xBE).contains(&t.tag.value()) {
                continue;
            }
            let mut p = PersonToNotify::default();
            for f in t.children() {
                let f = f.map_err(&err)?;
                match f.tag.value() {
                    0x5F50 => p.recorded = full_date(f.value),
                    0x5F51 => p.name = Some(String::from_utf8_lossy(f.value).trim().to_string()),
                    0x5F52 => p.telephone = spaced(f.value),
                    0x5F53 => p.address = spaced(f.value),
                    _ => {}
                }
            }
            out.persons.push(p);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    // ICAO 9303-10 A.6 (test-vectors.md A.10).
    #[test]
    fn icao_example() {
        let b = hex!(
            "7081A2020102A14C5F500832303032303130315F5110534D4954483C3C434841524C45533C525F520B31393532353535313231325F531D313233204D41504C452052443C414E59544F574E3C4D4E3C3535313030A24F5F500832303032303331355F510D42524F574E3C3C4D4152593C4A5F520B31343135353535313231325F5323343920524544574F4F44204C4E3C4F4345414E20425245455A453C43413C3934303030"
        );
        let d = Dg16::parse(&b).unwrap();
        assert_eq!(d.persons.len(), 2);
        assert_eq!(d.persons[0].recorded, Date::parse("2002-01-01").ok());
        assert_eq!(d.persons[0].name.as_deref(), Some("SMITH<<CHARLES<R"));
        assert_eq!(d.persons[0].telephone.as_deref(), Some("19525551212"));
        assert_eq!(d.persons[0].address.as_deref(), Some("123 MAPLE RD ANYTOWN MN 55100"));
        assert_eq!(d.persons[1].name.as_deref(), Some("BROWN<<MARY<J"));
        assert_eq!(d.persons[1].address.as_deref(), Some("49 REDWOOD LN OCEAN BREEZE CA 94000"));
        assert_eq!(format!("{d:?}"), "Dg16(2 persons)");
        assert!(Dg16::parse(&b[..b.len() - 1]).is_err());
    }
}
