//! Evidence that only passive authentication makes (style anchor rule 2, after rustls's
//! verifier tokens): the steps after it take these values, never raw bytes, so a data
//! group the SOD does not vouch for or a SecurityInfo nobody signed cannot reach them.
//!
//! * [`AuthenticatedDocument`]: the data groups whose hashes matched under a valid EF.SOD
//!   (ICAO 9303-11 §5.1), with the CSCA that vouched for them.
//! * [`AuthenticatedSecurityInfos`]: EF.CardSecurity's SecurityInfos under a valid
//!   signature chain (BSI TR-03110-3 A.1.2).
//! * [`PaceCamProof`]: PACE-CAM's proof bound to both by [`bind_pace_cam`].
//!
//! None has a public constructor; [`super::PassiveAuthentication`] hands them out only
//! with a `valid` verdict.

use std::collections::BTreeMap;

use super::cert::Cert;
use crate::access::pace::CamEvidence;
use crate::lds::{CamBindError, Dg1, Dg11, Dg14, DgNumber, LdsError, SecurityInfos};

/// Who vouched for signed data: the signer (DSC) and the trust anchor (CSCA) it chained to.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Vouched {
    /// SHA-256 of the CSCA certificate the signer chained to.
    csca: Vec<u8>,
    /// SHA-256 of the signer's certificate.
    signer: Vec<u8>,
    /// The signer's country (alpha-2, from its subject), when it names one.
    country: Option<String>,
}

impl Vouched {
    pub(crate) fn new(signer: &Cert, csca: &Cert) -> Self {
        let h = |c: &Cert| crate::crypto::hash::HashAlg::Sha256.digest(c.der());
        Self { csca: h(csca), signer: h(signer), country: signer.subject_country() }
    }
}

/// The data groups whose hashes matched under a valid EF.SOD, and who vouched for them.
/// Made only by [`super::PassiveAuthentication::verify`] with a `valid` verdict; the
/// holder match and PACE-CAM's binding take it. The copies are wiped when dropped, and
/// `Debug` shows the group numbers only.
pub struct AuthenticatedDocument {
    groups: BTreeMap<DgNumber, Vec<u8>>,
    vouched: Vouched,
    /// DG1's issuing state (the MRZ code, e.g. `SWE`).
    issuing_state: Option<String>,
}

impl AuthenticatedDocument {
    pub(crate) fn new(groups: BTreeMap<DgNumber, Vec<u8>>, vouched: Vouched) -> Self {
        let issuing_state = DgNumber::new(1)
            .and_then(|n| groups.get(&n))
            .and_then(|b| Dg1::parse(b).ok())
            .map(|d| d.mrz.issuing_state.clone());
        Self { groups, vouched, issuing_state }
    }

    /// Data group `n`, when it was read and its hash matched.
    #[must_use]
    pub fn data_group(&self, n: u8) -> Option<&[u8]> {
        DgNumber::new(n).and_then(|d| self.groups.get(&d)).map(Vec::as_slice)
    }

    /// The authenticated data groups' numbers.
    pub fn data_groups(&self) -> impl Iterator<Item = DgNumber> + '_ {
        self.groups.keys().copied()
    }

    /// DG1, parsed.
    ///
    /// # Errors
    /// [`LdsError`] when DG1 is missing or does not parse.
    pub fn dg1(&self) -> Result<Dg1, LdsError> {
        Dg1::parse(self.data_group(1).ok_or(LdsError::Invalid { file: "DG1", reason: "not authenticated" })?)
    }

    /// DG11, parsed, when it is authenticated.
    ///
    /// # Errors
    /// [`LdsError`] when DG11 does not parse.
    pub fn dg11(&self) -> Option<Result<Dg11, LdsError>> {
        self.data_group(11).map(Dg11::parse)
    }

    /// DG14's SecurityInfos, when DG14 is authenticated and parses.
    #[must_use]
    pub fn dg14(&self) -> Option<Dg14> {
        self.data_group(14).and_then(|b| Dg14::parse(b).ok())
    }

    /// DG1's issuing state (MRZ code).
    #[must_use]
    pub fn issuing_state(&self) -> Option<&str> {
        self.issuing_state.as_deref()
    }
}

impl Drop for AuthenticatedDocument {
    fn drop(&mut self) {
        for b in self.groups.values_mut() {
            zeroize::Zeroize::zeroize(b);
        }
    }
}

impl core::fmt::Debug for AuthenticatedDocument {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let groups: Vec<u8> = self.groups.keys().map(|d| d.get()).collect();
        f.debug_struct("AuthenticatedDocument").field("data_groups", &groups).finish_non_exhaustive()
    }
}

/// EF.CardSecurity's SecurityInfos under a valid signature chain. Made only by
/// [`super::PassiveAuthentication::verify_card_security`] with a `valid` verdict.
#[derive(Debug)]
pub struct AuthenticatedSecurityInfos {
    infos: SecurityInfos,
    vouched: Vouched,
}

impl core::fmt::Debug for Vouched {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Vouched").field("country", &self.country).finish_non_exhaustive()
    }
}

impl AuthenticatedSecurityInfos {
    pub(crate) fn new(infos: SecurityInfos, vouched: Vouched) -> Self {
        Self { infos, vouched }
    }

    /// The signed SecurityInfos.
    #[must_use]
    pub fn infos(&self) -> &SecurityInfos {
        &self.infos
    }
}

/// PACE-CAM bound to the document: the chip proved EF.CardSecurity's key, EF.CardSecurity
/// lists the PACEInfo and domain parameters used and is signed under the CSCA that
/// vouches for EF.SOD, in the document's country. Made only by [`bind_pace_cam`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceCamProof {
    key_id: Option<u32>,
    same_signer: bool,
}

impl PaceCamProof {
    /// The key ID of the proven key, when it has one.
    #[must_use]
    pub fn key_id(&self) -> Option<u32> {
        self.key_id
    }

    /// Whether EF.CardSecurity and EF.SOD have the same document signer (otherwise they
    /// share the CSCA and country).
    #[must_use]
    pub fn same_signer(&self) -> bool {
        self.same_signer
    }
}

/// Why PACE-CAM does not count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaceCamBindError {
    /// EF.CardSecurity is vouched for by another CSCA than EF.SOD.
    #[error("EF.CardSecurity is signed under another CSCA than EF.SOD")]
    OtherCsca,
    /// EF.CardSecurity's signer is of another country than the document.
    #[error("EF.CardSecurity's signer ({signer}) is not of the document's issuing state ({document})")]
    OtherCountry {
        /// The signer's country.
        signer: String,
        /// The document's issuing state.
        document: String,
    },
    /// The SecurityInfos or the key do not bind.
    #[error(transparent)]
    Binding(#[from] CamBindError),
}

/// Binds PACE-CAM's evidence to the authenticated EF.CardSecurity and document (ICAO
/// 9303-11 §4.4.3.5): (a) EF.CardSecurity is signed under the CSCA that vouches for
/// EF.SOD, by a signer of the document's issuing state; (b) it lists the PACEInfo and
/// domain parameters used; (c) the equation holds on the curve of its key, which is the
/// curve PACE ran on; (d) an authenticated DG14 naming a key under the same ID names that
/// key.
///
/// # Errors
/// [`PaceCamBindError`] naming what did not bind.
pub fn bind_pace_cam(
    evidence: &CamEvidence,
    card_security: &AuthenticatedSecurityInfos,
    document: &AuthenticatedDocument,
) -> Result<PaceCamProof, PaceCamBindError> {
    let (cs, doc) = (&card_security.vouched, &document.vouched);
    if cs.csca != doc.csca {
        return Err(PaceCamBindError::OtherCsca);
    }
    let state = document.issuing_state().and_then(super::country::alpha2);
    for c in [&cs.country, &doc.country] {
        if let (Some(signer), Some(document)) = (c.as_deref(), state)
            && signer != document
        {
            return Err(PaceCamBindError::OtherCountry { signer: signer.to_string(), document: document.to_string() });
        }
    }
    let dg14 = document.dg14();
    let key = crate::lds::anti_cloning::bind_cam(evidence, &card_security.infos, dg14.as_ref().map(|d| &d.infos))?;
    Ok(PaceCamProof { key_id: key.key_id, same_signer: cs.signer == doc.signer })
}
