//! Name comparison between a bank e-ID (Unicode, as the person is registered) and a
//! document (MRZ: `A–Z` and `<`, transliterated per ICAO 9303-3, possibly truncated).
//!
//! A bank token matches an MRZ token when the MRZ token is one of its realisations under
//! the ICAO 9303-3 §6 tables (Latin, Cyrillic, Greek) with the alternatives issuers use
//! (`Å` → `AA` or `A`, `Ä` → `AE` or `A`, `Ö`/`Ø` → `OE` or `O`, `Ü` → `UE` or `U`, `Æ` →
//! `AE`, `Þ` → `TH`, `ß` → `SS`, other Latin diacritics stripped; `Ж` → `ZH`, `Щ` →
//! `SHCH`, `Я` → `IA` or `YA`; `Θ` → `TH`, `Ψ` → `PS`, …). A character no table maps makes
//! the name not comparable ([`NameComparison::Unmappable`]), never disappear. Exact,
//! token by token: there is no edit distance anywhere.

use unicode_normalization::UnicodeNormalization;

/// The outcome of comparing one name part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum NameComparison {
    /// Same tokens.
    Equal,
    /// Consistent: truncated on the document, fewer names on one side, an initial…
    Compatible,
    /// Different names.
    Conflict,
    /// One side has no name.
    Missing,
    /// The bank-side name has a character that no ICAO 9303-3 table maps: it cannot be
    /// compared with the MRZ (a person must look; it never silently disappears).
    Unmappable,
}

/// Realisations of one upper-case letter in the MRZ alphabet, under ICAO 9303-3 §6 (Latin
/// table A, Cyrillic table B, Greek table C) with the alternatives issuers use; `None` for a
/// character no table maps (the name is then not comparable: never dropped silently).
fn realisations(c: char) -> Option<Vec<String>> {
    if c.is_ascii_uppercase() {
        return Some(vec![c.to_string()]);
    }
    let fixed: &[&str] = match c {
        // Latin (table A) and Nordic issuer practice.
        'Å' => &["AA", "A"],
        'Ä' => &["AE", "A"],
        'Ö' | 'Ø' => &["OE", "O"],
        'Ü' => &["UE", "U"],
        'Æ' => &["AE"],
        'Þ' => &["TH"],
        'Œ' => &["OE"],
        'Ĳ' => &["IJ"],
        'Ð' | 'Đ' => &["D"],
        'Ł' => &["L"],
        'ẞ' => &["SS"],
        // Cyrillic (table B); after the `|` alternatives national tables use (Ukrainian
        // Г→H, И→Y; Й→Y, Ю→YU, Я→YA, Х→H in older Russian and other practice).
        'А' => &["A"],
        'Б' => &["B"],
        'В' => &["V"],
        'Г' => &["G", "H"],
        'Ґ' => &["G"],
        'Д' => &["D"],
        'Ђ' => &["D"],
        'Ѓ' => &["G"],
        'Е' => &["E"],
        'Ё' => &["E", "YO"],
        'Є' => &["IE", "YE"],
        'Ж' => &["ZH"],
        'З' => &["Z"],
        'Ѕ' => &["DZ"],
        'И' => &["I", "Y"],
        'І' => &["I"],
        'Ї' => &["I", "YI"],
        'Й' => &["I", "Y"],
        'Ј' => &["J"],
        'К' => &["K"],
        'Л' => &["L"],
        'Љ' => &["LJ"],
        'М' => &["M"],
        'Н' => &["N"],
        'Њ' => &["NJ"],
        'О' => &["O"],
        'П' => &["P"],
        'Р' => &["R"],
        'С' => &["S"],
        'Т' => &["T"],
        'Ћ' => &["C"],
        'Ќ' => &["K"],
        'У' => &["U"],
        'Ў' => &["U"],
        'Ф' => &["F"],
        'Х' => &["KH", "H"],
        'Ц' => &["TS"],
        'Ч' => &["CH"],
        'Џ' => &["DZ"],
        'Ш' => &["SH"],
        'Щ' => &["SHCH"],
        'Ъ' => &["IE", ""],
        'Ы' => &["Y"],
        'Ь' => &[""],
        'Э' => &["E"],
        'Ю' => &["IU", "YU"],
        'Я' => &["IA", "YA"],
        // Greek (table C); Υ also as U (ΟΥ), V or F (ΑΥ, ΕΥ) as ELOT 743 writes it, Χ and Ξ
        // also as H and KS.
        'Α' | 'Ά' => &["A"],
        'Β' => &["V"],
        'Γ' => &["G"],
        'Δ' => &["D"],
        'Ε' | 'Έ' => &["E"],
        'Ζ' => &["Z"],
        'Η' | 'Ή' => &["I"],
        'Θ' => &["TH"],
        'Ι' | 'Ί' | 'Ϊ' | 'ΐ' => &["I"],
        'Κ' => &["K"],
        'Λ' => &["L"],
        'Μ' => &["M"],
        'Ν' => &["N"],
        'Ξ' => &["X", "KS"],
        'Ο' | 'Ό' => &["O"],
        'Π' => &["P"],
        'Ρ' => &["R"],
        'Σ' | 'ς' => &["S"],
        'Τ' => &["T"],
        'Υ' | 'Ύ' | 'Ϋ' | 'ΰ' => &["Y", "U", "V", "F"],
        'Φ' => &["F"],
        'Χ' => &["CH", "H", "X"],
        'Ψ' => &["PS"],
        'Ω' | 'Ώ' => &["O"],
        _ => &[],
    };
    if !fixed.is_empty() {
        return Some(fixed.iter().map(|s| (*s).to_string()).collect());
    }
    // Other Latin letters with diacritics: decompose, keep the ASCII letter.
    let base: String = c.to_string().nfd().filter(char::is_ascii_uppercase).collect();
    (!base.is_empty()).then(|| vec![base])
}

/// Whether every character of the bank-side name has a realisation.
fn mappable(tokens: &[String]) -> bool {
    tokens.iter().all(|t| t.chars().all(|c| realisations(c).is_some()))
}

/// Splits a bank-side name into upper-case Unicode tokens: NFC, upper case, split on
/// whitespace, `-` and `,`, apostrophes dropped.
#[must_use]
pub fn bank_tokens(name: &str) -> Vec<String> {
    let upper: String = name.nfc().collect::<String>().to_uppercase();
    upper
        .split(|c: char| c.is_whitespace() || c == '-' || c == ',' || c == '<')
        .map(|t| t.chars().filter(|c| !matches!(c, '\'' | '’' | '`' | '.')).collect::<String>())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Splits an MRZ name part (`<` or spaces between components) into tokens.
#[must_use]
pub fn mrz_tokens(part: &str) -> Vec<String> {
    part.split(['<', ' ']).filter(|t| !t.is_empty()).map(str::to_ascii_uppercase).collect()
}

/// Whether `mrz` realises `bank` completely (`prefix = false`) or is a non-empty prefix of
/// one realisation (`prefix = true`, for truncated names and initials).
///
/// Dynamic programming over (bank position, MRZ position): letters with two spellings
/// (`Å` → `AA` or `A`) would make naive backtracking exponential in the name's length.
fn realises(bank: &[char], mrz: &[u8], prefix: bool) -> bool {
    let (n, m) = (bank.len(), mrz.len());
    let idx = |i: usize, j: usize| i * (m + 1) + j;
    let mut reach = vec![false; (n + 1) * (m + 1)];
    if let Some(r) = reach.get_mut(0) {
        *r = true;
    }
    for i in 0..n {
        let Some(c) = bank.get(i) else { break };
        let Some(alts) = realisations(*c) else { return false };
        for j in 0..=m {
            if !reach.get(idx(i, j)).copied().unwrap_or(false) {
                continue;
            }
            let rest = mrz.get(j..).unwrap_or_default();
            for r in &alts {
                let r = r.as_bytes();
                if rest.starts_with(r) {
                    if let Some(cell) = reach.get_mut(idx(i + 1, j + r.len())) {
                        *cell = true;
                    }
                } else if prefix && !rest.is_empty() && r.starts_with(rest) {
                    // The MRZ ends inside this letter's spelling: a truncated token.
                    return true;
                }
            }
        }
    }
    if prefix {
        m > 0 && (0..=n).any(|i| reach.get(idx(i, m)).copied().unwrap_or(false))
    } else {
        reach.get(idx(n, m)).copied().unwrap_or(false)
    }
}

/// Whether the MRZ token is a realisation of the bank token.
#[must_use]
pub fn token_matches(bank: &str, mrz: &str) -> bool {
    let b: Vec<char> = bank.chars().collect();
    realises(&b, mrz.as_bytes(), false)
}

fn token_prefix(bank: &str, mrz: &str) -> bool {
    let b: Vec<char> = bank.chars().collect();
    !mrz.is_empty() && realises(&b, mrz.as_bytes(), true)
}

/// Is `small` an ordered subsequence of `big` starting with the same first token?
fn subsequence(small: &[String], big: &[String], eq: &dyn Fn(&str, &str) -> bool, small_is_mrz: bool) -> bool {
    let (Some(s0), Some(b0)) = (small.first(), big.first()) else { return false };
    let first_ok = if small_is_mrz { eq(b0, s0) } else { eq(s0, b0) };
    if !first_ok {
        return false;
    }
    let mut it = big.iter().skip(1);
    small.iter().skip(1).all(|s| it.any(|b| if small_is_mrz { eq(b, s) } else { eq(s, b) }))
}

/// Compares bank tokens with MRZ tokens. `truncated`: the MRZ name field is full, so its
/// last token may be cut. `given`: given names (either side may list fewer, and the MRZ
/// may keep only an initial).
#[must_use]
pub fn compare_with_mrz(bank: &[String], mrz: &[String], truncated: bool, given: bool) -> NameComparison {
    if bank.is_empty() || mrz.is_empty() {
        return NameComparison::Missing;
    }
    if !mappable(bank) {
        return NameComparison::Unmappable;
    }
    if bank.len() == mrz.len() && bank.iter().zip(mrz).all(|(b, m)| token_matches(b, m)) {
        return NameComparison::Equal;
    }
    // Truncation: every MRZ token matches in order, the last one as a prefix.
    if truncated && mrz.len() <= bank.len() {
        let n = mrz.len();
        let head_ok = bank.iter().zip(mrz).take(n - 1).all(|(b, m)| token_matches(b, m));
        if head_ok && bank.get(n - 1).zip(mrz.last()).is_some_and(|(b, m)| token_prefix(b, m)) {
            return NameComparison::Compatible;
        }
    }
    let eq = |b: &str, m: &str| token_matches(b, m);
    // Double surnames and dropped middle names: the MRZ keeps an ordered subset.
    if subsequence(mrz, bank, &eq, true) {
        return NameComparison::Compatible;
    }
    if given {
        // The bank lists fewer given names than the document.
        let eq_rev = |m: &str, b: &str| token_matches(b, m);
        if subsequence(bank, mrz, &|b, m| eq_rev(m, b), false) {
            return NameComparison::Compatible;
        }
        // An initial for the first given name.
        if mrz.len() == 1
            && mrz.first().is_some_and(|m| m.len() == 1)
            && bank.first().is_some_and(|b| token_prefix(b, mrz.first().map_or("", String::as_str)))
        {
            return NameComparison::Compatible;
        }
    }
    NameComparison::Conflict
}

/// Compares bank tokens with tokens in national characters (DG11 full name): NFC and
/// upper case on both sides, diacritics must then agree; a DG11 name that is itself
/// transliterated (only `A–Z`) is compared like an MRZ name.
#[must_use]
pub fn compare_with_full_name(bank: &[String], full: &[String], given: bool) -> NameComparison {
    if full.iter().all(|t| t.chars().all(|c| c.is_ascii_uppercase())) {
        return compare_with_mrz(bank, full, false, given);
    }
    if bank.is_empty() || full.is_empty() {
        return NameComparison::Missing;
    }
    if bank == full {
        return NameComparison::Equal;
    }
    let eq = |a: &str, b: &str| a == b;
    if subsequence(full, bank, &eq, true) || (given && subsequence(bank, full, &eq, false)) {
        return NameComparison::Compatible;
    }
    NameComparison::Conflict
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(bank: &str, mrz: &str, truncated: bool, given: bool) -> NameComparison {
        compare_with_mrz(&bank_tokens(bank), &mrz_tokens(mrz), truncated, given)
    }

    #[test]
    fn transliterations_issuers_use() {
        assert!(token_matches("ÅSA", "AASA"));
        assert!(token_matches("ÅSA", "ASA"));
        assert!(token_matches("ÖBERG", "OEBERG"));
        assert!(token_matches("ÖBERG", "OBERG"));
        assert!(token_matches("ØSTENBYEN", "OESTENBYEN"));
        assert!(token_matches("MÜLLER", "MULLER"));
        assert!(token_matches("MÜLLER", "MUELLER"));
        assert!(token_matches("JÕEORG", "JOEORG"));
        assert!(token_matches("PARAUDZIŅŠ", "PARAUDZINS"));
        assert!(token_matches("BASANAVIČIENĖ", "BASANAVICIENE"));
        assert!(token_matches("ÞÓRA", "THORA"));
        assert!(token_matches("STRÖM", "STROEM"));
        assert!(!token_matches("ÅSA", "OSA"));
        assert!(!token_matches("ANNA", "ANNE"));
        assert!(!token_matches("ANNA", "ANN"), "no prefix without truncation");
    }

    #[test]
    fn cyrillic_and_greek_names_under_icao_9303_3() {
        // Russian passports (ICAO table B since 2013) and older practice.
        assert!(token_matches("ЮРИЙ", "IURII"));
        assert!(token_matches("ЮРИЙ", "YURIY"));
        assert!(token_matches("ЩЕРБАКОВ", "SHCHERBAKOV"));
        assert!(token_matches("ЖУКОВА", "ZHUKOVA"));
        assert!(token_matches("ЦОЙ", "TSOI"));
        assert!(token_matches("ИЛЬЯ", "ILIA"), "Ь is omitted");
        assert!(token_matches("ОЛЕКСАНДР", "OLEKSANDR"));
        assert!(token_matches("ГРИГОРІЙ", "HRYHORII"), "Ukrainian Г→H, И→Y");
        assert!(!token_matches("ИВАН", "IVANA"));
        // Greek (table C), with ELOT 743's ΟΥ → OU.
        assert!(token_matches("ΠΑΠΑΔΟΠΟΥΛΟΣ", "PAPADOPOULOS"));
        assert!(token_matches("ΠΑΠΑΔΟΠΟΥΛΟΣ", "PAPADOPOYLOS"));
        assert!(token_matches("ΘΕΟΔΩΡΟΣ", "THEODOROS"));
        assert!(token_matches("ΧΡΗΣΤΟΣ", "CHRISTOS"));
        assert!(token_matches("ΨΑΡΡΑΣ", "PSARRAS"));
        assert!(!token_matches("ΝΙΚΟΣ", "NIKAS"));
        assert_eq!(cmp("Юрий", "IURII", false, true), NameComparison::Equal);
    }

    /// A character no table maps makes the name not comparable; it never disappears (the
    /// old folding dropped it, so "李Anna" compared equal to "ANNA").
    #[test]
    fn unmappable_characters_are_never_dropped() {
        assert_eq!(cmp("李", "LI", false, false), NameComparison::Unmappable);
        assert_eq!(cmp("Anna李", "ANNA", false, true), NameComparison::Unmappable);
        assert!(!token_matches("ANNA李", "ANNA"));
    }

    #[test]
    fn long_names_with_many_alternatives_are_fast() {
        // 2^60 paths for a backtracking matcher; linear work here.
        let bank: String = "Å".repeat(60);
        assert!(token_matches(&bank, &"A".repeat(90)));
        assert!(!token_matches(&bank, &"A".repeat(121)));
        assert!(token_prefix(&bank, &"A".repeat(119)));
    }

    #[test]
    fn bank_names_are_normalised() {
        assert_eq!(bank_tokens("Carl-Johan  Maximilian"), ["CARL", "JOHAN", "MAXIMILIAN"]);
        assert_eq!(bank_tokens("O'Connor"), ["OCONNOR"]);
        // Decomposed input (A + combining ring) is composed first.
        assert_eq!(bank_tokens("A\u{30a}sa"), ["ÅSA"]);
    }

    #[test]
    fn comparisons() {
        assert_eq!(cmp("Öberg", "OEBERG", false, false), NameComparison::Equal);
        assert_eq!(cmp("Lind", "SVENSSON", false, false), NameComparison::Conflict);
        assert_eq!(
            cmp("Wachtmeister af Johannishus", "WACHTMEISTER<AF<JOHANNISHUS", true, false),
            NameComparison::Equal
        );
        assert_eq!(cmp("Carl-Johan Maximilian", "C", true, true), NameComparison::Compatible);
        assert_eq!(cmp("Carl-Johan Maximilian", "CARL<JOH", true, true), NameComparison::Compatible);
        assert_eq!(cmp("Carl-Johan Maximilian", "CARL<JOH", false, true), NameComparison::Conflict);
        assert_eq!(cmp("Anna Maria", "ANNA", false, true), NameComparison::Compatible);
        assert_eq!(cmp("Anna", "ANNA<MARIA", false, true), NameComparison::Compatible);
        assert_eq!(cmp("Maria Anna", "ANNA", false, true), NameComparison::Conflict);
        assert_eq!(cmp("García López", "GARCIA", false, false), NameComparison::Compatible);
        assert_eq!(cmp("", "X", false, false), NameComparison::Missing);
    }

    #[test]
    fn full_names_in_national_characters() {
        let bank = bank_tokens("Åsa");
        assert_eq!(compare_with_full_name(&bank, &bank_tokens("ÅSA"), true), NameComparison::Equal);
        assert_eq!(compare_with_full_name(&bank, &bank_tokens("ÄSA"), true), NameComparison::Conflict);
        assert_eq!(compare_with_full_name(&bank, &["AASA".to_string()], true), NameComparison::Equal);
    }
}
