//! The document as the CLI reports it (the `document` object of `passchip.demo/1` and
//! `passchip.read/1`), from DG1's MRZ.

use passchip::mrz::{Mrz, MrzField, MrzFormat, Sex};
use serde::Serialize;

use crate::dates;

/// DG1's MRZ, with ISO dates and the kind of document.
#[derive(Debug, Serialize)]
pub struct DocumentSummary {
    pub kind: &'static str,
    pub format: MrzFormat,
    pub document_code: String,
    pub issuing_state: String,
    pub document_number: String,
    pub primary_identifier: String,
    pub secondary_identifier: String,
    pub nationality: String,
    pub date_of_birth: String,
    pub sex: Sex,
    pub date_of_expiry: String,
    pub optional_data: String,
    pub mrz_check_digit_failures: Vec<MrzField>,
}

impl DocumentSummary {
    pub fn from_mrz(mrz: &Mrz) -> Self {
        let kind = match (mrz.format, mrz.document_code.as_bytes().first()) {
            (MrzFormat::Td3, Some(b'P')) => "passport",
            (MrzFormat::MrvA | MrzFormat::MrvB, _) => "visa",
            (MrzFormat::Td1 | MrzFormat::Td2, _) => "identity card",
            _ => "travel document",
        };
        Self {
            kind,
            format: mrz.format,
            document_code: mrz.document_code.clone(),
            issuing_state: mrz.issuing_state.clone(),
            document_number: mrz.document_number.clone(),
            primary_identifier: mrz.primary_identifier.clone(),
            secondary_identifier: mrz.secondary_identifier.clone(),
            nationality: mrz.nationality.clone(),
            date_of_birth: dates::birth_iso(&mrz.date_of_birth),
            sex: mrz.sex,
            date_of_expiry: dates::expiry_iso(&mrz.date_of_expiry),
            optional_data: mrz.optional_data.trim_end_matches('<').to_string(),
            mrz_check_digit_failures: mrz.check_digit_failures.clone(),
        }
    }
}
