//! National identity numbers of the bank e-ID countries, each with its check digits and
//! the date of birth it encodes (identity-matching reference §2.2, §3, §4.3):
//!
//! | country | number | check | birth date |
//! |---|---|---|---|
//! | SE | personnummer / samordningsnummer, 10 or 12 digits, `-`/`+` | Luhn over `YYMMDDNNN` | day + 60 for samordningsnummer; `+` = 100 years or older |
//! | NO | fødselsnummer, D-, H-, synthetic and FH-numbers, 11 digits | mod 11 K1 (old and 2032 schemes) and K2 | day + 40 (D), month + 40 (H), month + 80 (synthetic); century from the individual number |
//! | EE, LT | isikukood / asmens kodas, 11 digits | two-stage mod 11 | century from the first digit; LT `9…` has none |
//! | LV | personas kods, old `DDMMYY-CNNNN`; new (since 1 July 2017) `3` then a digit 2–9 then nine digits | old: `(1 + Σ w·d) mod 11 mod 10`; new: none (the Population Register Law makes every digit after the first two random) | old: century digit 0/1/2; new: none |
//! | FI | HETU `DDMMYYCZZZQ` | mod 31 character | century sign `+`, `-`/`U`–`Y`, `A`–`F` |
//!
//! Validation decides whether a string found on a DOCUMENT is a personal number. A
//! number asserted by a bank arrives in a verified signature and is never rejected on
//! checksum grounds by the matcher (see `identity::matching`).

use crate::date::Date;

/// The countries whose numbers we understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum IdCountry {
    /// Sweden.
    Se,
    /// Norway.
    No,
    /// Estonia.
    Ee,
    /// Lithuania.
    Lt,
    /// Latvia.
    Lv,
    /// Finland.
    Fi,
}

impl IdCountry {
    /// From an ISO alpha-2 code.
    #[must_use]
    pub fn from_alpha2(c: &str) -> Option<Self> {
        Some(match c.to_ascii_uppercase().as_str() {
            "SE" => Self::Se,
            "NO" => Self::No,
            "EE" => Self::Ee,
            "LT" => Self::Lt,
            "LV" => Self::Lv,
            "FI" => Self::Fi,
            _ => return None,
        })
    }

    /// The ISO alpha-2 code.
    #[must_use]
    pub fn alpha2(self) -> &'static str {
        match self {
            Self::Se => "SE",
            Self::No => "NO",
            Self::Ee => "EE",
            Self::Lt => "LT",
            Self::Lv => "LV",
            Self::Fi => "FI",
        }
    }

    /// The ICAO three-letter code its documents carry as issuing state.
    #[must_use]
    pub fn icao(self) -> &'static str {
        match self {
            Self::Se => "SWE",
            Self::No => "NOR",
            Self::Ee => "EST",
            Self::Lt => "LTU",
            Self::Lv => "LVA",
            Self::Fi => "FIN",
        }
    }
}

/// What kind of number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum IdKind {
    /// A birth-registry number (personnummer, fødselsnummer, isikukood, HETU…).
    Personal,
    /// Swedish samordningsnummer (day + 60).
    Coordination,
    /// Norwegian D-number (day + 40).
    DNumber,
    /// Norwegian H-number (month + 40).
    HNumber,
    /// Norwegian synthetic test number (month + 80).
    Synthetic,
    /// A number that encodes no birth date (LV new, LT `9…`, NO FH-number).
    NoBirthDate,
}

/// A validated national identity number. Personal data: `Debug` shows the country and
/// kind only, never the number or the birth date.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NationalId {
    /// The country.
    pub country: IdCountry,
    /// The kind.
    pub kind: IdKind,
    /// Digits (and for FI the check character) without separators; SE: 12 digits when
    /// the century is known, else 10.
    pub canonical: String,
    /// The full birth date, when the number (and its century) gives one.
    pub birth_date: Option<Date>,
    /// The birth date's `(YY, MM, DD)` when the number gives one, even without century.
    pub birth_yymmdd: Option<(u8, u8, u8)>,
}

impl core::fmt::Debug for NationalId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "NationalId({:?}, {:?}, ..)", self.country, self.kind)
    }
}

impl Drop for NationalId {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.canonical);
    }
}

fn digits(s: &str) -> Option<Vec<u8>> {
    s.bytes().map(|b| b.is_ascii_digit().then(|| b - b'0')).collect()
}

fn two(d: &[u8], i: usize) -> u8 {
    d.get(i).copied().unwrap_or(0) * 10 + d.get(i + 1).copied().unwrap_or(0)
}

fn valid_date(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::parse(&format!("{year:04}-{month:02}-{day:02}")).ok()
}

fn luhn_ok(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Validates `s` as a number of `country`. Separators (`-`, `+`, spaces) are accepted
/// where the format has them. `today` resolves Swedish 10-digit centuries.
#[must_use]
pub fn parse(country: IdCountry, s: &str, today: Date) -> Option<NationalId> {
    let s = s.trim();
    match country {
        IdCountry::Se => parse_se(s, today),
        IdCountry::No => parse_no(s),
        IdCountry::Ee | IdCountry::Lt => parse_ee_lt(country, s),
        IdCountry::Lv => parse_lv(s),
        IdCountry::Fi => parse_fi(s),
    }
}

fn parse_se(s: &str, today: Date) -> Option<NationalId> {
    let plus = s.contains('+');
    let clean: String = s.chars().filter(|c| !matches!(c, '-' | '+' | ' ')).collect();
    let d = digits(&clean)?;
    let (century, ten): (Option<i32>, &[u8]) = match d.len() {
        12 => (Some(i32::from(two(&d, 0)) * 100), d.get(2..)?),
        10 => (None, &d[..]),
        _ => return None,
    };
    if !luhn_ok(ten) {
        return None;
    }
    let (yy, mm, mut dd) = (two(ten, 0), two(ten, 2), two(ten, 4));
    let kind = if dd > 60 {
        dd -= 60;
        IdKind::Coordination
    } else {
        IdKind::Personal
    };
    if !(1..=12).contains(&mm) || !(1..=31).contains(&dd) {
        return None;
    }
    let year = match century {
        Some(c) => Some(c + i32::from(yy)),
        // 10 digits with a separator: the latest birth date not after today (compared as
        // a date, not a year: someone in their 100th year whose number still has `-` and
        // whose birthday has not come yet this year was born a century ago); `+` adds a
        // century (100 years or older).
        None if s.contains('-') || plus => {
            let mut y = today.year - today.year.rem_euclid(100) + i32::from(yy);
            if (y, mm, dd) > (today.year, today.month, today.day) {
                y -= 100;
            }
            if plus {
                y -= 100;
            }
            Some(y)
        }
        None => None,
    };
    let birth_date = match year {
        Some(y) => Some(valid_date(y, mm, dd)?),
        None => None,
    };
    let canonical = match year {
        Some(y) => format!("{:02}{}", y / 100, ten.iter().map(|x| char::from(b'0' + x)).collect::<String>()),
        None => clean,
    };
    Some(NationalId { country: IdCountry::Se, kind, canonical, birth_date, birth_yymmdd: Some((yy, mm, dd)) })
}

fn parse_no(s: &str) -> Option<NationalId> {
    let d = digits(s)?;
    if d.len() != 11 {
        return None;
    }
    let w1 = [3u32, 7, 6, 1, 8, 9, 4, 5, 2, 1];
    let w2 = [5u32, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
    let s1: u32 = w1.iter().zip(&d).map(|(w, &x)| w * u32::from(x)).sum();
    let s2: u32 = w2.iter().zip(&d).map(|(w, &x)| w * u32::from(x)).sum();
    // K1: remainder 0 (numbers before 2032) or 1–3 (the 2032 scheme); K2: remainder 0.
    if s1 % 11 > 3 || !s2.is_multiple_of(11) {
        return None;
    }
    let (mut dd, mut mm, yy) = (two(&d, 0), two(&d, 2), two(&d, 4));
    let first = d.first().copied().unwrap_or(0);
    let kind = if first >= 8 {
        IdKind::NoBirthDate
    } else if first >= 4 {
        dd -= 40;
        IdKind::DNumber
    } else if mm > 80 {
        mm -= 80;
        IdKind::Synthetic
    } else if mm > 40 {
        mm -= 40;
        IdKind::HNumber
    } else {
        IdKind::Personal
    };
    if kind == IdKind::NoBirthDate {
        return Some(NationalId {
            country: IdCountry::No,
            kind,
            canonical: s.to_string(),
            birth_date: None,
            birth_yymmdd: None,
        });
    }
    let individual = u32::from(d.get(6).copied().unwrap_or(0)) * 100 + u32::from(two(&d, 7));
    let y = i32::from(yy);
    let year = match individual {
        0..=499 => 1900 + y,
        500..=749 if y >= 54 => 1800 + y,
        500..=999 if y < 40 => 2000 + y,
        900..=999 if y >= 40 => 1900 + y,
        _ => return None,
    };
    let birth_date = valid_date(year, mm, dd)?;
    Some(NationalId {
        country: IdCountry::No,
        kind,
        canonical: s.to_string(),
        birth_date: Some(birth_date),
        birth_yymmdd: Some((yy, mm, dd)),
    })
}

fn parse_ee_lt(country: IdCountry, s: &str) -> Option<NationalId> {
    let d = digits(s)?;
    if d.len() != 11 {
        return None;
    }
    let body = d.get(..10)?;
    let check = |w: [u32; 10]| w.iter().zip(body).map(|(w, &x)| w * u32::from(x)).sum::<u32>() % 11;
    let mut r = check([1, 2, 3, 4, 5, 6, 7, 8, 9, 1]);
    if r == 10 {
        r = check([3, 4, 5, 6, 7, 8, 9, 1, 2, 3]);
        if r == 10 {
            r = 0;
        }
    }
    if d.get(10).copied().map(u32::from) != Some(r) {
        return None;
    }
    let g = d.first().copied().unwrap_or(0);
    let century = match g {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        7 | 8 => 2100,
        9 if country == IdCountry::Lt => {
            return Some(NationalId {
                country,
                kind: IdKind::NoBirthDate,
                canonical: s.to_string(),
                birth_date: None,
                birth_yymmdd: None,
            });
        }
        _ => return None,
    };
    let (yy, mm, dd) = (two(&d, 1), two(&d, 3), two(&d, 5));
    let birth_date = valid_date(century + i32::from(yy), mm, dd)?;
    Some(NationalId {
        country,
        kind: IdKind::Personal,
        canonical: s.to_string(),
        birth_date: Some(birth_date),
        birth_yymmdd: Some((yy, mm, dd)),
    })
}

fn parse_lv(s: &str) -> Option<NationalId> {
    let clean: String = s.chars().filter(|c| *c != '-').collect();
    let d = digits(&clean)?;
    if d.len() != 11 {
        return None;
    }
    // New format (since 1 July 2017): `3`, then a digit 2–9, then random digits, no birth
    // date and no check digit (PMLP's codes began with 32; the law allows 32–39). An old
    // code cannot start so: its first two digits are a day of the month.
    if d.first() == Some(&3) && d.get(1).is_some_and(|x| (2..=9).contains(x)) {
        return Some(NationalId {
            country: IdCountry::Lv,
            kind: IdKind::NoBirthDate,
            canonical: clean,
            birth_date: None,
            birth_yymmdd: None,
        });
    }
    let w = [10u32, 5, 8, 4, 2, 1, 6, 3, 7, 9];
    let sum: u32 = w.iter().zip(&d).map(|(w, &x)| w * u32::from(x)).sum();
    if d.get(10).copied().map(u32::from) != Some((1 + sum) % 11 % 10) {
        return None;
    }
    let (dd, mm, yy) = (two(&d, 0), two(&d, 2), two(&d, 4));
    let century = match d.get(6) {
        Some(0) => 1800,
        Some(1) => 1900,
        Some(2) => 2000,
        _ => return None,
    };
    let birth_date = valid_date(century + i32::from(yy), mm, dd)?;
    Some(NationalId {
        country: IdCountry::Lv,
        kind: IdKind::Personal,
        canonical: clean,
        birth_date: Some(birth_date),
        birth_yymmdd: Some((yy, mm, dd)),
    })
}

fn parse_fi(s: &str) -> Option<NationalId> {
    const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let b = s.to_ascii_uppercase().into_bytes();
    if b.len() != 11 {
        return None;
    }
    let date = digits(core::str::from_utf8(b.get(..6)?).ok()?)?;
    let serial = digits(core::str::from_utf8(b.get(7..10)?).ok()?)?;
    let century = match b.get(6)? {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return None,
    };
    let n: u64 = date.iter().chain(&serial).fold(0u64, |a, &x| a * 10 + u64::from(x));
    if CHECK.get(usize::try_from(n % 31).ok()?) != b.get(10) {
        return None;
    }
    let (dd, mm, yy) = (two(&date, 0), two(&date, 2), two(&date, 4));
    let birth_date = valid_date(century + i32::from(yy), mm, dd)?;
    Some(NationalId {
        country: IdCountry::Fi,
        kind: IdKind::Personal,
        canonical: String::from_utf8_lossy(&b).into_owned(),
        birth_date: Some(birth_date),
        birth_yymmdd: Some((yy, mm, dd)),
    })
}

/// Whether `s` has the shape of a number of `country` (digits, length, separators),
/// whatever its check digit says: a bank number of the right shape with an unusual check
/// digit is still used as asserted; one of another shape cannot be used at all.
#[must_use]
pub fn well_formed(country: IdCountry, s: &str) -> bool {
    let s = s.trim();
    let digits_only = |drop: &[char]| -> Option<usize> {
        let kept: String = s.chars().filter(|c| !drop.contains(c)).collect();
        kept.bytes().all(|b| b.is_ascii_digit()).then_some(kept.len())
    };
    match country {
        IdCountry::Se => matches!(digits_only(&['-', '+', ' ']), Some(10 | 12)),
        IdCountry::No | IdCountry::Ee | IdCountry::Lt => digits_only(&[' ']) == Some(11),
        IdCountry::Lv => digits_only(&['-']) == Some(11),
        IdCountry::Fi => {
            s.len() == 11 && s.is_char_boundary(6) && s.get(..6).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
        }
    }
}

/// Whether two numbers of the same country name the same person. Swedish numbers compare
/// with their century when both sides know it (12 digits), else on the last ten digits.
#[must_use]
pub fn same_number(a: &NationalId, b: &NationalId) -> bool {
    if a.country != b.country {
        return false;
    }
    match a.country {
        IdCountry::Se => {
            let last10 = |s: &str| s.get(s.len().saturating_sub(10)..).map(str::to_string);
            if a.canonical.len() == 12 && b.canonical.len() == 12 {
                a.canonical == b.canonical
            } else {
                last10(&a.canonical) == last10(&b.canonical)
            }
        }
        _ => a.canonical == b.canonical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::parse("2025-01-01").unwrap()
    }

    fn ok(c: IdCountry, s: &str) -> NationalId {
        parse(c, s, today()).unwrap_or_else(|| panic!("{s} should be valid for {c:?}"))
    }

    fn bad(c: IdCountry, s: &str) {
        assert!(parse(c, s, today()).is_none(), "{s} should be invalid for {c:?}");
    }

    #[test]
    fn swedish_numbers() {
        let p = ok(IdCountry::Se, "870314-2391");
        assert_eq!(p.canonical, "198703142391");
        assert_eq!(p.birth_date, Date::parse("1987-03-14").ok());
        assert_eq!(ok(IdCountry::Se, "198703142391").canonical, "198703142391");
        assert_eq!(ok(IdCountry::Se, "8703142391").canonical, "8703142391");
        assert_eq!(ok(IdCountry::Se, "8703142391").birth_date, None, "century unknown without a separator");
        bad(IdCountry::Se, "880320-0018");
        let s = ok(IdCountry::Se, "701063-2391");
        assert_eq!(s.kind, IdKind::Coordination);
        assert_eq!(s.birth_date, Date::parse("1970-10-03").ok());
        // `+`: 100 years or older.
        let old = ok(IdCountry::Se, "240505+1729");
        assert_eq!(old.birth_date, Date::parse("1924-05-05").ok());
        assert_eq!(ok(IdCountry::Se, "240505-1729").birth_date, Date::parse("2024-05-05").ok());
        bad(IdCountry::Se, "871314-2391"); // month 13 (Luhn fixed below would still fail on date)
        bad(IdCountry::Se, "12345");
        // `-` for someone in their 100th year whose birthday has not come yet this year: a
        // century ago, not in the future (today is 2025-01-01).
        assert_eq!(ok(IdCountry::Se, "250301-1237").birth_date, Date::parse("1925-03-01").ok());
        assert_eq!(ok(IdCountry::Se, "250301-1237").canonical, "192503011237");
        assert_eq!(ok(IdCountry::Se, "250101-2245").birth_date, Date::parse("2025-01-01").ok(), "born today");
        assert!(same_number(&ok(IdCountry::Se, "198504122386"), &ok(IdCountry::Se, "8504122386")));
        // With the century on both sides, a hundred years apart is another person.
        assert!(!same_number(&ok(IdCountry::Se, "192503011237"), &ok(IdCountry::Se, "202503011237")));
        assert!(!same_number(&ok(IdCountry::Se, "198504122386"), &ok(IdCountry::Se, "199001012401")));
    }

    #[test]
    fn norwegian_numbers() {
        let f = ok(IdCountry::No, "15108695088");
        assert_eq!(f.birth_date, Date::parse("1986-10-15").ok());
        bad(IdCountry::No, "15108695077");
        let d = ok(IdCountry::No, "43022014103");
        assert_eq!(d.kind, IdKind::DNumber);
        assert_eq!(d.birth_yymmdd, Some((20, 2, 3)));
        let h = ok(IdCountry::No, "13527248013");
        assert_eq!(h.kind, IdKind::HNumber);
        assert_eq!(h.birth_yymmdd, Some((72, 12, 13)));
        let t = ok(IdCountry::No, "10915596784");
        assert_eq!(t.kind, IdKind::Synthetic);
        let specimen = ok(IdCountry::No, "23045612392");
        assert_eq!(specimen.birth_date, Date::parse("1956-04-23").ok());
        bad(IdCountry::No, "2304561239");
    }

    #[test]
    fn baltic_and_finnish_numbers() {
        let e = ok(IdCountry::Ee, "36805280109");
        assert_eq!(e.birth_date, Date::parse("1968-05-28").ok());
        bad(IdCountry::Ee, "36805280108");
        assert_eq!(ok(IdCountry::Ee, "38001085718").birth_date, Date::parse("1980-01-08").ok());
        assert_eq!(ok(IdCountry::Lt, "46411231034").birth_date, Date::parse("1964-11-23").ok());
        let lv = ok(IdCountry::Lv, "161175-19997");
        assert_eq!(lv.birth_date, Date::parse("1975-11-16").ok());
        bad(IdCountry::Lv, "161375-19997");
        assert_eq!(ok(IdCountry::Lv, "328673-00679").kind, IdKind::NoBirthDate);
        // New-format codes: 3 then 2–9, no check digit (every later digit is random).
        for code in ["32867300670", "33000000001", "390000-00000"] {
            assert_eq!(ok(IdCountry::Lv, code).kind, IdKind::NoBirthDate, "{code}");
        }
        bad(IdCountry::Lv, "310175-19990"); // 31 is a day: an old code, whose check digit fails
        bad(IdCountry::Lv, "121282-88882"); // century digit 8: the Latvian specimen value
        let fi = ok(IdCountry::Fi, "131052-308T");
        assert_eq!(fi.birth_date, Date::parse("1952-10-13").ok());
        bad(IdCountry::Fi, "131052-308U");
    }

    // Numbers computed with an independent implementation of each check algorithm.
    #[test]
    fn every_century_rule() {
        let date = |s| Date::parse(s).ok();
        // NO: individual number and year decide the century.
        assert_eq!(ok(IdCountry::No, "01012050190").birth_date, date("2020-01-01")); // 500–999, YY < 40
        assert_eq!(ok(IdCountry::No, "15066060052").birth_date, date("1860-06-15")); // 500–749, YY ≥ 54
        assert_eq!(ok(IdCountry::No, "01018091247").birth_date, date("1980-01-01")); // 900–999, YY ≥ 40
        // EE/LT: the first digit.
        assert_eq!(ok(IdCountry::Ee, "50101011235").birth_date, date("2001-01-01"));
        assert_eq!(ok(IdCountry::Ee, "19912314563").birth_date, date("1899-12-31"));
        // LV: the century digit after the hyphen.
        assert_eq!(ok(IdCountry::Lv, "010199-01234").birth_date, date("1899-01-01"));
        assert_eq!(ok(IdCountry::Lv, "010105-21235").birth_date, date("2005-01-01"));
        // FI: the century sign.
        assert_eq!(ok(IdCountry::Fi, "010105A123P").birth_date, date("2005-01-01"));
        assert_eq!(ok(IdCountry::Fi, "010199+456P").birth_date, date("1899-01-01"));
        // Impossible dates with valid check digits are still rejected.
        bad(IdCountry::Ee, "36813280109");
    }

    #[test]
    fn shapes_and_debug() {
        assert!(well_formed(IdCountry::Se, "198504122387"), "a wrong check digit is still well formed");
        assert!(!well_formed(IdCountry::Se, "19850412238"));
        assert!(!well_formed(IdCountry::No, "PNO-1234"));
        assert!(well_formed(IdCountry::Fi, "131052-308U"));
        let shown = format!("{:?}", ok(IdCountry::Se, "198504122386"));
        assert!(!shown.contains("8504") && !shown.contains("1985"), "{shown}");
    }

    #[test]
    fn countries() {
        assert_eq!(IdCountry::from_alpha2("no"), Some(IdCountry::No));
        assert_eq!(IdCountry::Lv.icao(), "LVA");
        assert_eq!(IdCountry::from_alpha2("DE"), None);
    }
}
