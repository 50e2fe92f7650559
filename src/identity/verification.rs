//! One verdict for the bank: is this a genuine document, is it the original chip, and
//! does it belong to the person who logged in?
//!
//! [`Verification`] combines the access protocol, passive authentication, chip
//! authenticity (anti-cloning) and the holder match into `accept`, `review` or `reject`,
//! with every reason. It is built once and is immutable; the decision is derived.
//!
//! # JSON (schema `passchip.verification/1`)
//! ```text
//! { "schema": "passchip.verification/1", "decision": "accept" | "review" | "reject",
//!   "reasons": [ "DOCUMENT_AUTHENTIC", "HOLDER_MATCH", "CLONING_NOT_EXCLUDED", … ],
//!   "evaluated_at": "YYYY-MM-DD",
//!   "access": { "protocol": "BAC", "secure_messaging": "3DES",
//!               "downgrade": { "expected": "PACE", "used": "BAC", "reason": "…" } | null,
//!               "bac_fallback": "…" | null, "dg1_differs_from_access_mrz": false } | null,
//!   "passive_authentication": { …passchip.pa/1… } | null,
//!   "chip_authenticity": { "status": "proven" | "failed" | "not_proven", "proven_by": [ "CA", "AA", "PACE-CAM" ],
//!                          "reasons": [ "…" ], "protocols": { "pace_cam": {…}, "chip_authentication": {…},
//!                          "active_authentication": {…}, "active_authentication_evidence": {…} | null } },
//!   "holder_match": { "outcome": "match", "reasons": [ "ID_MATCH", … ] } | null,
//!   "attempts": { "state": "open" | "locked" | "blocked", "until": 1765046820 } | null }
//! ```
//!
//! `attempts` is where the attempt ledger stands after this decision was counted (`null`
//! without a ledger). A person or document the ledger has locked is refused before any
//! card is read ([`Verification::refused`]): `reject` with `ATTEMPTS_LOCKED` or
//! `ATTEMPTS_BLOCKED`, no access, no passive authentication, `holder_match` `null`.

use super::asserted::AssertedIdentity;
use super::attempts::Gate;
pub use super::authenticity::{ChipAuthenticity, ChipStatus, verify_read};
use super::matching::{DocumentCheck, DocumentFacts, HolderMatch, MatchPolicy, Outcome, match_holder};
use crate::access::AccessProtocol;
use crate::date::Date;
use crate::mrz::Mrz;
use crate::pki::{PassiveAuthentication, Verdict};
use crate::reader::{DocumentRead, Downgrade};
use crate::sm::SuiteKind;

/// The bank's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum Decision {
    /// Genuine document, original chip (or not required), same person.
    Accept,
    /// Nothing is wrong, but something could not be established: a person decides.
    Review,
    /// Something is wrong: the document, the chip or the person.
    Reject,
}

impl Decision {
    /// `"accept"`, `"review"` or `"reject"`, as in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Review => "review",
            Self::Reject => "reject",
        }
    }
}

/// Why the decision is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "SCREAMING_SNAKE_CASE"))]
#[non_exhaustive]
pub enum DecisionReason {
    /// Passive authentication is valid.
    DocumentAuthentic,
    /// Passive authentication is invalid.
    DocumentNotAuthentic,
    /// Passive authentication was not performed.
    DocumentNotVerified,
    /// The chip proved it is the original (chip or active authentication).
    ChipAuthentic,
    /// Neither chip nor active authentication was performed: a clone is not excluded.
    CloningNotExcluded,
    /// The chip failed to prove its key: a cloned chip (or an attacker on the link).
    ChipNotAuthentic,
    /// The holder matches.
    HolderMatch,
    /// The holder probably matches (no comparable number).
    HolderProbableMatch,
    /// The holder does not match.
    HolderMismatch,
    /// Numbers agree but names or birth dates conflict.
    HolderReview,
    /// Not enough data to match the holder.
    HolderInsufficientData,
    /// The document was rejected by the holder match (expired, check digits…).
    DocumentRejected,
    /// The document supports PACE but the chip was opened with BAC.
    AccessDowngraded,
    /// PACE failed and the caller let the read fall back to BAC.
    AccessBacFallback,
    /// DG1 names another document than the MRZ that opened the chip (a substitution).
    Dg1DiffersFromAccessMrz,
    /// The person or the document failed too often and is locked for a while.
    AttemptsLocked,
    /// The person or the document failed too often and is blocked until an operator
    /// unblocks it.
    AttemptsBlocked,
}

impl DecisionReason {
    /// The code, as in JSON (`"DOCUMENT_AUTHENTIC"`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::DocumentAuthentic => "DOCUMENT_AUTHENTIC",
            Self::DocumentNotAuthentic => "DOCUMENT_NOT_AUTHENTIC",
            Self::DocumentNotVerified => "DOCUMENT_NOT_VERIFIED",
            Self::ChipAuthentic => "CHIP_AUTHENTIC",
            Self::CloningNotExcluded => "CLONING_NOT_EXCLUDED",
            Self::ChipNotAuthentic => "CHIP_NOT_AUTHENTIC",
            Self::HolderMatch => "HOLDER_MATCH",
            Self::HolderProbableMatch => "HOLDER_PROBABLE_MATCH",
            Self::HolderMismatch => "HOLDER_MISMATCH",
            Self::HolderReview => "HOLDER_REVIEW",
            Self::HolderInsufficientData => "HOLDER_INSUFFICIENT_DATA",
            Self::DocumentRejected => "DOCUMENT_REJECTED",
            Self::AccessDowngraded => "ACCESS_DOWNGRADED",
            Self::AccessBacFallback => "ACCESS_BAC_FALLBACK",
            Self::Dg1DiffersFromAccessMrz => "DG1_DIFFERS_FROM_ACCESS_MRZ",
            Self::AttemptsLocked => "ATTEMPTS_LOCKED",
            Self::AttemptsBlocked => "ATTEMPTS_BLOCKED",
        }
    }
}

/// How the chip was accessed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct AccessInfo {
    /// BAC or PACE.
    pub protocol: AccessProtocol,
    /// The secure-messaging cipher suite.
    pub secure_messaging: SuiteKind,
    /// The document supports PACE but BAC was used (`null` when there was no downgrade).
    pub downgrade: Option<Downgrade>,
    /// Why PACE was abandoned for BAC, when the caller allowed a fallback and it happened.
    pub bac_fallback: Option<String>,
    /// DG1 names another document than the MRZ that opened the chip.
    pub dg1_differs_from_access_mrz: bool,
}

impl AccessInfo {
    /// How `read`'s chip was opened, with what the read saw of downgrades and substitutions.
    #[must_use]
    pub fn of(read: &DocumentRead) -> Self {
        Self {
            protocol: read.access,
            secure_messaging: read.suite,
            downgrade: read.downgrade.clone(),
            bac_fallback: read.bac_fallback.clone(),
            dg1_differs_from_access_mrz: read.dg1_differs_from_access_mrz,
        }
    }
}

/// Verification policy.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct VerificationPolicy {
    /// Require proof that the chip is the original for `accept` (default: true).
    pub require_chip_authenticity: bool,
    /// The holder-match policy.
    pub matching: MatchPolicy,
}

impl Default for VerificationPolicy {
    fn default() -> Self {
        Self { require_chip_authenticity: true, matching: MatchPolicy::default() }
    }
}

impl VerificationPolicy {
    /// Whether `accept` needs chip or active authentication.
    #[must_use]
    pub fn with_chip_authenticity_required(mut self, yes: bool) -> Self {
        self.require_chip_authenticity = yes;
        self
    }
}

/// The combined verdict.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Verification {
    schema: &'static str,
    decision: Decision,
    reasons: Vec<DecisionReason>,
    evaluated_at: String,
    access: Option<AccessInfo>,
    passive_authentication: Option<PassiveAuthentication>,
    chip_authenticity: ChipAuthenticity,
    holder_match: Option<HolderMatch>,
    attempts: Option<Gate>,
}

/// The document side of a verification.
#[derive(Debug, Clone, Copy)]
pub struct DocumentEvidence<'a> {
    /// How the chip was accessed (`None` for data read elsewhere).
    pub access: Option<&'a AccessInfo>,
    /// Passive authentication, if performed.
    pub passive_authentication: Option<&'a PassiveAuthentication>,
    /// DG1's MRZ as read. Used only when passive authentication is not valid (the
    /// decision is then `reject` anyway): with a valid one, the holder is matched against
    /// the DG1 and DG11 it vouches for, whatever is passed here.
    pub mrz: &'a Mrz,
    /// Whether the document has a DG11 (read, or in the dump). Nothing from it is used
    /// unless passive authentication vouches for it; when it does not, the match says so.
    pub has_dg11: bool,
    /// The anti-cloning assessment ([`ChipAuthenticity::assess`]); `None`: not checked.
    pub chip: Option<&'a ChipAuthenticity>,
}

impl Verification {
    /// Decides.
    #[must_use]
    pub fn decide(
        identity: &AssertedIdentity,
        doc: DocumentEvidence<'_>,
        today: Date,
        policy: &VerificationPolicy,
    ) -> Self {
        let mut reasons = Vec::new();
        let mut decision = Decision::Accept;
        let mut lower = |d: Decision| {
            decision = match (decision, d) {
                (Decision::Reject, _) | (_, Decision::Reject) => Decision::Reject,
                (Decision::Review, _) | (_, Decision::Review) => Decision::Review,
                _ => Decision::Accept,
            }
        };
        if let Some(a) = doc.access {
            if a.downgrade.is_some() {
                reasons.push(DecisionReason::AccessDowngraded);
                lower(Decision::Review);
            }
            if a.bac_fallback.is_some() {
                reasons.push(DecisionReason::AccessBacFallback);
                lower(Decision::Review);
            }
            if a.dg1_differs_from_access_mrz {
                reasons.push(DecisionReason::Dg1DiffersFromAccessMrz);
                lower(Decision::Reject);
            }
        }
        let check = match doc.passive_authentication.map(PassiveAuthentication::verdict) {
            Some(Verdict::Valid) => {
                reasons.push(DecisionReason::DocumentAuthentic);
                DocumentCheck::Authentic
            }
            Some(Verdict::Invalid) => {
                reasons.push(DecisionReason::DocumentNotAuthentic);
                lower(Decision::Reject);
                DocumentCheck::Failed
            }
            None => {
                reasons.push(DecisionReason::DocumentNotVerified);
                lower(Decision::Reject);
                DocumentCheck::NotChecked
            }
        };
        let chip =
            doc.chip.cloned().unwrap_or_else(|| ChipAuthenticity::not_checked("no anti-cloning result was given"));
        if chip.proven() {
            reasons.push(DecisionReason::ChipAuthentic);
        } else if chip.failed() {
            reasons.push(DecisionReason::ChipNotAuthentic);
            lower(Decision::Reject);
        } else {
            reasons.push(DecisionReason::CloningNotExcluded);
            if policy.require_chip_authenticity {
                lower(Decision::Review);
            }
        }
        // The holder is matched only against what passive authentication vouches for.
        let authenticated = doc.passive_authentication.and_then(PassiveAuthentication::authenticated_document);
        let facts = match authenticated.map(DocumentFacts::authenticated) {
            Some(Ok(facts)) => facts,
            // A valid report without a parsable DG1: nothing of the holder is authenticated.
            Some(Err(_)) => DocumentFacts::not_authentic(doc.mrz),
            None => {
                let facts = match check {
                    DocumentCheck::Failed => DocumentFacts::not_authentic(doc.mrz),
                    _ => DocumentFacts::mrz_only(doc.mrz),
                };
                if doc.has_dg11 { facts.with_unauthenticated_dg11() } else { facts }
            }
        };
        let holder = match_holder(identity, &facts, today, &policy.matching);
        let (r, d) = match holder.outcome() {
            Outcome::Match => (DecisionReason::HolderMatch, Decision::Accept),
            Outcome::ProbableMatch => (DecisionReason::HolderProbableMatch, Decision::Review),
            Outcome::Review => (DecisionReason::HolderReview, Decision::Review),
            Outcome::InsufficientData => (DecisionReason::HolderInsufficientData, Decision::Review),
            Outcome::Mismatch => (DecisionReason::HolderMismatch, Decision::Reject),
            Outcome::DocumentRejected => (DecisionReason::DocumentRejected, Decision::Reject),
        };
        reasons.push(r);
        lower(d);
        Self {
            schema: "passchip.verification/1",
            decision,
            reasons,
            evaluated_at: today.to_string(),
            access: doc.access.cloned(),
            passive_authentication: doc.passive_authentication.cloned(),
            chip_authenticity: chip,
            holder_match: Some(holder),
            attempts: None,
        }
    }

    /// The verdict for a person or document the attempt ledger has locked or blocked
    /// (`gate`), before any card was read: `reject` with `ATTEMPTS_LOCKED` or
    /// `ATTEMPTS_BLOCKED`. `None` for an open gate: nothing to refuse.
    #[must_use]
    pub fn refused(gate: Gate, today: Date) -> Option<Self> {
        let reason = match gate {
            Gate::Open => return None,
            Gate::Locked { .. } => DecisionReason::AttemptsLocked,
            Gate::Blocked => DecisionReason::AttemptsBlocked,
        };
        Some(Self {
            schema: "passchip.verification/1",
            decision: Decision::Reject,
            reasons: vec![reason],
            evaluated_at: today.to_string(),
            access: None,
            passive_authentication: None,
            chip_authenticity: ChipAuthenticity::not_checked(
                "not checked: refused by the attempt limits before any card was read",
            ),
            holder_match: None,
            attempts: Some(gate),
        })
    }

    /// The same verdict with where the attempt ledger stands after counting it.
    #[must_use]
    pub fn with_attempts(mut self, gate: Gate) -> Self {
        self.attempts = Some(gate);
        self
    }

    /// Where the attempt ledger stands, when one counted this verdict.
    #[must_use]
    pub fn attempts(&self) -> Option<Gate> {
        self.attempts
    }

    /// Whether the attempt ledger refused this attempt before any card was read.
    #[must_use]
    pub fn was_refused(&self) -> bool {
        self.reasons.iter().any(|r| matches!(r, DecisionReason::AttemptsLocked | DecisionReason::AttemptsBlocked))
    }

    /// The decision.
    #[must_use]
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Every reason for it.
    #[must_use]
    pub fn reasons(&self) -> &[DecisionReason] {
        &self.reasons
    }

    /// The holder match inside (`None` when the attempt ledger refused the attempt
    /// before any card was read).
    #[must_use]
    pub fn holder_match(&self) -> Option<&HolderMatch> {
        self.holder_match.as_ref()
    }

    /// The passive-authentication report inside, if performed.
    #[must_use]
    pub fn passive_authentication(&self) -> Option<&PassiveAuthentication> {
        self.passive_authentication.as_ref()
    }

    /// The chip-authenticity status.
    #[must_use]
    pub fn chip_authenticity(&self) -> &ChipAuthenticity {
        &self.chip_authenticity
    }

    /// The schema name.
    #[must_use]
    pub fn schema(&self) -> &'static str {
        self.schema
    }

    /// The evaluation date.
    #[must_use]
    pub fn evaluated_at(&self) -> &str {
        &self.evaluated_at
    }

    /// How the chip was accessed, if it was read in this session.
    #[must_use]
    pub fn access(&self) -> Option<&AccessInfo> {
        self.access.as_ref()
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    /// The codes the audit trail stores are the ones the JSON carries.
    #[test]
    fn reason_codes_are_the_json_codes() {
        use DecisionReason as R;
        let all = [
            R::DocumentAuthentic,
            R::DocumentNotAuthentic,
            R::DocumentNotVerified,
            R::ChipAuthentic,
            R::CloningNotExcluded,
            R::ChipNotAuthentic,
            R::HolderMatch,
            R::HolderProbableMatch,
            R::HolderMismatch,
            R::HolderReview,
            R::HolderInsufficientData,
            R::DocumentRejected,
            R::AccessDowngraded,
            R::AccessBacFallback,
            R::Dg1DiffersFromAccessMrz,
            R::AttemptsLocked,
            R::AttemptsBlocked,
        ];
        for r in all {
            assert_eq!(serde_json::to_value(r).ok(), Some(serde_json::Value::from(r.code())), "{r:?}");
        }
        for d in [Decision::Accept, Decision::Review, Decision::Reject] {
            assert_eq!(serde_json::to_value(d).ok(), Some(serde_json::Value::from(d.as_str())));
        }
    }

    #[test]
    fn a_refusal_names_the_gate_and_reads_nothing() {
        let today = Date::from_unix(1_800_000_000);
        assert!(Verification::refused(Gate::Open, today).is_none(), "an open gate refuses nothing");
        let v = Verification::refused(Gate::Locked { until: 1_800_010_800 }, today).expect("locked");
        assert_eq!((v.decision(), v.reasons()), (Decision::Reject, &[DecisionReason::AttemptsLocked][..]));
        assert!(v.was_refused() && v.holder_match().is_none() && v.access().is_none());
        assert_eq!(v.attempts(), Some(Gate::Locked { until: 1_800_010_800 }));
        let v = Verification::refused(Gate::Blocked, today).expect("blocked");
        assert_eq!(v.reasons(), [DecisionReason::AttemptsBlocked]);
    }
}
