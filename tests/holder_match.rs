//! The 15 holder-matching cases of the identity-matching reference (§8), with
//! `now` = 2025-01-01. Bank identities are synthetic but numerically valid. A document's
//! DG1 and DG11 reach the match only through passive authentication: the cases' data
//! groups are signed into a virtual document's SOD and verified first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "emulator")]

use passchip::date::Date;
use passchip::emulator::{DocumentSpec, VirtualDocument};
use passchip::identity::asserted::{AssertedIdentity, Scheme};
use passchip::identity::matching::{DocumentCheck, DocumentFacts, MatchPolicy, Outcome, Reason, match_holder};
use passchip::identity::national_id::IdCountry;
use passchip::lds::{Dg1, Dg11, LdsFile};
use passchip::mrz::Mrz;
use passchip::pki::{PaOptions, PassiveAuthentication, TrustSource, TrustStore, Verdict};

/// DG1 with `lines` and, when given, `dg11`, as passive authentication vouches for them
/// (signed into a virtual document's SOD and verified against its CSCA).
fn authenticated(lines: &[&str], dg11: Option<&Dg11>) -> DocumentFacts {
    let lines: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
    let mut custom = vec![(1u8, Dg1::encode(&lines))];
    if let Some(d) = dg11 {
        custom.push((11, d.encode()));
    }
    // The issuing state's own (virtual) PKI signs it.
    let state = Mrz::parse(&lines.join("\n")).unwrap().issuing_state.clone();
    let doc = VirtualDocument::build(DocumentSpec {
        custom_data_groups: custom,
        issuing_state: state,
        ..DocumentSpec::specimen()
    });
    let mut store = TrustStore::new();
    store.add(doc.pki().unwrap().csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    let dgs =
        doc.files().filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((n, b.to_vec())) } else { None }).collect();
    let at = PaOptions::at(Date::parse("2025-01-01").unwrap());
    let pa = PassiveAuthentication::verify(doc.file(LdsFile::Sod).unwrap(), &dgs, &store, &at);
    assert_eq!(pa.verdict(), Verdict::Valid, "{:?}", pa.checks());
    DocumentFacts::authenticated(pa.authenticated_document().unwrap()).unwrap()
}

fn dg11() -> Dg11 {
    Dg11::parse(&[0x6B, 0x00]).unwrap()
}

struct Case {
    id: &'static str,
    country: IdCountry,
    number: &'static str,
    given: &'static str,
    surname: &'static str,
    mrz: &'static [&'static str],
    dg11_dob: Option<&'static str>,
    dg11_pnr: Option<&'static str>,
    expected: Outcome,
    reasons: &'static [Reason],
}

const T04: &[&str] = &["P<SWEOEBERG<<AASA<<<<<<<<<<<<<<<<<<<<<<<<<<<", "AA12345678SWE8504124F3001019<<<<<<<<<<<<<<<8"];
const T14: &[&str] =
    &["IDNORGDC0001273230456<12392<<<", "5604230M3006117NOR<<<<<<<<<<<1", "OESTENBYEN<<AASAMUND<<<<<<<<<<"];

const CASES: &[Case] = &[
    Case {
        id: "T01",
        country: IdCountry::Se,
        number: "198504122386",
        given: "Åsa",
        surname: "Öberg",
        mrz: &["I<SWEAB12345671198504122386<<<", "8504124F3001019SWE<<<<<<<<<<<1", "OEBERG<<AASA<<<<<<<<<<<<<<<<<<"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Match,
        reasons: &[Reason::IdMatch, Reason::DobMatch, Reason::SurnameEqual, Reason::GivenEqual],
    },
    Case {
        id: "T02",
        country: IdCountry::Se,
        number: "198504122386",
        given: "Åsa",
        surname: "Öberg",
        mrz: &["I<SWEAB12345671198504122386<<<", "8504124F3001019SWE<<<<<<<<<<<1", "OBERG<<ASA<<<<<<<<<<<<<<<<<<<<"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Match,
        reasons: &[Reason::SurnameEqual, Reason::GivenEqual],
    },
    Case {
        id: "T03",
        country: IdCountry::Se,
        number: "198504122386",
        given: "Åsa",
        surname: "Öberg",
        mrz: &["P<SWEOEBERG<<AASA<<<<<<<<<<<<<<<<<<<<<<<<<<<", "AA12345678SWE8504124F30010198504122386<<<<72"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Match,
        reasons: &[Reason::IdMatch],
    },
    Case {
        id: "T04",
        country: IdCountry::Se,
        number: "198504122386",
        given: "Åsa",
        surname: "Öberg",
        mrz: T04,
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::ProbableMatch,
        reasons: &[Reason::NoIdOnDocument, Reason::DobMatch],
    },
    Case {
        id: "T05",
        country: IdCountry::Se,
        number: "197010632391",
        given: "Erik",
        surname: "Ström",
        mrz: &["I<SWEAB76543219197010632391<<<", "7010033M2906014SWE<<<<<<<<<<<0", "STROEM<<ERIK<<<<<<<<<<<<<<<<<<"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Match,
        reasons: &[Reason::IdMatch, Reason::DobMatch],
    },
    Case {
        id: "T06",
        country: IdCountry::Se,
        number: "192405051729",
        given: "Märta",
        surname: "Åberg",
        mrz: &["P<SWEAABERG<<MAERTA<<<<<<<<<<<<<<<<<<<<<<<<<", "AA77777771SWE2405056F28010162405051729<<<<92"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Match,
        reasons: &[Reason::IdMatch, Reason::DobMatch],
    },
    Case {
        id: "T07",
        country: IdCountry::Se,
        number: "192405051729",
        given: "Märta",
        surname: "Åberg",
        mrz: &["P<SWEAABERG<<MAERTA<<<<<<<<<<<<<<<<<<<<<<<<<", "AA77777771SWE2405056F2801016<<<<<<<<<<<<<<<4"],
        dg11_dob: Some("2024-05-05"),
        dg11_pnr: None,
        expected: Outcome::Mismatch,
        reasons: &[Reason::DobFromDg11, Reason::DobMismatch],
    },
    Case {
        id: "T08",
        country: IdCountry::Se,
        number: "198504122386",
        given: "Åsa",
        surname: "Öberg",
        mrz: T04,
        dg11_dob: None,
        dg11_pnr: Some("19850412-2386"),
        expected: Outcome::Match,
        reasons: &[Reason::IdMatch, Reason::IdFromDg11],
    },
    Case {
        id: "T09",
        country: IdCountry::Se,
        number: "199001012401",
        given: "Anna",
        surname: "Svensson",
        mrz: &["I<SWEAB11111116199001022400<<<", "9001022F3001019SWE<<<<<<<<<<<4", "SVENSSON<<ANNA<<<<<<<<<<<<<<<<"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Mismatch,
        reasons: &[Reason::IdMismatch, Reason::DobMismatch, Reason::SurnameEqual],
    },
    Case {
        id: "T10",
        country: IdCountry::Se,
        number: "199001012401",
        given: "Anna",
        surname: "Lind",
        mrz: &["I<SWEAB11111127199001012401<<<", "9001011F3001019SWE<<<<<<<<<<<8", "SVENSSON<<ANNA<<<<<<<<<<<<<<<<"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Review,
        reasons: &[Reason::IdMatch, Reason::DobMatch, Reason::SurnameConflict],
    },
    Case {
        id: "T11",
        country: IdCountry::Se,
        number: "197506300172",
        given: "Carl-Johan Maximilian",
        surname: "Wachtmeister af Johannishus",
        mrz: &["I<SWEAB22222229197506300172<<<", "7506305M3001019SWE<<<<<<<<<<<1", "WACHTMEISTER<AF<JOHANNISHUS<<C"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Match,
        reasons: &[Reason::IdMatch, Reason::MrzNamePossiblyTruncated, Reason::GivenCompatible],
    },
    Case {
        id: "T12",
        country: IdCountry::Se,
        number: "197506300172",
        given: "Carl-Johan Maximilian",
        surname: "Wachtmeister af Johannishus",
        mrz: &["I<SWEAB22222229<<<<<<<<<<<<<<<", "7506305M3001019SWE<<<<<<<<<<<0", "WACHTMEISTER<AF<JOHANNISHUS<<C"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::ProbableMatch,
        reasons: &[Reason::NoIdOnDocument, Reason::MrzNamePossiblyTruncated],
    },
    Case {
        id: "T13",
        country: IdCountry::Se,
        number: "196802293511",
        given: "Jürgen",
        surname: "Müller",
        mrz: &["P<SWEMULLER<<JURGEN<<<<<<<<<<<<<<<<<<<<<<<<<", "AA33333339SWE6802295M30010196802293511<<<<98"],
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Match,
        reasons: &[Reason::IdMatch, Reason::DobMatch, Reason::SurnameEqual],
    },
    Case {
        id: "T14",
        country: IdCountry::No,
        number: "23045612392",
        given: "Åsamund",
        surname: "Østenbyen",
        mrz: T14,
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Match,
        reasons: &[Reason::IdMatch, Reason::DobMatch],
    },
    Case {
        id: "T15",
        country: IdCountry::No,
        number: "23045612473",
        given: "Åsamund",
        surname: "Østenbyen",
        mrz: T14,
        dg11_dob: None,
        dg11_pnr: None,
        expected: Outcome::Mismatch,
        reasons: &[Reason::IdMismatch],
    },
];

#[test]
fn the_fifteen_reference_cases() {
    let now = Date::parse("2025-01-01").unwrap();
    for c in CASES {
        Mrz::parse(&c.mrz.join("\n")).unwrap_or_else(|e| panic!("{}: {e}", c.id));
        let dg11 = (c.dg11_dob.is_some() || c.dg11_pnr.is_some()).then(|| {
            let mut d = dg11();
            d.full_date_of_birth = c.dg11_dob.map(|s| Date::parse(s).unwrap());
            d.personal_number = c.dg11_pnr.map(str::to_string);
            d
        });
        let scheme = if c.country == IdCountry::Se { Scheme::BankIdSe } else { Scheme::BankIdNo };
        let bank = AssertedIdentity::new(scheme, Some(c.country), Some(c.number)).with_names(c.given, c.surname);
        let facts = authenticated(c.mrz, dg11.as_ref());
        let m = match_holder(&bank, &facts, now, &MatchPolicy::default());
        assert_eq!(m.outcome(), c.expected, "{}: {:?}", c.id, m.reasons());
        for r in c.reasons {
            assert!(m.has(*r), "{}: expected reason {r:?} in {:?}", c.id, m.reasons());
        }
    }
}

#[test]
fn document_rejections() {
    let now = Date::parse("2025-01-01").unwrap();
    let mrz = Mrz::parse(&CASES[0].mrz.join("\n")).unwrap();
    let bank =
        AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some("198504122386")).with_names("Åsa", "Öberg");
    let m = |check, now, policy: MatchPolicy| {
        let facts = match check {
            DocumentCheck::Failed => DocumentFacts::not_authentic(&mrz),
            DocumentCheck::NotChecked => DocumentFacts::mrz_only(&mrz),
            _ => authenticated(CASES[0].mrz, None),
        };
        match_holder(&bank, &facts, now, &policy)
    };
    let r = m(DocumentCheck::Failed, now, MatchPolicy::default());
    assert_eq!(r.outcome(), Outcome::DocumentRejected);
    assert!(r.has(Reason::PassiveAuthFailed));
    let r = m(DocumentCheck::NotChecked, now, MatchPolicy::default());
    assert_eq!(r.outcome(), Outcome::DocumentRejected);
    assert!(r.has(Reason::PassiveAuthNotPerformed));
    // A person-only policy matches and still reports the unchecked document.
    let r = m(DocumentCheck::NotChecked, now, MatchPolicy::person_only());
    assert_eq!(r.outcome(), Outcome::Match);
    assert!(r.has(Reason::PassiveAuthNotPerformed));
    // Expired (the card expires 2030-01-01).
    let later = Date::parse("2031-06-01").unwrap();
    assert!(m(DocumentCheck::Authentic, later, MatchPolicy::default()).has(Reason::DocumentExpired));
    assert_eq!(
        m(DocumentCheck::Authentic, later, MatchPolicy::default().with_accept_expired(true)).outcome(),
        Outcome::Match
    );
    // A wrong check digit on the chip's MRZ.
    let bad = Mrz::parse_lenient(&CASES[0].mrz.join("\n").replace("SWE<<<<<<<<<<<1", "SWE<<<<<<<<<<<2")).unwrap();
    let r = match_holder(&bank, &DocumentFacts::mrz_only(&bad), now, &MatchPolicy::person_only());
    assert!(r.has(Reason::MrzCheckDigitFailed));
}

#[test]
fn every_other_outcome() {
    let now = Date::parse("2025-01-01").unwrap();
    let facts = &authenticated(T04, None);
    // No number, no date of birth on the bank side: nothing to decide on.
    let bare = AssertedIdentity::new(Scheme::Plain, None, None).with_names("Åsa", "Öberg");
    assert_eq!(match_holder(&bare, facts, now, &MatchPolicy::default()).outcome(), Outcome::InsufficientData);
    // Names conflict and nothing else to go on: a different person.
    let other = AssertedIdentity::new(Scheme::Plain, None, None).with_names("Bo", "Ek");
    assert_eq!(match_holder(&other, facts, now, &MatchPolicy::default()).outcome(), Outcome::Mismatch);
    // A Norwegian bank identity against a Swedish document: numbers not comparable.
    let no = AssertedIdentity::new(Scheme::BankIdNo, Some(IdCountry::No), Some("23045612392"))
        .with_names("Åsa", "Öberg")
        .with_birth_date(Date::parse("1985-04-12").unwrap());
    let r = match_holder(&no, facts, now, &MatchPolicy::default());
    assert!(r.has(Reason::IdSchemeNotOnDocument));
    assert_eq!(r.outcome(), Outcome::ProbableMatch);
    // A bank number with an unusual checksum is still used as asserted.
    let odd =
        AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some("198504122387")).with_names("Åsa", "Öberg");
    let r = match_holder(&odd, &authenticated(CASES[0].mrz, None), now, &MatchPolicy::default());
    assert!(r.has(Reason::BankIdChecksumUnusual));
}

#[test]
fn names_from_dg11_in_national_characters() {
    let now = Date::parse("2025-01-01").unwrap();
    let bank =
        AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some("198504122386")).with_names("Åsa", "Öberg");
    let mut d = dg11();
    d.full_name_primary = Some("ÖBERG".into());
    d.full_name_secondary = Some("ÅSA".into());
    let m = match_holder(&bank, &authenticated(T04, Some(&d)), now, &MatchPolicy::default());
    assert!(m.has(Reason::NamesFromDg11) && m.has(Reason::SurnameEqual), "{:?}", m.reasons());
    // With national characters, diacritics must agree: Ä is not Å (and ÄSA still fits the
    // MRZ's AASA? No: Ä is AE or A, so DG11 contradicts the MRZ and is not used).
    d.full_name_secondary = Some("ÄSA".into());
    let m = match_holder(&bank, &authenticated(T04, Some(&d)), now, &MatchPolicy::default());
    assert!(m.has(Reason::Dg11ConflictsWithMrz), "{:?}", m.reasons());
}

/// DG11 never overrides DG1: a DG11 whose birth date or names contradict the MRZ is not
/// used, and a match becomes a review.
#[test]
fn a_dg11_that_contradicts_the_mrz_is_not_used() {
    let now = Date::parse("2025-01-01").unwrap();
    let bank = AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some("199001012401"))
        .with_names("Anna", "Svensson")
        .with_birth_date(Date::parse("1990-01-01").unwrap());
    // Another person's DG11 (Anna Svensson, 1990-01-01, her personnummer) beside Åsa
    // Öberg's MRZ: it would make the match, but it contradicts DG1.
    let mut d = dg11();
    d.full_name_primary = Some("SVENSSON".into());
    d.full_name_secondary = Some("ANNA".into());
    d.full_date_of_birth = Date::parse("1990-01-01").ok();
    d.personal_number = Some("19900101-2401".into());
    let m = match_holder(&bank, &authenticated(T04, Some(&d)), now, &MatchPolicy::default());
    assert!(m.has(Reason::Dg11ConflictsWithMrz), "{:?}", m.reasons());
    assert!(!m.has(Reason::IdFromDg11) && !m.has(Reason::NamesFromDg11), "{:?}", m.reasons());
    assert_eq!(m.outcome(), Outcome::Mismatch, "DG1 decides: Åsa Öberg is not Anna Svensson");
    // A DG11 agreeing in names but not in the birth date: the real holder becomes a review.
    let asa =
        AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some("198504122386")).with_names("Åsa", "Öberg");
    let mut d = dg11();
    d.full_name_primary = Some("ÖBERG".into());
    d.full_date_of_birth = Date::parse("1985-04-13").ok();
    let m = match_holder(&asa, &authenticated(T04, Some(&d)), now, &MatchPolicy::default());
    assert!(m.has(Reason::Dg11ConflictsWithMrz));
    assert_eq!(m.outcome(), Outcome::Review);
    // A DG11 nobody vouches for is not used at all, and the match says so.
    let mrz = Mrz::parse(&CASES[0].mrz.join("\n")).unwrap();
    let facts = DocumentFacts::mrz_only(&mrz).with_unauthenticated_dg11();
    let m = match_holder(&asa, &facts, now, &MatchPolicy::person_only());
    assert!(m.has(Reason::Dg11NotAuthenticated));
    assert_eq!(m.outcome(), Outcome::Match);
}

/// MRZ lines of the specimen with some fields changed (check digits recomputed).
fn lines(spec: DocumentSpec) -> Vec<String> {
    spec.mrz_lines()
}

fn authenticated_lines(l: &[String], dg11: Option<&Dg11>) -> DocumentFacts {
    let refs: Vec<&str> = l.iter().map(String::as_str).collect();
    authenticated(&refs, dg11)
}

/// A bank name in Cyrillic against a Latin MRZ: compared under ICAO 9303-3's Cyrillic
/// table, not dropped; a character no table maps makes the match a review.
#[test]
fn cyrillic_bank_names_against_a_latin_mrz() {
    let now = Date::parse("2025-01-01").unwrap();
    let l = lines(DocumentSpec {
        surname: "GAGARIN".into(),
        given_names: "IURII".into(),
        personal_number: String::new(),
        ..DocumentSpec::specimen()
    });
    let facts = authenticated_lines(&l, None);
    let dob = Date::parse("1985-04-12").unwrap();
    let bank = AssertedIdentity::new(Scheme::Plain, None, None).with_names("Юрий", "Гагарин").with_birth_date(dob);
    let m = match_holder(&bank, &facts, now, &MatchPolicy::default());
    assert!(m.has(Reason::SurnameEqual) && m.has(Reason::GivenEqual), "{:?}", m.reasons());
    assert_eq!(m.outcome(), Outcome::ProbableMatch);
    // Another Cyrillic name is a conflict, not a silent pass.
    let other = AssertedIdentity::new(Scheme::Plain, None, None).with_names("Юрий", "Титов").with_birth_date(dob);
    assert!(match_holder(&other, &facts, now, &MatchPolicy::default()).has(Reason::SurnameConflict));
    // A name with a character no table maps is not comparable: review, never a match.
    let unmapped = AssertedIdentity::new(Scheme::Plain, None, None).with_names("Юрий", "加加林").with_birth_date(dob);
    let m = match_holder(&unmapped, &facts, now, &MatchPolicy::default());
    assert!(m.has(Reason::SurnameUnmappable), "{:?}", m.reasons());
    assert_eq!(m.outcome(), Outcome::Review);
}

/// A hundred years apart is not a match: the full date of birth (and a Swedish number
/// with its century) is compared when the document knows the century.
#[test]
fn a_hundred_year_gap_is_not_a_match() {
    let now = Date::parse("2025-06-01").unwrap();
    // A child born 2025-03-01; the bank user born 1925-03-01 with the same ten digits.
    let l = lines(DocumentSpec {
        date_of_birth: "250301".into(),
        personal_number: "2503011237".into(),
        ..DocumentSpec::specimen()
    });
    let mut d = dg11();
    d.full_date_of_birth = Date::parse("2025-03-01").ok();
    let facts = authenticated_lines(&l, Some(&d));
    let bank =
        AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some("192503011237")).with_names("Åsa", "Öberg");
    let m = match_holder(&bank, &facts, now, &MatchPolicy::default());
    assert!(m.has(Reason::DobMismatch) && m.has(Reason::IdMismatch), "{:?}", m.reasons());
    assert_eq!(m.outcome(), Outcome::Mismatch);
    // The right century matches.
    let child =
        AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some("202503011237")).with_names("Åsa", "Öberg");
    assert_eq!(match_holder(&child, &facts, now, &MatchPolicy::default()).outcome(), Outcome::Match);
    // Without anything on the document giving the century, the ten digits agree and the
    // bank's century is taken (reference case T06): a match.
    let no_century = authenticated_lines(&l, None);
    assert_eq!(match_holder(&bank, &no_century, now, &MatchPolicy::default()).outcome(), Outcome::Match);
}

/// A bank number passchip cannot parse is present but unusable: a review, not "absent".
#[test]
fn an_unusable_bank_number_is_a_review() {
    let now = Date::parse("2025-01-01").unwrap();
    let facts = authenticated(CASES[0].mrz, None);
    let bank = AssertedIdentity::new(Scheme::BankIdSe, Some(IdCountry::Se), Some("PNOSE-12AB"))
        .with_names("Åsa", "Öberg")
        .with_birth_date(Date::parse("1985-04-12").unwrap());
    let m = match_holder(&bank, &facts, now, &MatchPolicy::default());
    assert!(m.has(Reason::BankIdUnusable), "{:?}", m.reasons());
    assert!(!m.has(Reason::NoIdFromBank));
    assert_eq!(m.outcome(), Outcome::Review);
}
