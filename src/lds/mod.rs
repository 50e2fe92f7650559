//! The Logical Data Structure (ICAO 9303-10): which files a document has, where they
//! live, and parsers for their contents.
//!
//! File identity is a type, not a bare number: EF.SOD and EF.CardSecurity share FID
//! `011D` (in different DFs), so they are different [`LdsFile`] / `MfFile` values.

pub mod anti_cloning;
pub mod cms;
pub mod com;
pub mod dg1;
pub mod dg11;
pub mod dg12;
pub mod dg16;
pub mod dump;
pub mod face;
#[cfg(feature = "portrait")]
pub mod portrait;
pub mod security_infos;
pub mod sod;

pub use anti_cloning::{CamBindError, CamKey, CardSecurity, ChipAuthenticationOption, Dg14, Dg15};
pub use com::EfCom;
pub use dg1::Dg1;
pub use dg11::Dg11;
pub use dg12::Dg12;
pub use dg16::Dg16;
pub use dump::Dump;
pub use face::{Dg2, DisplayedImages, FaceImage, ImageFormat};
pub use security_infos::SecurityInfos;
pub use sod::Sod;

use crate::mrz::MrzError;
use crate::tlv::{Tag, TlvError};

/// A data group number, 1 to 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DgNumber(u8);

impl DgNumber {
    /// `n` if it is 1..=16.
    #[must_use]
    pub const fn new(n: u8) -> Option<Self> {
        if n >= 1 && n <= 16 { Some(Self(n)) } else { None }
    }

    /// The number.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }

    /// All sixteen.
    pub fn all() -> impl Iterator<Item = Self> {
        (1..=16).map(Self)
    }

    /// The data group's outer tag (ICAO 9303-10 §4.6.1, table 34).
    #[must_use]
    pub const fn tag(self) -> Tag {
        Tag::new(match self.0 {
            1 => 0x61,
            2 => 0x75,
            3 => 0x63,
            4 => 0x76,
            5 => 0x65,
            6 => 0x66,
            7 => 0x67,
            8 => 0x68,
            9 => 0x69,
            10 => 0x6A,
            11 => 0x6B,
            12 => 0x6C,
            13 => 0x6D,
            14 => 0x6E,
            15 => 0x6F,
            _ => 0x70,
        })
    }

    /// The data group whose outer tag is `tag`.
    #[must_use]
    pub fn from_tag(tag: Tag) -> Option<Self> {
        Self::all().find(|d| d.tag() == tag)
    }
}

impl core::fmt::Display for DgNumber {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DG{}", self.0)
    }
}

/// An elementary file of the eMRTD application (ICAO 9303-10 §3.10, table 41).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum LdsFile {
    /// EF.COM: LDS version and the list of data groups present.
    Com,
    /// A data group.
    Dg(DgNumber),
    /// EF.SOD: the document security object.
    Sod,
}

impl LdsFile {
    /// The file identifier.
    #[must_use]
    pub const fn fid(self) -> [u8; 2] {
        match self {
            Self::Com => [0x01, 0x1E],
            Self::Sod => [0x01, 0x1D],
            Self::Dg(n) => [0x01, n.get()],
        }
    }

    /// The short EF identifier.
    #[must_use]
    pub const fn sfi(self) -> u8 {
        match self {
            Self::Com => 0x1E,
            Self::Sod => 0x1D,
            Self::Dg(n) => n.get(),
        }
    }

    /// The outer tag the file's content starts with.
    #[must_use]
    pub const fn tag(self) -> Tag {
        match self {
            Self::Com => Tag::new(0x60),
            Self::Sod => Tag::new(0x77),
            Self::Dg(n) => n.tag(),
        }
    }

    /// Data group `n` (1..=16).
    #[must_use]
    pub const fn dg(n: u8) -> Option<Self> {
        match DgNumber::new(n) {
            Some(d) => Some(Self::Dg(d)),
            None => None,
        }
    }

    /// The file name used in dumps and reports: `EF_COM`, `EF_SOD`, `DG1` … `DG16`.
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::Com => "EF_COM".into(),
            Self::Sod => "EF_SOD".into(),
            Self::Dg(n) => n.to_string(),
        }
    }
}

impl core::fmt::Display for LdsFile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Com => f.write_str("EF.COM"),
            Self::Sod => f.write_str("EF.SOD"),
            Self::Dg(n) => write!(f, "{n}"),
        }
    }
}

/// Why the content of an LDS file was rejected. The chip (or whoever made the file)
/// is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LdsError {
    /// The TLV structure is broken.
    #[error("{file}: {source}")]
    Tlv {
        /// The file being parsed.
        file: &'static str,
        /// The TLV problem, with its offset.
        source: TlvError,
    },
    /// The MRZ inside DG1 is invalid.
    #[error("DG1: {0}")]
    Mrz(#[from] MrzError),
    /// A field with an invalid value.
    #[error("{file}: {reason}")]
    Invalid {
        /// The file being parsed.
        file: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Checks that data group `n` parses: one TLV object with the group's tag, well formed to
/// [`crate::tlv::MAX_DEPTH`] levels, and for the groups passchip interprets (DG1, DG2,
/// DG11, DG12, DG14, DG15, DG16) their content as well.
///
/// # Errors
/// [`LdsError`] naming what is wrong.
pub fn check_data_group(n: DgNumber, bytes: &[u8]) -> Result<(), LdsError> {
    let err = tlv_err("data group");
    let (outer, rest) = crate::tlv::Tlv::parse(bytes).map_err(&err)?;
    if outer.tag != n.tag() {
        return Err(LdsError::Invalid { file: "data group", reason: "the outer tag is not the data group's" });
    }
    if !rest.is_empty() {
        return Err(LdsError::Invalid { file: "data group", reason: "bytes after the data group object" });
    }
    crate::tlv::validate(bytes).map_err(&err)?;
    match n.get() {
        1 => Dg1::parse(bytes).map(drop),
        2 => Dg2::parse(bytes).map(drop),
        11 => Dg11::parse(bytes).map(drop),
        12 => Dg12::parse(bytes).map(drop),
        14 => Dg14::parse(bytes).map(drop),
        15 => Dg15::parse(bytes).map(drop),
        16 => Dg16::parse(bytes).map(drop),
        _ => Ok(()),
    }
}

pub(crate) fn tlv_err(file: &'static str) -> impl Fn(TlvError) -> LdsError {
    move |source| LdsError::Tlv { file, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_identities() {
        assert_eq!(LdsFile::Com.fid(), [0x01, 0x1E]);
        assert_eq!(LdsFile::dg(2).unwrap().fid(), [0x01, 0x02]);
        assert_eq!(LdsFile::dg(14).unwrap().sfi(), 14);
        assert_eq!(LdsFile::dg(17), None);
        assert_eq!(LdsFile::dg(0), None);
        assert_eq!(LdsFile::dg(2).unwrap().tag(), Tag::new(0x75));
        assert_eq!(DgNumber::from_tag(Tag::new(0x70)), DgNumber::new(16));
        assert_eq!(DgNumber::from_tag(Tag::new(0x77)), None);
        assert_eq!(LdsFile::Sod.to_string(), "EF.SOD");
        assert_eq!(LdsFile::dg(11).unwrap().name(), "DG11");
    }

    #[test]
    fn a_data_group_nested_ten_thousand_levels_deep_does_not_parse() {
        let mut inner = vec![0x5F, 0x0E, 0x01, b'X'];
        for _ in 0..10_000 {
            inner = crate::tlv::encode_to_vec(Tag::new(0xA0), &inner);
        }
        let dg11 = crate::tlv::encode_to_vec(Tag::new(0x6B), &inner);
        let n = DgNumber::new(11).unwrap();
        assert!(matches!(check_data_group(n, &dg11), Err(LdsError::Tlv { .. })), "{:?}", check_data_group(n, &dg11));
        // The wrong outer tag, trailing bytes.
        assert!(check_data_group(DgNumber::new(12).unwrap(), &dg11).is_err());
        let mut trailing = crate::tlv::encode_to_vec(Tag::new(0x6D), &[0x01]);
        trailing.push(0);
        assert!(check_data_group(DgNumber::new(13).unwrap(), &trailing).is_err());
        assert!(
            check_data_group(DgNumber::new(13).unwrap(), &crate::tlv::encode_to_vec(Tag::new(0x6D), &[4, 1, 0]))
                .is_ok()
        );
    }
}
