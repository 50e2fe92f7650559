//! Check digits (ICAO 9303-3 §4.9): weights 7, 3, 1 over character values; strict or
//! lenient checking of each field's digit.

use super::{MrzError, MrzField};

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
pub(super) struct Checks {
    pub(super) lenient: bool,
    pub(super) failures: Vec<MrzField>,
}

impl Checks {
    pub(super) fn verify(&mut self, field: &[u8], cd: u8, name: MrzField) -> Result<(), MrzError> {
        match verify_cd(field, cd, name) {
            Err(MrzError::CheckDigit { .. }) if self.lenient => {
                self.failures.push(name);
                Ok(())
            }
            r => r,
        }
    }
}

pub(super) fn verify_cd(field: &[u8], cd: u8, name: MrzField) -> Result<(), MrzError> {
    let expected = check_digit(field);
    // `<` in a check-digit position counts as 0 only where ICAO allows an all-filler field.
    let ok = match cd {
        b'0'..=b'9' => cd - b'0' == expected,
        b'<' => expected == 0 && field.iter().all(|&c| c == b'<'),
        _ => false,
    };
    if ok { Ok(()) } else { Err(MrzError::CheckDigit { field: name }) }
}
