//! The virtual eMRTD chip: the other side of BAC and secure messaging, serving a
//! [`VirtualDocument`] through ISO/IEC 7816-4 commands.
//!
//! It behaves like a conforming chip by default and can be configured to behave like
//! the ones in the field ([`ChipProfile`]: short-Le limits, no extended length, no
//! short EF identifiers) or made to misbehave on purpose ([`Fault`]).

mod access;
mod modes;
mod profile;
mod secured;

pub use modes::{Fault, Hostile};
pub use profile::ChipProfile;

use std::collections::VecDeque;

use zeroize::Zeroizing;

use super::document::VirtualDocument;
use super::pace::PaceChip;
use super::rng::DetRng;
use crate::access::bac::BacKeys;
use crate::apdu::{EMRTD_AID, ParsedCommand, StatusWord};
use crate::lds::LdsFile;
use crate::mrz::MrzKey;
use crate::sm::ChipChannel;
use crate::transport::ApduHandler;

/// A PACE option the chip offers with explicit domain parameters, and the group it runs.
struct CustomPace {
    protocol: crate::lds::security_infos::PaceProtocol,
    id: u32,
    group: crate::access::pace::Group,
    /// PACE-CAM: the static secret the chip uses (a clone's, for [`Hostile::CamExplicitCurve`]).
    ca_key: Option<Zeroizing<Vec<u8>>>,
}

enum State {
    Idle,
    Challenged(Zeroizing<[u8; 8]>),
    Secured(Box<ChipChannel>),
}

/// The PIN's retry counter: 3 tries; at 1 the PIN is suspended until a PACE with the CAN
/// succeeds in the same session; at 0 it is blocked until RESET RETRY COUNTER after a
/// PACE with the PUK (BSI TR-03110-2 §3.5, ICAO 9303-11 §4.4).
const PIN_TRIES: u8 = 3;
/// The PUK's own counter.
const PUK_TRIES: u8 = 10;

/// Password references of MSE:Set AT.
const REF_CAN: u8 = 2;
const REF_PIN: u8 = 3;
const REF_PUK: u8 = 4;

/// The virtual chip. Plug it into a reader with [`crate::transport::InProcess`].
pub struct VirtualChip {
    doc: VirtualDocument,
    profile: ChipProfile,
    keys: BacKeys,
    rng: DetRng,
    state: State,
    app_selected: bool,
    current: Option<LdsFile>,
    card_access_selected: bool,
    atr_info_selected: bool,
    faults: VecDeque<(u32, Fault)>,
    protected_seen: u32,
    /// A PACE run in progress (plain, or nested inside the current channel) and the
    /// password reference it uses.
    pace_run: Option<(Box<PaceChip>, u8)>,
    /// A channel a nested PACE just established: it replaces the current one once the
    /// last GENERAL AUTHENTICATE's answer has been protected with the old one.
    pending_channel: Option<Box<ChipChannel>>,
    /// The password reference of the PACE that opened the current channel.
    session_password: Option<u8>,
    /// A PACE with the CAN succeeded in this session: a suspended PIN may be tried.
    can_verified: bool,
    pin_tries: u8,
    puk_tries: u8,
    /// A PIN set by RESET RETRY COUNTER (`P1 = 02`), replacing the document's.
    new_pin: Option<Zeroizing<String>>,
    /// Chip Authentication's MSE:Set AT was accepted: GENERAL AUTHENTICATE completes it.
    ca_pending: Option<crate::chip_auth::protocol::Cipher>,
    /// The master file is the current DF (after PACE, before selecting the application).
    in_mf: bool,
    /// EF.CardSecurity (MF) is the current file.
    card_security_current: bool,
    /// The misbehaviour, if this chip is hostile.
    hostile: Option<Hostile>,
    /// The last protected response (for [`Hostile::ReplayedResponses`]).
    last_protected: Vec<u8>,
    /// Counts for the hostile modes that change over time.
    hostile_step: u32,
    /// PACE options with explicit domain parameters, beyond the document's own.
    custom_pace: Vec<CustomPace>,
    /// The chip left the field (for good): the transport reports the card removed.
    departed: bool,
    /// The MRZ the chip opens with when it is not its document's own (a substitution).
    access_mrz: Option<MrzKey>,
}

impl core::fmt::Debug for VirtualChip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualChip").field("profile", &self.profile).finish_non_exhaustive()
    }
}

impl VirtualChip {
    /// A chip serving `doc` with the [`ChipProfile::modern`] profile.
    #[must_use]
    pub fn new(doc: VirtualDocument) -> Self {
        Self::with_profile(doc, ChipProfile::modern())
    }

    /// A chip serving `doc` with the given limits.
    #[must_use]
    pub fn with_profile(doc: VirtualDocument, profile: ChipProfile) -> Self {
        let keys = BacKeys::from_seed(&doc.mrz_key().seed());
        let rng = DetRng::new(doc.spec().seed, "chip");
        Self {
            doc,
            profile,
            keys,
            rng,
            state: State::Idle,
            app_selected: false,
            current: None,
            card_access_selected: false,
            atr_info_selected: false,
            faults: VecDeque::new(),
            protected_seen: 0,
            pace_run: None,
            pending_channel: None,
            session_password: None,
            can_verified: false,
            pin_tries: PIN_TRIES,
            new_pin: None,
            puk_tries: PUK_TRIES,
            ca_pending: None,
            in_mf: false,
            card_security_current: false,
            hostile: None,
            last_protected: Vec::new(),
            hostile_step: 0,
            custom_pace: Vec::new(),
            departed: false,
            access_mrz: None,
        }
    }

    /// A chip that opens (BAC, PACE with the MRZ) with `key`, another document's MRZ,
    /// while it serves its own document's files: a substitution, where the terminal asked
    /// for one document and is handed another.
    #[must_use]
    pub fn answering_to(mut self, key: &MrzKey) -> Self {
        self.keys = BacKeys::from_seed(&key.seed());
        self.access_mrz = Some(key.clone());
        self
    }

    /// Makes the chip hostile (or, with `None`, well-behaved again). File-level modes
    /// rewrite the served document at once.
    pub fn set_hostile(&mut self, mode: Option<Hostile>) {
        match &mode {
            Some(Hostile::HugeLength) => {
                let mut huge = vec![0x75, 0x84, 0x7F, 0xFF, 0xFF, 0xFF];
                huge.extend_from_slice(&[0x5F; 64]);
                if let Some(dg2) = LdsFile::dg(2) {
                    self.doc.set_file(dg2, huge);
                }
            }
            Some(Hostile::DeepNesting) => {
                // Definite lengths need the inside's size first: the headers are sized
                // from the innermost out, then written outermost first (linear, no copies).
                let inner = [0x5F, 0x10, 0x00];
                let mut size = inner.len();
                let mut headers = Vec::with_capacity(100_000);
                for _ in 0..100_000 {
                    let mut h = vec![0xA0];
                    crate::tlv::encode_length(size, &mut h);
                    size += h.len();
                    headers.push(h);
                }
                let mut body = Vec::with_capacity(size);
                headers.iter().rev().for_each(|h| body.extend_from_slice(h));
                body.extend_from_slice(&inner);
                if let Some(dg11) = LdsFile::dg(11) {
                    self.doc.set_file(dg11, crate::tlv::encode_to_vec(crate::tlv::Tag::new(0x6B), &body));
                }
            }
            Some(Hostile::WeakPaceGroup(weak)) => {
                let (protocol, algorithm_identifier) = super::hostile::weak_group(*weak);
                self.add_custom_pace(protocol, 32, &algorithm_identifier, None);
            }
            Some(Hostile::CamExplicitCurve) => {
                if let Some((protocol, algorithm_identifier)) = super::hostile::cam_curve_around_key(&self.doc) {
                    // CA_IC = SK_map · 1⁻¹: the clone's "static key" is 1 on E′, whose generator is P.
                    self.add_custom_pace(protocol, 32, &algorithm_identifier, Some(Zeroizing::new(vec![1])));
                }
            }
            Some(Hostile::LeaveOnExtraGroup(n)) => {
                if let Some(com) = self.doc.file(LdsFile::Com).and_then(|b| crate::lds::EfCom::parse(b).ok())
                    && let Some(extra) = crate::lds::DgNumber::new(*n)
                {
                    let mut com = com;
                    if !com.data_groups.contains(&extra) {
                        com.data_groups.push(extra);
                    }
                    self.doc.set_file(LdsFile::Com, com.encode());
                }
            }
            _ => {}
        }
        self.hostile = mode;
    }

    /// Offers one more PACE option in EF.CardAccess: `protocol` under domain parameter ID
    /// `id`, with the explicit parameters `algorithm_identifier` (a PACEDomainParameterInfo),
    /// and runs PACE in that group when a terminal asks for it. `ca_key` is the static
    /// secret for PACE-CAM. Unusable parameters are ignored.
    #[must_use]
    pub fn offer_pace_group(
        mut self,
        protocol: crate::lds::security_infos::PaceProtocol,
        id: u32,
        algorithm_identifier: &[u8],
    ) -> Self {
        self.add_custom_pace(protocol, id, algorithm_identifier, None);
        self
    }

    fn add_custom_pace(
        &mut self,
        protocol: crate::lds::security_infos::PaceProtocol,
        id: u32,
        algorithm_identifier: &[u8],
        ca_key: Option<Zeroizing<Vec<u8>>>,
    ) {
        let Ok(group) = crate::access::pace::Group::explicit(protocol.key_agreement, algorithm_identifier) else {
            return;
        };
        let infos = super::hostile::pace_infos(protocol, id, algorithm_identifier);
        let card_access = super::hostile::extend_set(self.doc.card_access(), &infos);
        self.doc.set_card_access(Some(card_access));
        self.custom_pace.push(CustomPace { protocol, id, group, ca_key });
    }

    /// [`VirtualChip::set_hostile`] as a builder.
    #[must_use]
    pub fn hostile(mut self, mode: Hostile) -> Self {
        self.set_hostile(Some(mode));
        self
    }

    /// Tries left on the PIN's retry counter (persistent: survives [`VirtualChip::reset`]).
    #[must_use]
    pub fn pin_tries(&self) -> u8 {
        self.pin_tries
    }

    /// The document it serves.
    #[must_use]
    pub fn document(&self) -> &VirtualDocument {
        &self.doc
    }

    /// The chip's limits.
    #[must_use]
    pub fn profile(&self) -> &ChipProfile {
        &self.profile
    }

    /// Applies `fault` to the protected exchange `after` exchanges from now (0 = the next).
    pub fn inject(&mut self, fault: Fault, after: u32) {
        self.faults.push_back((self.protected_seen + after, fault));
    }

    /// Whether a secure-messaging session is active on the chip.
    #[must_use]
    pub fn is_secured(&self) -> bool {
        matches!(self.state, State::Secured(_))
    }

    /// Powers the chip down and up: all session state is lost.
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.card_access_selected = false;
        self.atr_info_selected = false;
        self.app_selected = false;
        self.current = None;
        self.pace_run = None;
        self.pending_channel = None;
        self.session_password = None;
        self.can_verified = false;
    }
}

impl ApduHandler for VirtualChip {
    fn present(&self) -> bool {
        !self.departed
    }

    fn handle(&mut self, capdu: &[u8]) -> Vec<u8> {
        let Ok(cmd) = ParsedCommand::parse(capdu) else {
            return StatusWord::WrongLength.to_bytes().to_vec();
        };
        // A chip without extended length rejects such APDUs before any SM processing.
        if cmd.extended && self.profile.max_extended_ne.is_none() {
            return StatusWord::WrongLength.to_bytes().to_vec();
        }
        if !matches!(self.state, State::Secured(_)) {
            match self.hostile {
                Some(Hostile::EndlessGetResponse) => return vec![0x61, 0x10],
                Some(Hostile::WrongLeLoop) => {
                    self.hostile_step = self.hostile_step.wrapping_add(1);
                    return vec![0x6C, 0x10 + (self.hostile_step % 0x40) as u8];
                }
                _ => {}
            }
        }
        if matches!(self.state, State::Secured(_)) { self.secured(&cmd) } else { self.plain(&cmd) }
    }
}
