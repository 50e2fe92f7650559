//! Holder matching (identity-matching reference §7): does the document's holder equal
//! the person the bank e-ID asserted?
//!
//! The national identity number is the primary key; date of birth and names corroborate
//! (names transliteration-aware, never fuzzy). Every decision carries reason codes, so a
//! bank can log, audit and tighten policy (for example treat `probable_match` as a fail).

use super::asserted::AssertedIdentity;
use super::names::{self, NameComparison};
use super::national_id::{self, IdCountry, IdKind, NationalId};
use crate::date::Date;
use crate::lds::{Dg11, LdsError};
use crate::mrz::{Mrz, MrzFormat};
use crate::pki::AuthenticatedDocument;

/// The outcome of a holder match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum Outcome {
    /// The same person (high confidence: the national identity numbers agree).
    Match,
    /// Probably the same person (no comparable number; date of birth and names agree).
    ProbableMatch,
    /// Not the same person.
    Mismatch,
    /// A person needs to look (numbers agree but names or date of birth conflict: a name
    /// change, a fictitious birth date).
    Review,
    /// Not enough data to decide.
    InsufficientData,
    /// The document itself is not acceptable (expired, check digits, failed authenticity).
    DocumentRejected,
}

/// Why: one code per fact the decision rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "SCREAMING_SNAKE_CASE"))]
#[non_exhaustive]
pub enum Reason {
    /// The document's authenticity was verified (passive authentication valid).
    DocumentAuthentic,
    /// Passive authentication failed.
    PassiveAuthFailed,
    /// Passive authentication was not performed (no data or no trust anchor).
    PassiveAuthNotPerformed,
    /// An MRZ check digit on the document is wrong.
    MrzCheckDigitFailed,
    /// The document has expired.
    DocumentExpired,
    /// The national identity numbers are equal.
    IdMatch,
    /// The document carries a valid number of the bank's country, and it differs.
    IdMismatch,
    /// The document (MRZ optional data, DG11) carries no number of the bank's country.
    NoIdOnDocument,
    /// The document is from another state than the bank's number, so numbers cannot be compared.
    IdSchemeNotOnDocument,
    /// The bank gave no national identity number.
    NoIdFromBank,
    /// The number on the document came from DG11.
    IdFromDg11,
    /// The bank's number does not pass its check digits (used as asserted anyway).
    BankIdChecksumUnusual,
    /// Dates of birth agree.
    DobMatch,
    /// Dates of birth differ.
    DobMismatch,
    /// The bank side has no date of birth.
    DobUnknown,
    /// The full date of birth from DG11 was used.
    DobFromDg11,
    /// Surnames are equal.
    SurnameEqual,
    /// Surnames are consistent (truncation, transliteration variant, dropped parts).
    SurnameCompatible,
    /// Surnames conflict.
    SurnameConflict,
    /// A surname is missing on one side.
    SurnameMissing,
    /// Given names are equal.
    GivenEqual,
    /// Given names are consistent (fewer names, initial, truncation).
    GivenCompatible,
    /// Given names conflict.
    GivenConflict,
    /// Given names are missing on one side.
    GivenMissing,
    /// The MRZ name field is full: the names may be truncated.
    MrzNamePossiblyTruncated,
    /// Names were compared with DG11's full name (national characters).
    NamesFromDg11,
    /// The document has a DG11 that no valid passive authentication vouches for: only
    /// DG1 was used.
    Dg11NotAuthenticated,
    /// DG11's date of birth or names contradict the MRZ's: DG11 was not used (it never
    /// overrides DG1), and a person must look.
    Dg11ConflictsWithMrz,
    /// DG11 is authenticated but does not parse: only DG1 was used.
    Dg11Unusable,
    /// The bank gave a national identity number passchip cannot parse (not even its
    /// shape): present but unusable, so a person must look.
    BankIdUnusable,
    /// The full date of birth (with its century) came from a number on the document.
    DobFromDocumentNumber,
    /// The bank's surname has a character no ICAO 9303-3 table maps: not comparable.
    SurnameUnmappable,
    /// The bank's given names have a character no ICAO 9303-3 table maps: not comparable.
    GivenUnmappable,
}

/// What is known about the document's authenticity when matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentCheck {
    /// Passive authentication passed.
    Authentic,
    /// Passive authentication failed.
    Failed,
    /// Not checked (MRZ typed in, no trust store…).
    NotChecked,
}

/// Matching policy.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct MatchPolicy {
    /// Reject documents whose authenticity was not verified (default: true).
    pub require_authentic_document: bool,
    /// Accept expired documents (default: false).
    pub accept_expired: bool,
}

impl Default for MatchPolicy {
    fn default() -> Self {
        Self { require_authentic_document: true, accept_expired: false }
    }
}

impl MatchPolicy {
    /// A policy that judges the person only: authenticity is someone else's check
    /// (`passchip match` on a typed MRZ); it is still reported.
    #[must_use]
    pub fn person_only() -> Self {
        Self { require_authentic_document: false, ..Self::default() }
    }

    /// Whether expired documents are accepted.
    #[must_use]
    pub fn with_accept_expired(mut self, yes: bool) -> Self {
        self.accept_expired = yes;
        self
    }
}

/// The result of matching: an outcome and every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HolderMatch {
    outcome: Outcome,
    reasons: Vec<Reason>,
}

impl HolderMatch {
    /// The outcome.
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// Every reason, in the order established.
    #[must_use]
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    /// Whether `r` is among the reasons.
    #[must_use]
    pub fn has(&self, r: Reason) -> bool {
        self.reasons.contains(&r)
    }
}

/// The document side of a match: DG1 and DG11 as passive authentication vouches for them
/// ([`DocumentFacts::authenticated`]), or an MRZ alone ([`DocumentFacts::mrz_only`]). A
/// DG11 reaches the match only through an [`AuthenticatedDocument`]: a group nobody
/// vouches for cannot make another person a match.
#[derive(Debug, Clone)]
pub struct DocumentFacts {
    mrz: Mrz,
    dg11: Option<Dg11>,
    check: DocumentCheck,
    /// Notes on DG11 (not authenticated, unusable).
    notes: Vec<Reason>,
}

impl DocumentFacts {
    /// DG1 and DG11 of a document passive authentication vouched for (its data groups whose
    /// hashes matched under a valid SOD).
    ///
    /// # Errors
    /// [`LdsError`] when DG1 is not among them or does not parse.
    pub fn authenticated(doc: &AuthenticatedDocument) -> Result<Self, LdsError> {
        let mrz = doc.dg1()?.mrz.clone();
        let (dg11, notes) = match doc.dg11() {
            Some(Ok(d)) => (Some(d), Vec::new()),
            Some(Err(_)) => (None, vec![Reason::Dg11Unusable]),
            None => (None, Vec::new()),
        };
        Ok(Self { mrz, dg11, check: DocumentCheck::Authentic, notes })
    }

    /// An MRZ alone whose authenticity was not checked: typed in, or a DG1 without a
    /// trust store. Only [`DocumentFacts::authenticated`] makes facts that are authentic.
    #[must_use]
    pub fn mrz_only(mrz: &Mrz) -> Self {
        Self { mrz: mrz.clone(), dg11: None, check: DocumentCheck::NotChecked, notes: Vec::new() }
    }

    /// DG1's MRZ of a document whose passive authentication failed (the match rejects it).
    #[must_use]
    pub fn not_authentic(mrz: &Mrz) -> Self {
        Self { check: DocumentCheck::Failed, ..Self::mrz_only(mrz) }
    }

    /// Notes that the document has a DG11 nobody vouches for: it is not used, and the match
    /// says so ([`Reason::Dg11NotAuthenticated`]).
    #[must_use]
    pub fn with_unauthenticated_dg11(mut self) -> Self {
        self.notes.push(Reason::Dg11NotAuthenticated);
        self
    }

    /// The MRZ the match uses.
    #[must_use]
    pub fn mrz(&self) -> &Mrz {
        &self.mrz
    }

    /// What is known about the document's authenticity.
    #[must_use]
    pub fn check(&self) -> DocumentCheck {
        self.check
    }
}

/// Whether DG11 agrees with DG1: its full date of birth with the MRZ's YYMMDD, its full name
/// with the MRZ's names (which may be truncated and are transliterated).
fn dg11_agrees(mrz: &Mrz, dg11: &Dg11) -> bool {
    if let Some(d) = dg11.full_date_of_birth {
        let yymmdd = (u8::try_from(d.year.rem_euclid(100)).unwrap_or(0), d.month, d.day);
        if !mrz_dob_agrees(mrz, yymmdd) {
            return false;
        }
    }
    let truncated = name_field_full(mrz);
    let ok = |n| matches!(n, NameComparison::Equal | NameComparison::Compatible | NameComparison::Missing);
    if let Some(primary) = &dg11.full_name_primary {
        let full = names::bank_tokens(primary);
        let mrz_tokens = names::mrz_tokens(&mrz.primary_identifier);
        if !ok(names::compare_with_mrz(&full, &mrz_tokens, truncated, false)) {
            return false;
        }
    }
    if let Some(secondary) = &dg11.full_name_secondary {
        let full = names::bank_tokens(secondary);
        let mrz_tokens = names::mrz_tokens(&mrz.secondary_identifier);
        if !ok(names::compare_with_mrz(&full, &mrz_tokens, truncated, true)) {
            return false;
        }
    }
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    Match,
    Mismatch,
    Unknown,
}

/// The MRZ name field is full (last position not `<`): names may be truncated.
fn name_field_full(mrz: &Mrz) -> bool {
    let lines = mrz.lines();
    let field = match mrz.format {
        MrzFormat::Td1 => lines.get(2),
        _ => lines.first(),
    };
    field.and_then(|l| l.chars().last()).is_some_and(|c| c != '<')
}

/// Personal-number candidates on the document: DG11 5F10 first, then the MRZ optional
/// data split on `<<`, with `<`, `-` and spaces removed inside a segment.
fn candidates(mrz: &Mrz, dg11: Option<&Dg11>) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    if let Some(p) = dg11.and_then(|d| d.personal_number.as_ref()) {
        out.push((p.clone(), true));
    }
    for field in [&mrz.optional_data, &mrz.optional_data_2] {
        for seg in field.split("<<") {
            let c: String = seg.chars().filter(|c| !matches!(c, '<' | '-' | ' ')).collect();
            if !c.is_empty() {
                out.push((c, false));
            }
        }
    }
    out
}

fn mrz_dob_agrees(mrz: &Mrz, yymmdd: (u8, u8, u8)) -> bool {
    let d = &mrz.date_of_birth;
    d.yy() == yymmdd.0 && d.month().is_none_or(|m| m == yymmdd.1) && d.day().is_none_or(|x| x == yymmdd.2)
}

/// Matches the asserted identity against the document.
#[must_use]
pub fn match_holder(bank: &AssertedIdentity, doc: &DocumentFacts, today: Date, policy: &MatchPolicy) -> HolderMatch {
    let mut reasons = Vec::new();
    let reject = |mut reasons: Vec<Reason>, r: Reason| {
        reasons.push(r);
        HolderMatch { outcome: Outcome::DocumentRejected, reasons }
    };
    // 1. The document, independent of the person.
    match doc.check {
        DocumentCheck::Authentic => reasons.push(Reason::DocumentAuthentic),
        DocumentCheck::Failed => return reject(reasons, Reason::PassiveAuthFailed),
        DocumentCheck::NotChecked if policy.require_authentic_document => {
            return reject(reasons, Reason::PassiveAuthNotPerformed);
        }
        DocumentCheck::NotChecked => reasons.push(Reason::PassiveAuthNotPerformed),
    }
    let mrz = &doc.mrz;
    reasons.extend(doc.notes.iter().copied());
    // DG11 never overrides DG1: one that contradicts it is not used, and a person looks.
    let dg11_conflicts = doc.dg11.as_ref().is_some_and(|d| !dg11_agrees(mrz, d));
    if dg11_conflicts {
        reasons.push(Reason::Dg11ConflictsWithMrz);
    }
    let dg11 = doc.dg11.as_ref().filter(|_| !dg11_conflicts);
    if !mrz.check_digit_failures.is_empty() {
        return reject(reasons, Reason::MrzCheckDigitFailed);
    }
    let e = &mrz.date_of_expiry;
    let expiry = Date { year: 2000 + i32::from(e.yy()), month: e.month().unwrap_or(12), day: e.day().unwrap_or(28) };
    if expiry < today && !policy.accept_expired {
        return reject(reasons, Reason::DocumentExpired);
    }

    // 2. The bank's facts. A bank-asserted number is never rejected on checksum grounds;
    // one that is not even of the right shape is present but unusable.
    let mut bank_id_unusable = false;
    let bank_id: Option<NationalId> = match (bank.country, bank.national_id.as_deref()) {
        (Some(c), Some(n)) => match national_id::parse(c, n, today) {
            Some(id) => Some(id),
            None if national_id::well_formed(c, n) => {
                reasons.push(Reason::BankIdChecksumUnusual);
                Some(NationalId {
                    country: c,
                    kind: IdKind::Personal,
                    canonical: n.chars().filter(char::is_ascii_alphanumeric).collect(),
                    birth_date: None,
                    birth_yymmdd: None,
                })
            }
            None => {
                bank_id_unusable = true;
                None
            }
        },
        _ => None,
    };
    let bank_dob = bank.date_of_birth.or_else(|| bank_id.as_ref().and_then(|i| i.birth_date));
    // The document's full date of birth, when something on it gives the century: DG11, or
    // a number of the issuing state that encodes the date (and agrees with the MRZ).
    let doc_country = id_country_of_document(mrz);
    let doc_numbers: Vec<(NationalId, bool)> = match doc_country {
        Some(country) => candidates(mrz, dg11)
            .into_iter()
            .filter_map(|(c, from_dg11)| national_id::parse(country, &c, today).map(|n| (n, from_dg11)))
            .filter(|(n, _)| n.birth_yymmdd.is_none_or(|ymd| mrz_dob_agrees(mrz, ymd)))
            .collect(),
        None => Vec::new(),
    };
    let doc_full_dob = match dg11.and_then(|d| d.full_date_of_birth) {
        Some(d) => Some((d, Reason::DobFromDg11)),
        None => doc_numbers.iter().find_map(|(n, _)| n.birth_date).map(|d| (d, Reason::DobFromDocumentNumber)),
    };

    // 3. National identity number.
    let mut id = Tri::Unknown;
    match &bank_id {
        None if bank_id_unusable => reasons.push(Reason::BankIdUnusable),
        None => reasons.push(Reason::NoIdFromBank),
        Some(info) if mrz.issuing_state == info.country.icao() => {
            // Swedish ten-digit numbers take the document's century when it knows it, so
            // that a number a hundred years off is not the same number.
            let valid: Vec<(NationalId, bool)> =
                doc_numbers.iter().map(|(n, d)| (with_century(n, doc_full_dob.map(|(f, _)| f)), *d)).collect();
            if let Some((_, from_dg11)) = valid.iter().find(|(n, _)| national_id::same_number(info, n)) {
                id = Tri::Match;
                reasons.push(Reason::IdMatch);
                if *from_dg11 {
                    reasons.push(Reason::IdFromDg11);
                }
            } else if !valid.is_empty() {
                id = Tri::Mismatch;
                reasons.push(Reason::IdMismatch);
            } else {
                reasons.push(Reason::NoIdOnDocument);
            }
        }
        Some(_) => reasons.push(Reason::IdSchemeNotOnDocument),
    }

    // 4. Date of birth: the full date when the document knows the century (DG11, or a
    // number that encodes it: a hundred years apart is not a match); else YYMMDD, with the
    // century from the bank.
    let dob = match (bank_dob, doc_full_dob) {
        (None, _) => {
            reasons.push(Reason::DobUnknown);
            Tri::Unknown
        }
        (Some(b), Some((full, source))) => {
            reasons.push(source);
            if b == full { Tri::Match } else { Tri::Mismatch }
        }
        (Some(b), None) => {
            let yymmdd = (u8::try_from(b.year.rem_euclid(100)).unwrap_or(0), b.month, b.day);
            if mrz_dob_agrees(mrz, yymmdd) { Tri::Match } else { Tri::Mismatch }
        }
    };
    match dob {
        Tri::Match => reasons.push(Reason::DobMatch),
        Tri::Mismatch => reasons.push(Reason::DobMismatch),
        Tri::Unknown => {}
    }

    // 5. Names: DG11's full name (national characters) when present, else the MRZ.
    let truncated = name_field_full(mrz);
    if truncated {
        reasons.push(Reason::MrzNamePossiblyTruncated);
    }
    let bank_sur = names::bank_tokens(bank.surname.as_deref().unwrap_or(""));
    let bank_giv = names::bank_tokens(bank.given_name.as_deref().unwrap_or(""));
    let (sur, giv) = match dg11.and_then(|d| d.full_name_primary.as_ref().map(|p| (p, d.full_name_secondary.as_ref())))
    {
        Some((p, s)) => {
            reasons.push(Reason::NamesFromDg11);
            let full_s = names::bank_tokens(p);
            let full_g = names::bank_tokens(s.map_or("", String::as_str));
            (
                names::compare_with_full_name(&bank_sur, &full_s, false),
                names::compare_with_full_name(&bank_giv, &full_g, true),
            )
        }
        None => (
            names::compare_with_mrz(&bank_sur, &names::mrz_tokens(&mrz.primary_identifier), truncated, false),
            names::compare_with_mrz(&bank_giv, &names::mrz_tokens(&mrz.secondary_identifier), truncated, true),
        ),
    };
    reasons.push(match sur {
        NameComparison::Equal => Reason::SurnameEqual,
        NameComparison::Compatible => Reason::SurnameCompatible,
        NameComparison::Conflict => Reason::SurnameConflict,
        NameComparison::Missing => Reason::SurnameMissing,
        NameComparison::Unmappable => Reason::SurnameUnmappable,
    });
    reasons.push(match giv {
        NameComparison::Equal => Reason::GivenEqual,
        NameComparison::Compatible => Reason::GivenCompatible,
        NameComparison::Conflict => Reason::GivenConflict,
        NameComparison::Missing => Reason::GivenMissing,
        NameComparison::Unmappable => Reason::GivenUnmappable,
    });
    let unmappable = sur == NameComparison::Unmappable || giv == NameComparison::Unmappable;
    let ok = |n| matches!(n, NameComparison::Equal | NameComparison::Compatible);
    let names_ok = ok(sur) && ok(giv);
    let names_conflict = sur == NameComparison::Conflict || giv == NameComparison::Conflict;

    // 6. Decision. A DG11 that contradicts DG1 makes anything better than review a review.
    let outcome = if id == Tri::Mismatch || (dob == Tri::Mismatch && id != Tri::Match) {
        Outcome::Mismatch
    } else if id == Tri::Match {
        if names_conflict || dob == Tri::Mismatch { Outcome::Review } else { Outcome::Match }
    } else if dob == Tri::Match && names_ok {
        Outcome::ProbableMatch
    } else if names_conflict {
        Outcome::Mismatch
    } else {
        Outcome::InsufficientData
    };
    // What could not be used (a contradicting DG11, an unusable bank number, a name no
    // table maps) makes anything short of a mismatch a review.
    let outcome = match outcome {
        Outcome::Match | Outcome::ProbableMatch if dg11_conflicts => Outcome::Review,
        Outcome::Match | Outcome::ProbableMatch | Outcome::InsufficientData if bank_id_unusable || unmappable => {
            Outcome::Review
        }
        other => other,
    };
    HolderMatch { outcome, reasons }
}

/// A Swedish number without its century, given the century of the document's full date
/// of birth (when the dates agree); any other number as it is.
fn with_century(n: &NationalId, full_dob: Option<Date>) -> NationalId {
    let mut out = n.clone();
    if n.country == IdCountry::Se
        && n.canonical.len() == 10
        && let (Some(d), Some((yy, mm, dd))) = (full_dob, n.birth_yymmdd)
        && i32::from(yy) == d.year.rem_euclid(100)
        && (mm, dd) == (d.month, d.day)
    {
        out.canonical = format!("{:02}{}", d.year.div_euclid(100), n.canonical);
        out.birth_date = Some(d);
    }
    out
}

/// The alpha-2 country of an MRZ issuing state, for the bank-country comparison.
#[must_use]
pub fn id_country_of_document(mrz: &Mrz) -> Option<IdCountry> {
    crate::pki::country::alpha2(&mrz.issuing_state).and_then(IdCountry::from_alpha2)
}
