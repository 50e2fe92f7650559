//! Master-list roots passchip ships, as gmrtd does: a master list signed under one of
//! them can be imported without `--root`. Each is pinned by its SHA-256 fingerprint, so a
//! changed file in the source tree fails the build's tests, not a bank's verdict.
//!
//! | Root | Source | SHA-256 of the DER |
//! |---|---|---|
//! | `C=DE, O=bund, OU=bsi, CN=csca-germany` (2024-10-01 … 2039-01-01) | BSI, via gmrtd `cms/master_list/DE_ROOT_CA_CSCA07.cer` | `2084aed7…91ada8` |
//! | `C=NL, O=Kingdom of the Netherlands, CN=CSCA NL, serialNumber=7` (2024-06-21 … 2037-06-30) | RDW/Logius, via gmrtd `cms/master_list/NL_ROOT_CA.cer` | `411356d2…151a24` |

use super::cert::Cert;

/// One pinned root.
#[derive(Debug, Clone, Copy)]
pub struct PinnedRoot {
    /// A short name: `DE`, `NL`.
    pub name: &'static str,
    /// The certificate, DER.
    pub der: &'static [u8],
    /// Its SHA-256 fingerprint, hex.
    pub sha256: &'static str,
}

/// The pinned master-list roots.
pub const PINNED_ROOTS: &[PinnedRoot] = &[
    PinnedRoot {
        name: "DE",
        der: include_bytes!("pinned/DE_ROOT_CA_CSCA07.cer"),
        sha256: "2084aed7a991b3158e63ad750d3dc38bc6c9dcf5958f28d1162f49884e91ada8",
    },
    PinnedRoot {
        name: "NL",
        der: include_bytes!("pinned/NL_ROOT_CA.cer"),
        sha256: "411356d206b99da15efadf4b84149f8600ee6260c6727cd6bc230d6b6e151a24",
    },
];

impl PinnedRoot {
    /// The parsed certificate, when its bytes still have the pinned fingerprint.
    #[must_use]
    pub fn certificate(&self) -> Option<Cert> {
        let digest = crate::crypto::hash::HashAlg::Sha256.digest(self.der);
        (base16ct::lower::encode_string(&digest) == self.sha256).then(|| Cert::from_der(self.der).ok()).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pinned_root_parses_with_its_fingerprint() {
        for r in PINNED_ROOTS {
            let c = r.certificate().unwrap_or_else(|| panic!("{} does not match its pin", r.name));
            assert!(c.is_self_issued(), "{}", r.name);
            assert_eq!(c.subject_country().as_deref(), Some(r.name));
        }
        let forged = PinnedRoot { der: PINNED_ROOTS[1].der, ..PINNED_ROOTS[0] };
        assert!(forged.certificate().is_none());
    }
}
