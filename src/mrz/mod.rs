//! Machine readable zone text (ICAO 9303 parts 3–7): TD1, TD2, TD3, MRV-A and MRV-B.
//!
//! Input is accepted the way people type it and scanners send it: two or three
//! lines separated by `\n` or `\r\n` (or one run of 72/88/90 characters), with
//! spaces anywhere and lower case letters. The content itself is checked strictly:
//! only `A–Z 0–9 <`, the exact line lengths of one format, every check digit
//! (document number, birth date, expiry date, optional/personal data, composite),
//! valid dates. An error names the field that is wrong.

mod check_digit;
mod date;
mod key;
mod parse;
#[cfg(test)]
mod tests;

pub use check_digit::check_digit;
pub use date::MrzDate;
pub use key::MrzKey;
pub use parse::{Mrz, Sex};

/// Which ICAO document layout the MRZ has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum MrzFormat {
    // JSON: "TD1", "TD2", "TD3", "MRV-A", "MRV-B" (as printed by `Display`).
    /// ID-1 card, three lines of 30 (ICAO 9303-5).
    #[cfg_attr(feature = "serde", serde(rename = "TD1"))]
    Td1,
    /// ID-2 card, two lines of 36 (ICAO 9303-6).
    #[cfg_attr(feature = "serde", serde(rename = "TD2"))]
    Td2,
    /// Passport booklet, two lines of 44 (ICAO 9303-4).
    #[cfg_attr(feature = "serde", serde(rename = "TD3"))]
    Td3,
    /// Visa format A, two lines of 44 (ICAO 9303-7).
    #[cfg_attr(feature = "serde", serde(rename = "MRV-A"))]
    MrvA,
    /// Visa format B, two lines of 36 (ICAO 9303-7).
    #[cfg_attr(feature = "serde", serde(rename = "MRV-B"))]
    MrvB,
}

impl core::fmt::Display for MrzFormat {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Td1 => "TD1",
            Self::Td2 => "TD2",
            Self::Td3 => "TD3",
            Self::MrvA => "MRV-A",
            Self::MrvB => "MRV-B",
        })
    }
}

/// A field of the MRZ, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum MrzField {
    /// Document code (P, I, A, C, V…).
    DocumentCode,
    /// Issuing state or organisation.
    IssuingState,
    /// Name of the holder.
    Name,
    /// Document number.
    DocumentNumber,
    /// Nationality.
    Nationality,
    /// Date of birth.
    DateOfBirth,
    /// Sex.
    Sex,
    /// Date of expiry.
    DateOfExpiry,
    /// Optional data / personal number.
    OptionalData,
    /// The composite check digit.
    Composite,
}

impl core::fmt::Display for MrzField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::DocumentCode => "document code",
            Self::IssuingState => "issuing state",
            Self::Name => "name",
            Self::DocumentNumber => "document number",
            Self::Nationality => "nationality",
            Self::DateOfBirth => "date of birth",
            Self::Sex => "sex",
            Self::DateOfExpiry => "date of expiry",
            Self::OptionalData => "optional data",
            Self::Composite => "composite check digit",
        })
    }
}

/// Why MRZ text (or MRZ-derived input) was rejected. Caused by the input, not the chip.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MrzError {
    /// Line count and lengths match no format.
    #[error(
        "MRZ layout not recognised: expected 3×30 (TD1), 2×36 (TD2/MRV-B) or 2×44 (TD3/MRV-A) characters, got {got}"
    )]
    Layout {
        /// What was found, e.g. "2 lines of 44 and 43".
        got: String,
    },
    /// A character outside `A–Z 0–9 <` (not named: the MRZ is personal data).
    #[error("invalid character in MRZ line {line}, position {position}")]
    InvalidCharacter {
        /// 1-based line number.
        line: usize,
        /// 1-based position in the line.
        position: usize,
    },
    /// A check digit does not match its field (neither digit is named: they come from
    /// personal data).
    #[error("check digit of the {field} is wrong")]
    CheckDigit {
        /// The field whose check digit failed.
        field: MrzField,
    },
    /// A field with an impossible value (a date with month 13, an empty document number…).
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// The field.
        field: MrzField,
        /// What is wrong with it.
        reason: &'static str,
    },
}
