//! The virtual eMRTD chip: the other side of BAC and secure messaging, serving a
//! [`VirtualDocument`] through ISO/IEC 7816-4 commands.
//!
//! It behaves like a conforming chip by default and can be configured to behave like
//! the ones in the field ([`ChipProfile`]: short-Le limits, no extended length, no
//! short EF identifiers) or made to misbehave on purpose ([`Fault`]).

use std::collections::VecDeque;

use zeroize::Zeroizing;

use super::document::VirtualDocument;
use super::hostile::WeakGroup;
use super::pace::{BadKey, GaResult, PaceChip};
use super::rng::DetRng;
use crate::access::bac::{self, BacKeys};
use crate::apdu::{EMRTD_AID, ParsedCommand, StatusWord, ins};
use crate::crypto::{ct_eq, retail_mac::RetailMacKey, tdes};
use crate::lds::LdsFile;
use crate::mrz::MrzKey;
use crate::sm::{ChipChannel, OpenedCommand};
use crate::tlv::{self, Tag};
use crate::transport::ApduHandler;

/// Limits that model real chips.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChipProfile {
    /// Largest Ne accepted in a short READ BINARY (256 for most chips, 160 for some
    /// older ones); above it the chip answers a protected `6700`.
    pub max_short_ne: u32,
    /// Largest Ne accepted in an extended READ BINARY, or `None` for a chip without
    /// extended length, which rejects extended APDUs with a bare `6700` before secure
    /// messaging sees them (as some Chinese passports do).
    pub max_extended_ne: Option<u32>,
    /// Whether READ BINARY with a short EF identifier works.
    pub sfi: bool,
    /// Whether the chip still accepts BAC (PACE-only chips answer `6D00`).
    pub bac: bool,
    /// Whether the master file has EF.ATR/INFO stating these limits (DO `7F66` with the
    /// largest response, or card capabilities without extended length).
    pub atr_info: bool,
    /// How an EAC-protected data group is refused: `false`, a protected `6982` (secure
    /// messaging goes on); `true`, a bare `6982` that ends secure messaging (seen on some
    /// chips: the terminal must authenticate again).
    pub eac_refusal_ends_sm: bool,
}

impl Default for ChipProfile {
    fn default() -> Self {
        Self::modern()
    }
}

impl ChipProfile {
    /// A modern chip: extended length up to 64 KiB, SFI, Ne up to 256 in short APDUs.
    #[must_use]
    pub fn modern() -> Self {
        Self {
            max_short_ne: 256,
            max_extended_ne: Some(65536),
            sfi: true,
            bac: true,
            atr_info: false,
            eac_refusal_ends_sm: false,
        }
    }

    /// A chip without extended length.
    #[must_use]
    pub fn no_extended_length() -> Self {
        Self { max_extended_ne: None, ..Self::modern() }
    }

    /// An old chip: short APDUs only, at most 160 bytes a read.
    #[must_use]
    pub fn legacy_le160() -> Self {
        Self { max_short_ne: 160, max_extended_ne: None, ..Self::modern() }
    }

    /// Sets the extended-length limit.
    #[must_use]
    pub fn with_max_extended_ne(mut self, n: Option<u32>) -> Self {
        self.max_extended_ne = n;
        self
    }

    /// Sets the short-Ne limit.
    #[must_use]
    pub fn with_max_short_ne(mut self, n: u32) -> Self {
        self.max_short_ne = n;
        self
    }

    /// Enables or disables BAC (a PACE-only chip).
    #[must_use]
    pub fn with_bac(mut self, yes: bool) -> Self {
        self.bac = yes;
        self
    }

    /// Refuses EAC-protected data groups with a bare `6982` that ends secure messaging.
    #[must_use]
    pub fn with_eac_refusal_ending_sm(mut self, yes: bool) -> Self {
        self.eac_refusal_ends_sm = yes;
        self
    }

    /// Publishes the limits in EF.ATR/INFO, or not.
    #[must_use]
    pub fn with_atr_info(mut self, yes: bool) -> Self {
        self.atr_info = yes;
        self
    }

    /// EF.ATR/INFO's content for these limits. The largest response is stated for the
    /// largest plaintext ≤ `max_extended_ne` that fills its last AES block, so that a
    /// reader sizing its reads from it never asks for more than the chip takes.
    #[must_use]
    pub fn atr_info_file(&self) -> Vec<u8> {
        match self.max_extended_ne {
            Some(n) => {
                let n = n as usize;
                let fitted = n.saturating_sub((n + 1) % 16);
                let r = crate::sm::protected_response_len(fitted, 16) as u32;
                let mut ints = crate::tlv::encode_to_vec(Tag::new(0x02), &0xFFFFu32.to_be_bytes()[2..]);
                ints.extend(crate::tlv::encode_to_vec(Tag::new(0x02), &r.to_be_bytes()[1..]));
                crate::tlv::encode_to_vec(Tag::new(0x7F66), &ints)
            }
            None => crate::tlv::encode_to_vec(Tag::new(0x47), &[0x00, 0x00, 0x00]),
        }
    }

    /// Enables or disables short EF identifiers.
    #[must_use]
    pub fn with_sfi(mut self, yes: bool) -> Self {
        self.sfi = yes;
        self
    }
}

/// A deliberate misbehaviour, applied to one protected exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Flip a bit of the response MAC.
    TamperResponseMac,
    /// Compute the response with the counter this many steps ahead (a lost or replayed message).
    SkewCounter(u8),
    /// Answer with this bare status word and drop the session keys (e.g. `6988`).
    Unprotected(StatusWord),
}

/// A chip built to attack the reader: one misbehaviour, switched on for good
/// ([`VirtualChip::set_hostile`]). Each has its test in `tests/hostile.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hostile {
    /// Every protected response carries a wrong MAC.
    WrongMac,
    /// Protected responses come without their MAC object (`8E`).
    MissingMac,
    /// Each protected response is the previous one again (a replay: its send sequence
    /// counter is one behind).
    ReplayedResponses,
    /// Protected responses are cut in half (the status word kept).
    TruncatedResponses,
    /// READ BINARY answers a bare, unprotected `6A82` inside secure messaging.
    UnprotectedErrors,
    /// Every plain command is answered `61 10`, and so is every GET RESPONSE: an endless chain.
    EndlessGetResponse,
    /// Every plain command is answered `6C XX` with another XX each time.
    WrongLeLoop,
    /// DG2's header claims 2 GiB.
    HugeLength,
    /// DG11 is 100 000 constructed objects nested in one another.
    DeepNesting,
    /// DG2 grows by 1 KiB at every READ BINARY: what was read first no longer fits what follows.
    GrowingFile,
    /// The chip changes its answers: DG1 differs at every SELECT.
    ChangingAnswers,
    /// After access control, every plaintext answer (data ‖ SW1 SW2) comes from this list,
    /// protected properly (the fuzzer plays the chip); an empty list answers `6A82`.
    Scripted(VecDeque<Vec<u8>>),
    /// PACE sends this instead of its first public key (the mapping key, or the
    /// ephemeral key with Integrated Mapping).
    PaceKey(BadKey),
    /// EF.CardAccess also offers PACE (Generic Mapping, AES-256, ID 32) in this weak group,
    /// written out as explicit domain parameters: an overlay playing the chip to learn the
    /// password offline from the terminal's token (Pohlig–Hellman, or a singular curve's
    /// trivial logarithm). The strongest cipher on offer, so a naive terminal picks it.
    WeakPaceGroup(WeakGroup),
    /// A clone of a PACE-CAM document: EF.CardAccess announces PACE-CAM (ID 32) on an
    /// explicit curve E′ built around EF.CardSecurity's genuine key P (same p, a′ = a + 1,
    /// b′ = y² − x³ − a′x, G′ = P, the order copied); the clone runs PACE on E′ and sends
    /// CA_IC = its own mapping secret, so CA_IC · PK_IC = PK_map,IC holds on E′ without the
    /// chip's private key.
    CamExplicitCurve,
    /// SELECT EF.CardAccess answers `6A82`: a man in the middle hiding PACE so that the
    /// terminal uses BAC (whose MRZ key can be searched offline from a recording).
    HiddenCardAccess,
    /// Chip Authentication (MSE:Set KAT / Set AT) and INTERNAL AUTHENTICATE are refused
    /// with a protected `6985`: a clone with genuine files that cannot prove their keys.
    RefuseChipProofs,
    /// EF.COM also lists DG`n` (the SOD does not); asked for it, the chip leaves the field
    /// for good, so the terminal resumes the read on whatever card comes next (an
    /// attacker's own genuine card of the same model).
    LeaveOnExtraGroup(u8),
}

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
        let keys = BacKeys::from_mrz(&doc.mrz_key());
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
        self.keys = BacKeys::from_mrz(key);
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

    /// EF.CardAccess (MF, FID 011C, SFI 1C): readable without authentication.
    fn card_access(&mut self, cmd: &ParsedCommand<'_>) -> Option<Vec<u8>> {
        if self.hostile == Some(Hostile::HiddenCardAccess)
            && !self.app_selected
            && ((cmd.ins == ins::SELECT && cmd.data == [0x01, 0x1C]) || (cmd.ins == ins::READ_BINARY && cmd.p1 == 0x9C))
        {
            return Some(StatusWord::FileNotFound.to_bytes().to_vec());
        }
        let content = self.doc.card_access()?.to_vec();
        let ok = |mut v: Vec<u8>, sw: StatusWord| {
            v.extend_from_slice(&sw.to_bytes());
            v
        };
        match cmd.ins {
            ins::SELECT if matches!(cmd.p1, 0x00 | 0x02) && cmd.data == [0x01, 0x1C] && !self.app_selected => {
                self.card_access_selected = true;
                self.atr_info_selected = false;
                Some(StatusWord::Ok.to_bytes().to_vec())
            }
            ins::READ_BINARY
                if (cmd.p1 == 0x9C || (cmd.p1 & 0x80 == 0 && self.card_access_selected)) && !self.app_selected =>
            {
                let offset = if cmd.p1 & 0x80 != 0 {
                    usize::from(cmd.p2)
                } else {
                    (usize::from(cmd.p1) << 8) | usize::from(cmd.p2)
                };
                self.card_access_selected = true;
                let rest = content.get(offset..)?;
                let n = rest.len().min(cmd.ne as usize);
                let sw = if n < cmd.ne as usize { StatusWord::EndOfFile } else { StatusWord::Ok };
                Some(ok(rest.get(..n).unwrap_or_default().to_vec(), sw))
            }
            _ => None,
        }
    }

    /// EF.ATR/INFO (MF, FID 2F01), when the profile has it: selected by FID, read plain.
    fn atr_info(&mut self, cmd: &ParsedCommand<'_>) -> Option<Vec<u8>> {
        if !self.profile.atr_info || self.app_selected {
            return None;
        }
        match cmd.ins {
            ins::SELECT if matches!(cmd.p1, 0x00 | 0x02) && cmd.data == [0x2F, 0x01] => {
                self.atr_info_selected = true;
                self.card_access_selected = false;
                Some(StatusWord::Ok.to_bytes().to_vec())
            }
            ins::READ_BINARY if cmd.p1 & 0x80 == 0 && self.atr_info_selected => {
                let content = self.profile.atr_info_file();
                let offset = (usize::from(cmd.p1) << 8) | usize::from(cmd.p2);
                let rest = content.get(offset..).unwrap_or_default();
                let n = rest.len().min(cmd.ne as usize);
                let sw = if n < cmd.ne as usize { StatusWord::EndOfFile } else { StatusWord::Ok };
                let mut out = rest.get(..n).unwrap_or_default().to_vec();
                out.extend_from_slice(&sw.to_bytes());
                Some(out)
            }
            _ => None,
        }
    }

    /// MSE:Set AT and GENERAL AUTHENTICATE of PACE, plain or inside secure messaging
    /// (a PACE with the PIN after one with the CAN). `None` for other commands; otherwise
    /// the answer and, when PACE completed, the new channel.
    fn pace_command(
        &mut self,
        ins_: u8,
        p1p2: (u8, u8),
        data: &[u8],
    ) -> Option<(Vec<u8>, StatusWord, Option<Box<ChipChannel>>)> {
        let offered = self.doc.spec().pace?;
        match (ins_, p1p2) {
            (ins::MSE, (0xC1, 0xA4)) => {
                self.pace_run = None;
                let mut oid = Vec::new();
                let mut reference = 0u8;
                let mut param = None;
                for t in tlv::iter(data).flatten() {
                    match t.tag.value() {
                        0x80 => oid = t.value.to_vec(),
                        0x83 => reference = t.value.first().copied().unwrap_or(0),
                        0x84 => param = t.value.first().map(|&b| u32::from(b)),
                        _ => {}
                    }
                }
                let (password, warning) = match self.password(reference) {
                    Ok(p) => p,
                    Err(sw) => return Some((vec![], sw, None)),
                };
                if let Some(custom) =
                    self.custom_pace.iter().find(|c| oid == c.protocol.oid().as_bytes() && param == Some(c.id))
                {
                    let ca_key = custom.ca_key.clone();
                    let p = PaceChip::start_custom(custom.protocol, custom.group.clone(), password, ca_key);
                    self.pace_run = Some((Box::new(p), reference));
                    return Some((vec![], warning, None));
                }
                let ca_key = self.doc.chip_authentication_key().map(|(sk, _)| sk);
                let spec = self.doc.spec();
                let group_id = spec.pace_explicit.unwrap_or(offered.1);
                // A chip that names no parameter set does not know a reference to one.
                if spec.pace_without_parameter_id && spec.pace_explicit.is_some() && param.is_some() {
                    return Some((vec![], StatusWord::WrongData, None));
                }
                let bad_key = match self.hostile {
                    Some(Hostile::PaceKey(kind)) => Some(kind),
                    _ => None,
                };
                Some(match PaceChip::start(offered, &oid, param, password, ca_key, group_id) {
                    Ok(p) => {
                        let p = p.with_bad_key(bad_key);
                        self.pace_run = Some((Box::new(p), reference));
                        (vec![], warning, None)
                    }
                    Err(sw) => (vec![], sw, None),
                })
            }
            (ins::GENERAL_AUTHENTICATE, (0x00, 0x00)) => {
                let Some((pace, reference)) = self.pace_run.as_mut() else {
                    return Some((vec![], StatusWord::ConditionsNotSatisfied, None));
                };
                let reference = *reference;
                Some(match pace.step(data, &mut self.rng) {
                    GaResult::Continue(d, sw) => (d, sw, None),
                    GaResult::Established(d, channel) => {
                        self.pace_run = None;
                        match reference {
                            REF_CAN => self.can_verified = true,
                            REF_PIN => self.pin_tries = PIN_TRIES,
                            REF_PUK => self.puk_tries = PUK_TRIES,
                            _ => {}
                        }
                        self.session_password = Some(reference);
                        (d, StatusWord::Ok, Some(channel))
                    }
                    GaResult::Failed(sw) => {
                        self.pace_run = None;
                        (vec![], self.count_failure(reference, sw), None)
                    }
                })
            }
            _ => None,
        }
    }

    /// The password for a reference, with the status MSE:Set AT answers when it starts:
    /// `9000`, or `63CX` as a warning that the PIN has been mistyped before.
    fn password(&self, reference: u8) -> Result<(Zeroizing<Vec<u8>>, StatusWord), StatusWord> {
        let spec = self.doc.spec();
        let ascii = |s: &str| Zeroizing::new(s.as_bytes().to_vec());
        match reference {
            1 => {
                let key = self.access_mrz.clone().unwrap_or_else(|| self.doc.mrz_key());
                Ok((crate::access::pace::PacePassword::Mrz(key).key_material(), StatusWord::Ok))
            }
            REF_CAN => Ok((ascii(&spec.can), StatusWord::Ok)),
            REF_PIN => {
                let pin = self.new_pin.as_deref().map(String::as_str).or(spec.pin.as_deref());
                let pin = pin.ok_or(StatusWord::ReferenceNotFound)?;
                match self.pin_tries {
                    0 => Err(StatusWord::AuthenticationBlocked),
                    // Suspended: only after a PACE with the CAN in this session.
                    1 if !self.can_verified => Err(StatusWord::TriesLeft(1)),
                    n if n < PIN_TRIES && !self.can_verified => Ok((ascii(pin), StatusWord::TriesLeft(n))),
                    _ => Ok((ascii(pin), StatusWord::Ok)),
                }
            }
            REF_PUK => {
                let puk = spec.puk.as_deref().ok_or(StatusWord::ReferenceNotFound)?;
                if self.puk_tries == 0 {
                    Err(StatusWord::AuthenticationBlocked)
                } else {
                    Ok((ascii(puk), StatusWord::Ok))
                }
            }
            _ => Err(StatusWord::ReferenceNotFound),
        }
    }

    /// A failed PACE costs a try of a PIN or PUK: answer `63CX` with the tries left.
    fn count_failure(&mut self, reference: u8, sw: StatusWord) -> StatusWord {
        if sw != StatusWord::AuthenticationFailed {
            return sw;
        }
        let counter = match reference {
            REF_PIN => &mut self.pin_tries,
            REF_PUK => &mut self.puk_tries,
            _ => return sw,
        };
        *counter = counter.saturating_sub(1);
        StatusWord::TriesLeft(*counter)
    }

    /// MSE/GA in the plain: a completed PACE opens the channel.
    fn pace(&mut self, cmd: &ParsedCommand<'_>) -> Option<Vec<u8>> {
        let (mut data, sw, channel) = self.pace_command(cmd.ins, (cmd.p1, cmd.p2), cmd.data)?;
        if let Some(channel) = channel {
            self.state = State::Secured(channel);
            self.card_access_selected = false;
            self.in_mf = !self.app_selected;
        } else if !matches!(self.state, State::Idle) {
            self.state = State::Idle;
        }
        data.extend_from_slice(&sw.to_bytes());
        Some(data)
    }

    fn plain(&mut self, cmd: &ParsedCommand<'_>) -> Vec<u8> {
        if let Some(r) = self.card_access(cmd) {
            return r;
        }
        if let Some(r) = self.atr_info(cmd) {
            return r;
        }
        if let Some(r) = self.pace(cmd) {
            return r;
        }
        if !self.profile.bac && matches!(cmd.ins, ins::GET_CHALLENGE | ins::EXTERNAL_AUTHENTICATE) {
            return StatusWord::InsNotSupported.to_bytes().to_vec();
        }
        let sw = match (cmd.ins, &self.state) {
            (ins::SELECT, _) if cmd.p1 == 0x04 => {
                if cmd.data == EMRTD_AID {
                    self.app_selected = true;
                    self.card_access_selected = false;
                    self.state = State::Idle;
                    StatusWord::Ok
                } else {
                    StatusWord::FileNotFound
                }
            }
            (ins::GET_CHALLENGE, _) if self.app_selected => {
                if cmd.ne != 8 {
                    StatusWord::WrongLength
                } else {
                    let mut rnd = Zeroizing::new([0u8; 8]);
                    self.rng.fill_bytes(&mut rnd[..]);
                    let mut out = rnd.to_vec();
                    self.state = State::Challenged(rnd);
                    out.extend_from_slice(&StatusWord::Ok.to_bytes());
                    return out;
                }
            }
            (ins::EXTERNAL_AUTHENTICATE, State::Challenged(_)) => return self.external_authenticate(cmd),
            (ins::EXTERNAL_AUTHENTICATE, _) => StatusWord::ConditionsNotSatisfied,
            (ins::SELECT | ins::READ_BINARY | ins::READ_BINARY_ODD, _) if self.app_selected => {
                StatusWord::SecurityStatusNotSatisfied
            }
            (ins::SELECT | ins::READ_BINARY | ins::READ_BINARY_ODD | ins::GET_CHALLENGE, _) => {
                StatusWord::ConditionsNotSatisfied
            }
            _ => StatusWord::InsNotSupported,
        };
        sw.to_bytes().to_vec()
    }

    /// BAC, chip side (ICAO 9303-11 §4.3): check the terminal's MAC and nonce, answer
    /// with ours, derive the session keys.
    fn external_authenticate(&mut self, cmd: &ParsedCommand<'_>) -> Vec<u8> {
        let State::Challenged(rnd_ic) = core::mem::replace(&mut self.state, State::Idle) else {
            return StatusWord::ConditionsNotSatisfied.to_bytes().to_vec();
        };
        let denied = StatusWord::AuthenticationFailed.to_bytes().to_vec();
        let (e_ifd, m_ifd) = match cmd.data.split_at_checked(32) {
            Some((e, m)) if m.len() == 8 => (e, m),
            _ => return StatusWord::WrongLength.to_bytes().to_vec(),
        };
        let mac = RetailMacKey::new(self.keys.k_mac());
        if !ct_eq(&mac.mac_padded(&[e_ifd]), m_ifd) {
            return denied;
        }
        let cipher = self.keys.k_enc().cipher();
        let Ok(e_ifd) = <[u8; 32]>::try_from(e_ifd) else {
            return StatusWord::WrongLength.to_bytes().to_vec();
        };
        let mut s = Zeroizing::new(e_ifd);
        if tdes::cbc_decrypt(&cipher, &[0; 8], &mut s[..]).is_err() {
            return denied;
        }
        let (rnd_ifd, rnd_ic_echo, k_ifd) = bac::unblock(&s);
        if !ct_eq(&rnd_ic_echo[..], &rnd_ic[..]) {
            return denied;
        }
        let mut k_ic = Zeroizing::new([0u8; 16]);
        self.rng.fill_bytes(&mut k_ic[..]);
        let mut r = bac::block(&rnd_ic, &rnd_ifd, &k_ic);
        if tdes::cbc_encrypt(&cipher, &[0; 8], &mut r[..]).is_err() {
            return StatusWord::NoPreciseDiagnosis.to_bytes().to_vec();
        }
        let mut out = r.to_vec();
        out.extend_from_slice(&mac.mac_padded(&[&r[..]]));
        out.extend_from_slice(&StatusWord::Ok.to_bytes());
        let (suite, ssc) = bac::session(&k_ifd, &k_ic, &rnd_ic, &rnd_ifd);
        self.state = State::Secured(Box::new(ChipChannel::new(suite, &ssc)));
        out
    }

    fn secured(&mut self, cmd: &ParsedCommand<'_>) -> Vec<u8> {
        // A plain SELECT of the application restarts; any other plain command ends SM.
        if cmd.cla & 0x0C != 0x0C {
            if cmd.ins == ins::SELECT && cmd.p1 == 0x04 {
                return self.plain(cmd);
            }
            self.state = State::Idle;
            return StatusWord::SmObjectsMissing.to_bytes().to_vec();
        }
        let State::Secured(channel) = &mut self.state else {
            return StatusWord::ConditionsNotSatisfied.to_bytes().to_vec();
        };
        let opened = match channel.open_command(cmd) {
            Ok(o) => o,
            Err(_) => {
                self.state = State::Idle;
                return StatusWord::SmObjectsIncorrect.to_bytes().to_vec();
            }
        };
        let index = self.protected_seen;
        self.protected_seen += 1;
        let fault = match self.faults.front() {
            Some(&(at, f)) if at == index => {
                self.faults.pop_front();
                Some(f)
            }
            _ => None,
        };
        if let Some(Fault::Unprotected(sw)) = fault {
            self.state = State::Idle;
            return sw.to_bytes().to_vec();
        }
        // A chip that refuses an EAC-protected group outside secure messaging ends it.
        let targets_dg3 = match opened.ins {
            ins::SELECT => opened.data.as_slice() == [0x01, 0x03],
            ins::READ_BINARY => opened.p1 == 0x83,
            _ => false,
        };
        if targets_dg3 && self.profile.eac_refusal_ends_sm && self.doc.spec().eac_protected_dg3 {
            self.state = State::Idle;
            return StatusWord::SecurityStatusNotSatisfied.to_bytes().to_vec();
        }
        let reads = matches!(opened.ins, ins::READ_BINARY | ins::READ_BINARY_ODD);
        if reads && self.hostile == Some(Hostile::UnprotectedErrors) {
            return StatusWord::FileNotFound.to_bytes().to_vec();
        }
        let (data, sw) = match &mut self.hostile {
            Some(Hostile::Scripted(script)) => match script.pop_front() {
                Some(mut answer) if answer.len() >= 2 => {
                    let sw2 = answer.pop().unwrap_or(0);
                    let sw1 = answer.pop().unwrap_or(0);
                    (answer, StatusWord::from_bytes(sw1, sw2))
                }
                _ => (vec![], StatusWord::FileNotFound),
            },
            _ => self.process(&opened),
        };
        let odd = opened.ins & 1 == 1;
        let State::Secured(channel) = &mut self.state else {
            return StatusWord::ConditionsNotSatisfied.to_bytes().to_vec();
        };
        match fault {
            Some(Fault::SkewCounter(n)) => channel.protect_response_with_offset(&data, sw, odd, n),
            Some(Fault::TamperResponseMac) => {
                let mut r = channel.protect_response(&data, sw, odd);
                let n = r.len();
                if let Some(b) = r.get_mut(n.saturating_sub(3)) {
                    *b ^= 0x01;
                }
                r
            }
            _ => {
                let r = channel.protect_response(&data, sw, odd);
                if let Some(next) = self.pending_channel.take() {
                    self.state = State::Secured(next);
                    self.current = None;
                }
                self.tamper(r)
            }
        }
    }

    /// The wire-level hostile modes, applied to a protected response.
    fn tamper(&mut self, mut r: Vec<u8>) -> Vec<u8> {
        let n = r.len();
        match self.hostile {
            Some(Hostile::WrongMac) => {
                if let Some(b) = r.get_mut(n.saturating_sub(3)) {
                    *b ^= 0x01;
                }
                r
            }
            // … ‖ 8E 08 MAC ‖ SW1 SW2: drop the MAC object.
            Some(Hostile::MissingMac) if n >= 12 => {
                r.drain(n - 12..n - 2);
                r
            }
            Some(Hostile::ReplayedResponses) => {
                let previous = core::mem::replace(&mut self.last_protected, r.clone());
                if previous.is_empty() { r } else { previous }
            }
            Some(Hostile::TruncatedResponses) if n > 4 => {
                let sw = r.split_off(n - 2);
                r.truncate((n - 2) / 2);
                r.extend_from_slice(&sw);
                r
            }
            _ => r,
        }
    }

    fn process(&mut self, cmd: &OpenedCommand) -> (Vec<u8>, StatusWord) {
        if let Some(Hostile::LeaveOnExtraGroup(n)) = self.hostile {
            let asked = match cmd.ins {
                ins::SELECT => cmd.data.as_slice() == [0x01, n],
                ins::READ_BINARY => cmd.p1 == 0x80 | (n & 0x1F),
                _ => false,
            };
            if asked {
                self.reset();
                self.departed = true;
                return (vec![], StatusWord::NoPreciseDiagnosis);
            }
        }
        // 0x10: command chaining, which GENERAL AUTHENTICATE uses.
        if cmd.cla != 0x00 && !(cmd.cla == 0x10 && cmd.ins == ins::GENERAL_AUTHENTICATE) {
            return (vec![], StatusWord::ClaNotSupported);
        }
        match cmd.ins {
            ins::SELECT => match (cmd.p1, cmd.data.as_slice()) {
                (0x04, aid) if aid == EMRTD_AID => {
                    self.current = None;
                    self.in_mf = false;
                    self.card_security_current = false;
                    (vec![], StatusWord::Ok)
                }
                (0x00 | 0x02, &[0x01, 0x1D]) if self.in_mf => {
                    self.current = None;
                    self.card_security_current = self.doc.card_security().is_some();
                    let sw = if self.card_security_current { StatusWord::Ok } else { StatusWord::FileNotFound };
                    (vec![], sw)
                }
                (0x00 | 0x02, _) if self.in_mf => (vec![], StatusWord::FileNotFound),
                (0x00 | 0x02, &[a, b]) => match self.doc.files().find(|(f, _)| f.fid() == [a, b]) {
                    Some((f, _)) if self.eac_protected(f) => (vec![], StatusWord::SecurityStatusNotSatisfied),
                    Some((f, _)) => {
                        if self.hostile == Some(Hostile::ChangingAnswers) && f.sfi() == 1 {
                            self.hostile_step = self.hostile_step.wrapping_add(1);
                        }
                        self.current = Some(f);
                        self.card_security_current = false;
                        (vec![], StatusWord::Ok)
                    }
                    None => (vec![], StatusWord::FileNotFound),
                },
                _ => (vec![], StatusWord::WrongP1P2),
            },
            ins::READ_BINARY | ins::READ_BINARY_ODD => self.read_binary(cmd),
            ins::GET_CHALLENGE => {
                let mut r = vec![0u8; 8];
                self.rng.fill_bytes(&mut r);
                (r, StatusWord::Ok)
            }
            // RESET RETRY COUNTER of the PIN, only in a session opened with the PUK: `03`
            // resets the counter, `02` also sets the PIN given as data (4 to 6 digits here).
            ins::RESET_RETRY_COUNTER if matches!((cmd.p1, cmd.p2), (0x02 | 0x03, REF_PIN)) => {
                let new_pin = (cmd.p1 == 0x02).then(|| String::from_utf8(cmd.data.to_vec()).ok()).flatten();
                let valid = cmd.p1 == 0x03
                    || new_pin
                        .as_ref()
                        .is_some_and(|p| (4..=6).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
                if self.session_password != Some(REF_PUK) || self.doc.spec().pin.is_none() {
                    (vec![], StatusWord::SecurityStatusNotSatisfied)
                } else if !valid {
                    (vec![], StatusWord::WrongData)
                } else {
                    self.pin_tries = PIN_TRIES;
                    if let Some(p) = new_pin {
                        self.new_pin = Some(Zeroizing::new(p));
                    }
                    (vec![], StatusWord::Ok)
                }
            }
            ins::MSE | ins::INTERNAL_AUTHENTICATE
                if self.hostile == Some(Hostile::RefuseChipProofs)
                    && (cmd.ins == ins::INTERNAL_AUTHENTICATE || cmd.p1 == 0x41) =>
            {
                (vec![], StatusWord::ConditionsNotSatisfied)
            }
            ins::MSE | ins::GENERAL_AUTHENTICATE if let Some(r) = self.chip_authentication(cmd) => r,
            ins::INTERNAL_AUTHENTICATE => match (cmd.data.len(), self.doc.secrets().aa.clone()) {
                (8, Some(key)) => match key.sign(&cmd.data, &mut self.rng) {
                    Some(sig) if sig.len() <= cmd.ne as usize => (sig, StatusWord::Ok),
                    Some(_) => (vec![], StatusWord::WrongLength),
                    None => (vec![], StatusWord::NoPreciseDiagnosis),
                },
                (8, None) => (vec![], StatusWord::InsNotSupported),
                _ => (vec![], StatusWord::WrongLength),
            },
            ins::MSE | ins::GENERAL_AUTHENTICATE => match self.pace_command(cmd.ins, (cmd.p1, cmd.p2), &cmd.data) {
                Some((data, sw, channel)) => {
                    self.pending_channel = channel;
                    (data, sw)
                }
                None => (vec![], StatusWord::WrongP1P2),
            },
            _ => (vec![], StatusWord::InsNotSupported),
        }
    }

    /// Chip Authentication (ICAO 9303-11 §6.2): MSE:Set KAT (3DES), or MSE:Set AT then
    /// GENERAL AUTHENTICATE. The new channel takes over after this answer. `None` for
    /// commands that are not Chip Authentication's.
    fn chip_authentication(&mut self, cmd: &OpenedCommand) -> Option<(Vec<u8>, StatusWord)> {
        use crate::chip_auth::protocol::Cipher;
        let (group, secret, spec) = self.doc.secrets().ca.clone()?;
        let field =
            |tag: u32| tlv::iter(&cmd.data).flatten().find(|t| t.tag == Tag::new(tag)).map(|t| t.value.to_vec());
        let key_ok = |id: Option<Vec<u8>>| match (id, spec.key_id) {
            (Some(given), Some(ours)) => given == crate::chip_auth::key_id_bytes(ours),
            (Some(_), None) => false,
            (None, _) => true,
        };
        let finish = |chip: &mut Self, pk: &[u8], cipher: Cipher, answer: Vec<u8>| match super::anti_cloning::ca_channel(
            &group, &secret, pk, cipher,
        ) {
            Some(ch) => {
                chip.pending_channel = Some(ch);
                (answer, StatusWord::Ok)
            }
            None => (vec![], StatusWord::WrongData),
        };
        match (cmd.ins, cmd.p1, cmd.p2) {
            (ins::MSE, 0x41, 0xA6) => {
                self.ca_pending = None;
                if spec.protocol.cipher != Cipher::Tdes {
                    return Some((vec![], StatusWord::ConditionsNotSatisfied));
                }
                if !key_ok(field(0x84)) {
                    return Some((vec![], StatusWord::ReferenceNotFound));
                }
                let pk = field(0x91)?;
                Some(finish(self, &pk, Cipher::Tdes, vec![]))
            }
            (ins::MSE, 0x41, 0xA4) => {
                self.ca_pending = None;
                if field(0x80).as_deref() != Some(spec.protocol.oid().as_bytes()) {
                    return Some((vec![], StatusWord::WrongData));
                }
                if !key_ok(field(0x84)) {
                    return Some((vec![], StatusWord::ReferenceNotFound));
                }
                self.ca_pending = Some(spec.protocol.cipher);
                Some((vec![], StatusWord::Ok))
            }
            (ins::GENERAL_AUTHENTICATE, 0x00, 0x00) => {
                let cipher = self.ca_pending.take()?;
                let Ok(pk) = crate::access::pace::dyn_auth_field(&cmd.data, 0x80, "GA") else {
                    return Some((vec![], StatusWord::WrongData));
                };
                Some(finish(self, &pk, cipher, vec![0x7C, 0x00]))
            }
            _ => None,
        }
    }

    /// DG3 when the document makes it need Extended Access Control (which this chip
    /// does not implement, so it never releases it).
    fn eac_protected(&self, f: LdsFile) -> bool {
        self.doc.spec().eac_protected_dg3 && matches!(f, LdsFile::Dg(d) if d.get() == 3)
    }

    fn read_binary(&mut self, cmd: &OpenedCommand) -> (Vec<u8>, StatusWord) {
        let limit = if cmd.extended { self.profile.max_extended_ne.unwrap_or(0) } else { self.profile.max_short_ne };
        if cmd.ne == 0 || cmd.ne > limit {
            return (vec![], StatusWord::WrongLength);
        }
        let odd = cmd.ins == ins::READ_BINARY_ODD;
        let offset = if odd {
            match tlv::Tlv::parse_exact(&cmd.data) {
                Ok(t) if t.tag == Tag::new(0x54) && !t.value.is_empty() && t.value.len() <= 3 => {
                    t.value.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b))
                }
                _ => return (vec![], StatusWord::WrongData),
            }
        } else if cmd.p1 & 0x80 != 0 {
            if !self.profile.sfi {
                return (vec![], StatusWord::WrongP1P2);
            }
            let sfi = cmd.p1 & 0x1F;
            match self.doc.files().find(|(f, _)| f.sfi() == sfi) {
                Some((f, _)) if self.eac_protected(f) => return (vec![], StatusWord::SecurityStatusNotSatisfied),
                Some((f, _)) => {
                    self.current = Some(f);
                    self.card_security_current = false;
                }
                None => return (vec![], StatusWord::FileNotFound),
            }
            usize::from(cmd.p2)
        } else {
            (usize::from(cmd.p1 & 0x7F) << 8) | usize::from(cmd.p2)
        };
        let grown;
        let content = if self.card_security_current {
            self.doc.card_security()
        } else if self.hostile == Some(Hostile::GrowingFile) && self.current.is_some_and(|f| f.sfi() == 2) {
            // A new, longer DG2 at every read: 1 KiB more each time, its header updated.
            self.hostile_step = self.hostile_step.saturating_add(1);
            let mut body = self.current.and_then(|f| self.doc.file(f)).unwrap_or_default().to_vec();
            body.resize(body.len() + 1024 * self.hostile_step as usize, 0x47);
            grown = crate::tlv::encode_to_vec(crate::tlv::Tag::new(0x75), &body);
            Some(grown.as_slice())
        } else if self.hostile == Some(Hostile::ChangingAnswers) && self.current.is_some_and(|f| f.sfi() == 1) {
            // Another DG1 at every SELECT (and every SFI read): its last MRZ byte changes.
            if cmd.p1 & 0x80 != 0 {
                self.hostile_step = self.hostile_step.wrapping_add(1);
            }
            let mut changed = self.current.and_then(|f| self.doc.file(f)).unwrap_or_default().to_vec();
            if let Some(last) = changed.last_mut() {
                *last = b'0' + (self.hostile_step % 10) as u8;
            }
            grown = changed;
            Some(grown.as_slice())
        } else {
            self.current.and_then(|f| self.doc.file(f))
        };
        let Some(content) = content else {
            return (vec![], StatusWord::CommandNotAllowed);
        };
        let len = content.len();
        if offset > len {
            return (vec![], StatusWord::WrongParameters);
        }
        let rest = content.get(offset..).unwrap_or_default();
        let ne = cmd.ne as usize;
        if odd {
            // DO53 must fit in Ne with its header.
            let mut n = rest.len().min(ne.saturating_sub(2));
            while n > 0 && 1 + tlv::length_len(n) + n > ne {
                n -= 1;
            }
            let chunk = rest.get(..n).unwrap_or_default();
            let sw =
                if n < rest.len() || 1 + tlv::length_len(n) + n == ne { StatusWord::Ok } else { StatusWord::EndOfFile };
            return (tlv::encode_to_vec(Tag::new(0x53), chunk), sw);
        }
        let n = rest.len().min(ne);
        let sw = if n < ne { StatusWord::EndOfFile } else { StatusWord::Ok };
        (rest.get(..n).unwrap_or_default().to_vec(), sw)
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
