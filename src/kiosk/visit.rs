//! One visitor's document on the screen: the read, its verification, and (at a bank's
//! kiosk) the bank's verdict for the person who logged in.

use crate::date::Date;
use crate::identity::asserted::AssertedIdentity;
use crate::identity::verification::{
    AccessInfo, ChipAuthenticity, DocumentEvidence, Verification, VerificationPolicy, verify_read,
};
use crate::pki::{PaOptions, PassiveAuthentication, TrustStore, Verdict};
use crate::reader::DocumentRead;

/// One visitor's document on the screen: the read and its verification. Dropping it
/// wipes the personal data ([`DocumentRead`] and its MRZ zeroize on drop).
#[derive(Debug)]
pub struct Visit {
    read: DocumentRead,
    passive_authentication: PassiveAuthentication,
    chip: ChipAuthenticity,
    trust_store: Option<crate::pki::StoreOrigin>,
    verification: Option<Verification>,
}

impl Visit {
    /// Verifies `read`: passive authentication of EF.SOD against `store` (and of
    /// EF.CardSecurity when read), then the anti-cloning assessment.
    #[must_use]
    pub fn verify(read: DocumentRead, store: &TrustStore, options: &PaOptions) -> Self {
        let (passive_authentication, chip) = verify_read(&read, store, options);
        Self { read, passive_authentication, chip, trust_store: store.origin().cloned(), verification: None }
    }

    /// The bank's verdict for `person` (the e-ID who logged in) on this document, kept
    /// with the visit ([`Visit::verification`]) and returned. `None` when the chip gave
    /// no DG1 (nothing to match).
    pub fn decide(
        &mut self,
        person: &AssertedIdentity,
        policy: &VerificationPolicy,
        today: Date,
    ) -> Option<&Verification> {
        let mrz = &self.read.dg1.as_ref()?.mrz;
        let access = AccessInfo::of(&self.read);
        let has_dg11 = crate::lds::LdsFile::dg(11).is_some_and(|f| self.read.files.contains_key(&f));
        let evidence = DocumentEvidence {
            access: Some(&access),
            passive_authentication: Some(&self.passive_authentication),
            mrz,
            has_dg11,
            chip: Some(&self.chip),
        };
        self.verification = Some(Verification::decide(person, evidence, today, policy));
        self.verification.as_ref()
    }

    /// Replaces the bank's verdict (the attempt ledger's: counted, or refused).
    pub(crate) fn set_verification(&mut self, v: Verification) {
        self.verification = Some(v);
    }

    /// Takes the bank's verdict out (for the attempt ledger to count).
    pub(crate) fn take_verification(&mut self) -> Option<Verification> {
        self.verification.take()
    }

    /// The bank's verdict for the person who logged in, when the kiosk was given one
    /// ([`Visit::decide`], [`super::Desk::person`]).
    #[must_use]
    pub fn verification(&self) -> Option<&Verification> {
        self.verification.as_ref()
    }

    /// How old the trust store was, in whole days at `now` (Unix seconds).
    #[must_use]
    pub fn trust_store_age_days(&self, now: u64) -> Option<u64> {
        self.trust_store.as_ref().map(|o| now.saturating_sub(o.updated) / 86_400)
    }

    /// The trust folder the verdict rests on and when it was last updated, when the store
    /// was opened from one (`TrustStore::open`, feature `trust-folder`): a kiosk shows how old its trust is.
    #[must_use]
    pub fn trust_store(&self) -> Option<&crate::pki::StoreOrigin> {
        self.trust_store.as_ref()
    }

    /// The read.
    #[must_use]
    pub fn read(&self) -> &DocumentRead {
        &self.read
    }

    /// Passive authentication of the document.
    #[must_use]
    pub fn passive_authentication(&self) -> &PassiveAuthentication {
        &self.passive_authentication
    }

    /// What is known about the chip being the original.
    #[must_use]
    pub fn chip(&self) -> &ChipAuthenticity {
        &self.chip
    }

    /// Whether the document is genuine, its chip the original, and it is not expired: the
    /// only case the kiosk may show as GENUINE ([`VisitOutcome::Genuine`]).
    #[must_use]
    pub fn genuine(&self) -> bool {
        self.outcome() == VisitOutcome::Genuine
    }

    /// What the kiosk shows, in one word (see [`VisitOutcome`]).
    #[must_use]
    pub fn outcome(&self) -> VisitOutcome {
        let pa = &self.passive_authentication;
        if self.chip.failed() || self.read.dg1_differs_from_access_mrz || forged(pa) {
            return VisitOutcome::NotGenuine;
        }
        if pa.document_expired() == Some(true) {
            return VisitOutcome::Expired;
        }
        if pa.verdict() != Verdict::Valid || !self.chip.proven() || self.read.downgrade.is_some() {
            return VisitOutcome::NotVerified;
        }
        VisitOutcome::Genuine
    }
}

/// Whether passive authentication found the data altered or its signer refused (not
/// merely unverifiable): a broken signature or signed attributes, a data group that does
/// not match or is not covered, certificates of another country, a revoked signer.
fn forged(pa: &PassiveAuthentication) -> bool {
    use crate::pki::{CheckName, Status};
    pa.checks().iter().any(|c| {
        c.status() == Status::Failed
            && matches!(
                c.name(),
                CheckName::SodParsed
                    | CheckName::SodContentType
                    | CheckName::SodSignedAttributes
                    | CheckName::SodSignature
                    | CheckName::DataGroupHashes
                    | CheckName::CountryConsistency
                    | CheckName::DscNotRevoked
            )
    })
}

/// What a kiosk shows of a visit, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VisitOutcome {
    /// Passive authentication valid, the chip proven original, not expired.
    Genuine,
    /// Caught: a cloned chip (an anti-cloning protocol failed or was refused), altered
    /// or substituted data, a broken signature, a revoked signer.
    NotGenuine,
    /// Nothing wrong was found, but something could not be established: an unknown CSCA,
    /// a chip not proven original, a chip opened with a weaker protocol than it supports.
    NotVerified,
    /// Authentic but past its date of expiry.
    Expired,
}

impl core::fmt::Display for VisitOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Genuine => "GENUINE",
            Self::NotGenuine => "NOT GENUINE",
            Self::NotVerified => "NOT VERIFIED",
            Self::Expired => "EXPIRED",
        })
    }
}
