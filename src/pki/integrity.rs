//! Integrity of a read, with no trust anchor: every data group hashes to the value EF.SOD
//! gives it, EF.SOD covers every group read (and every one EF.COM lists), EF.SOD's
//! signature holds under the DSC it carries, and every group parses. It says the data is
//! what its signer signed, not who the signer is: that is passive authentication against
//! a trust store ([`super::PassiveAuthentication`]).

use std::collections::BTreeMap;

use super::pa::{CheckName, DataGroupCheck, PaOptions, PassiveAuthentication, Status};
use super::store::TrustStore;
use crate::lds::DgNumber;

/// Whether the data is intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum IntegrityStatus {
    /// Every check held.
    Intact,
    /// Something did not: see the problems.
    Broken,
}

/// The integrity of a document's files.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Integrity {
    /// Intact or broken.
    pub status: IntegrityStatus,
    /// What is wrong, each in words naming the file or group; empty when intact.
    pub problems: Vec<String>,
    /// Each data group read against EF.SOD.
    pub data_groups: Vec<DataGroupCheck>,
}

impl Integrity {
    /// Checks `sod` (EF.SOD as read), `com` (EF.COM) and the data groups.
    #[must_use]
    pub fn check(sod: Option<&[u8]>, com: Option<&[u8]>, dgs: &BTreeMap<DgNumber, Vec<u8>>) -> Self {
        let mut problems: Vec<String> = dgs
            .iter()
            .filter_map(|(n, b)| {
                crate::lds::check_data_group(*n, b).err().map(|e| format!("DG{} does not parse: {e}", n.get()))
            })
            .collect();
        let Some(sod) = sod else {
            problems.insert(0, "no EF.SOD: nothing vouches for the data groups".into());
            return Self { status: IntegrityStatus::Broken, problems, data_groups: Vec::new() };
        };
        let pa = PassiveAuthentication::verify_document(
            sod,
            com,
            dgs,
            &TrustStore::new(),
            &PaOptions::at(crate::date::Date::today()),
        );
        for name in [
            CheckName::SodParsed,
            CheckName::SodContentType,
            CheckName::SodSignedAttributes,
            CheckName::SodSignature,
            CheckName::DataGroupHashes,
        ] {
            if let Some(c) = pa.check(name).filter(|c| c.status() == Status::Failed) {
                let what = match name {
                    CheckName::SodParsed => "EF.SOD does not parse",
                    CheckName::SodContentType => "EF.SOD's content type",
                    CheckName::SodSignedAttributes => "EF.SOD's signed attributes",
                    CheckName::SodSignature => "EF.SOD's signature does not hold under its own DSC",
                    _ => "data groups against EF.SOD",
                };
                problems.push(format!("{what}: {}", c.reason().unwrap_or("")));
            }
        }
        if pa.check(CheckName::DataGroupHashes).is_some_and(|c| c.status() == Status::NotPerformed) && dgs.is_empty() {
            problems.push("no data group was read".into());
        }
        let status = if problems.is_empty() { IntegrityStatus::Intact } else { IntegrityStatus::Broken };
        Self { status, problems, data_groups: pa.data_groups().to_vec() }
    }

    /// Whether every check held.
    #[must_use]
    pub fn intact(&self) -> bool {
        self.status == IntegrityStatus::Intact
    }
}
