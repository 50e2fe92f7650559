//! The anti-cloning step of a read: PACE-CAM's proof checked against EF.CardSecurity,
//! Chip Authentication with DG14's key, Active Authentication with DG15's key. Each is
//! reported on its own; none is silently skipped (the reason is given).
//!
//! Whether the keys themselves can be trusted (DG14/DG15 covered by the SOD, EF.CardSecurity
//! signed) is decided with passive authentication, in
//! [`crate::identity::verification::ChipAuthenticity::assess`].

use std::collections::BTreeMap;

use crate::access::pace::CamEvidence;
use crate::active_auth::{self, AaEvidence, AaVerified, CHALLENGE_LEN};
use crate::chip_auth::{self, CaOutcome, ChipAuthError, ChipPublicKey};
use crate::crypto::RandomSource;
use crate::lds::{CardSecurity, Dg14, Dg15, DgNumber, LdsFile, Sod};
use crate::sm::{SecureChannel, SmError};
use crate::transport::Transport;

/// How one anti-cloning protocol went.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attempt<T> {
    /// Not run, and why (the chip does not offer it, or an earlier step made it moot).
    NotAvailable(String),
    /// Run, and the chip did not prove its key: a wrong token, MAC or signature, a proof
    /// that does not bind to the signed files, or a refusal (an error status, an empty or
    /// malformed answer) to a protocol the document advertises. The mark of a cloned
    /// chip, or of an attacker on the link.
    Failed(String),
    /// Could not be completed, for a reason that is nobody's proof: the card left the
    /// field (a resumed read runs the protocol again), or the document uses a variant
    /// passchip does not implement. Nothing is proven, nothing is disproven.
    NotCompleted(String),
    /// Run and passed.
    Passed(T),
}

impl<T> Attempt<T> {
    /// Whether it passed.
    pub fn passed(&self) -> bool {
        matches!(self, Self::Passed(_))
    }

    /// Whether the chip failed to prove its key.
    pub fn failed(&self) -> bool {
        matches!(self, Self::Failed(_))
    }

    /// Why it did not pass, if it did not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::NotAvailable(r) | Self::Failed(r) | Self::NotCompleted(r) => Some(r),
            Self::Passed(_) => None,
        }
    }

    /// `"not_available"`, `"failed"`, `"not_completed"` or `"passed"`, as in JSON.
    pub fn status(&self) -> &'static str {
        match self {
            Self::NotAvailable(_) => "not_available",
            Self::Failed(_) => "failed",
            Self::NotCompleted(_) => "not_completed",
            Self::Passed(_) => "passed",
        }
    }
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize> serde::Serialize for Attempt<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Attempt", 2)?;
        st.serialize_field("status", self.status())?;
        match self {
            Self::NotAvailable(r) | Self::Failed(r) | Self::NotCompleted(r) => st.serialize_field("reason", r)?,
            Self::Passed(t) => st.serialize_field("detail", t)?,
        }
        st.end()
    }
}

/// The reason of a protocol the chip refused.
fn refused(protocol: &str, e: &dyn core::fmt::Display) -> String {
    format!("refused by the chip: {protocol} was answered with an error ({e}); a genuine chip proves its key")
}

/// What the chip proved about itself during the read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct AntiCloningRead {
    /// PACE-CAM's chip-authentication data, bound to EF.CardSecurity's key (checked
    /// again against the authenticated EF.CardSecurity when the read is verified).
    pub pace_cam: Attempt<()>,
    /// Chip Authentication with DG14's key.
    pub chip_authentication: Attempt<CaOutcome>,
    /// Active Authentication with DG15's key.
    pub active_authentication: Attempt<AaVerified>,
    /// The Active Authentication evidence (challenge, signature, key) for offline re-checks.
    pub active_authentication_evidence: Option<AaEvidence>,
    /// Which session of the read ran these (1 for a read that was never interrupted). It
    /// read EF.SOD itself, or checked that the chip's EF.SOD is the one kept from before.
    pub session: u32,
    /// PACE-CAM's evidence, for binding it to the authenticated EF.CardSecurity.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub pace_cam_evidence: Option<CamEvidence>,
}

impl AntiCloningRead {
    /// Nothing run, for this reason.
    #[must_use]
    pub fn not_run(reason: &str) -> Self {
        Self {
            pace_cam: Attempt::NotAvailable(reason.into()),
            chip_authentication: Attempt::NotAvailable(reason.into()),
            active_authentication: Attempt::NotAvailable(reason.into()),
            active_authentication_evidence: None,
            session: 0,
            pace_cam_evidence: None,
        }
    }
}

/// The schema of the anti-cloning record a dump keeps.
#[cfg(feature = "serde")]
pub const ANTI_CLONING_RECORD: &str = "passchip.anti-cloning/1";

impl AntiCloningRead {
    /// How the protocols went, as the dump keeps it (`passchip.anti-cloning/1`: each
    /// protocol's `status` and `reason`); `None` without the `serde` feature.
    #[must_use]
    pub fn record(&self) -> Option<Vec<u8>> {
        #[cfg(feature = "serde")]
        {
            let one = |status: &str, reason: Option<&str>| serde_json::json!({ "status": status, "reason": reason });
            let v = serde_json::json!({
                "schema": ANTI_CLONING_RECORD,
                "pace_cam": one(self.pace_cam.status(), self.pace_cam.reason()),
                "chip_authentication": one(self.chip_authentication.status(), self.chip_authentication.reason()),
                "active_authentication": one(self.active_authentication.status(), self.active_authentication.reason()),
            });
            serde_json::to_vec_pretty(&v).ok()
        }
        #[cfg(not(feature = "serde"))]
        None
    }

    /// Marks as failed what a dump's anti-cloning record says the read caught failing
    /// (`record` is [`AntiCloningRead::record`]'s JSON). A record names failures only:
    /// what it says passed is not believed, since a dump is an upload.
    ///
    /// # Errors
    /// A record that is not `passchip.anti-cloning/1` JSON.
    #[cfg(feature = "serde")]
    pub fn apply_record(&mut self, record: &[u8]) -> Result<(), String> {
        let v: serde_json::Value = serde_json::from_slice(record).map_err(|e| format!("anti_cloning.json: {e}"))?;
        if v.get("schema").and_then(serde_json::Value::as_str) != Some(ANTI_CLONING_RECORD) {
            return Err(format!("anti_cloning.json: not {ANTI_CLONING_RECORD}"));
        }
        let field = |name: &str, key: &str| v.get(name).and_then(|p| p.get(key)).and_then(serde_json::Value::as_str);
        let caught = |name: &str| -> Option<String> {
            (field(name, "status") == Some("failed")).then(|| {
                format!(
                    "the read that made this dump caught it failing: {}",
                    field(name, "reason").unwrap_or("no reason recorded")
                )
            })
        };
        if let Some(r) = caught("pace_cam") {
            self.pace_cam = Attempt::Failed(r);
        }
        if let Some(r) = caught("chip_authentication") {
            self.chip_authentication = Attempt::Failed(r);
        }
        if let Some(r) = caught("active_authentication") {
            self.active_authentication = Attempt::Failed(r);
        }
        Ok(())
    }
}

/// Whether `bytes` hash to the value EF.SOD gives data group `n` (integrity only: the
/// SOD's signature is passive authentication's business).
pub(crate) fn covered_by_sod(sod: Option<&Sod>, n: u8, bytes: &[u8]) -> bool {
    let Some(sod) = sod else { return false };
    let so = &sod.security_object;
    DgNumber::new(n)
        .and_then(|d| so.hashes.get(&d))
        .is_some_and(|expected| crate::crypto::ct_eq(&so.hash_alg.digest(bytes), expected))
}

/// PACE-CAM checked against what the read can vouch for without a trust store: EF.CardSecurity
/// parses, its signature verifies with its own signer, that signer has EF.SOD's issuer and
/// DG1's country, and its SecurityInfos bind the proof (the PACEInfo and parameters used,
/// the equation on its key's curve, DG14's key when DG14 matches the SOD). Anything less is
/// `Failed` and Chip Authentication with DG14 runs. Verification binds it again against the
/// authenticated files ([`crate::pki::bind_pace_cam`]).
pub(crate) fn check_cam(
    cam: Option<&CamEvidence>,
    card_security: Option<&[u8]>,
    files: &BTreeMap<LdsFile, Vec<u8>>,
) -> Attempt<()> {
    let Some(cam) = cam else { return Attempt::NotAvailable("PACE-CAM was not run".into()) };
    let Some(bytes) = card_security else {
        return Attempt::Failed("the chip has no EF.CardSecurity: PACE-CAM's key is not signed by anyone".into());
    };
    let cs = match CardSecurity::parse(bytes) {
        Ok(cs) => cs,
        Err(e) => return Attempt::Failed(format!("EF.CardSecurity does not parse ({e}): PACE-CAM's key is not bound")),
    };
    let cs_signer = match crate::pki::verify_signed_data(&cs.signed_data) {
        Ok(s) => s.certificate,
        Err(e) => return Attempt::Failed(format!("EF.CardSecurity's signature does not verify: {e}")),
    };
    let sod = files.get(&LdsFile::Sod).and_then(|b| Sod::parse(b).ok());
    let Some(sod_signer) = sod.as_ref().and_then(|s| crate::pki::verify_signed_data(&s.signed_data).ok()) else {
        return Attempt::Failed("EF.SOD's signature does not verify: EF.CardSecurity cannot be bound to it".into());
    };
    let sod_signer = sod_signer.certificate;
    if !cs_signer.issuer().eq_ignore_ascii_case(&sod_signer.issuer()) {
        return Attempt::Failed(format!(
            "EF.CardSecurity is signed under {}, EF.SOD under {}: not the same CSCA",
            cs_signer.issuer(),
            sod_signer.issuer()
        ));
    }
    if let (Some(a), Some(b)) = (cs_signer.authority_key_id(), sod_signer.authority_key_id())
        && a != b
    {
        return Attempt::Failed(format!(
            "EF.CardSecurity's signer and EF.SOD's were issued by different keys of {}: not the same CSCA",
            sod_signer.issuer()
        ));
    }
    let state = LdsFile::dg(1)
        .and_then(|f| files.get(&f))
        .and_then(|b| crate::lds::Dg1::parse(b).ok())
        .and_then(|d| crate::pki::country::alpha2(&d.mrz.issuing_state).map(str::to_string));
    if let (Some(signer), Some(state)) = (cs_signer.subject_country(), state)
        && signer != state
    {
        return Attempt::Failed(format!(
            "EF.CardSecurity's signer is of {signer}, the document of {state}: not the same issuer"
        ));
    }
    let dg14 = LdsFile::dg(14)
        .and_then(|f| files.get(&f))
        .filter(|b| covered_by_sod(sod.as_ref(), 14, b))
        .and_then(|b| Dg14::parse(b).ok());
    match crate::lds::anti_cloning::bind_cam(cam, &cs.infos, dg14.as_ref().map(|d| &d.infos)) {
        Ok(_) => Attempt::Passed(()),
        Err(e) => Attempt::Failed(e.to_string()),
    }
}

/// Whether a secure-messaging failure is the link's (the card left) rather than the chip's.
fn link_failure(e: &SmError) -> bool {
    matches!(e, SmError::Transport(_))
}

/// Chip Authentication with the strongest option of DG14 whose key is usable.
pub(crate) fn run_chip_authentication<T: Transport + ?Sized>(
    t: &mut T,
    channel: &mut SecureChannel,
    dg14: Option<&[u8]>,
    rng: &mut dyn RandomSource,
) -> Attempt<CaOutcome> {
    let Some(bytes) = dg14 else { return Attempt::NotAvailable("the chip has no DG14".into()) };
    let dg14 = match Dg14::parse(bytes) {
        Ok(d) => d,
        Err(e) => return Attempt::NotCompleted(e.to_string()),
    };
    let options = dg14.infos.chip_authentication();
    if options.is_empty() {
        return Attempt::NotAvailable("DG14 offers no Chip Authentication".into());
    }
    let mut last = String::new();
    for option in options {
        let key = match ChipPublicKey::from_spki(&option.public_key) {
            Ok(k) => k,
            Err(e) => {
                last = e.to_string();
                continue;
            }
        };
        return match chip_auth::authenticate(t, channel, option.protocol, option.key_id, &key, rng) {
            Ok(outcome) => Attempt::Passed(outcome),
            Err(e @ (ChipAuthError::NotProven(_) | ChipAuthError::WrongToken)) => Attempt::Failed(e.to_string()),
            Err(ChipAuthError::SecureMessaging(ref sm)) if link_failure(sm) => Attempt::NotCompleted(sm.to_string()),
            Err(
                e @ (ChipAuthError::Refused { .. } | ChipAuthError::Malformed(_) | ChipAuthError::SecureMessaging(_)),
            ) => Attempt::Failed(refused("Chip Authentication", &e)),
            Err(e) => Attempt::NotCompleted(e.to_string()),
        };
    }
    Attempt::NotCompleted(last)
}

/// Active Authentication with DG15's key.
pub(crate) fn run_active_authentication<T: Transport + ?Sized>(
    t: &mut T,
    channel: &mut SecureChannel,
    dg14: Option<&[u8]>,
    dg15: Option<&[u8]>,
    challenge: Option<[u8; CHALLENGE_LEN]>,
    allow_extended: bool,
    rng: &mut dyn RandomSource,
) -> (Attempt<AaVerified>, Option<AaEvidence>) {
    let Some(bytes) = dg15 else { return (Attempt::NotAvailable("the chip has no DG15".into()), None) };
    let dg15 = match Dg15::parse(bytes) {
        Ok(d) => d,
        Err(e) => return (Attempt::NotCompleted(e.to_string()), None),
    };
    let hash = dg14.and_then(|b| Dg14::parse(b).ok()).and_then(|d| d.infos.active_authentication_hash());
    let challenge = match challenge {
        Some(c) => c,
        None => {
            let mut c = [0u8; CHALLENGE_LEN];
            if rng.fill(&mut c).is_err() {
                return (Attempt::NotCompleted("no randomness for the challenge".into()), None);
            }
            c
        }
    };
    match active_auth::authenticate(t, channel, &dg15.public_key, hash, challenge, allow_extended) {
        Ok((evidence, Ok(v))) => (Attempt::Passed(v), Some(evidence)),
        Ok((evidence, Err(e @ active_auth::AaError::Invalid(_)))) => (Attempt::Failed(e.to_string()), Some(evidence)),
        Ok((evidence, Err(e))) => (Attempt::NotCompleted(e.to_string()), Some(evidence)),
        Err(active_auth::AaError::SecureMessaging(ref sm)) if link_failure(sm) => {
            (Attempt::NotCompleted(sm.to_string()), None)
        }
        Err(
            e @ (active_auth::AaError::Refused(_)
            | active_auth::AaError::NoSignature
            | active_auth::AaError::SecureMessaging(_)),
        ) => (Attempt::Failed(refused("INTERNAL AUTHENTICATE", &e)), None),
        Err(e) => (Attempt::NotCompleted(e.to_string()), None),
    }
}

/// Re-checks stored Active Authentication evidence offline (a back office verifying a
/// read made elsewhere): the evidence's key must be DG15's, an ECDSA hash must be the
/// one DG14 names, the challenge must be the one the server sent, and the signature must
/// verify. DG15 being covered by the SOD is judged by [`crate::identity::verification::ChipAuthenticity::assess`].
///
/// Without `expected_challenge` the evidence may be a replay of an old answer, so nothing
/// is proven (`NotCompleted`); a challenge other than the server's is `Failed`.
#[must_use]
pub fn recheck_active_authentication(
    evidence: &AaEvidence,
    dg14: Option<&[u8]>,
    dg15: Option<&[u8]>,
    expected_challenge: Option<&[u8]>,
) -> Attempt<AaVerified> {
    let Some(bytes) = dg15 else {
        return Attempt::NotCompleted("the evidence cannot be checked: the dump has no DG15".into());
    };
    let dg15 = match Dg15::parse(bytes) {
        Ok(d) => d,
        Err(e) => return Attempt::NotCompleted(e.to_string()),
    };
    if evidence.public_key() != dg15.public_key.as_slice() {
        return Attempt::Failed("the evidence's public key is not DG15's".into());
    }
    let dg14_hash = dg14.and_then(|b| Dg14::parse(b).ok()).and_then(|d| d.infos.active_authentication_hash());
    if let Some(h) = evidence.ecdsa_hash()
        && dg14_hash != Some(h)
    {
        return Attempt::Failed(format!("the evidence names {h:?}, DG14 names {dg14_hash:?}"));
    }
    let verified = match evidence.verify() {
        Ok(v) => v,
        Err(e @ active_auth::AaError::Invalid(_)) => return Attempt::Failed(e.to_string()),
        Err(e) => return Attempt::NotCompleted(e.to_string()),
    };
    match expected_challenge {
        None => Attempt::NotCompleted(
            "the signature verifies, but its challenge was not compared with the server's nonce (a replay is not excluded)"
                .into(),
        ),
        Some(c) if !bool::from(subtle::ConstantTimeEq::ct_eq(c, evidence.challenge())) => {
            Attempt::Failed("the evidence answers another challenge than the server's: a replayed answer".into())
        }
        Some(_) => Attempt::Passed(verified),
    }
}

impl AntiCloningRead {
    /// The anti-cloning part of a read made elsewhere, from stored evidence: only Active
    /// Authentication can be re-checked; PACE-CAM and Chip Authentication are interactive.
    #[must_use]
    pub fn from_stored(active_authentication: Attempt<AaVerified>, evidence: Option<AaEvidence>) -> Self {
        let interactive = "interactive: cannot be re-checked from stored data";
        Self {
            pace_cam: Attempt::NotAvailable(interactive.into()),
            chip_authentication: Attempt::NotAvailable(interactive.into()),
            active_authentication,
            active_authentication_evidence: evidence,
            session: 0,
            pace_cam_evidence: None,
        }
    }
}
