//! EF.COM (ICAO 9303-10 §4.6.1):
//!
//! ```text
//! 60 L
//!    5F01 04 "0107"        LDS version (major 01, minor 07)
//!    5F36 06 "040000"      Unicode version
//!    5C   L  61 75 6B …    tag list of the data groups present
//! ```
//!
//! EF.COM is a hint: the SOD's list of data groups is the authority.

use super::{DgNumber, LdsError, tlv_err};
use crate::tlv::{Tag, Tlv};

/// Parsed EF.COM.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EfCom {
    /// LDS version as written, e.g. `"0107"`.
    pub lds_version: String,
    /// Unicode version as written, e.g. `"040000"`.
    pub unicode_version: String,
    /// Data groups listed, in the order given.
    pub data_groups: Vec<DgNumber>,
    /// Tags in the list that name no data group (kept, not dropped).
    pub unknown_tags: Vec<u8>,
}

impl EfCom {
    /// Parses EF.COM.
    ///
    /// # Errors
    /// [`LdsError`] for a broken structure or missing fields.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const FILE: &str = "EF.COM";
        let err = tlv_err(FILE);
        let com = Tlv::parse_tagged(bytes, Tag::new(0x60)).map_err(&err)?;
        let ascii = |t: Tlv<'_>, n: usize| -> Result<String, LdsError> {
            if t.value.len() == n && t.value.iter().all(u8::is_ascii_digit) {
                Ok(String::from_utf8_lossy(t.value).into_owned())
            } else {
                Err(LdsError::Invalid { file: FILE, reason: "version is not the expected digits" })
            }
        };
        let lds_version = ascii(com.require(Tag::new(0x5F01)).map_err(&err)?, 4)?;
        let unicode_version = ascii(com.require(Tag::new(0x5F36)).map_err(&err)?, 6)?;
        let list = com.require(Tag::new(0x5C)).map_err(&err)?;
        let mut data_groups = Vec::new();
        let mut unknown_tags = Vec::new();
        for &t in list.value {
            match DgNumber::from_tag(Tag::new(u32::from(t))) {
                Some(dg) if !data_groups.contains(&dg) => data_groups.push(dg),
                Some(_) => {}
                None => unknown_tags.push(t),
            }
        }
        Ok(Self { lds_version, unicode_version, data_groups, unknown_tags })
    }

    /// Encodes EF.COM (the emulator builds its documents with this).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        use crate::tlv::encode;
        let mut inner = Vec::new();
        encode(Tag::new(0x5F01), self.lds_version.as_bytes(), &mut inner);
        encode(Tag::new(0x5F36), self.unicode_version.as_bytes(), &mut inner);
        let tags: Vec<u8> = self.data_groups.iter().map(|d| (d.tag().value() & 0xFF) as u8).collect();
        encode(Tag::new(0x5C), &tags, &mut inner);
        crate::tlv::encode_to_vec(Tag::new(0x60), &inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    // ICAO 9303-11 D.4 / 9303-10 A: LDS 1.6, Unicode 4.0.0, DG1 and DG2.
    #[test]
    fn icao_example() {
        let bytes = hex!("60145F0104303130365F36063034303030305C026175");
        let com = EfCom::parse(&bytes).unwrap();
        assert_eq!(com.lds_version, "0106");
        assert_eq!(com.unicode_version, "040000");
        assert_eq!(com.data_groups, vec![DgNumber::new(1).unwrap(), DgNumber::new(2).unwrap()]);
        assert_eq!(com.encode(), bytes.to_vec());
    }

    #[test]
    fn rejects_broken_files() {
        assert!(EfCom::parse(&hex!("61145F01")).is_err());
        assert!(EfCom::parse(&hex!("60065F36020404 5C00")).is_err());
        assert!(matches!(EfCom::parse(&hex!("600E5F0104303130365F360230305C00")), Err(LdsError::Invalid { .. })));
        let odd = EfCom::parse(&hex!("60175F0104303130375F36063034303030305C05617561 99 6B")).unwrap();
        assert_eq!(odd.data_groups.len(), 3);
        assert_eq!(odd.unknown_tags, vec![0x99]);
    }
}
