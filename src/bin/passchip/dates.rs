//! MRZ dates to ISO 8601 for display.

use passchip::date::Date;
use passchip::mrz::MrzDate;

/// A birth date: a two-digit year after this year's is in the previous century.
pub fn birth_iso(d: &MrzDate) -> String {
    let pivot = Date::today().year.rem_euclid(100);
    d.to_iso(u8::try_from(pivot).unwrap_or(0))
}

/// An expiry date: always this century (documents are valid for at most ten years).
pub fn expiry_iso(d: &MrzDate) -> String {
    d.to_iso(99)
}
