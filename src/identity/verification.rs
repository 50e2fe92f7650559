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
//!   "access": { "protocol": "BAC", "secure_messaging": "3DES" } | null,
//!   "passive_authentication": { …passchip.pa/1… } | null,
//!   "chip_authenticity": { "status": "proven" | "failed" | "not_proven", "proven_by": [ "CA", "AA", "PACE-CAM" ],
//!                          "reasons": [ "…" ], "protocols": { "pace_cam": {…}, "chip_authentication": {…},
//!                          "active_authentication": {…}, "active_authentication_evidence": {…} | null } },
//!   "holder_match": { "outcome": "match", "reasons": [ "ID_MATCH", … ] } }
//! ```

use super::asserted::AssertedIdentity;
use super::matching::{DocumentCheck, DocumentFacts, HolderMatch, MatchPolicy, Outcome, match_holder};
use crate::access::AccessProtocol;
use crate::date::Date;
use crate::lds::{Dg11, DgNumber, LdsFile};
use crate::mrz::Mrz;
use crate::pki::pa::DgStatus;
use crate::pki::{PaOptions, PassiveAuthentication, TrustStore, Verdict};
use crate::reader::{AntiCloningRead, DocumentRead};
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
}

/// What is known about the chip being the original (anti-cloning), derived from the
/// protocols run during the read and from passive authentication of the keys they used.
///
/// * `proven`: at least one protocol passed with a key the issuer signed (DG14 or DG15
///   covered by a valid SOD, or a valid EF.CardSecurity for PACE-CAM), and none failed.
/// * `failed`: the chip failed to prove a key (a cloned chip, or an attacker on the link).
/// * `not_proven`: nothing failed, but nothing was proven with a signed key either.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChipAuthenticity {
    status: &'static str,
    proven_by: Vec<&'static str>,
    reasons: Vec<String>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    protocols: Option<AntiCloningRead>,
}

/// Whether passive authentication vouches for data group `n`: a valid verdict and a
/// matching hash in the SOD.
fn dg_signed(pa: Option<&PassiveAuthentication>, n: u8) -> Result<(), String> {
    let Some(pa) = pa else { return Err("passive authentication was not performed".into()) };
    if pa.verdict() != Verdict::Valid {
        return Err("passive authentication is not valid".into());
    }
    match pa.data_groups().iter().find(|d| d.data_group() == n).map(|d| d.status()) {
        Some(DgStatus::Matched) => Ok(()),
        Some(DgStatus::NotInSod) => Err(format!("DG{n} is not covered by the SOD")),
        Some(_) => Err(format!("DG{n} does not match its hash in the SOD")),
        None => Err(format!("DG{n} was not checked by passive authentication")),
    }
}

/// Verifies a read: passive authentication of EF.SOD and the data groups against
/// `store`, of EF.CardSecurity when it was read, and the anti-cloning assessment those
/// two vouch for.
#[must_use]
pub fn verify_read(
    read: &DocumentRead,
    store: &TrustStore,
    options: &PaOptions,
) -> (PassiveAuthentication, ChipAuthenticity) {
    let dgs = Wiped(
        read.files
            .iter()
            .filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((*n, b.clone())) } else { None })
            .collect(),
    );
    let sod = read.files.get(&LdsFile::Sod).map_or(&[][..], Vec::as_slice);
    let pa = PassiveAuthentication::verify(sod, &dgs.0, store, options);
    let card_security =
        read.card_security.as_ref().map(|cs| PassiveAuthentication::verify_card_security(cs, store, options));
    let chip = ChipAuthenticity::assess(&read.anti_cloning, Some(&pa), card_security.as_ref());
    (pa, chip)
}

/// Copies of the data groups made for verification (personal data), wiped when dropped.
struct Wiped(std::collections::BTreeMap<DgNumber, Vec<u8>>);

impl Drop for Wiped {
    fn drop(&mut self) {
        for b in self.0.values_mut() {
            zeroize::Zeroize::zeroize(b);
        }
    }
}

impl ChipAuthenticity {
    /// Not checked, with the reason.
    #[must_use]
    pub fn not_checked(reason: &str) -> Self {
        Self { status: "not_proven", proven_by: Vec::new(), reasons: vec![reason.to_string()], protocols: None }
    }

    /// Assesses the anti-cloning protocols of a read. `pa` is passive authentication of
    /// EF.SOD (vouching for DG14 and DG15); `card_security` that of EF.CardSecurity
    /// (vouching for PACE-CAM's key).
    #[must_use]
    pub fn assess(
        read: &AntiCloningRead,
        pa: Option<&PassiveAuthentication>,
        card_security: Option<&PassiveAuthentication>,
    ) -> Self {
        let mut proven_by = Vec::new();
        let mut reasons = Vec::new();
        let mut failed = false;
        let cs_signed = match card_security.map(PassiveAuthentication::verdict) {
            Some(Verdict::Valid) => Ok(()),
            Some(_) => Err("EF.CardSecurity's signature or chain is not valid".to_string()),
            None => Err("EF.CardSecurity was not verified".to_string()),
        };
        let mut judge =
            |name: &'static str, passed: bool, why: Option<&str>, failed_now: bool, key: Result<(), String>| {
                if failed_now {
                    failed = true;
                    reasons.push(format!("{name} failed: {}", why.unwrap_or("")));
                } else if passed {
                    match key {
                        Ok(()) => proven_by.push(name),
                        Err(e) => reasons.push(format!("{name} passed, but its key is not authenticated: {e}")),
                    }
                } else if let Some(why) = why {
                    reasons.push(format!("{name}: {why}"));
                }
            };
        judge("PACE-CAM", read.pace_cam.passed(), read.pace_cam.reason(), read.pace_cam.failed(), cs_signed);
        let ca = &read.chip_authentication;
        judge("CA", ca.passed(), ca.reason(), ca.failed(), dg_signed(pa, 14));
        let aa = &read.active_authentication;
        judge("AA", aa.passed(), aa.reason(), aa.failed(), dg_signed(pa, 15));
        let status = if failed {
            "failed"
        } else if proven_by.is_empty() {
            "not_proven"
        } else {
            "proven"
        };
        Self { status, proven_by, reasons, protocols: Some(read.clone()) }
    }

    /// Whether the chip was proven original.
    #[must_use]
    pub fn proven(&self) -> bool {
        self.status == "proven"
    }

    /// Whether the chip failed to prove a key (a cloned chip).
    #[must_use]
    pub fn failed(&self) -> bool {
        self.status == "failed"
    }

    /// `"proven"`, `"failed"` or `"not_proven"`.
    #[must_use]
    pub fn status(&self) -> &'static str {
        self.status
    }

    /// The protocols that proved the chip with an authenticated key: `"PACE-CAM"`, `"CA"`, `"AA"`.
    #[must_use]
    pub fn proven_by(&self) -> &[&'static str] {
        &self.proven_by
    }

    /// Why it is not (fully) proven, one line per protocol.
    #[must_use]
    pub fn reasons(&self) -> &[String] {
        &self.reasons
    }

    /// The protocol results and Active Authentication evidence, when assessed from a read.
    #[must_use]
    pub fn protocols(&self) -> Option<&AntiCloningRead> {
        self.protocols.as_ref()
    }
}

/// How the chip was accessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AccessInfo {
    /// BAC or PACE.
    pub protocol: AccessProtocol,
    /// The secure-messaging cipher suite.
    pub secure_messaging: SuiteKind,
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
    holder_match: HolderMatch,
}

/// The document side of a verification.
#[derive(Debug, Clone, Copy)]
pub struct DocumentEvidence<'a> {
    /// How the chip was accessed (`None` for data read elsewhere).
    pub access: Option<AccessInfo>,
    /// Passive authentication, if performed.
    pub passive_authentication: Option<&'a PassiveAuthentication>,
    /// DG1's MRZ.
    pub mrz: &'a Mrz,
    /// DG11, if read.
    pub dg11: Option<&'a Dg11>,
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
        let holder =
            match_holder(identity, DocumentFacts { mrz: doc.mrz, dg11: doc.dg11, check }, today, &policy.matching);
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
            access: doc.access,
            passive_authentication: doc.passive_authentication.cloned(),
            chip_authenticity: chip,
            holder_match: holder,
        }
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

    /// The holder match inside.
    #[must_use]
    pub fn holder_match(&self) -> &HolderMatch {
        &self.holder_match
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
    pub fn access(&self) -> Option<AccessInfo> {
        self.access
    }
}
