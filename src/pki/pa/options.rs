//! How passive authentication is run ([`PaOptions`]): the evaluation date, revocation,
//! the issuing state expected.

use crate::date::Date;

/// What the verification is asked to do.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PaOptions {
    /// The date to evaluate validity at (default: today).
    pub at: Date,
    /// The document's issuing state as printed in the MRZ (`SWE`, `D<<`), for country
    /// pinning; taken from DG1 when absent and DG1 was read.
    pub issuing_state: Option<String>,
    /// Require a CRL of the CSCA (and the DSC not on it) for a valid verdict.
    pub require_crl: bool,
}

impl Default for PaOptions {
    fn default() -> Self {
        Self { at: Date::today(), issuing_state: None, require_crl: false }
    }
}

impl PaOptions {
    /// Options evaluating at `date` (audits: "was it valid then?").
    #[must_use]
    pub fn at(date: Date) -> Self {
        Self { at: date, ..Self::default() }
    }

    /// Sets the issuing state for country pinning (MRZ code, e.g. `SWE`).
    #[must_use]
    pub fn with_issuing_state(mut self, code: impl Into<String>) -> Self {
        self.issuing_state = Some(code.into());
        self
    }

    /// Requires a CRL check for a valid verdict.
    #[must_use]
    pub fn with_required_crl(mut self, yes: bool) -> Self {
        self.require_crl = yes;
        self
    }
}
