//! One row of the audit trail: a decision and what it rested on, with the person and
//! the document only as keyed hashes.

/// One decision, as the audit trail keeps it (`passchip audit export` writes these as
/// JSON lines).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AuditRow {
    /// When (Unix seconds).
    pub time: u64,
    /// The kiosk or host that decided.
    pub host: String,
    /// The e-ID identity's keyed hash.
    pub identity: Option<String>,
    /// The document's keyed hash.
    pub document: Option<String>,
    /// `accept`, `review` or `reject` (a refusal by the attempt limits is `reject` with
    /// `ATTEMPTS_LOCKED` or `ATTEMPTS_BLOCKED`, and no access, document or chip fields).
    pub decision: String,
    /// Reason codes.
    pub reasons: Vec<String>,
    /// `BAC` or `PACE`.
    pub access: Option<String>,
    /// The passive-authentication verdict.
    pub passive_authentication: Option<String>,
    /// Chip authenticity.
    pub chip: Option<String>,
    /// Age of the trust store the verdict rested on, in days.
    pub trust_store_age_days: Option<u64>,
}

impl AuditRow {
    /// A row for `decision` at `time` from `host`.
    #[must_use]
    pub fn new(time: u64, host: &str, decision: &str) -> Self {
        Self { time, host: host.to_string(), decision: decision.to_string(), ..Self::default() }
    }
}
