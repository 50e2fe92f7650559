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

/// DG2's first face, as the CLI reports it (the `face` object of `passchip.demo/1` and
/// `passchip.read/1`): no image bytes, only what they are.
#[derive(Debug, Serialize)]
pub struct FaceSummary {
    /// `ISO/IEC 19794-5:2005`, `ISO/IEC 19794-5:2011` or `ISO/IEC 39794-5 (…)`.
    pub standard: String,
    /// `JPEG`, `JPEG 2000`, `JPEG 2000 codestream`, `PNG` or `unknown format`.
    pub format: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: usize,
}

impl FaceSummary {
    /// The summary of DG2's first face; `None` without DG2 or when it does not parse.
    pub fn from_dg2(dg2: Option<&[u8]>) -> Option<Self> {
        let parsed = passchip::lds::face::Dg2::parse(dg2?).ok()?;
        let face = parsed.portrait()?;
        Some(Self {
            standard: face.standard.to_string(),
            format: face.format.to_string(),
            width: face.width,
            height: face.height,
            bytes: face.data.len(),
        })
    }

    /// One line for the text summary.
    pub fn line(&self) -> String {
        let size = match (self.width, self.height) {
            (Some(w), Some(h)) => format!(" {w} x {h},"),
            _ => String::new(),
        };
        format!("{} in {},{size} {} bytes", self.format, self.standard, self.bytes)
    }
}

/// One file read, as `files` lists it.
#[derive(Debug, Serialize)]
pub struct FileSummary {
    pub file: String,
    pub bytes: usize,
}

impl FileSummary {
    /// Every file of a read, by name and size.
    pub fn of(read: &passchip::reader::DocumentRead) -> Vec<Self> {
        read.files.iter().map(|(f, b)| Self { file: f.name(), bytes: b.len() }).collect()
    }
}

/// The text summary's lines about what the chip holds: files read, the face, files it
/// lacks and groups it keeps behind EAC.
pub fn print_contents(files: &[FileSummary], face: Option<&FaceSummary>, missing: &[String], eac_protected: &[String]) {
    let files: Vec<String> = files.iter().map(|f| format!("{} {} B", f.file, f.bytes)).collect();
    println!("  Files read    {}", files.join(", "));
    if let Some(face) = face {
        println!("  Face          {}", face.line());
    }
    if !missing.is_empty() {
        println!("  Not on chip   {}", missing.join(", "));
    }
    if !eac_protected.is_empty() {
        println!("  EAC needed    {} (Terminal Authentication; not read)", eac_protected.join(", "));
    }
}

/// A check's name for a person.
pub fn check_words(name: passchip::pki::CheckName) -> &'static str {
    use passchip::pki::CheckName as C;
    match name {
        C::SodParsed => "EF.SOD",
        C::SodContentType => "EF.SOD content type",
        C::SodSignedAttributes => "EF.SOD signed attributes",
        C::SodSignature => "EF.SOD signature",
        C::DscTrusted => "Document signer trust",
        C::DscValidity => "Document signer validity",
        C::CscaValidity => "CSCA validity",
        C::DscKeyUsage => "Document signer key usage",
        C::CscaConstraints => "CSCA constraints",
        C::CountryConsistency => "Country consistency",
        C::DscNotRevoked => "Document signer revocation",
        C::DataGroupHashes => "Data group hashes",
        _ => "Check",
    }
}

/// A check that did not pass, for a person: "DSC revocation: not checked — no CRL …".
pub fn check_line(c: &passchip::pki::pa::Check) -> String {
    let status = match c.status() {
        passchip::pki::Status::Failed => "FAILED",
        passchip::pki::Status::Passed => "passed",
        _ => "not checked",
    };
    match c.reason() {
        Some(r) if !r.is_empty() => format!("{}: {status} — {r}", check_words(c.name())),
        _ => format!("{}: {status}", check_words(c.name())),
    }
}

/// DG11 as the CLI reports it (`holder_details` of `passchip.demo/1` and `passchip.read/1`):
/// the holder's names and details as the issuing state writes them, in its script
/// (Cyrillic, Greek, Arabic…), and whether a valid passive authentication vouches for them.
#[derive(Debug, Serialize)]
pub struct HolderDetails {
    /// DG11's hash matched under a valid passive authentication.
    pub authenticated: bool,
    #[serde(flatten)]
    pub dg11: passchip::lds::Dg11,
}

impl HolderDetails {
    /// DG11 of a read, when it was read and parses.
    pub fn of(
        read: &passchip::reader::DocumentRead,
        pa: Option<&passchip::pki::PassiveAuthentication>,
    ) -> Option<Self> {
        let bytes = passchip::lds::LdsFile::dg(11).and_then(|f| read.files.get(&f))?;
        let dg11 = passchip::lds::Dg11::parse(bytes).ok()?;
        let authenticated = pa
            .and_then(passchip::pki::PassiveAuthentication::authenticated_document)
            .is_some_and(|d| d.data_group(11).is_some());
        Some(Self { authenticated, dg11 })
    }

    /// The text summary's lines.
    pub fn print(&self) {
        let mark = if self.authenticated { "" } else { ", not authenticated" };
        let d = &self.dg11;
        match (&d.full_name_primary, &d.full_name_secondary) {
            (Some(p), Some(s)) => println!("  Full name     {p}, {s} (DG11{mark})"),
            (Some(p), None) => println!("  Full name     {p} (DG11{mark})"),
            _ => {}
        }
        for other in &d.other_names {
            println!("  Other name    {} (DG11{mark})", other.replace("<<", ", ").replace('<', " "));
        }
        if let Some(p) = &d.place_of_birth {
            println!("  Born in       {p}");
        }
    }
}
