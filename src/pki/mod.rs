//! eMRTD public-key infrastructure (ICAO 9303-12): certificates, trust stores,
//! master lists, CRLs, path validation and passive authentication.

pub mod cert;
pub mod country;
pub mod crl;
pub mod evidence;
#[cfg(feature = "trust-folder")]
pub mod folder;
pub mod integrity;
pub mod ldif;
pub mod masterlist;
pub mod name;
pub mod pa;
mod pem;
pub mod pinned;
pub mod signed;
pub mod store;
pub mod test_pki;

pub use cert::Cert;
pub use crl::Crl;
pub use evidence::{AuthenticatedDocument, AuthenticatedSecurityInfos, PaceCamBindError, PaceCamProof, bind_pace_cam};
pub use integrity::{Integrity, IntegrityStatus};
pub use masterlist::{Anchoring, MasterList, MasterListError};
pub use pa::{CheckName, PaOptions, PassiveAuthentication, Status, Verdict};
pub use signed::{SignedDataError, VerifiedSigner, verify_signed_data};
pub use store::{StoreOrigin, TrustSource, TrustStore};

/// A PKI object could not be used. The input (file, chip, caller) is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// A certificate that does not parse.
    #[error("invalid certificate: {0}")]
    BadCertificate(String),
    /// A CRL that does not parse.
    #[error("invalid CRL: {0}")]
    BadCrl(String),
    /// A file or folder could not be read.
    #[error("{path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// What went wrong.
        reason: String,
    },
}
