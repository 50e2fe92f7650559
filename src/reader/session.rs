//! The session and its states: [`Plain`] until access control, [`Secured`] after;
//! selecting the application, BAC and PACE.

use std::time::Instant;

use super::error::{Interruption, SessionError};
use super::options::ReadOptions;
use super::read::{self};
use super::resume::PartialRead;
use super::stats::{Counting, SessionStats};
use crate::access::pace::{self, PaceOutcome, PacePassword};
use crate::access::{AccessError, AccessProtocol, bac};
use crate::apdu::{Command, Le, ParsedCommand, StatusWord};
use crate::crypto::{OsRandom, RandomSource};
use crate::lds::SecurityInfos;
use crate::lds::security_infos::PaceProtocol;
use crate::mrz::MrzKey;
use crate::sm::SecureChannel;
use crate::transport::atr::{ATR_INFO_FID, AtrInfo};
use crate::transport::{self, Transport, TransportError};

/// The state before access control: only the plain commands work.
#[derive(Debug)]
pub struct Plain {
    pub(super) _private: (),
}

/// The state after access control: a secure channel and how it was opened.
#[derive(Debug)]
pub struct Secured {
    pub(super) channel: SecureChannel,
    pub(super) access: AccessProtocol,
    pub(super) pace: Option<PaceOutcome>,
    pub(super) chunks: read::ChunkState,
    /// EF.CardSecurity, read right after PACE-CAM (it lives in the master file).
    pub(super) card_security: Option<Vec<u8>>,
}

/// A session with one chip, in state `S` ([`Plain`] or [`Secured`]).
#[derive(Debug)]
pub struct Session<T, S> {
    pub(super) link: Counting<T>,
    /// Boxed: sessions travel inside errors (a failed PACE hands the plain one back).
    pub(super) options: Box<ReadOptions>,
    pub(super) started: Instant,
    pub(super) state: S,
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
    pub(super) fn settle(&mut self, partial: &mut PartialRead, e: SessionError, during: Interruption) -> SessionError {
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
    /// explicit parameters (see [`choose_pace`](super::choose_pace)).
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
        let keys = bac::BacKeys::from_seed(&key.seed());
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
pub(super) struct Tunnel<'a, T> {
    pub(super) channel: &'a mut SecureChannel,
    pub(super) link: &'a mut T,
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
