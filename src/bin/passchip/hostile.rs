//! `--hostile MODE` of `demo` and `emulate`: the attacks passchip refuses, played by the
//! virtual chip (each an `emulator::Hostile` mode or a substituted chip).

use passchip::emulator::{AaSpec, DocumentSpec, Hostile, VirtualChip, VirtualDocument, WeakGroup};
use passchip::lds::LdsFile;
use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};

/// An attack the virtual chip plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Attack {
    /// A PACE-CAM clone on an explicit curve built around the genuine EF.CardSecurity key.
    CamExplicitCurve,
    /// A PACE-CAM clone relaying to the attacker's own card: its EF.CardSecurity and key.
    ForeignCardSecurity,
    /// An AES-256 PACE option on a singular curve (y² = x³), to learn the password offline.
    SingularCurve,
    /// An AES-256 PACE option on a curve claiming a smooth order.
    SmoothOrderCurve,
    /// An AES-256 PACE option in a DH group of composite order.
    CompositeOrderDh,
    /// EF.CardAccess hidden (6A82): the chip is opened with BAC although it supports PACE.
    HiddenCardAccess,
    /// A clone with genuine files that refuses Chip and Active Authentication (6985).
    RefuseProofs,
    /// A chip that opens with the document's MRZ but holds another document.
    SubstitutedDocument,
    /// A PACE-CAM clone that leaves the field when asked for an extra EF.COM group, so
    /// that the read resumes on the next card (`demo`: the attacker's own card).
    LeaveOnExtraGroup,
    /// DG1 changed after signing: another holder's name, where EF.SOD signs the original.
    AlteredDg1,
    /// DG11 made of 100 000 constructed objects nested in one another.
    DeepDg11,
}

/// The PACE-CAM protocol of the attacks on it.
const CAM: PaceProtocol =
    PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Cam, cipher: Cipher::Aes128 };

/// The seed of the attacker's own genuine card.
pub const ATTACKER_SEED: u64 = 4242;

impl Attack {
    /// The document the attack is played on: `spec` with what the attack needs (PACE-CAM,
    /// Active Authentication, a cloned chip).
    pub fn spec(self, spec: DocumentSpec) -> DocumentSpec {
        match self {
            Self::CamExplicitCurve => DocumentSpec { pace: Some((CAM, 13)), ..spec },
            Self::ForeignCardSecurity | Self::LeaveOnExtraGroup => {
                DocumentSpec { pace: Some((CAM, 13)), cloned: true, can: attacker_card().spec().can.clone(), ..spec }
            }
            Self::RefuseProofs => DocumentSpec {
                active_authentication: Some(AaSpec::Ecdsa {
                    curve: passchip::low_level::crypto::ec::NamedCurve::P256,
                    hash: passchip::low_level::crypto::hash::HashAlg::Sha256,
                    der: false,
                }),
                ..spec
            },
            Self::SubstitutedDocument => DocumentSpec { pace: None, ..spec },
            Self::DeepDg11 => DocumentSpec { extra_data_groups: true, ..spec },
            _ => spec,
        }
    }

    /// The chip that plays the attack on `doc` (built from [`Attack::spec`]).
    pub fn chip(self, doc: &VirtualDocument, profile: passchip::emulator::ChipProfile) -> VirtualChip {
        let chip = |d: VirtualDocument| VirtualChip::with_profile(d, profile.clone());
        match self {
            Self::CamExplicitCurve => chip(doc.clone()).hostile(Hostile::CamExplicitCurve),
            Self::ForeignCardSecurity => chip(doc.clone().with_card_security_of(&attacker_card())),
            Self::SingularCurve => chip(doc.clone()).hostile(Hostile::WeakPaceGroup(WeakGroup::SingularCurve)),
            Self::SmoothOrderCurve => chip(doc.clone()).hostile(Hostile::WeakPaceGroup(WeakGroup::SmoothOrderCurve)),
            Self::CompositeOrderDh => chip(doc.clone()).hostile(Hostile::WeakPaceGroup(WeakGroup::CompositeOrderDh)),
            Self::HiddenCardAccess => chip(doc.clone()).hostile(Hostile::HiddenCardAccess),
            Self::RefuseProofs => chip(doc.clone()).hostile(Hostile::RefuseChipProofs),
            Self::SubstitutedDocument => {
                // Same seed (the same CSCA signs it), another holder and document number.
                let held = VirtualDocument::build(DocumentSpec {
                    document_number: "XY9876543".into(),
                    surname: "ANDERSSON".into(),
                    ..doc.spec().clone()
                });
                chip(held).answering_to(&doc.mrz_key())
            }
            Self::LeaveOnExtraGroup => chip(doc.clone()).hostile(Hostile::LeaveOnExtraGroup(13)),
            Self::AlteredDg1 => {
                let other = VirtualDocument::build(DocumentSpec { surname: "ANDERSSON".into(), ..doc.spec().clone() });
                let mut altered = doc.clone();
                if let (Some(dg1), Some(bytes)) = (LdsFile::dg(1), LdsFile::dg(1).and_then(|f| other.file(f))) {
                    altered.set_file(dg1, bytes.to_vec());
                }
                chip(altered)
            }
            Self::DeepDg11 => chip(doc.clone()).hostile(Hostile::DeepNesting),
        }
    }

    /// Whether the attack needs the CAN (the attacker's card answers to its own CAN only).
    pub fn uses_can(self) -> bool {
        matches!(self, Self::LeaveOnExtraGroup | Self::ForeignCardSecurity)
    }
}

/// The attacker's own genuine PACE-CAM card (another document, another CSCA).
pub fn attacker_card() -> VirtualDocument {
    VirtualDocument::build(DocumentSpec { pace: Some((CAM, 13)), ..DocumentSpec::from_seed(ATTACKER_SEED) })
}
