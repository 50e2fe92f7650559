//! Six-character MRZ dates `YYMMDD` (ICAO 9303-3 §4.2.2), unknown parts `<<` allowed in
//! birth dates.

use super::{MrzError, MrzField};

/// A six-character MRZ date `YYMMDD`. Birth dates may have unknown parts (`<<`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MrzDate(pub(super) [u8; 6]);

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
