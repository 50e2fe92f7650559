//! The session a user drives: connect → authenticate → read (→ verify → report, as
//! those layers land).
//!
//! A [`Session`] starts [`Plain`]. Only an access-control protocol turns it into a
//! [`Secured`] session, which is the only state that can read LDS files: reading
//! without authentication does not type-check.
//!
//! # Reading strategy
//! Files are read with the fewest round trips the chip allows:
//! 1. The first READ BINARY of a file uses its short EF identifier (no SELECT) and asks
//!    for as much as possible; the file's TLV header in that first answer gives its size.
//! 2. Where the reader path supports extended length, the first read of the session
//!    asks for up to [`EXTENDED_FIRST`] bytes in one extended APDU. A chip that
//!    rejects extended APDUs (a bare or protected `6700`) is then read with short APDUs
//!    for the rest of the session; one that accepts a smaller extended Ne is found by
//!    halving.
//! 3. Short reads ask for [`ReadOptions::short_chunk`] bytes (223 by default, which fits
//!    both 3DES and AES secure messaging). A chip that answers `6700`, `6282`, `6B00`
//!    or `6CXX` without data gets 160, then 128, then 96, then 64 bytes.
//! 4. Offsets above 32767 use odd-INS READ BINARY (`B1`) with the offset in DO`54`.
//! 5. A file that claims more than [`ReadOptions::max_file_size`] bytes is refused
//!    before it is read.

mod access_check;
mod anti_cloning;
mod pin;
mod read;
mod resume;

use crate::apdu::{Le, ParsedCommand};
pub use access_check::Downgrade;
pub use anti_cloning::{AntiCloningRead, Attempt, recheck_active_authentication};
pub use pin::unblock_pin;
pub use read::{Progress, ReadError};
pub use resume::{Interruption, PartialRead};

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::access::pace::{self, PaceOutcome, PacePassword};
use crate::access::{AccessError, AccessProtocol, bac};
use crate::apdu::{Command, StatusWord};
use crate::crypto::{OsRandom, RandomSource};
use crate::lds::SecurityInfos;
use crate::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use crate::lds::{Dg1, DgNumber, EfCom, LdsError, LdsFile};
use crate::mrz::MrzKey;
use crate::sm::{SecureChannel, SmError, SuiteKind};
use crate::transport::atr::{ATR_INFO_FID, AtrInfo};
use crate::transport::{self, LinkStats, Transport, TransportError};

/// The first extended-length Ne tried (bytes of plaintext): fits a protected response in
/// one extended R-APDU for both suites.
pub const EXTENDED_FIRST: u32 = 0xFF00;
/// Below this, extended reads are given up in favour of short ones.
pub const EXTENDED_MIN: u32 = 1000;
/// The short-read ladder after [`ReadOptions::short_chunk`].
pub const SHORT_LADDER: [u32; 4] = [160, 128, 96, 64];
/// Default size limit for one file (DG2 with several faces fits; DG3/DG4 may need more).
pub const DEFAULT_MAX_FILE_SIZE: usize = 1 << 20;

/// Whether to use extended-length READ BINARY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExtendedLength {
    /// Try it once, keep it if the chip accepts it (the default).
    #[default]
    Auto,
    /// Only short APDUs.
    Never,
}

/// Which access-control protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AccessPolicy {
    /// PACE when EF.CardAccess offers it (the strongest supported option), else BAC. A
    /// failed PACE is an error: there is no silent fallback.
    #[default]
    Auto,
    /// As `Auto`, but if PACE fails for a reason other than a wrong password, try BAC and
    /// say so in the result ([`DocumentRead::bac_fallback`]).
    AutoWithBacFallback,
    /// BAC only.
    BacOnly,
    /// PACE only; a chip without PACE is an error.
    PaceOnly,
}

/// How to read files.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Which access-control protocol to run.
    pub access: AccessPolicy,
    /// Extended-length policy.
    pub extended_length: ExtendedLength,
    /// Ne of short reads before any fallback (223 = `0xDF` by default; at most 231 for
    /// 3DES and 223 for AES fit a short protected response).
    pub short_chunk: u32,
    /// Use short EF identifiers in the first READ BINARY of a file (saves a SELECT).
    pub use_sfi: bool,
    /// Refuse files that claim more than this many bytes.
    pub max_file_size: usize,
    /// After reading, prove the chip is the original: check PACE-CAM, run Chip
    /// Authentication (DG14) and Active Authentication (DG15). Default: true.
    pub anti_cloning: bool,
    /// The Active Authentication challenge (a bank server's nonce); random when `None`.
    pub aa_challenge: Option<[u8; 8]>,
    /// Before access control, read EF.ATR/INFO for the chip's APDU limits (one or two
    /// plain commands) when extended length may be used. Default: true.
    pub atr_info: bool,
    /// Which data groups to read. Default: every one listed, except those that need
    /// Extended Access Control.
    pub data_groups: DataGroupPlan,
    /// Whether log events (`tracing`) may carry personal data: the holder's name and the
    /// document number once DG1 is read. Default: false (file names, sizes, protocols
    /// and errors only). Secrets (keys, passwords, MRZ, CAN, PIN) are never logged.
    pub personal_data_in_logs: bool,
    /// Which explicit PACE domain parameters from EF.CardAccess are computed in. Default:
    /// standardized groups only ([`pace::DomainPolicy::StandardOnly`]).
    pub pace_domains: pace::DomainPolicy,
}

/// Which data groups a read fetches. EF.COM and EF.SOD are always read: the SOD's list
/// of hashed data groups is the truth, EF.COM's list a hint (some chips disagree), and
/// "listed" means listed by either.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DataGroupPlan {
    /// Every listed data group except DG3 and DG4 (fingerprints, iris), which need
    /// Extended Access Control: they are reported in [`DocumentRead::eac_protected`]
    /// without a command spent on them.
    #[default]
    Listed,
    /// Every listed one, plus these even where no list names them (e.g. DG3, to be told
    /// by the chip that it needs Terminal Authentication).
    ListedAnd(Vec<DgNumber>),
    /// Only these, listed or not (e.g. DG1 alone for a quick holder check).
    Only(Vec<DgNumber>),
}

/// Data groups that need Extended Access Control (ICAO 9303-11 §7, BSI TR-03110).
fn needs_eac(d: DgNumber) -> bool {
    matches!(d.get(), 3 | 4)
}

impl DataGroupPlan {
    /// The data groups to read, in number order, and the listed ones skipped because
    /// they need Extended Access Control.
    fn resolve(&self, listed: &std::collections::BTreeSet<DgNumber>) -> (Vec<DgNumber>, Vec<DgNumber>) {
        let protected: Vec<DgNumber> = listed.iter().copied().filter(|d| needs_eac(*d)).collect();
        let wanted: std::collections::BTreeSet<DgNumber> = match self {
            Self::Listed => listed.iter().copied().filter(|d| !needs_eac(*d)).collect(),
            Self::ListedAnd(more) => {
                listed.iter().copied().filter(|d| !needs_eac(*d)).chain(more.iter().copied()).collect()
            }
            Self::Only(only) => only.iter().copied().collect(),
        };
        let skipped = protected.into_iter().filter(|d| !wanted.contains(d)).collect();
        (wanted.into_iter().collect(), skipped)
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            access: AccessPolicy::Auto,
            extended_length: ExtendedLength::Auto,
            short_chunk: 0xDF,
            use_sfi: true,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            anti_cloning: true,
            aa_challenge: None,
            atr_info: true,
            data_groups: DataGroupPlan::Listed,
            personal_data_in_logs: false,
            pace_domains: pace::DomainPolicy::StandardOnly,
        }
    }
}

impl ReadOptions {
    /// Sets the access policy.
    #[must_use]
    pub fn with_access(mut self, policy: AccessPolicy) -> Self {
        self.access = policy;
        self
    }

    /// Short APDUs only.
    #[must_use]
    pub fn short_only(mut self) -> Self {
        self.extended_length = ExtendedLength::Never;
        self
    }

    /// Sets the short chunk size.
    #[must_use]
    pub fn with_short_chunk(mut self, n: u32) -> Self {
        self.short_chunk = n.clamp(1, 256);
        self
    }

    /// Sets the file size limit.
    #[must_use]
    pub fn with_max_file_size(mut self, n: usize) -> Self {
        self.max_file_size = n;
        self
    }

    /// Whether to run the anti-cloning protocols after reading.
    #[must_use]
    pub fn with_anti_cloning(mut self, yes: bool) -> Self {
        self.anti_cloning = yes;
        self
    }

    /// The challenge Active Authentication signs (e.g. a nonce from the bank's server,
    /// which can then re-verify the evidence itself).
    #[must_use]
    pub fn with_aa_challenge(mut self, challenge: [u8; 8]) -> Self {
        self.aa_challenge = Some(challenge);
        self
    }

    /// Lets log events carry the holder's name and document number (see
    /// [`ReadOptions::personal_data_in_logs`]).
    #[must_use]
    pub fn with_personal_data_in_logs(mut self, yes: bool) -> Self {
        self.personal_data_in_logs = yes;
        self
    }

    /// Lets PACE compute in custom explicit domain parameters that pass full validation
    /// ([`pace::DomainPolicy::ValidatedCustom`]); by default only standardized groups are
    /// used and any other is refused before the first GENERAL AUTHENTICATE.
    #[must_use]
    pub fn with_validated_custom_pace_groups(mut self, yes: bool) -> Self {
        self.pace_domains = if yes { pace::DomainPolicy::ValidatedCustom } else { pace::DomainPolicy::StandardOnly };
        self
    }

    /// Which data groups to read (see [`DataGroupPlan`]).
    #[must_use]
    pub fn with_data_groups(mut self, plan: DataGroupPlan) -> Self {
        self.data_groups = plan;
        self
    }

    /// Whether to select files by SFI.
    #[must_use]
    pub fn with_sfi(mut self, yes: bool) -> Self {
        self.use_sfi = yes;
        self
    }

    /// Whether to read EF.ATR/INFO for the chip's limits.
    #[must_use]
    pub fn with_atr_info(mut self, yes: bool) -> Self {
        self.atr_info = yes;
        self
    }
}

/// The phases of a read, for the cost of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Access,
    Read,
    AntiCloning,
}

/// What one phase of a session cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PhaseStats {
    /// Command APDUs sent.
    pub apdus: u64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// Time spent in the phase.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_duration_ms", rename = "elapsed_ms"))]
    pub elapsed: Duration,
}

/// The cost of each phase: opening the chip (EF.CardAccess, BAC or PACE), reading the
/// files, and the anti-cloning protocols after the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Phases {
    /// Selecting, EF.CardAccess, BAC or PACE (and EF.CardSecurity after PACE-CAM).
    pub access: PhaseStats,
    /// Reading EF.COM, the data groups and EF.SOD.
    pub read: PhaseStats,
    /// PACE-CAM check, Chip Authentication, Active Authentication.
    pub anti_cloning: PhaseStats,
}

/// What a session keeps beside the link: which phase is running, what each has cost so
/// far, and EF.CardAccess as read (for the dump).
#[derive(Debug)]
struct Record {
    phase: Phase,
    started: Instant,
    phases: Phases,
    card_access: Option<Vec<u8>>,
    /// EF.ATR/INFO as read before access control.
    atr_info: Option<AtrInfo>,
    /// The card left the field or was reset: every later exchange of this session fails.
    lost: Option<TransportError>,
    /// This session's cost was added to a [`PartialRead`] already.
    settled: bool,
}

impl Record {
    fn current(&mut self) -> &mut PhaseStats {
        self.phases.get_mut(self.phase)
    }
}

impl PhaseStats {
    fn absorb(&mut self, o: &Self) {
        self.apdus += o.apdus;
        self.bytes_sent += o.bytes_sent;
        self.bytes_received += o.bytes_received;
        self.elapsed += o.elapsed;
    }
}

impl SessionStats {
    /// Adds the cost of another session (an earlier one, cut short by the card leaving).
    fn absorb(&mut self, o: &Self) {
        self.apdus += o.apdus;
        self.read_binary += o.read_binary;
        self.bytes_sent += o.bytes_sent;
        self.bytes_received += o.bytes_received;
        self.elapsed += o.elapsed;
        self.phases.access.absorb(&o.phases.access);
        self.phases.read.absorb(&o.phases.read);
        self.phases.anti_cloning.absorb(&o.phases.anti_cloning);
    }
}

impl Phases {
    fn get_mut(&mut self, phase: Phase) -> &mut PhaseStats {
        match phase {
            Phase::Access => &mut self.access,
            Phase::Read => &mut self.read,
            Phase::AntiCloning => &mut self.anti_cloning,
        }
    }
}

/// A transport wrapper that counts what crosses it, whatever the backend.
#[derive(Debug)]
struct Counting<T> {
    inner: T,
    stats: LinkStats,
    read_binary: u64,
    // Boxed: sessions travel in `Result::Err` when access control fails.
    record: Box<Record>,
}

impl<T> Counting<T> {
    fn new(inner: T, started: Instant) -> Self {
        let record = Record {
            phase: Phase::Access,
            started,
            phases: Phases::default(),
            card_access: None,
            atr_info: None,
            lost: None,
            settled: false,
        };
        Self { inner, stats: LinkStats::default(), read_binary: 0, record: Box::new(record) }
    }

    /// Closes the current phase's clock and starts `next`.
    fn enter(&mut self, next: Phase) {
        let spent = self.record.started.elapsed();
        self.record.current().elapsed += spent;
        self.record.phase = next;
        self.record.started = Instant::now();
    }

    /// The phases, with the running one's time up to `now`.
    fn phases(&self, now: Instant) -> Phases {
        let mut phases = self.record.phases;
        phases.get_mut(self.record.phase).elapsed += now.saturating_duration_since(self.record.started);
        phases
    }
}

impl<T: Transport> Transport for Counting<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.stats.apdus += 1;
        self.stats.bytes_sent += capdu.len() as u64;
        let phase = self.record.current();
        phase.apdus += 1;
        phase.bytes_sent += capdu.len() as u64;
        if matches!(capdu.get(1), Some(0xB0 | 0xB1)) {
            self.read_binary += 1;
        }
        let r = match self.inner.transmit(capdu) {
            Ok(r) => r,
            Err(e) => {
                if matches!(
                    e,
                    TransportError::CardRemoved
                        | TransportError::CardReset
                        | TransportError::NoCard
                        | TransportError::ExtendedLengthUnsupported(_)
                ) {
                    self.record.lost = Some(e.clone());
                }
                return Err(e);
            }
        };
        self.stats.bytes_received += r.len() as u64;
        self.record.current().bytes_received += r.len() as u64;
        Ok(r)
    }

    fn supports_extended_length(&self) -> bool {
        self.inner.supports_extended_length()
    }
}

/// The state before access control: only the plain commands work.
#[derive(Debug)]
pub struct Plain {
    _private: (),
}

/// The state after access control: a secure channel and how it was opened.
#[derive(Debug)]
pub struct Secured {
    channel: SecureChannel,
    access: AccessProtocol,
    pace: Option<PaceOutcome>,
    chunks: read::ChunkState,
    /// EF.CardSecurity, read right after PACE-CAM (it lives in the master file).
    card_security: Option<Vec<u8>>,
}

/// A session with one chip, in state `S` ([`Plain`] or [`Secured`]).
#[derive(Debug)]
pub struct Session<T, S> {
    link: Counting<T>,
    /// Boxed: sessions travel inside errors (a failed PACE hands the plain one back).
    options: Box<ReadOptions>,
    started: Instant,
    state: S,
}

/// What a session cost: round trips, bytes and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SessionStats {
    /// Command APDUs sent (including GET RESPONSE and retries).
    pub apdus: u64,
    /// READ BINARY commands among them.
    pub read_binary: u64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// Time since the session was created.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_duration_ms", rename = "elapsed_ms"))]
    pub elapsed: Duration,
    /// The same, per phase.
    pub phases: Phases,
}

#[cfg(feature = "serde")]
fn ser_duration_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// Errors of a whole read (the top-level reader error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The chip has no eMRTD application, or refused to select it.
    #[error("the chip has no eMRTD application (SELECT answered {0})")]
    NoApplication(StatusWord),
    /// Access control failed.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Reading a file failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A file's content is invalid.
    #[error(transparent)]
    Lds(#[from] LdsError),
    /// The link failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The card left the field (or was reset) mid-session. What was read is kept in the
    /// [`PartialRead`]: present the card again and resume.
    #[error("{cause} during {during}; present the card again to resume")]
    Interrupted {
        /// Where the read was.
        during: Interruption,
        /// What the link reported.
        cause: TransportError,
    },
    /// The card presented to resume a read is not the document first read (its
    /// EF.CardAccess or its EF.SOD differs). What was kept of the first is wiped.
    #[error("the card presented again is another document: start a new read")]
    DifferentDocument,
    /// A read with the PIN would resume on a card not yet known to be the same document:
    /// PACE with the PIN costs a try of whatever card it is. Ask the holder, then call
    /// [`PartialRead::allow_pin_on_resume`] and resume (or resume with the CAN).
    #[error(
        "the card presented again is not yet known to be the same document: confirm before a PIN try is spent on it"
    )]
    PinResumeNeedsConfirmation,
}

impl SessionError {
    /// Whether presenting the card again and resuming can complete the read.
    #[must_use]
    pub fn is_interrupted(&self) -> bool {
        matches!(self, Self::Interrupted { .. })
    }
}

impl<T: Transport, S> Session<T, S> {
    /// Round trips, bytes and time so far.
    pub fn stats(&self) -> SessionStats {
        let now = Instant::now();
        SessionStats {
            apdus: self.link.stats.apdus,
            read_binary: self.link.read_binary,
            bytes_sent: self.link.stats.bytes_sent,
            bytes_received: self.link.stats.bytes_received,
            elapsed: now.saturating_duration_since(self.started),
            phases: self.link.phases(now),
        }
    }

    /// The transport (for example to reach the emulator behind it).
    pub fn transport(&self) -> &T {
        &self.link.inner
    }

    /// The transport, mutably.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.link.inner
    }

    /// Ends the session and returns the transport.
    pub fn into_transport(self) -> T {
        self.link.inner
    }

    /// Adds this session's cost to `partial` (once), and turns `e` into
    /// [`SessionError::Interrupted`] when the card left the field or was reset, whatever
    /// error the protocol step made of that.
    fn settle(&mut self, partial: &mut PartialRead, e: SessionError, during: Interruption) -> SessionError {
        if !self.link.record.settled {
            partial.earlier.absorb(&self.stats());
            self.link.record.settled = true;
        }
        match self.link.record.lost.clone() {
            Some(cause @ TransportError::ExtendedLengthUnsupported(_)) => {
                // Not the card's doing: the next session reads on with short APDUs.
                tracing::warn!(during = ?during, cause = %cause, "the read goes on with short APDUs");
                partial.short_apdus = true;
                partial.chunks = None;
                partial.interruptions.push(during.clone());
                SessionError::Interrupted { during, cause }
            }
            Some(cause) => {
                tracing::warn!(during = ?during, cause = %cause, "the card left the field; the read can resume");
                partial.interruptions.push(during.clone());
                SessionError::Interrupted { during, cause }
            }
            None => e,
        }
    }
}

impl<T: Transport> Session<T, Plain> {
    /// A new session over `transport`.
    pub fn new(transport: T, options: ReadOptions) -> Self {
        let started = Instant::now();
        Self {
            link: Counting::new(transport, started),
            options: Box::new(options),
            started,
            state: Plain { _private: () },
        }
    }

    /// Selects the eMRTD application (`A0 00 00 02 47 10 01`).
    ///
    /// # Errors
    /// [`SessionError::NoApplication`] if the chip refuses, or a transport error.
    pub fn select_application(&mut self) -> Result<(), SessionError> {
        let r = transport::exchange(&mut self.link, &Command::select_emrtd_application())?;
        match r.sw() {
            StatusWord::Ok => Ok(()),
            sw => Err(SessionError::NoApplication(sw)),
        }
    }

    /// Reads EF.ATR/INFO from the master file (no authentication needed): the chip's APDU
    /// limits, which size the first extended-length read (and skip extended length when
    /// the chip says it has none). `None` when the chip has no such file or it is
    /// malformed: it is only a hint.
    ///
    /// # Errors
    /// [`SessionError::Transport`] when the link fails.
    pub fn read_atr_info(&mut self) -> Result<Option<AtrInfo>, SessionError> {
        let sel = transport::exchange(&mut self.link, &Command::select_ef(&ATR_INFO_FID))?;
        if !sel.sw().is_ok() {
            return Ok(None);
        }
        let r = transport::exchange(&mut self.link, &Command::read_binary(0, crate::apdu::Le::MAX_SHORT))?;
        if r.data().is_empty() || !matches!(r.sw(), StatusWord::Ok | StatusWord::EndOfFile) {
            return Ok(None);
        }
        let info = AtrInfo::parse(r.data()).ok();
        self.link.record.atr_info = info;
        Ok(info)
    }

    /// Reads EF.CardAccess from the master file (no authentication needed): the PACE
    /// options of the chip. `None` when the chip has no EF.CardAccess (a BAC-only chip).
    ///
    /// # Errors
    /// [`SessionError`] for a broken file or link.
    pub fn read_card_access(&mut self) -> Result<Option<SecurityInfos>, SessionError> {
        // Selected by file identifier: some chips refuse the SFI for it.
        let sel = transport::exchange(&mut self.link, &Command::select_ef(&[0x01, 0x1C]))?;
        if !sel.sw().is_ok() {
            return Ok(None);
        }
        let mut data: Vec<u8> = Vec::new();
        let mut total: Option<usize> = None;
        for _ in 0..64 {
            if total.is_some_and(|t| data.len() >= t) {
                break;
            }
            let offset = u16::try_from(data.len()).unwrap_or(u16::MAX);
            let r = transport::exchange(&mut self.link, &Command::read_binary(offset, crate::apdu::Le::MAX_SHORT))?;
            if r.data().is_empty() {
                break;
            }
            data.extend_from_slice(r.data());
            if total.is_none() {
                total = crate::tlv::Header::parse(&data).ok().and_then(|h| h.total_len());
            }
            if r.sw() == StatusWord::EndOfFile || r.data().len() < 256 {
                break;
            }
        }
        if data.is_empty() {
            return Ok(None);
        }
        let infos = SecurityInfos::parse(&data)?;
        self.link.record.card_access = Some(data);
        Ok(Some(infos))
    }

    /// Runs PACE with `password` and the given protocol, then selects the eMRTD
    /// application through the new channel. On failure the plain session is handed back.
    ///
    /// # Errors
    /// The plain session and the [`AccessError`].
    pub fn pace(
        self,
        password: &PacePassword,
        protocol: PaceProtocol,
        parameter_id: u32,
    ) -> Result<Session<T, Secured>, (Self, AccessError)> {
        self.pace_with_rng(password, protocol, parameter_id, &mut OsRandom)
    }

    /// [`Session::pace`] with a caller-chosen randomness source.
    ///
    /// # Errors
    /// As [`Session::pace`].
    pub fn pace_with_rng(
        self,
        password: &PacePassword,
        protocol: PaceProtocol,
        parameter_id: u32,
        rng: &mut dyn RandomSource,
    ) -> Result<Session<T, Secured>, (Self, AccessError)> {
        self.pace_with_domain(password, protocol, Some(parameter_id), None, rng)
    }

    /// [`Session::pace_with_rng`] with the chip's explicit domain parameters (the DER
    /// AlgorithmIdentifier of its PACEDomainParameterInfo for `parameter_id`, see
    /// [`SecurityInfos::pace_domain_parameters`]); `None` for a standardized ID.
    /// `parameter_id` is `None` only for a chip that publishes one unreferenced set of
    /// explicit parameters (see [`choose_pace`]).
    ///
    /// # Errors
    /// As [`Session::pace`].
    pub fn pace_with_domain(
        mut self,
        password: &PacePassword,
        protocol: PaceProtocol,
        parameter_id: Option<u32>,
        explicit: Option<&[u8]>,
        rng: &mut dyn RandomSource,
    ) -> Result<Session<T, Secured>, (Self, AccessError)> {
        let result = match (explicit, parameter_id) {
            (Some(alg), id) => {
                let policy = self.options.pace_domains;
                pace::authenticate_explicit(&mut self.link, password, protocol, id, alg, policy, rng)
            }
            (None, Some(id)) => pace::authenticate(&mut self.link, password, protocol, id, rng),
            (None, None) => Err(AccessError::Unsupported(
                "PACE without a domain parameter ID needs the chip's explicit domain parameters",
            )),
        };
        match result {
            Ok((mut channel, outcome)) => {
                let mut chunks = read::ChunkState::new(
                    &self.options,
                    self.link.supports_extended_length(),
                    self.link.record.atr_info,
                );
                // PACE-CAM's proof needs the key in EF.CardSecurity, which lives in the MF:
                // read it before the application is selected.
                let card_security = if outcome.cam.is_some() {
                    let target = read::Target { name: "EF.CardSecurity".into(), fid: [0x01, 0x1D], sfi: None };
                    match read::read_file(
                        &mut self.link,
                        &mut channel,
                        &mut chunks,
                        &self.options,
                        &target,
                        &mut read::Partial::default(),
                        &mut |_| {},
                    ) {
                        Ok(b) => b,
                        Err(_) => return Err((self, AccessError::Malformed("reading EF.CardSecurity after PACE-CAM"))),
                    }
                } else {
                    None
                };
                // After PACE the application is selected under secure messaging.
                match channel.transmit(&mut self.link, &Command::select_emrtd_application()) {
                    Ok(r) if r.sw().is_ok() => {}
                    Ok(r) => {
                        return Err((self, AccessError::Refused { step: "SELECT eMRTD application", status: r.sw() }));
                    }
                    Err(_) => return Err((self, AccessError::Malformed("SELECT eMRTD application under PACE"))),
                }
                Ok(Session {
                    link: self.link,
                    options: self.options,
                    started: self.started,
                    state: Secured {
                        channel,
                        access: AccessProtocol::Pace,
                        pace: Some(outcome),
                        chunks,
                        card_security,
                    },
                })
            }
            Err(e) => Err((self, e)),
        }
    }

    /// Runs BAC with the MRZ key. On failure the plain session is handed back with the
    /// error, so the caller decides what happens next (nothing is retried: a wrong key
    /// must be corrected by the user).
    ///
    /// # Errors
    /// The plain session and the [`AccessError`].
    pub fn bac(self, key: &MrzKey) -> Result<Session<T, Secured>, (Self, AccessError)> {
        self.bac_with_rng(key, &mut OsRandom)
    }

    /// [`Session::bac`] with a caller-chosen randomness source.
    ///
    /// # Errors
    /// As [`Session::bac`].
    pub fn bac_with_rng(
        mut self,
        key: &MrzKey,
        rng: &mut dyn RandomSource,
    ) -> Result<Session<T, Secured>, (Self, AccessError)> {
        let keys = bac::BacKeys::from_mrz(key);
        match bac::authenticate(&mut self.link, &keys, rng) {
            Ok(channel) => {
                let chunks = read::ChunkState::new(
                    &self.options,
                    self.link.supports_extended_length(),
                    self.link.record.atr_info,
                );
                Ok(Session {
                    link: self.link,
                    options: self.options,
                    started: self.started,
                    state: Secured { channel, access: AccessProtocol::Bac, pace: None, chunks, card_security: None },
                })
            }
            Err(e) => Err((self, e)),
        }
    }
}

/// A transport through an open secure channel: each command is protected and each answer
/// checked and decrypted, so a protocol written for a plain link (PACE) can run inside SM.
struct Tunnel<'a, T> {
    channel: &'a mut SecureChannel,
    link: &'a mut T,
}

impl<T: Transport> Transport for Tunnel<'_, T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let p = ParsedCommand::parse(capdu).map_err(|e| TransportError::Reader(format!("tunnelled command: {e}")))?;
        let le = if p.ne == 0 { Le::None } else { Le::Ne(p.ne) };
        let cmd = Command::new(p.cla, p.ins, p.p1, p.p2).with_data(p.data).with_le(le);
        let r = self
            .channel
            .transmit(self.link, &cmd)
            .map_err(|e| TransportError::Reader(format!("secure messaging inside the tunnel: {e}")))?;
        let mut out = r.data().to_vec();
        out.extend_from_slice(&r.sw().to_bytes());
        Ok(out)
    }
}

impl<T: Transport> Session<T, Plain> {
    /// PACE with the holder's PIN, the way a bank wants it: a suspended PIN (one try left)
    /// is only tried after a PACE with the CAN, inside that channel, and only when the
    /// caller has the CAN; nothing is ever retried.
    ///
    /// # Errors
    /// The plain session (when no channel is open) and the [`AccessError`]:
    /// [`AccessError::PasswordSuspended`] when the CAN is needed but missing,
    /// [`AccessError::PasswordBlocked`] when only the PUK helps, or a wrong PIN with the
    /// tries left.
    pub fn pace_pin(
        self,
        pin: &PacePassword,
        can: Option<&PacePassword>,
        protocol: PaceProtocol,
        parameter_id: u32,
        rng: &mut dyn RandomSource,
    ) -> Result<Session<T, Secured>, PinFlowError<T>> {
        match self.pace_with_rng(pin, protocol, parameter_id, rng) {
            Ok(s) => Ok(s),
            Err((plain, AccessError::PasswordSuspended { password })) => {
                let Some(can) = can else {
                    return Err(PinFlowError::Plain(plain, AccessError::PasswordSuspended { password }));
                };
                let secured = plain
                    .pace_with_rng(can, protocol, parameter_id, rng)
                    .map_err(|(p, e)| PinFlowError::Plain(p, e))?;
                secured.pace_inside(pin, protocol, parameter_id, rng).map_err(|(s, e)| PinFlowError::Secured(s, e))
            }
            Err((plain, e)) => Err(PinFlowError::Plain(plain, e)),
        }
    }

    /// Unblocks a blocked PIN: PACE with the PUK, then RESET RETRY COUNTER in that channel.
    /// The returned session is secured with the PUK's keys.
    ///
    /// # Errors
    /// As [`Session::pace_pin`]; a chip that refuses the reset answers with its status.
    pub fn unblock_pin(
        self,
        puk: &PacePassword,
        protocol: PaceProtocol,
        parameter_id: u32,
        rng: &mut dyn RandomSource,
    ) -> Result<Session<T, Secured>, PinFlowError<T>> {
        let mut secured =
            self.pace_with_rng(puk, protocol, parameter_id, rng).map_err(|(p, e)| PinFlowError::Plain(p, e))?;
        match secured.reset_pin_retry_counter() {
            Ok(()) => Ok(secured),
            Err(e) => Err(PinFlowError::Secured(Box::new(secured), e)),
        }
    }
}

/// Where a PIN flow stopped: before any channel was open, or inside one (CAN or PUK).
pub enum PinFlowError<T> {
    /// No channel is open; the plain session and why.
    Plain(Session<T, Plain>, AccessError),
    /// A channel (CAN or PUK) is open but the next step failed.
    Secured(Box<Session<T, Secured>>, AccessError),
}

impl<T> PinFlowError<T> {
    /// The access error, whichever state the session is in.
    #[must_use]
    pub fn error(&self) -> &AccessError {
        match self {
            Self::Plain(_, e) | Self::Secured(_, e) => e,
        }
    }
}

impl<T> core::fmt::Debug for PinFlowError<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PinFlowError({:?})", self.error())
    }
}

impl<T: Transport> Session<T, Secured> {
    /// Runs PACE again inside this channel (e.g. the PIN after the CAN for a suspended
    /// PIN); on success the new keys replace the old ones and the eMRTD application is
    /// selected through them.
    ///
    /// # Errors
    /// This session (still on its old keys when the chip kept them) and the error.
    pub fn pace_inside(
        mut self,
        password: &PacePassword,
        protocol: PaceProtocol,
        parameter_id: u32,
        rng: &mut dyn RandomSource,
    ) -> Result<Self, (Box<Self>, AccessError)> {
        let mut tunnel = Tunnel { channel: &mut self.state.channel, link: &mut self.link };
        match pace::authenticate(&mut tunnel, password, protocol, parameter_id, rng) {
            Ok((channel, outcome)) => {
                self.state.channel = channel;
                self.state.pace = Some(outcome);
                match self.state.channel.transmit(&mut self.link, &Command::select_emrtd_application()) {
                    Ok(r) if r.sw().is_ok() => Ok(self),
                    Ok(r) => {
                        let status = r.sw();
                        Err((Box::new(self), AccessError::Refused { step: "SELECT eMRTD application", status }))
                    }
                    Err(_) => Err((Box::new(self), AccessError::Malformed("SELECT eMRTD application under PACE"))),
                }
            }
            Err(e) => Err((Box::new(self), e)),
        }
    }

    /// Leaves secure messaging (its keys are dropped and wiped); the link stays, for the
    /// bookkeeping of a read that stops here.
    fn into_plain(self) -> Session<T, Plain> {
        Session { link: self.link, options: self.options, started: self.started, state: Plain { _private: () } }
    }

    /// RESET RETRY COUNTER for the PIN (`00 2C 03 03`), in a channel opened with the PUK.
    ///
    /// # Errors
    /// [`AccessError::Refused`] with the chip's status, or a broken channel.
    pub fn reset_pin_retry_counter(&mut self) -> Result<(), AccessError> {
        let cmd = Command::new(0x00, crate::apdu::ins::RESET_RETRY_COUNTER, 0x03, 0x03);
        match self.state.channel.transmit(&mut self.link, &cmd) {
            Ok(r) if r.sw().is_ok() => Ok(()),
            Ok(r) => Err(AccessError::Refused { step: "RESET RETRY COUNTER", status: r.sw() }),
            Err(_) => Err(AccessError::Malformed("RESET RETRY COUNTER under secure messaging")),
        }
    }

    /// The protocol that opened the channel.
    pub fn access_protocol(&self) -> AccessProtocol {
        self.state.access
    }

    /// What PACE ran, when it did.
    pub fn pace_outcome(&self) -> Option<&PaceOutcome> {
        self.state.pace.as_ref()
    }

    /// The secure-messaging cipher suite.
    pub fn suite(&self) -> SuiteKind {
        self.state.channel.suite()
    }

    /// Whether extended-length reads are in use (known after the first read).
    pub fn uses_extended_length(&self) -> bool {
        self.state.chunks.extended().is_some()
    }

    /// Reads a whole file, or `None` if the chip says it does not exist (`6A82`).
    ///
    /// # Errors
    /// [`ReadError`].
    pub fn read_file(&mut self, file: LdsFile) -> Result<Option<Vec<u8>>, ReadError> {
        self.read_file_with_progress(file, &mut |_| {})
    }

    /// [`Session::read_file`] with a progress callback, called after each chunk.
    ///
    /// # Errors
    /// [`ReadError`].
    pub fn read_file_with_progress(
        &mut self,
        file: LdsFile,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Vec<u8>>, ReadError> {
        self.read_target(&read::Target { name: file.to_string(), fid: file.fid(), sfi: Some(file.sfi()) }, progress)
    }

    /// The one path every read takes.
    fn read_target(
        &mut self,
        target: &read::Target,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Vec<u8>>, ReadError> {
        self.read_target_into(target, &mut read::Partial::default(), progress)
    }

    /// Reads `target`, continuing from the bytes already in `buf`.
    fn read_target_into(
        &mut self,
        target: &read::Target,
        buf: &mut read::Partial,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Vec<u8>>, ReadError> {
        let Secured { channel, chunks, .. } = &mut self.state;
        read::read_file(&mut self.link, channel, chunks, &self.options, target, buf, progress)
    }

    /// Reads an elementary file of the eMRTD application by file identifier (SELECT, no SFI).
    ///
    /// # Errors
    /// [`ReadError`].
    pub fn read_fid(&mut self, fid: [u8; 2]) -> Result<Option<Vec<u8>>, ReadError> {
        let target = read::Target { name: format!("EF {:02X}{:02X}", fid[0], fid[1]), fid, sfi: None };
        self.read_target(&target, &mut |_| {})
    }

    /// Reads an elementary file of the eMRTD application by short EF identifier (1..=30).
    /// Where the chip does not take SFIs, the file is selected as `01 ‖ SFI`, which is its
    /// identifier for every file of the eMRTD application (ICAO 9303-10 table 41).
    ///
    /// # Errors
    /// [`ReadError`].
    pub fn read_sfi(&mut self, sfi: u8) -> Result<Option<Vec<u8>>, ReadError> {
        let target = read::Target { name: format!("SFI {sfi:02X}"), fid: [0x01, sfi & 0x1F], sfi: Some(sfi & 0x1F) };
        self.read_target(&target, &mut |_| {})
    }

    /// Reads EF.COM, then every data group it lists (except DG3 and DG4, which need
    /// Extended Access Control), then EF.SOD.
    ///
    /// # Errors
    /// [`SessionError`] for a failed read or an invalid EF.COM / DG1.
    pub fn read_document(&mut self, progress: &mut dyn FnMut(Progress<'_>)) -> Result<DocumentRead, SessionError> {
        self.continue_read(&mut PartialRead::new(), progress)
    }

    /// [`Session::read_document`], continuing from what `partial` kept of an earlier,
    /// interrupted session with the same document (see [`read_document_resuming`]).
    ///
    /// # Errors
    /// As [`Session::read_document`]; [`SessionError::Interrupted`] when the card leaves
    /// the field again (`partial` keeps what was read).
    pub fn continue_read(
        &mut self,
        partial: &mut PartialRead,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<DocumentRead, SessionError> {
        if let Some(chunks) = &partial.chunks {
            self.state.chunks = chunks.clone();
        }
        partial.sessions = partial.sessions.saturating_add(1);
        let result = self.continue_read_inner(partial, progress);
        partial.chunks = Some(self.state.chunks.clone());
        result.map_err(|e| {
            let during = partial.position();
            self.settle(partial, e, during)
        })
    }

    /// Reads `file` into `partial`, continuing where an earlier session stopped.
    fn read_kept(
        &mut self,
        partial: &mut PartialRead,
        file: LdsFile,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Vec<u8>>, ReadError> {
        let slot = partial.current.get_or_insert_with(|| (file, read::Partial::default()));
        if slot.0 != file {
            *slot = (file, read::Partial::default());
        }
        let target = read::Target { name: file.to_string(), fid: file.fid(), sfi: Some(file.sfi()) };
        let r = self.read_target_into(&target, &mut slot.1, progress);
        if r.is_ok() {
            partial.current = None;
        }
        r
    }

    /// A resumed session proves it talks to the chip the earlier ones read: it reads EF.SOD
    /// again through its own channel and requires it byte for byte (EF.CardAccess is the
    /// same for every card of a model, and absent on BAC chips). Nothing signed kept yet:
    /// start over. Another document: what was kept is wiped.
    fn recheck_same_document(
        &mut self,
        partial: &mut PartialRead,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<(), SessionError> {
        let kept_prefix = match (&partial.current, partial.files.get(&LdsFile::Sod)) {
            (_, Some(sod)) => Some((sod.clone(), true)),
            (Some((LdsFile::Sod, p)), None) if !p.data.is_empty() => Some((p.data.clone(), false)),
            _ => None,
        };
        let Some((kept, complete)) = kept_prefix.map(|(b, c)| (zeroize::Zeroizing::new(b), c)) else {
            // Only EF.COM (a hint, signed by no one) or nothing: read from the start.
            partial.forget_document();
            return Ok(());
        };
        let target =
            read::Target { name: LdsFile::Sod.to_string(), fid: LdsFile::Sod.fid(), sfi: Some(LdsFile::Sod.sfi()) };
        let fresh = self.read_target(&target, progress)?;
        let same = match &fresh {
            Some(f) if complete => crate::crypto::ct_eq(f, &kept),
            Some(f) => f.get(..kept.len()).is_some_and(|head| crate::crypto::ct_eq(head, &kept)),
            None => false,
        };
        if !same {
            tracing::warn!("the card presented again has another EF.SOD: another document; what was kept is wiped");
            partial.forget_card();
            return Err(SessionError::DifferentDocument);
        }
        if let (Some(f), false) = (fresh, complete) {
            partial.files.insert(LdsFile::Sod, f);
            partial.current = None;
        }
        Ok(())
    }

    fn continue_read_inner(
        &mut self,
        partial: &mut PartialRead,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<DocumentRead, SessionError> {
        self.link.enter(Phase::Read);
        if partial.sessions > 1 {
            self.recheck_same_document(partial, progress)?;
        }
        let plan = match &partial.plan {
            Some(plan) => plan.clone(),
            None => {
                // EF.COM, then EF.SOD, each once even across interruptions.
                if !partial.com_checked {
                    if let Some(b) = self.read_kept(partial, LdsFile::Com, progress)? {
                        partial.com = Some(EfCom::parse(&b)?);
                        partial.files.insert(LdsFile::Com, b);
                    }
                    partial.com_checked = true;
                }
                if !partial.done(LdsFile::Sod) {
                    match self.read_kept(partial, LdsFile::Sod, progress)? {
                        Some(b) => {
                            partial.files.insert(LdsFile::Sod, b);
                        }
                        None => partial.missing.push(LdsFile::Sod),
                    }
                }
                // The SOD's list is the truth, EF.COM's a hint: read what either lists (a
                // group only EF.COM names is then reported as not covered by the SOD).
                let hashed = partial
                    .files
                    .get(&LdsFile::Sod)
                    .and_then(|b| crate::lds::Sod::parse(b).ok())
                    .map(|s| s.security_object.hashes.keys().copied().collect::<Vec<_>>())
                    .unwrap_or_default();
                let mut listed: std::collections::BTreeSet<DgNumber> = hashed.into_iter().collect();
                listed.extend(partial.com.iter().flat_map(|c| c.data_groups.iter().copied()));
                if listed.is_empty() {
                    listed.extend(DgNumber::new(1));
                }
                let (wanted, skipped) = self.options.data_groups.resolve(&listed);
                partial.eac_protected = skipped.into_iter().map(LdsFile::Dg).collect();
                let plan: Vec<LdsFile> = wanted.into_iter().map(LdsFile::Dg).collect();
                partial.plan = Some(plan.clone());
                plan
            }
        };
        for file in plan {
            if partial.done(file) || partial.eac_protected.contains(&file) {
                continue;
            }
            match self.read_kept(partial, file, progress) {
                Ok(Some(bytes)) => {
                    tracing::debug!(file = %file, bytes = bytes.len(), "file read");
                    partial.files.insert(file, bytes);
                }
                Ok(None) => {
                    tracing::debug!(file = %file, "listed but not on the chip");
                    partial.missing.push(file);
                }
                // A refusal inside secure messaging leaves the channel open: note it and
                // go on with the next file (DG3/DG4 without Terminal Authentication).
                Err(ReadError::EacProtected { .. }) if self.state.channel.is_open() => {
                    tracing::info!(file = %file, "protected by EAC: not read without Terminal Authentication");
                    partial.current = None;
                    partial.eac_protected.push(file);
                }
                // Some chips refuse DG3/DG4 with a bare 6982 that ends secure messaging: the
                // group is noted and the caller's read authenticates again.
                Err(ReadError::Sm(SmError::Unprotected(StatusWord::SecurityStatusNotSatisfied))) if matches!(file, LdsFile::Dg(d) if needs_eac(d)) =>
                {
                    tracing::info!(file = %file, "protected by EAC; the chip ended secure messaging refusing it");
                    partial.current = None;
                    partial.eac_protected.push(file);
                    partial.restart_access = true;
                    return Err(ReadError::EacProtected { file: file.to_string() }.into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        let dg1 = match LdsFile::dg(1).and_then(|f| partial.files.get(&f)) {
            Some(b) => Some(Dg1::parse(b)?),
            None => None,
        };
        if let Some(d) = dg1.as_ref().filter(|_| self.options.personal_data_in_logs) {
            // Only on the caller's request (ReadOptions::with_personal_data_in_logs).
            tracing::debug!(
                document_number = %d.mrz.document_number,
                name = %format!("{}, {}", d.mrz.primary_identifier, d.mrz.secondary_identifier),
                "holder"
            );
        }
        // The suite access control established (Chip Authentication may replace it).
        let suite = self.suite();
        let extended_length = self.uses_extended_length();
        self.link.enter(Phase::AntiCloning);
        let anti_cloning = if self.options.anti_cloning {
            self.anti_cloning(&partial.files, &mut OsRandom)
        } else {
            AntiCloningRead::not_run("anti-cloning checks were turned off by the caller")
        };
        if let Some(cause) = &self.link.record.lost {
            // The checks could not be completed, not because the chip failed them: the next
            // session runs them again.
            return Err(SessionError::Transport(cause.clone()));
        }
        let mut anti_cloning = anti_cloning;
        anti_cloning.session = partial.sessions;
        let mut stats = partial.earlier;
        stats.absorb(&self.stats());
        Ok(DocumentRead {
            card_security: self.state.card_security.clone(),
            card_access: self.link.record.card_access.clone(),
            anti_cloning,
            access: self.state.access,
            pace: self.state.pace.clone(),
            bac_fallback: None,
            downgrade: access_check::detect_downgrade(self.state.access, &partial.files, None),
            dg1_differs_from_access_mrz: false,
            extended_length,
            suite,
            com: partial.com.take(),
            dg1,
            files: core::mem::take(&mut partial.files),
            missing: core::mem::take(&mut partial.missing),
            eac_protected: core::mem::take(&mut partial.eac_protected),
            interruptions: partial.interruptions.clone(),
            stats,
        })
    }
}

impl<T: Transport> Session<T, Secured> {
    /// Checks PACE-CAM against EF.CardSecurity, then runs Chip Authentication with DG14's
    /// key (unless PACE-CAM already proved the chip) and Active Authentication with
    /// DG15's key, each only when the chip has the file. After a failed Chip
    /// Authentication the channel is closed and Active Authentication is not attempted.
    pub fn anti_cloning(&mut self, files: &BTreeMap<LdsFile, Vec<u8>>, rng: &mut dyn RandomSource) -> AntiCloningRead {
        let dg = |n: u8| LdsFile::dg(n).and_then(|f| files.get(&f)).map(Vec::as_slice);
        let cam = self.state.pace.as_ref().and_then(|p| p.cam.clone());
        let pace_cam = anti_cloning::check_cam(cam.as_ref(), self.state.card_security.as_deref(), files);
        let Secured { channel, .. } = &mut self.state;
        let chip_authentication = if pace_cam.passed() {
            Attempt::NotAvailable("PACE-CAM already proved EF.CardSecurity's key, which DG14 agrees with".into())
        } else {
            anti_cloning::run_chip_authentication(&mut self.link, channel, dg(14), rng)
        };
        let (active_authentication, active_authentication_evidence) = if !channel.is_open() {
            (Attempt::NotAvailable("secure messaging ended with the failed Chip Authentication".into()), None)
        } else {
            anti_cloning::run_active_authentication(
                &mut self.link,
                channel,
                dg(14),
                dg(15),
                self.options.aa_challenge,
                self.options.extended_length != ExtendedLength::Never,
                rng,
            )
        };
        AntiCloningRead {
            pace_cam,
            chip_authentication,
            active_authentication,
            active_authentication_evidence,
            session: 1,
            pace_cam_evidence: cam,
        }
    }
}

/// Everything read from a document in one session. `Debug` shows file names and sizes,
/// never their content (DG1 is the MRZ).
#[derive(Clone)]
#[non_exhaustive]
pub struct DocumentRead {
    /// How access was gained.
    pub access: AccessProtocol,
    /// What PACE ran, when it did.
    pub pace: Option<PaceOutcome>,
    /// Why PACE was abandoned for BAC, when the caller allowed it and it happened.
    pub bac_fallback: Option<String>,
    /// The document supports PACE but the chip was opened with BAC (EF.CardAccess hidden,
    /// or a BAC fallback): `None` when there was no downgrade.
    pub downgrade: Option<Downgrade>,
    /// DG1's MRZ names another document than the MRZ the chip was opened with (a
    /// substitution). Always false when the chip was opened with a CAN or PIN.
    pub dg1_differs_from_access_mrz: bool,
    /// Whether extended-length reads were used.
    pub extended_length: bool,
    /// Secure-messaging suite.
    pub suite: SuiteKind,
    /// EF.COM, if the chip has one.
    pub com: Option<EfCom>,
    /// DG1, if read.
    pub dg1: Option<Dg1>,
    /// Every file read, byte-exact as the chip sent it.
    pub files: BTreeMap<LdsFile, Vec<u8>>,
    /// Files that were listed but that the chip says do not exist.
    pub missing: Vec<LdsFile>,
    /// Data groups protected by Extended Access Control (DG3, DG4): listed but not read
    /// (by default no command is spent on them), or refused by the chip ("security
    /// status not satisfied") when the caller asked for them without Terminal
    /// Authentication. The read goes on past them.
    pub eac_protected: Vec<LdsFile>,
    /// Times the card left the field (or was reset) and the read resumed, oldest first.
    pub interruptions: Vec<Interruption>,
    /// Cost of the session up to the end of the read (of every session, when the read
    /// was resumed).
    pub stats: SessionStats,
    /// EF.CardSecurity, when read (after PACE-CAM).
    pub card_security: Option<Vec<u8>>,
    /// EF.CardAccess, when read (before access control), byte-exact.
    pub card_access: Option<Vec<u8>>,
    /// What the chip proved about being the original.
    pub anti_cloning: AntiCloningRead,
}

impl Drop for DocumentRead {
    /// The files carry personal data (DG1 is the MRZ, DG2 the face): they are zeroized,
    /// so a kiosk that drops the read when the card leaves keeps nothing of it.
    fn drop(&mut self) {
        for bytes in self.files.values_mut() {
            zeroize::Zeroize::zeroize(bytes);
        }
        if let Some(b) = self.card_security.as_mut() {
            zeroize::Zeroize::zeroize(b);
        }
    }
}

impl core::fmt::Debug for DocumentRead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let sizes: Vec<(String, usize)> = self.files.iter().map(|(f, b)| (f.name(), b.len())).collect();
        f.debug_struct("DocumentRead")
            .field("access", &self.access)
            .field("pace", &self.pace)
            .field("bac_fallback", &self.bac_fallback)
            .field("downgrade", &self.downgrade)
            .field("dg1_differs_from_access_mrz", &self.dg1_differs_from_access_mrz)
            .field("extended_length", &self.extended_length)
            .field("suite", &self.suite)
            .field("com", &self.com)
            .field("dg1", &self.dg1)
            .field("files", &sizes)
            .field("missing", &self.missing)
            .field("interruptions", &self.interruptions)
            .field("stats", &self.stats)
            .field("card_security", &self.card_security.as_ref().map(Vec::len))
            .field("card_access", &self.card_access.as_ref().map(Vec::len))
            .field("anti_cloning", &self.anti_cloning)
            .finish()
    }
}

impl DocumentRead {
    /// The read as a dump folder's content ([`crate::lds::Dump`]): every file byte-exact,
    /// EF.CardSecurity when read, and the Active Authentication evidence when it ran, so a
    /// back office can run `passchip verify` on it.
    #[must_use]
    pub fn dump(&self) -> crate::lds::Dump {
        let mut d = crate::lds::Dump::from_files(&self.files);
        d.card_security.clone_from(&self.card_security);
        d.card_access.clone_from(&self.card_access);
        d.active_authentication =
            self.anti_cloning.active_authentication_evidence.as_ref().map(|e| e.to_json().into_bytes());
        d.anti_cloning = self.anti_cloning.record();
        d
    }

    /// Total bytes of file content read.
    #[must_use]
    pub fn content_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

/// Connects, selects the application, runs BAC with `key` and reads the document.
///
/// # Errors
/// [`SessionError`] at the first step that fails.
///
/// # Example
/// ```
/// # #[cfg(feature = "emulator")] {
/// use passchip::emulator::{VirtualChip, VirtualDocument};
/// use passchip::reader::{read_with_bac, ReadOptions};
/// use passchip::transport::InProcess;
///
/// let doc = VirtualDocument::specimen();
/// let key = doc.mrz_key();
/// let chip = InProcess::new(VirtualChip::new(doc));
/// let read = read_with_bac(chip, &key, ReadOptions::default()).unwrap();
/// assert_eq!(read.dg1.as_ref().unwrap().mrz.primary_identifier, "OEBERG");
/// # }
/// ```
pub fn read_with_bac<T: Transport>(
    transport: T,
    key: &MrzKey,
    options: ReadOptions,
) -> Result<DocumentRead, SessionError> {
    let mut session = Session::new(transport, options);
    session.select_application()?;
    let mut secured = session.bac(key).map_err(|(_, e)| e)?;
    secured.read_document(&mut |_| {})
}

/// The secrets a user gives to open a document. `Debug` names the kind only.
#[non_exhaustive]
pub enum Credentials {
    /// The MRZ (BAC, or PACE with the MRZ password).
    Mrz(MrzKey),
    /// The card access number (PACE only); the MRZ, when also known, allows BAC.
    Can {
        /// The CAN.
        can: zeroize::Zeroizing<String>,
        /// The MRZ, for chips without PACE.
        mrz: Option<MrzKey>,
    },
    /// The holder's PIN (PACE only; eID cards). A suspended or blocked PIN needs the
    /// flows of [`Session::pace_pin`] and [`Session::unblock_pin`].
    Pin(zeroize::Zeroizing<String>),
    /// The PIN, and the CAN for a suspended PIN (one try left): PACE with the PIN; only
    /// when the chip says it is suspended, PACE with the CAN and then the PIN inside that
    /// channel, once ([`Session::pace_pin`]). Nothing is retried.
    PinWithCan {
        /// The PIN.
        pin: zeroize::Zeroizing<String>,
        /// The CAN.
        can: zeroize::Zeroizing<String>,
    },
}

impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Mrz(_) => "Credentials::Mrz(..)",
            Self::Can { mrz: None, .. } => "Credentials::Can(..)",
            Self::Can { mrz: Some(_), .. } => "Credentials::Can(.., with MRZ)",
            Self::Pin(_) => "Credentials::Pin(..)",
            Self::PinWithCan { .. } => "Credentials::Pin(.., with CAN)",
        })
    }
}

impl Credentials {
    fn pace_password(&self) -> PacePassword {
        match self {
            Self::Mrz(k) => PacePassword::Mrz(k.clone()),
            Self::Can { can, .. } => PacePassword::Can(can.clone()),
            Self::Pin(pin) | Self::PinWithCan { pin, .. } => PacePassword::Pin(pin.clone()),
        }
    }

    fn mrz(&self) -> Option<&MrzKey> {
        match self {
            Self::Mrz(k) => Some(k),
            Self::Can { mrz, .. } => mrz.as_ref(),
            Self::Pin(_) | Self::PinWithCan { .. } => None,
        }
    }

    /// The CAN to open the channel a suspended PIN is tried in.
    fn can_for_suspended_pin(&self) -> Option<PacePassword> {
        match self {
            Self::PinWithCan { can, .. } => Some(PacePassword::Can(can.clone())),
            _ => None,
        }
    }
}

/// The strongest PACE option this version implements among those the chip offers (the
/// strongest cipher, then ECDH, then Chip Authentication Mapping, then the larger ID),
/// with its domain parameter ID: `None` for a chip whose PACEInfo and single
/// PACEDomainParameterInfo carry none (ICAO 9303-11 §9.2.1 allows it; MSE:Set AT then
/// omits the reference).
#[must_use]
pub fn choose_pace(infos: &SecurityInfos) -> Option<(PaceProtocol, Option<u32>)> {
    let rank = |c: Cipher| match c {
        Cipher::Tdes => 0,
        Cipher::Aes128 => 1,
        Cipher::Aes192 => 2,
        Cipher::Aes256 => 3,
    };
    infos
        .pace()
        .filter(|(p, id)| match (infos.pace_domain_parameters(*id), id) {
            // Explicit parameters: usable when we can build the group from them.
            (Some(alg), Some(id)) if standard_id_unknown(*p, *id) => pace::explicit_supported(*p, alg),
            (_, Some(id)) => pace::is_supported(*p, *id),
            // No ID: only the chip's single, unreferenced set of explicit parameters.
            (Some(alg), None) => pace::explicit_supported(*p, alg),
            (None, None) => false,
        })
        // Strongest cipher, then ECDH, then CAM (it also authenticates the chip), then the ID.
        .max_by_key(|(p, id)| (rank(p.cipher), p.key_agreement == KeyAgreement::Ecdh, p.mapping == Mapping::Cam, *id))
}

/// An ID that is not a standardized domain parameter for this key agreement (32 and up
/// in practice; ICAO 9303-11 table 4 ends at 18).
fn standard_id_unknown(p: PaceProtocol, id: u32) -> bool {
    match p.key_agreement {
        KeyAgreement::Dh => id > 2,
        KeyAgreement::Ecdh => pace::standard_curve(id).is_none(),
    }
}

/// Opens the document with the access policy of `options` (PACE when offered, else BAC,
/// by default) and reads it.
///
/// # Errors
/// [`SessionError`] at the first step that fails; with `AccessPolicy::Auto` a failed
/// PACE is returned as is, never followed by a silent BAC.
pub fn read_document<T: Transport>(
    transport: T,
    credentials: &Credentials,
    options: ReadOptions,
) -> Result<DocumentRead, SessionError> {
    read_document_with_progress(transport, credentials, options, &mut |_| {})
}

/// [`read_document`], reporting each file's progress (for progress bars).
///
/// # Errors
/// As [`read_document`].
pub fn read_document_with_progress<T: Transport>(
    transport: T,
    credentials: &Credentials,
    options: ReadOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DocumentRead, SessionError> {
    read_document_resuming(transport, credentials, options, &mut PartialRead::new(), progress)
}

/// [`read_document_with_progress`], keeping what is read in `partial` so that a read cut
/// short by the card leaving the field ([`SessionError::Interrupted`]) can be resumed:
/// when the card is presented again, call this again with a new transport, the same
/// credentials and the same `partial`. Access control runs again (the chip forgot the
/// session), the files already read are not read again, and the file that was being
/// read continues from its last good offset. A card whose EF.CardAccess differs from the
/// first session's is refused ([`SessionError::DifferentDocument`]).
///
/// # Errors
/// As [`read_document`], and [`SessionError::Interrupted`] when the card leaves the field
/// or is reset, wherever that happens (access control, a file, the anti-cloning checks).
///
/// # Example
/// ```
/// # #[cfg(feature = "emulator")] {
/// use passchip::emulator::{VirtualChip, VirtualDocument};
/// use passchip::reader::{Credentials, PartialRead, ReadOptions, read_document_resuming};
/// use passchip::transport::InProcess;
///
/// let doc = VirtualDocument::specimen();
/// let credentials = Credentials::Mrz(doc.mrz_key());
/// let mut partial = PartialRead::new();
/// let read = loop {
///     let chip = InProcess::new(VirtualChip::new(doc.clone()));
///     match read_document_resuming(chip, &credentials, ReadOptions::default(), &mut partial, &mut |_| {}) {
///         Ok(read) => break read,
///         Err(e) if e.is_interrupted() => continue, // wait for the card to come back
///         Err(e) => panic!("{e}"),
///     }
/// };
/// assert!(read.interruptions.is_empty());
/// # }
/// ```
pub fn read_document_resuming<T: Transport>(
    transport: T,
    credentials: &Credentials,
    options: ReadOptions,
    partial: &mut PartialRead,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DocumentRead, SessionError> {
    // A reader that failed an extended APDU earlier in this read: short ones from now on.
    let options = if partial.short_apdus { options.short_only() } else { options };
    let policy = options.access;
    let atr_info = options.atr_info && options.extended_length == ExtendedLength::Auto && partial.chunks.is_none();
    let again = options.clone();
    partial.restart_access = false;
    let mut session = Session::new(transport, options);
    if atr_info
        && session.link.supports_extended_length()
        && let Err(e) = session.read_atr_info()
    {
        return Err(session.settle(partial, e, Interruption::Access));
    }
    let card_access = if policy == AccessPolicy::BacOnly {
        None
    } else {
        match session.read_card_access() {
            Ok(c) => c,
            Err(e) => return Err(session.settle(partial, e, Interruption::Access)),
        }
    };
    if let Err(e) = partial.check_same_document(session.link.record.card_access.as_deref()) {
        partial.forget_card();
        return Err(session.settle(partial, e, Interruption::Access));
    }
    if matches!(credentials, Credentials::Pin(_) | Credentials::PinWithCan { .. })
        && partial.is_resuming()
        && !partial.pin_resume_allowed
    {
        return Err(SessionError::PinResumeNeedsConfirmation);
    }
    partial.pin_resume_allowed = false;
    let offered = card_access.as_ref().and_then(choose_pace);
    // Boxed: a plain session and an error are large, and this is the cold path.
    type Opened<T> = Result<(Session<T, Secured>, Option<String>), Box<(Session<T, Plain>, SessionError)>>;
    let bac = |mut session: Session<T, Plain>, note: Option<String>| -> Opened<T> {
        let Some(key) = credentials.mrz() else {
            let e = AccessError::Unsupported("the chip has no PACE and BAC needs the MRZ");
            return Err(Box::new((session, e.into())));
        };
        if let Err(e) = session.select_application() {
            return Err(Box::new((session, e)));
        }
        match session.bac(key) {
            Ok(secured) => Ok((secured, note)),
            Err((session, e)) => Err(Box::new((session, e.into()))),
        }
    };
    let opened = match (policy, offered) {
        (AccessPolicy::BacOnly, _) | (AccessPolicy::Auto | AccessPolicy::AutoWithBacFallback, None) => {
            bac(session, None)
        }
        (AccessPolicy::PaceOnly, None) => Err(Box::new((
            session,
            SessionError::Access(AccessError::Unsupported("the chip offers no PACE variant this version implements")),
        ))),
        (_, Some((protocol, id))) => match session.pace_with_domain(
            &credentials.pace_password(),
            protocol,
            id,
            card_access
                .as_ref()
                .and_then(|c| c.pace_domain_parameters(id))
                .filter(|_| id.is_none_or(|id| standard_id_unknown(protocol, id))),
            &mut OsRandom,
        ) {
            Ok(secured) => Ok((secured, None)),
            // A suspended PIN, and the caller gave the CAN: PACE with the CAN, then the PIN
            // inside that channel, once (standard domain parameters only).
            Err((session, AccessError::PasswordSuspended { password }))
                if credentials.can_for_suspended_pin().is_some() && id.is_some() =>
            {
                let (Some(can), Some(id)) = (credentials.can_for_suspended_pin(), id) else {
                    return Err(SessionError::Access(AccessError::PasswordSuspended { password }));
                };
                match session.pace_with_rng(&can, protocol, id, &mut OsRandom) {
                    Ok(secured) => match secured.pace_inside(&credentials.pace_password(), protocol, id, &mut OsRandom)
                    {
                        Ok(s) => Ok((s, None)),
                        Err((s, e)) => Err(Box::new((s.into_plain(), e.into()))),
                    },
                    Err((session, e)) => Err(Box::new((session, e.into()))),
                }
            }
            Err((session, e)) => {
                // A wrong password is the user's to correct; a hostile domain offer is an
                // attack, not a reason to open the chip with a weaker protocol.
                let no_fallback = matches!(
                    e,
                    AccessError::WrongPassword { .. }
                        | AccessError::PasswordBlocked { .. }
                        | AccessError::PasswordSuspended { .. }
                        | AccessError::NonStandardDomainParameters(_)
                        | AccessError::UnsafeDomainParameters(_)
                );
                // A card that left the field is not a PACE failure: no BAC on its behalf.
                let lost = session.link.record.lost.is_some();
                if policy == AccessPolicy::AutoWithBacFallback && !no_fallback && !lost {
                    bac(session, Some(format!("PACE failed ({e}); BAC used instead")))
                } else {
                    Err(Box::new((session, e.into())))
                }
            }
        },
    };
    let (mut secured, note) = match opened {
        Ok(s) => s,
        Err(failed) => {
            let (mut session, e) = *failed;
            return Err(session.settle(partial, e, Interruption::Access));
        }
    };
    tracing::info!(
        protocol = ?secured.access_protocol(),
        suite = ?secured.suite(),
        bac_fallback = note.as_deref().unwrap_or("none"),
        "access control done"
    );
    let result = secured.continue_read(partial, progress);
    if result.is_err() && core::mem::take(&mut partial.restart_access) {
        // The chip ended secure messaging refusing an EAC-protected group: authenticate
        // again and go on (that group is now skipped, so this happens at most twice).
        return read_document_resuming(secured.into_transport(), credentials, again, partial, progress);
    }
    let mut read = result?;
    if note.is_some() {
        read.downgrade = access_check::detect_downgrade(read.access, &read.files, note.as_deref());
    }
    read.bac_fallback = note;
    // The MRZ key opened the chip (BAC, or PACE with the MRZ): DG1 must be that document.
    let mrz_opened =
        read.access == AccessProtocol::Bac || read.pace.as_ref().is_some_and(|p| p.password == pace::PasswordKind::Mrz);
    if let Some(key) = credentials.mrz().filter(|_| mrz_opened) {
        read.dg1_differs_from_access_mrz = access_check::dg1_differs_from(read.dg1.as_ref(), key);
    }
    if let Some(d) = &read.downgrade {
        tracing::warn!(expected = %d.expected, used = %d.used, "access downgraded");
    }
    if read.dg1_differs_from_access_mrz {
        tracing::warn!("DG1 names another document than the MRZ that opened the chip");
    }
    tracing::info!(
        files = read.files.len(),
        missing = read.missing.len(),
        eac_protected = read.eac_protected.len(),
        apdus = read.stats.apdus,
        "document read"
    );
    Ok(read)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn credentials_never_show_their_secrets() {
        let mrz = MrzKey::new("L898902C3", "740812", "120415").unwrap();
        let all = [
            Credentials::Mrz(mrz.clone()),
            Credentials::Can { can: zeroize::Zeroizing::new("918273".into()), mrz: Some(mrz) },
            Credentials::Pin(zeroize::Zeroizing::new("564738".into())),
        ];
        let shown: Vec<String> = all.iter().map(|c| format!("{c:?}")).collect();
        assert_eq!(shown, ["Credentials::Mrz(..)", "Credentials::Can(.., with MRZ)", "Credentials::Pin(..)"]);
        for s in &shown {
            for secret in ["L898902C3", "740812", "120415", "918273", "564738"] {
                assert!(!s.contains(secret), "{s}");
            }
        }
    }
}
