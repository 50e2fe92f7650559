//! The PC/SC backend (feature `pcsc`): readers through pcsc-lite on Linux and macOS, WinSCard
//! on Windows.
//!
//! [`Pcsc`] is a connection to the PC/SC service: it lists readers, waits for a card to be
//! presented or removed, and connects. [`PcscCard`] is a connected card and implements
//! [`Transport`]. PC/SC failures become [`PcscError`], which says what the user should do
//! (start pcscd, plug in a reader, present the card).
//!
//! The ATR is read with `SCardStatus`, not `SCardGetAttrib`, which some reader drivers
//! (vsmartcard's vpcd) do not implement.

use std::ffi::CString;
use std::time::{Duration, Instant};

mod limits;
mod slot;

pub use limits::{ReaderLimits, is_short_only, note_short_only};
pub use slot::PcscSlot;

use super::reader_kind::{self, ReaderKind, choose};
use super::{Transport, TransportError};

/// A PC/SC failure, in terms of what the user has to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PcscError {
    /// The PC/SC service is not running (`SCARD_E_NO_SERVICE`).
    #[error("the PC/SC service is not running (start pcscd, or check PCSCLITE_CSOCK_NAME)")]
    NoService,
    /// No reader is connected.
    #[error("no smart-card reader is connected")]
    NoReaders,
    /// No reader has this name.
    #[error("no reader named {0:?}")]
    UnknownReader(String),
    /// No card was presented in time.
    #[error("no card was presented within {0:?}")]
    Timeout(Duration),
    /// The reader has no card.
    #[error("no card in reader {0:?}")]
    NoCard(String),
    /// The card was removed.
    #[error("the card was removed")]
    CardRemoved,
    /// The only cards present sit in contact readers (a login card, say): a document is
    /// never read from one unless the reader is named.
    #[error(
        "the only card is a contact card, in {}: put the document on the contactless reader, or name the reader with --reader",
        .0.join(", ")
    )]
    OnlyContactCards(Vec<String>),
    /// The card was reset by another application or by the reader.
    #[error("the card was reset")]
    CardReset,
    /// The card does not answer (mute, or not an ISO 14443 chip the reader can talk to).
    #[error("the card does not respond")]
    Unresponsive,
    /// Anything else PC/SC reported.
    #[error("PC/SC: {0}")]
    Other(String),
}

impl From<pcsc::Error> for PcscError {
    fn from(e: pcsc::Error) -> Self {
        match e {
            // A context made before the service restarted is invalid, and a call under way
            // when it stopped breaks its socket: the service is gone.
            pcsc::Error::NoService
            | pcsc::Error::ServiceStopped
            | pcsc::Error::InvalidHandle
            | pcsc::Error::CommError => Self::NoService,
            pcsc::Error::NoReadersAvailable => Self::NoReaders,
            pcsc::Error::RemovedCard => Self::CardRemoved,
            pcsc::Error::ResetCard => Self::CardReset,
            pcsc::Error::UnresponsiveCard | pcsc::Error::UnpoweredCard => Self::Unresponsive,
            other => Self::Other(other.to_string()),
        }
    }
}

/// One reader and what is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReaderInfo {
    /// The reader's name, as PC/SC reports it.
    pub name: String,
    /// Whether a card is present.
    pub card_present: bool,
    /// Whether another application holds the card exclusively.
    pub exclusive: bool,
    /// The card's ATR, when one is present.
    #[cfg_attr(feature = "serde", serde(serialize_with = "hex_bytes"))]
    pub atr: Vec<u8>,
    /// Contactless, contact or unknown ([`super::reader_kind`]).
    pub kind: ReaderKind,
}

/// The reader a document was found in, and why that one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChosenReader {
    /// Its name.
    pub name: String,
    /// Why it was chosen, in words.
    pub why: String,
}

#[cfg(feature = "serde")]
fn hex_bytes<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&b.iter().map(|x| format!("{x:02X}")).collect::<String>())
}

/// A connection to the PC/SC service.
pub struct Pcsc {
    ctx: pcsc::Context,
}

impl core::fmt::Debug for Pcsc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Pcsc(..)")
    }
}

/// How often a wait re-checks the reader list (a reader plugged in meanwhile is seen).
const POLL: Duration = Duration::from_millis(500);

impl Pcsc {
    /// Connects to the PC/SC service (pcscd, or WinSCard).
    ///
    /// # Errors
    /// [`PcscError::NoService`] when it is not running.
    pub fn establish() -> Result<Self, PcscError> {
        Ok(Self { ctx: pcsc::Context::establish(pcsc::Scope::User)? })
    }

    fn names(&self) -> Result<Vec<CString>, PcscError> {
        match self.ctx.list_readers_owned() {
            Ok(v) => Ok(v),
            Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// The readers and their cards.
    ///
    /// # Errors
    /// [`PcscError`] from the service.
    pub fn readers(&self) -> Result<Vec<ReaderInfo>, PcscError> {
        let mut states: Vec<pcsc::ReaderState> =
            self.names()?.into_iter().map(|n| pcsc::ReaderState::new(n, pcsc::State::UNAWARE)).collect();
        if states.is_empty() {
            return Ok(Vec::new());
        }
        self.snapshot(&mut states)?;
        Ok(states.iter().map(info).collect())
    }

    /// The readers' present state (states given as UNAWARE are always filled in; a
    /// "timeout" with nothing changed is not an error here).
    fn snapshot(&self, states: &mut [pcsc::ReaderState]) -> Result<(), PcscError> {
        match self.ctx.get_status_change(Duration::ZERO, states) {
            Ok(()) | Err(pcsc::Error::Timeout) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The reader named `name` (exactly, or else the only reader whose name contains it).
    fn resolve(&self, name: &str) -> Result<CString, PcscError> {
        let names = self.names()?;
        if let Some(n) = names.iter().find(|n| n.to_string_lossy() == name) {
            return Ok(n.clone());
        }
        let mut partial = names.iter().filter(|n| n.to_string_lossy().contains(name));
        match (partial.next(), partial.next()) {
            (Some(n), None) => Ok(n.clone()),
            _ => Err(PcscError::UnknownReader(name.to_string())),
        }
    }

    /// Waits until a card is present in `reader` (by name), or in any reader when `None`,
    /// and returns that reader's name. `timeout` `None` waits forever.
    ///
    /// # Errors
    /// [`PcscError::Timeout`], [`PcscError::UnknownReader`], or a service failure.
    pub fn wait_for_card(&self, reader: Option<&str>, timeout: Option<Duration>) -> Result<String, PcscError> {
        self.wait(reader, timeout, true).map(|c| c.name)
    }

    /// [`Pcsc::wait_for_card`], saying why the reader was chosen: the one named, or among
    /// all, a contactless card first and never a contact card ([`super::reader_kind::choose`]).
    ///
    /// # Errors
    /// As [`Pcsc::wait_for_card`]; [`PcscError::OnlyContactCards`] when the time ran out
    /// with only contact cards present.
    pub fn wait_for_document(
        &self,
        reader: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<ChosenReader, PcscError> {
        self.wait(reader, timeout, true)
    }

    /// Waits until `reader` has no card (the holder took the document away).
    ///
    /// # Errors
    /// As [`Pcsc::wait_for_card`].
    pub fn wait_for_removal(&self, reader: &str, timeout: Option<Duration>) -> Result<(), PcscError> {
        self.wait(Some(reader), timeout, false).map(|_| ())
    }

    fn wait(&self, reader: Option<&str>, timeout: Option<Duration>, present: bool) -> Result<ChosenReader, PcscError> {
        let started = Instant::now();
        let mut contact_only = Vec::new();
        loop {
            let names = match reader {
                Some(r) => vec![self.resolve(r)?],
                None => self.names()?,
            };
            let mut states: Vec<pcsc::ReaderState> =
                names.into_iter().map(|n| pcsc::ReaderState::new(n, pcsc::State::UNAWARE)).collect();
            if !states.is_empty() {
                self.snapshot(&mut states)?;
                for s in &mut states {
                    s.sync_current_state();
                }
            }
            loop {
                let is_present = |s: &pcsc::ReaderState| s.event_state().contains(pcsc::State::PRESENT);
                if reader.is_some() || !present {
                    if let Some(s) = states.iter().find(|s| is_present(s) == present) {
                        let why = "it is the reader named".to_string();
                        return Ok(ChosenReader { name: s.name().to_string_lossy().into_owned(), why });
                    }
                } else {
                    let names: Vec<String> = states.iter().map(|s| s.name().to_string_lossy().into_owned()).collect();
                    let seen = states.iter().zip(&names).map(|(s, n)| (n.as_str(), is_present(s), s.atr()));
                    match choose(seen) {
                        Ok(c) => {
                            let name = names.get(c.index).cloned().unwrap_or_default();
                            return Ok(ChosenReader { name, why: c.why });
                        }
                        Err(contact) => contact_only = contact,
                    }
                }
                let timed_out = |t: Duration| {
                    if contact_only.is_empty() {
                        PcscError::Timeout(t)
                    } else {
                        PcscError::OnlyContactCards(contact_only.clone())
                    }
                };
                let left = match timeout {
                    Some(t) => t.checked_sub(started.elapsed()).ok_or_else(|| timed_out(t))?,
                    None => POLL,
                };
                if states.is_empty() {
                    std::thread::sleep(left.min(POLL));
                    break;
                }
                match self.ctx.get_status_change(left.min(POLL), &mut states) {
                    Ok(()) => {
                        for s in &mut states {
                            s.sync_current_state();
                        }
                    }
                    Err(pcsc::Error::Timeout) => break,
                    Err(e) => return Err(e.into()),
                }
            }
            if let Some(t) = timeout
                && started.elapsed() >= t
            {
                return Err(if contact_only.is_empty() {
                    PcscError::Timeout(t)
                } else {
                    PcscError::OnlyContactCards(contact_only)
                });
            }
        }
    }

    /// Connects to the card in `reader` (T=1 or T=0, shared access; use
    /// [`PcscCard::transaction`] for exclusive access during a read).
    ///
    /// # Errors
    /// [`PcscError::NoCard`], [`PcscError::UnknownReader`], or a service failure.
    pub fn connect(&self, reader: &str) -> Result<PcscCard, PcscError> {
        let name = self.resolve(reader)?;
        let card = self
            .ctx
            .connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::T1 | pcsc::Protocols::T0)
            .map_err(|e| match e {
                pcsc::Error::NoSmartcard => PcscError::NoCard(reader.to_string()),
                other => other.into(),
            })?;
        let reader = name.to_string_lossy().into_owned();
        let limits = ReaderLimits::query(&reader, &card);
        let mut c = PcscCard { card, reader, atr: Vec::new(), limits };
        c.atr = c.read_atr()?;
        Ok(c)
    }
}

fn info(s: &pcsc::ReaderState) -> ReaderInfo {
    let e = s.event_state();
    let card_present = e.contains(pcsc::State::PRESENT);
    let name = s.name().to_string_lossy().into_owned();
    let atr = if card_present { s.atr().to_vec() } else { Vec::new() };
    ReaderInfo {
        kind: reader_kind::kind(&name, &atr),
        name,
        card_present,
        exclusive: e.contains(pcsc::State::EXCLUSIVE),
        atr,
    }
}

/// A card connected through PC/SC.
pub struct PcscCard {
    card: pcsc::Card,
    reader: String,
    atr: Vec<u8>,
    limits: ReaderLimits,
}

impl core::fmt::Debug for PcscCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscCard").field("reader", &self.reader).finish_non_exhaustive()
    }
}

impl PcscCard {
    fn read_atr(&self) -> Result<Vec<u8>, PcscError> {
        Ok(self.card.status2_owned()?.atr().to_vec())
    }

    /// The reader's name.
    #[must_use]
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's ATR (from `SCardStatus`).
    #[must_use]
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Reconnects after a reset (the card stays powered; every secure channel is gone).
    ///
    /// # Errors
    /// [`PcscError`] when the card is gone.
    pub fn reconnect(&mut self) -> Result<(), PcscError> {
        self.reconnect_with(pcsc::Disposition::LeaveCard)
    }

    fn reconnect_with(&mut self, disposition: pcsc::Disposition) -> Result<(), PcscError> {
        self.card.reconnect(pcsc::ShareMode::Shared, pcsc::Protocols::T1 | pcsc::Protocols::T0, disposition)?;
        self.atr = self.read_atr()?;
        Ok(())
    }

    /// Resets the card (a warm reset through the reader): every secure channel on it is
    /// gone, for every application connected to it (they see [`TransportError::CardReset`]).
    ///
    /// # Errors
    /// [`PcscError`] when the card is gone.
    pub fn reset(&mut self) -> Result<(), PcscError> {
        self.reconnect_with(pcsc::Disposition::ResetCard)
    }

    /// Begins a PC/SC transaction: no other application talks to the card while the
    /// returned guard lives (it ends the transaction when dropped). A read runs inside one
    /// so another program's APDUs cannot break the secure channel. The guard is itself a
    /// [`Transport`].
    ///
    /// # Errors
    /// [`PcscError`] from the service.
    pub fn transaction(&mut self) -> Result<PcscTransaction<'_>, PcscError> {
        let atr = self.atr.clone();
        let limits = self.limits.clone();
        Ok(PcscTransaction { tx: self.card.transaction()?, atr, limits })
    }

    /// What the reader says about the APDUs it carries.
    #[must_use]
    pub fn limits(&self) -> &ReaderLimits {
        &self.limits
    }
}

/// A card inside a PC/SC transaction ([`PcscCard::transaction`]).
pub struct PcscTransaction<'a> {
    tx: pcsc::Transaction<'a>,
    atr: Vec<u8>,
    limits: ReaderLimits,
}

impl core::fmt::Debug for PcscTransaction<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PcscTransaction(..)")
    }
}

impl Transport for PcscTransaction<'_> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.limits.judge(capdu, transmit(&self.tx, capdu))
    }

    fn supports_extended_length(&self) -> bool {
        super::atr::extended_length(&self.atr).unwrap_or(true) && self.limits.extended_allowed()
    }
}

/// One exchange; a removed card is [`TransportError::CardRemoved`], a reset card
/// [`TransportError::CardReset`] (the caller reconnects and authenticates again).
///
/// Some reader drivers (vsmartcard's vpcd) answer an exchange cut short by the card
/// leaving the field with an empty response instead of an error: the card's state then
/// tells a removal from a malformed answer.
fn transmit(card: &pcsc::Card, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
    // Wiped when dropped: outside secure messaging an answer can be a plain file. Sized
    // to what the command asks for: a reader path that delivers more has failed.
    let mut buf = zeroize::Zeroizing::new(vec![0u8; limits::response_capacity(capdu)]);
    match card.transmit(capdu, &mut buf) {
        Ok([]) if card_gone(card) => Err(TransportError::CardRemoved),
        Ok(r) => Ok(r.to_vec()),
        Err(pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard) => Err(TransportError::CardRemoved),
        Err(pcsc::Error::ResetCard) => Err(TransportError::CardReset),
        Err(e) => Err(TransportError::Reader(PcscError::from(e).to_string())),
    }
}

/// Whether the card has left the reader. The service notices a removal within its
/// polling interval, so the state is watched for a moment (only after an empty answer,
/// which is an error anyway).
fn card_gone(card: &pcsc::Card) -> bool {
    for _ in 0..15 {
        match card.status2_owned() {
            Ok(s) if s.status().contains(pcsc::Status::PRESENT) => {}
            _ => return true,
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

impl Transport for PcscCard {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let r = self.limits.judge(capdu, transmit(&self.card, capdu));
        if r == Err(TransportError::CardReset) {
            // Reconnect now so the next command reaches the card; the caller learns from
            // the error that every session on it is gone.
            let _ = self.reconnect();
        }
        r
    }

    fn supports_extended_length(&self) -> bool {
        // The ATR's card capabilities, when it states them, and what the reader says of
        // itself; else learn by trial.
        super::atr::extended_length(&self.atr).unwrap_or(true) && self.limits.extended_allowed()
    }
}
