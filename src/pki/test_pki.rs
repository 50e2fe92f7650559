//! The mark of passchip's test PKI. The emulator's CSCAs and DSCs are generated from seeds
//! anyone can read in this repository, so anyone can sign a "genuine" document under them.
//! They carry the organisation name [`TEST_PKI_ORGANIZATION`]; the trust folder and the
//! command line refuse a certificate bearing it unless the caller allows the test PKI by
//! name.

use super::cert::Cert;

/// organizationName (X.520) of every certificate the emulator's PKI issues.
pub const TEST_PKI_ORGANIZATION: &str = "passchip virtual PKI";

/// organizationName.
const ORGANIZATION_NAME: &str = "2.5.4.10";

/// Whether `cert` belongs to passchip's test PKI (its subject or its issuer).
#[must_use]
pub fn is_test_pki(cert: &Cert) -> bool {
    cert.subject_attribute(ORGANIZATION_NAME).is_some_and(|o| o.eq_ignore_ascii_case(TEST_PKI_ORGANIZATION))
        || cert.issuer().to_ascii_lowercase().contains(&format!("o={}", TEST_PKI_ORGANIZATION.to_ascii_lowercase()))
}
