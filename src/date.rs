//! Civil dates (proleptic Gregorian, UTC) without a time-zone library: enough for
//! certificate validity, document expiry and `--at DATE`.

use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl Date {
    /// Today, UTC.
    #[must_use]
    pub fn today() -> Self {
        Self::from_unix(now_unix())
    }

    /// The date of a Unix time.
    #[must_use]
    pub fn from_unix(secs: u64) -> Self {
        let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2));
        Self { year: i32::try_from(y).unwrap_or(i32::MAX), month: m, day: d }
    }

    /// Midnight UTC of this date as Unix seconds (0 before 1970).
    #[must_use]
    pub fn to_unix(self) -> u64 {
        u64::try_from(days_from_civil(i64::from(self.year), self.month, self.day)).map_or(0, |d| d * 86_400)
    }

    /// The last second of this date (for "valid until the end of" comparisons).
    #[must_use]
    pub fn end_of_day_unix(self) -> u64 {
        self.to_unix() + 86_399
    }

    /// Parses `YYYY-MM-DD`.
    ///
    /// # Errors
    /// A message naming what is wrong.
    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.trim().split('-').collect();
        let [y, m, d] = parts.as_slice() else { return Err(format!("{s:?} is not a date of the form YYYY-MM-DD")) };
        let num = |t: &str, what: &str| t.parse::<u32>().map_err(|_| format!("{s:?}: bad {what}"));
        let (year, month, day) = (num(y, "year")?, num(m, "month")?, num(d, "day")?);
        if y.len() != 4
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year as i32, month as u8).into()
        {
            return Err(format!("{s:?} is not a valid date"));
        }
        Ok(Self { year: year as i32, month: month as u8, day: day as u8 })
    }
}

/// Serialised as `"YYYY-MM-DD"`.
#[cfg(feature = "serde")]
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl core::fmt::Display for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Seconds since the Unix epoch, now.
#[must_use]
pub fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `t` (Unix seconds) as `YYYY-MM-DD HH:MM`, UTC: when a lock ends, for a person.
#[must_use]
pub fn minute_utc(t: u64) -> String {
    let s = t % 86_400;
    format!("{} {:02}:{:02}", Date::from_unix(t), s / 3600, (s % 3600) / 60)
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u8;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Howard Hinnant's civil-to-days algorithm.
fn days_from_civil(y: i64, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_days() {
        assert_eq!(Date::from_unix(0).to_string(), "1970-01-01");
        assert_eq!(Date::parse("2026-11-21").unwrap().to_unix() / 86_400, 20_778);
        for days in [0i64, 59, 60, 11_016, 20_778, 40_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2023-13-01").is_err());
        assert!(Date::parse("23-01-01").is_err());
        assert!(Date::parse("yesterday").is_err());
    }
}
