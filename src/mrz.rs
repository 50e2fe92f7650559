//! Machine readable zone text (ICAO 9303 parts 3–7): TD1, TD2, TD3, MRV-A and MRV-B.
//!
//! Input is accepted the way people type it and scanners send it: two or three
//! lines separated by `\n` or `\r\n` (or one run of 72/88/90 characters), with
//! spaces anywhere and lower case letters. The content itself is checked strictly:
//! only `A–Z 0–9 <`, the exact line lengths of one format, every check digit
//! (document number, birth date, expiry date, optional/personal data, composite),
//! valid dates. An error names the field that is wrong.

use zeroize::Zeroizing;

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

/// The check-digit weights 7, 3, 1 (ICAO 9303-3 §4.9).
const WEIGHTS: [u32; 3] = [7, 3, 1];

/// Value of an MRZ character for check digits: digits 0–9, letters A=10 … Z=35, `<` = 0.
fn char_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'Z' => u32::from(c - b'A') + 10,
        _ => 0,
    }
}

/// The ICAO 9303-3 check digit of `field` (characters outside `0-9A-Z` count as `<`).
#[must_use]
pub fn check_digit(field: &[u8]) -> u8 {
    let sum: u32 = field.iter().zip(WEIGHTS.iter().cycle()).map(|(&c, &w)| char_value(c) * w).sum();
    (sum % 10) as u8
}

/// How check-digit failures are handled: strict parsing stops, lenient parsing records.
struct Checks {
    lenient: bool,
    failures: Vec<MrzField>,
}

impl Checks {
    fn verify(&mut self, field: &[u8], cd: u8, name: MrzField) -> Result<(), MrzError> {
        match verify_cd(field, cd, name) {
            Err(MrzError::CheckDigit { .. }) if self.lenient => {
                self.failures.push(name);
                Ok(())
            }
            r => r,
        }
    }
}

fn verify_cd(field: &[u8], cd: u8, name: MrzField) -> Result<(), MrzError> {
    let expected = check_digit(field);
    // `<` in a check-digit position counts as 0 only where ICAO allows an all-filler field.
    let ok = match cd {
        b'0'..=b'9' => cd - b'0' == expected,
        b'<' => expected == 0 && field.iter().all(|&c| c == b'<'),
        _ => false,
    };
    if ok { Ok(()) } else { Err(MrzError::CheckDigit { field: name }) }
}

/// A six-character MRZ date `YYMMDD`. Birth dates may have unknown parts (`<<`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MrzDate([u8; 6]);

impl MrzDate {
    /// Parses and checks `YYMMDD` (digits; month 1–12, day 1–31, or `<<` where allowed).
    ///
    /// # Errors
    /// [`MrzError::InvalidField`] for an impossible date.
    pub fn parse(text: &[u8], field: MrzField, allow_unknown: bool) -> Result<Self, MrzError> {
        let raw: [u8; 6] =
            text.try_into().map_err(|_| MrzError::InvalidField { field, reason: "a date has six characters" })?;
        let bad = |reason| MrzError::InvalidField { field, reason };
        let pair = |i: usize| -> Result<Option<u8>, MrzError> {
            match (raw.get(i), raw.get(i + 1)) {
                (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => Ok(Some((a - b'0') * 10 + (b - b'0'))),
                (Some(b'<'), Some(b'<')) if allow_unknown => Ok(None),
                _ => Err(bad("dates are written YYMMDD with digits")),
            }
        };
        if pair(0)?.is_none() {
            return Err(bad("the year must be known"));
        }
        if let Some(m) = pair(2)?
            && !(1..=12).contains(&m)
        {
            return Err(bad("month out of range"));
        }
        if let Some(d) = pair(4)?
            && !(1..=31).contains(&d)
        {
            return Err(bad("day out of range"));
        }
        Ok(Self(raw))
    }

    /// The date as written, e.g. `"850412"`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("??????")
    }

    /// The raw characters.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }

    fn two(&self, i: usize) -> Option<u8> {
        match (self.0.get(i), self.0.get(i + 1)) {
            (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => Some((a - b'0') * 10 + (b - b'0')),
            _ => None,
        }
    }

    /// The two-digit year.
    #[must_use]
    pub fn yy(&self) -> u8 {
        self.two(0).unwrap_or(0)
    }

    /// The month, if known.
    #[must_use]
    pub fn month(&self) -> Option<u8> {
        self.two(2)
    }

    /// The day, if known.
    #[must_use]
    pub fn day(&self) -> Option<u8> {
        self.two(4)
    }

    /// ISO 8601 form with the century chosen by the caller's pivot: years above
    /// `pivot_yy` are 19YY, others 20YY. Unknown parts print as `XX`.
    #[must_use]
    pub fn to_iso(&self, pivot_yy: u8) -> String {
        let century = if self.yy() > pivot_yy { 1900 } else { 2000 };
        let year = century + u32::from(self.yy());
        let part = |v: Option<u8>| v.map_or_else(|| "XX".to_string(), |v| format!("{v:02}"));
        format!("{year}-{}-{}", part(self.month()), part(self.day()))
    }
}

impl core::fmt::Debug for MrzDate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "MrzDate({})", self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MrzDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

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

/// The three MRZ fields that BAC and PACE-MRZ keys come from (ICAO 9303-11 §9.7.2).
/// Secret: wiped on drop, redacted in `Debug`.
#[derive(Clone)]
pub struct MrzKey {
    document_number: Zeroizing<String>,
    date_of_birth: MrzDate,
    date_of_expiry: MrzDate,
}

impl core::fmt::Debug for MrzKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MrzKey(..)")
    }
}

impl Drop for MrzKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.date_of_birth.0);
        zeroize::Zeroize::zeroize(&mut self.date_of_expiry.0);
    }
}

impl MrzKey {
    /// Builds the key input from the three fields as printed on the document (what a
    /// user types instead of the whole MRZ). Lower case and spaces are tolerated.
    ///
    /// # Errors
    /// [`MrzError`] for a document number outside `A–Z 0–9 <` or an invalid date.
    pub fn new(document_number: &str, date_of_birth: &str, date_of_expiry: &str) -> Result<Self, MrzError> {
        let doc: String =
            document_number.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if doc.is_empty() || doc.trim_end_matches('<').is_empty() {
            return Err(MrzError::InvalidField { field: MrzField::DocumentNumber, reason: "empty" });
        }
        if let Some(p) = doc.chars().position(|c| !matches!(c, 'A'..='Z' | '0'..='9' | '<')) {
            return Err(MrzError::InvalidCharacter { line: 1, position: p + 1 });
        }
        let dob = MrzDate::parse(date_of_birth.trim().as_bytes(), MrzField::DateOfBirth, true)?;
        let doe = MrzDate::parse(date_of_expiry.trim().as_bytes(), MrzField::DateOfExpiry, false)?;
        Ok(Self {
            document_number: Zeroizing::new(doc.trim_end_matches('<').to_string()),
            date_of_birth: dob,
            date_of_expiry: doe,
        })
    }

    /// Key input from fields that are not validated (the emulator's own documents).
    /// Dates shorter than six characters are padded with `<`.
    #[cfg(feature = "emulator")]
    pub(crate) fn from_raw(document_number: &str, date_of_birth: &str, date_of_expiry: &str) -> Self {
        let date = |s: &str| {
            let mut d = [b'<'; 6];
            for (dst, src) in d.iter_mut().zip(s.bytes()) {
                *dst = src;
            }
            MrzDate(d)
        };
        Self {
            document_number: Zeroizing::new(document_number.trim_end_matches('<').to_string()),
            date_of_birth: date(date_of_birth),
            date_of_expiry: date(date_of_expiry),
        }
    }

    /// `MRZ_information` = document number (padded with `<` to at least 9) ‖ its check
    /// digit ‖ date of birth ‖ check digit ‖ date of expiry ‖ check digit.
    #[must_use]
    pub fn mrz_information(&self) -> Zeroizing<Vec<u8>> {
        let mut number = self.document_number.as_bytes().to_vec();
        while number.len() < 9 {
            number.push(b'<');
        }
        let mut out = Vec::with_capacity(number.len() + 15);
        out.extend_from_slice(&number);
        out.push(b'0' + check_digit(&number));
        out.extend_from_slice(&self.date_of_birth.0);
        out.push(b'0' + check_digit(&self.date_of_birth.0));
        out.extend_from_slice(&self.date_of_expiry.0);
        out.push(b'0' + check_digit(&self.date_of_expiry.0));
        zeroize::Zeroize::zeroize(&mut number);
        Zeroizing::new(out)
    }

    /// `K_seed` = first 16 bytes of SHA-1(MRZ_information) (ICAO 9303-11 §9.7.2).
    #[must_use]
    pub fn seed(&self) -> Zeroizing<[u8; 16]> {
        use sha1::Digest;
        let digest = sha1::Sha1::digest(self.mrz_information().as_slice());
        let mut seed = Zeroizing::new([0u8; 16]);
        seed.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
        seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ICAO 9303-4 specimen (TD3), as in 9303-10 A / pymrtd dg1_test.
    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    // ICAO 9303-6 specimen (TD2), gmrtd dg1_test.
    const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
    // ICAO 9303-5 specimen (TD1).
    const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
    // ICAO 9303-7 specimen visas.
    const MRVA: &str = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<";
    const MRVB: &str = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<";

    #[test]
    fn td3_specimen() {
        let m = Mrz::parse(TD3).unwrap();
        assert_eq!(m.format, MrzFormat::Td3);
        assert_eq!(m.document_code, "P");
        assert_eq!(m.issuing_state, "UTO");
        assert_eq!(m.primary_identifier, "ERIKSSON");
        assert_eq!(m.secondary_identifier, "ANNA MARIA");
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.date_of_birth.as_str(), "740812");
        assert_eq!(m.sex, Sex::Female);
        assert_eq!(m.date_of_expiry.as_str(), "120415");
        assert_eq!(m.optional_data, "ZE184226B<<<<<");
        assert_eq!(m.date_of_birth.to_iso(30), "1974-08-12");
        assert_eq!(format!("{m:?}"), "Mrz(Td3, ..)");
    }

    #[test]
    fn td2_and_td1_specimens() {
        let m = Mrz::parse(TD2).unwrap();
        assert_eq!(m.format, MrzFormat::Td2);
        assert_eq!(m.document_number, "D23145890");
        assert_eq!(m.access_key().mrz_information().as_slice(), b"D23145890774081221204159");
        let m = Mrz::parse(TD1).unwrap();
        assert_eq!(m.format, MrzFormat::Td1);
        assert_eq!(m.document_number, "D23145890");
        assert_eq!(m.nationality, "UTO");
        assert_eq!(m.secondary_identifier, "ANNA MARIA");
    }

    #[test]
    fn visas() {
        let a = Mrz::parse(MRVA).unwrap();
        assert_eq!(a.format, MrzFormat::MrvA);
        assert_eq!(a.document_number, "L8988901C");
        assert_eq!(a.nationality, "XXX");
        let b = Mrz::parse(MRVB).unwrap();
        assert_eq!(b.format, MrzFormat::MrvB);
        assert_eq!(b.date_of_expiry.as_str(), "961210");
    }

    #[test]
    fn td1_long_document_number() {
        // ICAO 9303-5 §4.2.4 example: D23145890734 with check digit 9 in the optional data.
        let l1 = "I<UTOD23145890<7349<<<<<<<<<<<";
        let l2 = "3407127M9507122UTO<<<<<<<<<<<2";
        let l3 = "STEVENSON<<PETER<JOHN<<<<<<<<<";
        let m = Mrz::parse(&format!("{l1}\n{l2}\n{l3}")).unwrap();
        assert_eq!(m.document_number, "D23145890734");
        assert_eq!(m.optional_data, "<<<<<<<<<<<");
        assert_eq!(m.access_key().mrz_information().as_slice(), b"D23145890734934071279507122");
    }

    #[test]
    fn tolerant_of_spacing_and_case() {
        let messy =
            "  p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\r\nL898902C36UTO 7408122F1204159ZE184226B<<<<<10\n\n";
        assert_eq!(Mrz::parse(messy).unwrap(), Mrz::parse(TD3).unwrap());
        let one_line: String = TD1.split('\n').collect();
        assert_eq!(Mrz::parse(&one_line).unwrap().format, MrzFormat::Td1);
    }

    #[test]
    fn broken_check_digits_name_the_field() {
        let cases = [
            (TD3.replace("L898902C36", "L898902C37"), MrzField::DocumentNumber),
            (TD3.replace("7408122", "7408123"), MrzField::DateOfBirth),
            (TD3.replace("1204159", "1204158"), MrzField::DateOfExpiry),
            (TD3.replace("B<<<<<10", "B<<<<<20"), MrzField::OptionalData),
            (TD3.replace("B<<<<<10", "B<<<<<11"), MrzField::Composite),
            (TD1.replace("UTO<<<<<<<<<<<6", "UTO<<<<<<<<<<<5"), MrzField::Composite),
            (TD2.replace("<<<<<<<6", "<<<<<<<7"), MrzField::Composite),
        ];
        for (text, field) in cases {
            match Mrz::parse(&text) {
                Err(MrzError::CheckDigit { field: f, .. }) => assert_eq!(f, field, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn lenient_parsing_records_check_digit_failures() {
        let bad = TD3.replace("B<<<<<10", "B<<<<<11");
        assert!(Mrz::parse(&bad).is_err());
        let m = Mrz::parse_lenient(&bad).unwrap();
        assert_eq!(m.check_digit_failures, vec![MrzField::Composite]);
        assert!(Mrz::parse_lenient(&TD3.replace("ANNA", "AN-A")).is_err());
        assert!(Mrz::parse_lenient(TD3).unwrap().check_digit_failures.is_empty());
    }

    #[test]
    fn strict_on_content() {
        assert!(matches!(Mrz::parse(&TD3.replace("ANNA", "AN-A")), Err(MrzError::InvalidCharacter { line: 1, .. })));
        assert!(matches!(Mrz::parse(&TD3[..80]), Err(MrzError::Layout { .. })));
        assert!(matches!(Mrz::parse(""), Err(MrzError::Layout { .. })));
        // Month 13 with a matching check digit is still rejected.
        let bad = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7413122F1204159ZE184226B<<<<<10";
        assert!(matches!(
            Mrz::parse(bad),
            Err(MrzError::InvalidField { field: MrzField::DateOfBirth, .. } | MrzError::CheckDigit { .. })
        ));
        assert!(matches!(MrzDate::parse(b"741312", MrzField::DateOfBirth, true), Err(MrzError::InvalidField { .. })));
        assert!(MrzDate::parse(b"74<<<<", MrzField::DateOfBirth, true).is_ok());
        assert!(MrzDate::parse(b"74<<<<", MrzField::DateOfExpiry, false).is_err());
    }

    // ICAO 9303-11 D.2: MRZ_information and K_seed.
    #[test]
    fn bac_key_seed_input() {
        let k = MrzKey::new("L898902C", "690806", "940623").unwrap();
        assert_eq!(k.mrz_information().as_slice(), b"L898902C<369080619406236");
        assert_eq!(k.seed().as_slice(), &hex_literal::hex!("239AB9CB282DAF66231DC5A4DF6BFBAE"));
        assert_eq!(format!("{k:?}"), "MrzKey(..)");
        assert!(MrzKey::new("", "690806", "940623").is_err());
        assert!(MrzKey::new("L8989-02C", "690806", "940623").is_err());
    }

    #[test]
    fn check_digit_examples() {
        assert_eq!(check_digit(b"L898902C3"), 6);
        assert_eq!(check_digit(b"740812"), 2);
        assert_eq!(check_digit(b"<<<<<<<<<<<<<<"), 0);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[A-Za-z0-9< \n]{0,100}") {
            let _ = Mrz::parse(&s);
        }
    }
}
