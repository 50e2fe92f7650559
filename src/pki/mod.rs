//! eMRTD public-key infrastructure (ICAO 9303-12): certificates, trust stores,
//! master lists, CRLs, path validation and passive authentication.

pub mod cert;
pub mod masterlist;
pub mod signed;

pub use cert::Cert;
pub use masterlist::{Anchoring, MasterList, MasterListError};
pub use signed::{SignedDataError, VerifiedSigner, verify_signed_data};

/// A PKI object could not be used. The input (file, chip, caller) is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// A certificate that does not parse.
    #[error("invalid certificate: {0}")]
    BadCertificate(String),
}
