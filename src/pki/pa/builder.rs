//! Collecting a report's checks in report order; a check never run is recorded as not
//! performed, never as passed.

use std::collections::BTreeMap;

use super::report::{Check, CheckName, Status};

/// Collects checks; anything not explicitly run is recorded as not performed.
#[derive(Default)]
pub(super) struct Builder {
    checks: BTreeMap<usize, Check>,
}

const ORDER: [CheckName; 12] = [
    CheckName::SodParsed,
    CheckName::SodContentType,
    CheckName::SodSignedAttributes,
    CheckName::SodSignature,
    CheckName::DscTrusted,
    CheckName::DscValidity,
    CheckName::CscaValidity,
    CheckName::DscKeyUsage,
    CheckName::CscaConstraints,
    CheckName::CountryConsistency,
    CheckName::DscNotRevoked,
    CheckName::DataGroupHashes,
];

impl Builder {
    pub(super) fn set(&mut self, name: CheckName, status: Status, reason: impl Into<Option<String>>) {
        let i = ORDER.iter().position(|n| *n == name).unwrap_or(ORDER.len());
        self.checks.insert(i, Check::new(name, status, reason));
    }
    pub(super) fn pass(&mut self, name: CheckName) {
        self.set(name, Status::Passed, None);
    }
    pub(super) fn pass_note(&mut self, name: CheckName, note: String) {
        self.set(name, Status::Passed, Some(note));
    }
    pub(super) fn fail(&mut self, name: CheckName, reason: String) {
        self.set(name, Status::Failed, Some(reason));
    }
    pub(super) fn finish(mut self, skipped_because: &str) -> Vec<Check> {
        for (i, name) in ORDER.iter().enumerate() {
            self.checks
                .entry(i)
                .or_insert_with(|| Check::new(*name, Status::NotPerformed, Some(skipped_because.to_string())));
        }
        self.checks.into_values().collect()
    }
}
