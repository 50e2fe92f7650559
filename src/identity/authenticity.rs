//! Is the chip the original? The anti-cloning protocols of a read, judged with what
//! passive authentication vouches for (ICAO 9303-11 §6: Chip Authentication, Active
//! Authentication; §4.4.3.5: PACE-CAM).
//!
//! * `proven`: at least one protocol passed with a key the issuer signed (DG14 or DG15
//!   among the authenticated data groups; EF.CardSecurity authenticated and bound to the
//!   document for PACE-CAM), and none failed.
//! * `failed`: the chip failed to prove a key, refused to, or proved one the document does
//!   not vouch for: a cloned chip, or an attacker on the link.
//! * `not_proven`: nothing failed, but nothing was proven with a signed key either.

use crate::lds::{DgNumber, LdsFile};
use crate::pki::{PaOptions, PassiveAuthentication, TrustStore, Verdict, bind_pace_cam};
use crate::reader::{AntiCloningRead, DocumentRead};

/// The three states of chip authenticity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum ChipStatus {
    /// A protocol proved a key the issuer signed, and none failed.
    Proven,
    /// A protocol failed, or the chip refused one the document advertises: a clone.
    Failed,
    /// Nothing failed, nothing was proven with a signed key.
    NotProven,
}

impl ChipStatus {
    /// `"proven"`, `"failed"` or `"not_proven"`, as in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proven => "proven",
            Self::Failed => "failed",
            Self::NotProven => "not_proven",
        }
    }
}

impl core::fmt::Display for ChipStatus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Proven => "proven",
            Self::Failed => "failed",
            Self::NotProven => "not proven",
        })
    }
}

/// What is known about the chip being the original (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChipAuthenticity {
    status: ChipStatus,
    proven_by: Vec<&'static str>,
    reasons: Vec<String>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    protocols: Option<AntiCloningRead>,
}

/// Whether passive authentication vouches for data group `n`.
fn dg_signed(pa: Option<&PassiveAuthentication>, n: u8) -> Result<(), String> {
    let Some(pa) = pa else { return Err("passive authentication was not performed".into()) };
    match pa.authenticated_document() {
        Some(doc) if doc.data_group(n).is_some() => Ok(()),
        Some(_) => Err(format!("DG{n} is not among the data groups the SOD vouches for")),
        None if pa.verdict() != Verdict::Valid => Err("passive authentication is not valid".into()),
        None => Err(format!("DG{n} was not checked by passive authentication")),
    }
}

/// Verifies a read: passive authentication of EF.SOD and the data groups against
/// `store`, of EF.CardSecurity when it was read, and the anti-cloning assessment those
/// two vouch for.
#[must_use]
pub fn verify_read(
    read: &DocumentRead,
    store: &TrustStore,
    options: &PaOptions,
) -> (PassiveAuthentication, ChipAuthenticity) {
    let dgs = Wiped(
        read.files
            .iter()
            .filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((*n, b.clone())) } else { None })
            .collect(),
    );
    let sod = read.files.get(&LdsFile::Sod).map_or(&[][..], Vec::as_slice);
    let com = read.files.get(&LdsFile::Com).map(Vec::as_slice);
    let pa = PassiveAuthentication::verify_document(sod, com, &dgs.0, store, options);
    let card_security =
        read.card_security.as_ref().map(|cs| PassiveAuthentication::verify_card_security(cs, store, options));
    let chip = ChipAuthenticity::assess(&read.anti_cloning, Some(&pa), card_security.as_ref());
    (pa, chip)
}

/// Copies of the data groups made for verification (personal data), wiped when dropped.
struct Wiped(std::collections::BTreeMap<DgNumber, Vec<u8>>);

impl Drop for Wiped {
    fn drop(&mut self) {
        for b in self.0.values_mut() {
            zeroize::Zeroize::zeroize(b);
        }
    }
}

impl ChipAuthenticity {
    /// Not checked, with the reason.
    #[must_use]
    pub fn not_checked(reason: &str) -> Self {
        Self {
            status: ChipStatus::NotProven,
            proven_by: Vec::new(),
            reasons: vec![reason.to_string()],
            protocols: None,
        }
    }

    /// Assesses the anti-cloning protocols of a read. `pa` is passive authentication of
    /// EF.SOD (vouching for DG14 and DG15); `card_security` that of EF.CardSecurity
    /// (vouching for PACE-CAM's key, which must also be bound to the document).
    #[must_use]
    pub fn assess(
        read: &AntiCloningRead,
        pa: Option<&PassiveAuthentication>,
        card_security: Option<&PassiveAuthentication>,
    ) -> Self {
        let mut proven_by = Vec::new();
        let mut reasons = Vec::new();
        let mut failed = false;
        let mut judge = |name: &'static str, passed: bool, why: Option<&str>, failed_now: bool, key: Key| {
            if failed_now {
                failed = true;
                reasons.push(format!("{name} failed: {}", why.unwrap_or("")));
            } else if passed {
                match key {
                    Key::Signed => proven_by.push(name),
                    Key::NotSigned(e) => reasons.push(format!("{name} passed, but its key is not authenticated: {e}")),
                    Key::Foreign(e) => {
                        failed = true;
                        reasons.push(format!("{name} failed: the key it proved is not the document's: {e}"));
                    }
                }
            } else if let Some(why) = why {
                reasons.push(format!("{name}: {why}"));
            }
        };
        judge(
            "PACE-CAM",
            read.pace_cam.passed(),
            read.pace_cam.reason(),
            read.pace_cam.failed(),
            cam_key(read, pa, card_security),
        );
        let ca = &read.chip_authentication;
        judge("CA", ca.passed(), ca.reason(), ca.failed(), Key::from(dg_signed(pa, 14)));
        let aa = &read.active_authentication;
        judge("AA", aa.passed(), aa.reason(), aa.failed(), Key::from(dg_signed(pa, 15)));
        let status = if failed {
            ChipStatus::Failed
        } else if proven_by.is_empty() {
            ChipStatus::NotProven
        } else {
            ChipStatus::Proven
        };
        Self { status, proven_by, reasons, protocols: Some(read.clone()) }
    }

    /// Whether the chip was proven original.
    #[must_use]
    pub fn proven(&self) -> bool {
        self.status == ChipStatus::Proven
    }

    /// Whether the chip failed to prove a key (a cloned chip).
    #[must_use]
    pub fn failed(&self) -> bool {
        self.status == ChipStatus::Failed
    }

    /// Proven, failed or not proven.
    #[must_use]
    pub fn status(&self) -> ChipStatus {
        self.status
    }

    /// The protocols that proved the chip with an authenticated key: `"PACE-CAM"`, `"CA"`, `"AA"`.
    #[must_use]
    pub fn proven_by(&self) -> &[&'static str] {
        &self.proven_by
    }

    /// Why it is not (fully) proven, one line per protocol.
    #[must_use]
    pub fn reasons(&self) -> &[String] {
        &self.reasons
    }

    /// The protocol results and Active Authentication evidence, when assessed from a read.
    #[must_use]
    pub fn protocols(&self) -> Option<&AntiCloningRead> {
        self.protocols.as_ref()
    }
}

/// Whether the key a protocol proved is one the document vouches for.
enum Key {
    /// Signed by the issuer and the document's.
    Signed,
    /// Not authenticated (no trust anchor, no valid SOD): nothing proven.
    NotSigned(String),
    /// Authenticated data that contradicts the proof: a foreign or unbound key.
    Foreign(String),
}

impl From<Result<(), String>> for Key {
    fn from(r: Result<(), String>) -> Self {
        match r {
            Ok(()) => Self::Signed,
            Err(e) => Self::NotSigned(e),
        }
    }
}

/// PACE-CAM's key: bound to the authenticated EF.CardSecurity and document, or why not.
/// With the document authentic, an EF.CardSecurity that is not (another CSCA, a broken
/// signature) or that does not bind is a foreign key: the clone's.
fn cam_key(
    read: &AntiCloningRead,
    pa: Option<&PassiveAuthentication>,
    card_security: Option<&PassiveAuthentication>,
) -> Key {
    let Some(evidence) = read.pace_cam_evidence.as_ref() else {
        return Key::NotSigned("PACE-CAM's evidence was not kept (a read made elsewhere)".into());
    };
    let Some(document) = pa.and_then(PassiveAuthentication::authenticated_document) else {
        return Key::NotSigned("the document is not authenticated (passive authentication is not valid)".into());
    };
    let Some(cs_report) = card_security else {
        return Key::NotSigned("EF.CardSecurity was not verified".into());
    };
    let Some(cs) = cs_report.authenticated_card_security() else {
        let why = cs_report
            .checks()
            .iter()
            .find(|c| c.status() != crate::pki::Status::Passed && c.name() != crate::pki::CheckName::DataGroupHashes)
            .map_or_else(|| "not valid".to_string(), |c| c.reason().unwrap_or("not valid").to_string());
        return Key::Foreign(format!("EF.CardSecurity is not valid under passive authentication ({why})"));
    };
    match bind_pace_cam(evidence, cs, document) {
        Ok(_) => Key::Signed,
        Err(e) => Key::Foreign(e.to_string()),
    }
}
