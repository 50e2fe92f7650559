//! DG1, the MRZ data (ICAO 9303-10 §4.7.1):
//!
//! ```text
//! 61 L
//!    5F1F L  MRZ characters, the lines concatenated (90, 72 or 88 characters)
//! ```

use super::{LdsError, tlv_err};
use crate::mrz::Mrz;
use crate::tlv::{Tag, Tlv};

/// Parsed DG1. Personal data: `Debug` shows no fields (see [`Mrz`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg1 {
    /// The checked MRZ.
    pub mrz: Mrz,
}

impl Dg1 {
    /// Parses DG1. Every MRZ check digit is checked; failures are recorded in
    /// [`Mrz::check_digit_failures`] (see [`Mrz::parse_lenient`]).
    ///
    /// # Errors
    /// [`LdsError`] for a broken structure or an invalid MRZ.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let err = tlv_err("DG1");
        let dg1 = Tlv::parse_tagged(bytes, Tag::new(0x61)).map_err(&err)?;
        let text = dg1.require(Tag::new(0x5F1F)).map_err(&err)?;
        if !matches!(text.value.len(), 72 | 88 | 90) {
            return Err(LdsError::Invalid { file: "DG1", reason: "MRZ is not 72, 88 or 90 characters" });
        }
        let s = core::str::from_utf8(text.value)
            .map_err(|_| LdsError::Invalid { file: "DG1", reason: "MRZ is not text" })?;
        Ok(Self { mrz: Mrz::parse_lenient(s)? })
    }

    /// Encodes DG1 from MRZ lines (the emulator uses this).
    #[must_use]
    pub fn encode(lines: &[String]) -> Vec<u8> {
        let text: String = lines.concat();
        let inner = crate::tlv::encode_to_vec(Tag::new(0x5F1F), text.as_bytes());
        crate::tlv::encode_to_vec(Tag::new(0x61), &inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrz::MrzFormat;
    use hex_literal::hex;

    // ICAO 9303-10 examples as transcribed in pymrtd / gmrtd (test-vectors.md A.10).
    #[test]
    fn icao_td3_td2_td1() {
        let td3 = hex!(
            "615B5F1F58503C55544F4552494B53534F4E3C3C414E4E413C4D415249413C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C4C38393839303243333655544F3734303831323246313230343135395A45313834323236423C3C3C3C3C3130"
        );
        let d = Dg1::parse(&td3).unwrap();
        assert_eq!(d.mrz.format, MrzFormat::Td3);
        assert_eq!(d.mrz.document_number, "L898902C3");
        assert_eq!(Dg1::encode(d.mrz.lines()), td3.to_vec());
        let td2 = hex!(
            "614B5F1F48493C55544F4552494B53534F4E3C3C414E4E413C4D415249413C3C3C3C3C3C3C3C3C3C3C4432333134353839303755544F3734303831323246313230343135393C3C3C3C3C3C3C36"
        );
        assert_eq!(Dg1::parse(&td2).unwrap().mrz.format, MrzFormat::Td2);
        let td1 = hex!(
            "615D5F1F5A493C4E4C44584938353933354638363939393939393939303C3C3C3C3C3C3732303831343846313130383236384E4C443C3C3C3C3C3C3C3C3C3C3C3456414E3C4445523C535445454E3C3C4D415249414E4E453C4C4F55495345"
        );
        let d = Dg1::parse(&td1).unwrap();
        assert_eq!(d.mrz.format, MrzFormat::Td1);
        // The published sample's composite digit is 4; the data computes to 8.
        assert_eq!(d.mrz.check_digit_failures, vec![crate::mrz::MrzField::Composite]);
        assert_eq!(d.mrz.document_number, "XI85935F8");
        assert_eq!(d.mrz.primary_identifier, "VAN DER STEEN");
    }

    #[test]
    fn rejects_bad_dg1() {
        assert!(matches!(Dg1::parse(&hex!("6103 5F1F00")), Err(LdsError::Invalid { .. })));
        assert!(matches!(Dg1::parse(&hex!("6105 5F1F02 4142")), Err(LdsError::Invalid { .. })));
        assert!(matches!(Dg1::parse(&hex!("6203 5F1F00")), Err(LdsError::Tlv { .. })));
    }
}
