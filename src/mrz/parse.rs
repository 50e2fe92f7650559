//! The MRZ of one document ([`Mrz`]): normalising what people type and scanners send,
//! then parsing TD1, TD2, TD3, MRV-A and MRV-B (ICAO 9303-4/5/6/7) field by field.

use super::check_digit::Checks;
use super::date::MrzDate;
use super::key::MrzKey;
use super::{MrzError, MrzField, MrzFormat};
use zeroize::Zeroizing;

/// Sex as printed in the MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Sex {
    /// `M`.
    Male,
    /// `F`.
    Female,
    /// `X` or `<`.
    Unspecified,
}

/// A parsed, fully checked MRZ. It is personal data: `Debug` shows only the format.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Mrz {
    /// The layout.
    pub format: MrzFormat,
    /// Document code, e.g. `P`, `I`, `ID`, `AC`, `V`.
    pub document_code: String,
    /// Issuing state or organisation (three letters, `<` stripped).
    pub issuing_state: String,
    /// Primary identifier (surname), `<` turned into spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), `<` turned into spaces.
    pub secondary_identifier: String,
    /// The full document number, including any overflow from the optional data.
    pub document_number: String,
    /// Nationality (three letters, `<` stripped).
    pub nationality: String,
    /// Date of birth.
    pub date_of_birth: MrzDate,
    /// Sex.
    pub sex: Sex,
    /// Date of expiry.
    pub date_of_expiry: MrzDate,
    /// Optional data 1 (TD1 line 1, after any document-number overflow; TD2/TD3/MRV
    /// optional data / personal number), as printed with `<` kept.
    pub optional_data: String,
    /// Optional data 2 (TD1 line 2 only), as printed.
    pub optional_data_2: String,
    /// Fields whose check digit did not verify. Always empty after [`Mrz::parse`];
    /// [`Mrz::parse_lenient`] records them here instead of failing.
    pub check_digit_failures: Vec<MrzField>,
    /// The normalised MRZ lines.
    #[cfg_attr(feature = "serde", serde(skip))]
    lines: Vec<String>,
}

impl core::fmt::Debug for Mrz {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Mrz({:?}, ..)", self.format)
    }
}

impl Drop for Mrz {
    /// Personal data: wiped when the value goes (a kiosk drops the read when the card leaves).
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for field in [
            &mut self.document_code,
            &mut self.issuing_state,
            &mut self.primary_identifier,
            &mut self.secondary_identifier,
            &mut self.document_number,
            &mut self.nationality,
            &mut self.optional_data,
            &mut self.optional_data_2,
        ] {
            field.zeroize();
        }
        self.date_of_birth.0.zeroize();
        self.date_of_expiry.0.zeroize();
        self.lines.zeroize();
    }
}

/// Normalises user input into MRZ lines: strips spaces and tabs, upper-cases, splits
/// on line breaks (or by known total length when there are none), drops empty lines.
fn normalise(input: &str) -> Vec<String> {
    let mut lines: Vec<String> = input
        .split(['\n', '\r'])
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() == 1 {
        let one = lines.remove(0);
        let n = one.len();
        let width = match n {
            90 => 30,
            72 => 36,
            88 => 44,
            _ => n,
        };
        let chars: Vec<char> = one.chars().collect();
        lines = chars.chunks(width.max(1)).map(|c| c.iter().collect()).collect();
    }
    lines
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn field_text(bytes: &[u8]) -> String {
    text(bytes).trim_end_matches('<').to_string()
}

fn get(line: &[u8], from: usize, to: usize) -> &[u8] {
    line.get(from..to).unwrap_or_default()
}

fn at(line: &[u8], i: usize) -> u8 {
    line.get(i).copied().unwrap_or(b'<')
}

fn parse_names(field: &[u8]) -> (String, String) {
    let s = text(field);
    let s = s.trim_end_matches('<');
    let (primary, secondary) = s.split_once("<<").unwrap_or((s, ""));
    let clean = |p: &str| p.split('<').filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
    (clean(primary), clean(secondary))
}

fn parse_sex(c: u8) -> Result<Sex, MrzError> {
    match c {
        b'M' => Ok(Sex::Male),
        b'F' => Ok(Sex::Female),
        b'X' | b'<' => Ok(Sex::Unspecified),
        _ => Err(MrzError::InvalidField { field: MrzField::Sex, reason: "must be M, F, X or <" }),
    }
}

/// Document number with ICAO's long-number rule (9303-5 §4.2.4, 9303-6 §4.2.4): when
/// the check-digit position holds `<`, the number continues in the optional data up to
/// the first `<`, whose last character is the check digit. Returns the full number and
/// how many optional-data characters it consumed.
fn document_number(number: &[u8], cd: u8, optional: &[u8], checks: &mut Checks) -> Result<(String, usize), MrzError> {
    if cd == b'<' && number.iter().all(|&c| c != b'<') {
        let ext_len = optional.iter().take_while(|&&c| c != b'<').count();
        let (ext, cdx) = match optional.get(..ext_len).and_then(|e| e.split_last()) {
            Some((cdx, ext)) if !ext.is_empty() => (ext, *cdx),
            _ => {
                return Err(MrzError::InvalidField {
                    field: MrzField::DocumentNumber,
                    reason: "long document number without its continuation in the optional data",
                });
            }
        };
        let mut full = number.to_vec();
        full.extend_from_slice(ext);
        checks.verify(&full, cdx, MrzField::DocumentNumber)?;
        return Ok((text(&full), ext_len));
    }
    checks.verify(number, cd, MrzField::DocumentNumber)?;
    let n = field_text(number);
    if n.is_empty() {
        return Err(MrzError::InvalidField { field: MrzField::DocumentNumber, reason: "empty" });
    }
    Ok((n, 0))
}

impl Mrz {
    /// Parses and checks MRZ text.
    ///
    /// # Errors
    /// [`MrzError`] naming the first field that is wrong.
    pub fn parse(input: &str) -> Result<Self, MrzError> {
        Self::parse_with(input, &mut Checks { lenient: false, failures: Vec::new() })
    }

    /// Parses MRZ text that comes from a signed source (DG1): the layout, characters and
    /// dates must be right, but a wrong check digit is recorded in
    /// [`Mrz::check_digit_failures`] instead of failing (issuers do ship such chips;
    /// the data's integrity is passive authentication's job).
    ///
    /// # Errors
    /// [`MrzError`] for anything but a check digit.
    pub fn parse_lenient(input: &str) -> Result<Self, MrzError> {
        let mut checks = Checks { lenient: true, failures: Vec::new() };
        let mut mrz = Self::parse_with(input, &mut checks)?;
        mrz.check_digit_failures = checks.failures;
        Ok(mrz)
    }

    fn parse_with(input: &str, checks: &mut Checks) -> Result<Self, MrzError> {
        let lines = normalise(input);
        for (i, l) in lines.iter().enumerate() {
            if let Some(p) = l.chars().position(|c| !matches!(c, 'A'..='Z' | '0'..='9' | '<')) {
                return Err(MrzError::InvalidCharacter { line: i + 1, position: p + 1 });
            }
        }
        let lens: Vec<usize> = lines.iter().map(String::len).collect();
        let first = lines.first().and_then(|l| l.bytes().next()).unwrap_or(b'<');
        let format = match lens.as_slice() {
            [30, 30, 30] => MrzFormat::Td1,
            [36, 36] if first == b'V' => MrzFormat::MrvB,
            [36, 36] => MrzFormat::Td2,
            [44, 44] if first == b'V' => MrzFormat::MrvA,
            [44, 44] => MrzFormat::Td3,
            _ => {
                let got = match lens.as_slice() {
                    [] => "no text".to_string(),
                    [n] => format!("1 line of {n}"),
                    many => format!(
                        "{} lines of {}",
                        many.len(),
                        many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                    ),
                };
                return Err(MrzError::Layout { got });
            }
        };
        let l: Vec<&[u8]> = lines.iter().map(String::as_bytes).collect();
        let l1 = l.first().copied().unwrap_or_default();
        let l2 = l.get(1).copied().unwrap_or_default();
        let l3 = l.get(2).copied().unwrap_or_default();
        let mut mrz = match format {
            MrzFormat::Td1 => Self::parse_td1(l1, l2, l3, checks)?,
            MrzFormat::Td2 | MrzFormat::MrvB => Self::parse_two_line(format, l1, l2, 36, checks)?,
            MrzFormat::Td3 | MrzFormat::MrvA => Self::parse_two_line(format, l1, l2, 44, checks)?,
        };
        mrz.lines = lines;
        Ok(mrz)
    }

    fn check_code(code: &[u8]) -> Result<String, MrzError> {
        let c = field_text(code);
        if c.is_empty() || !c.bytes().next().is_some_and(|b| b.is_ascii_uppercase()) {
            return Err(MrzError::InvalidField { field: MrzField::DocumentCode, reason: "must start with a letter" });
        }
        Ok(c)
    }

    fn country(raw: &[u8], field: MrzField) -> Result<String, MrzError> {
        let c = field_text(raw);
        // Letters with `<` filler only (D<< for Germany); no digits.
        if c.is_empty() || raw.iter().any(u8::is_ascii_digit) {
            return Err(MrzError::InvalidField { field, reason: "must be a three-letter code" });
        }
        Ok(c)
    }

    fn parse_td1(l1: &[u8], l2: &[u8], l3: &[u8], checks: &mut Checks) -> Result<Self, MrzError> {
        let document_code = Self::check_code(get(l1, 0, 2))?;
        let issuing_state = Self::country(get(l1, 2, 5), MrzField::IssuingState)?;
        let opt1_full = get(l1, 15, 30);
        let (document_number, used) = document_number(get(l1, 5, 14), at(l1, 14), opt1_full, checks)?;
        let date_of_birth = MrzDate::parse(get(l2, 0, 6), MrzField::DateOfBirth, true)?;
        checks.verify(get(l2, 0, 6), at(l2, 6), MrzField::DateOfBirth)?;
        let sex = parse_sex(at(l2, 7))?;
        let date_of_expiry = MrzDate::parse(get(l2, 8, 14), MrzField::DateOfExpiry, false)?;
        checks.verify(get(l2, 8, 14), at(l2, 14), MrzField::DateOfExpiry)?;
        let nationality = Self::country(get(l2, 15, 18), MrzField::Nationality)?;
        // Composite: line 1 positions 6–30, line 2 positions 1–7, 9–15, 19–29.
        let mut composite = get(l1, 5, 30).to_vec();
        composite.extend_from_slice(get(l2, 0, 7));
        composite.extend_from_slice(get(l2, 8, 15));
        composite.extend_from_slice(get(l2, 18, 29));
        checks.verify(&composite, at(l2, 29), MrzField::Composite)?;
        let (primary_identifier, secondary_identifier) = parse_names(l3);
        Ok(Self {
            format: MrzFormat::Td1,
            document_code,
            issuing_state,
            primary_identifier,
            secondary_identifier,
            document_number,
            nationality,
            date_of_birth,
            sex,
            date_of_expiry,
            optional_data: text(opt1_full.get(used..).unwrap_or_default()),
            optional_data_2: text(get(l2, 18, 29)),
            check_digit_failures: Vec::new(),
            lines: Vec::new(),
        })
    }

    fn parse_two_line(
        format: MrzFormat,
        l1: &[u8],
        l2: &[u8],
        width: usize,
        checks: &mut Checks,
    ) -> Result<Self, MrzError> {
        let document_code = Self::check_code(get(l1, 0, 2))?;
        let issuing_state = Self::country(get(l1, 2, 5), MrzField::IssuingState)?;
        let (primary_identifier, secondary_identifier) = parse_names(get(l1, 5, width));
        let visa = matches!(format, MrzFormat::MrvA | MrzFormat::MrvB);
        let is_td2 = format == MrzFormat::Td2;
        // TD3 personal number: 29–42 with its check digit at 43, composite at 44.
        // TD2: optional data 29–35, composite at 36. Visas: optional data 29–end, no composite.
        let opt_end = if visa {
            width
        } else if is_td2 {
            35
        } else {
            42
        };
        let optional = get(l2, 28, opt_end);
        let (document_number, used) = if is_td2 {
            document_number(get(l2, 0, 9), at(l2, 9), optional, checks)?
        } else {
            document_number(get(l2, 0, 9), at(l2, 9), &[], checks)?
        };
        let nationality = Self::country(get(l2, 10, 13), MrzField::Nationality)?;
        let date_of_birth = MrzDate::parse(get(l2, 13, 19), MrzField::DateOfBirth, true)?;
        checks.verify(get(l2, 13, 19), at(l2, 19), MrzField::DateOfBirth)?;
        let sex = parse_sex(at(l2, 20))?;
        let date_of_expiry = MrzDate::parse(get(l2, 21, 27), MrzField::DateOfExpiry, false)?;
        checks.verify(get(l2, 21, 27), at(l2, 27), MrzField::DateOfExpiry)?;
        if format == MrzFormat::Td3 {
            checks.verify(optional, at(l2, 42), MrzField::OptionalData)?;
        }
        if !visa {
            // Composite: positions 1–10, 14–20, 22–(width−1) of line 2.
            let mut composite = get(l2, 0, 10).to_vec();
            composite.extend_from_slice(get(l2, 13, 20));
            composite.extend_from_slice(get(l2, 21, width - 1));
            checks.verify(&composite, at(l2, width - 1), MrzField::Composite)?;
        }
        Ok(Self {
            format,
            document_code,
            issuing_state,
            primary_identifier,
            secondary_identifier,
            document_number,
            nationality,
            date_of_birth,
            sex,
            date_of_expiry,
            optional_data: text(optional.get(used..).unwrap_or_default()),
            optional_data_2: String::new(),
            check_digit_failures: Vec::new(),
            lines: Vec::new(),
        })
    }

    /// The normalised MRZ lines.
    #[must_use]
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The BAC/PACE key seed input for this document.
    #[must_use]
    pub fn access_key(&self) -> MrzKey {
        MrzKey {
            document_number: Zeroizing::new(self.document_number.clone()),
            date_of_birth: self.date_of_birth,
            date_of_expiry: self.date_of_expiry,
        }
    }
}
