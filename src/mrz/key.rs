//! The document's access key ([`MrzKey`]): document number, birth and expiry dates, from
//! which BAC's K_seed and PACE's MRZ password are derived (ICAO 9303-11 §4.3.2, §9.7.2).

use super::check_digit::check_digit;
use super::date::MrzDate;
use super::{MrzError, MrzField};
use zeroize::Zeroizing;

/// The three MRZ fields that BAC and PACE-MRZ keys come from (ICAO 9303-11 §9.7.2).
/// Secret: wiped on drop, redacted in `Debug`.
#[derive(Clone)]
pub struct MrzKey {
    pub(super) document_number: Zeroizing<String>,
    pub(super) date_of_birth: MrzDate,
    pub(super) date_of_expiry: MrzDate,
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
