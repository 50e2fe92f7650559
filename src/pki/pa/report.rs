//! The parts of a passive-authentication report (`passchip.pa/1`): each check with its
//! status and reason, each data group's hash, the signer and the anchor, the verdict.

use crate::date::Date;
use crate::pki::cert::Cert;
use crate::pki::store::TrustSource;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum Status {
    /// The property holds.
    Passed,
    /// The property does not hold.
    Failed,
    /// The check could not be made (the reason says why). Never counts as passed.
    NotPerformed,
}

/// The checks of passive authentication, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum CheckName {
    /// EF.SOD parses (CMS SignedData, LDSSecurityObject).
    SodParsed,
    /// eContentType is id-icao-mrtd-security-ldsSecurityObject (id-data is tolerated, noted).
    SodContentType,
    /// The messageDigest and contentType signed attributes match the content.
    SodSignedAttributes,
    /// The SOD signature verifies with the DSC.
    SodSignature,
    /// The DSC was issued by a CSCA (or link certificate) in the trust store.
    DscTrusted,
    /// The DSC is within its validity period at the evaluation time.
    DscValidity,
    /// The CSCA is within its validity period at the evaluation time.
    CscaValidity,
    /// The DSC may sign (keyUsage digitalSignature, when present).
    DscKeyUsage,
    /// The CSCA is a CA (basicConstraints cA, keyUsage keyCertSign, when present).
    CscaConstraints,
    /// Document issuing state, DSC country and CSCA country agree.
    CountryConsistency,
    /// No CRL of the CSCA lists the DSC.
    DscNotRevoked,
    /// Every data group read hashes to the value in the SOD, and the SOD covers every one
    /// read (and every one EF.COM lists).
    DataGroupHashes,
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Check {
    #[cfg_attr(feature = "serde", serde(rename = "check"))]
    pub(super) name: CheckName,
    pub(super) status: Status,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub(super) reason: Option<String>,
}

impl Check {
    pub(super) fn new(name: CheckName, status: Status, reason: impl Into<Option<String>>) -> Self {
        Self { name, status, reason: reason.into() }
    }

    /// Which check.
    #[must_use]
    pub fn name(&self) -> CheckName {
        self.name
    }

    /// Its outcome.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }

    /// Why it failed or was not performed (or a note when it passed with a tolerance).
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
}

/// How one data group fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum DgStatus {
    /// Read, and its hash matches the SOD.
    Matched,
    /// Read, and its hash differs from the SOD: the data was altered.
    Mismatch,
    /// Read, but the SOD has no hash for it: an injected group (`data_group_hashes` fails).
    NotInSod,
    /// Listed in the SOD but not read.
    NotRead,
}

/// A data group's hash check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DataGroupCheck {
    pub(super) data_group: u8,
    pub(super) status: DgStatus,
}

impl DataGroupCheck {
    /// The data group number.
    #[must_use]
    pub fn data_group(&self) -> u8 {
        self.data_group
    }

    /// Its status.
    #[must_use]
    pub fn status(&self) -> DgStatus {
        self.status
    }
}

/// A certificate as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CertSummary {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Key type and size.
    pub key: String,
    /// Validity start.
    pub not_before: String,
    /// Validity end.
    pub not_after: String,
}

impl CertSummary {
    pub(super) fn of(c: &Cert) -> Self {
        Self {
            subject: c.subject(),
            issuer: c.issuer(),
            serial: c.serial_hex(),
            key: c.public_key().map_or_else(|e| format!("unusable: {e}"), |k| k.describe()),
            not_before: Date::from_unix(c.not_before()).to_string(),
            not_after: Date::from_unix(c.not_after()).to_string(),
        }
    }
}

/// The trust anchor the DSC chained to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AnchorSummary {
    /// The CSCA certificate.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub certificate: CertSummary,
    /// Where it came from.
    pub source: TrustSource,
    /// Whether it is a link certificate (self-issued, signed by an older CSCA key).
    pub link_certificate: bool,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum Verdict {
    /// Every required check passed.
    Valid,
    /// A required check failed or could not be performed.
    Invalid,
}
