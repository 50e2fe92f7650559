//! How APDUs reach a chip: a small [`Transport`] trait, the in-process backend that
//! connects the reader to our emulator ([`InProcess`]), and [`exchange`], the one place
//! that follows `61XX` (GET RESPONSE) and `6CXX` (wrong Le) answers.
//!
//! A transport moves bytes; it never interprets status words beyond those two.

use std::time::Duration;

use crate::apdu::{ApduError, Command, Le, Response, StatusWord};

pub mod atr;
pub mod model;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod reader_kind;

/// Most GET RESPONSE round trips followed for one command.
pub const MAX_GET_RESPONSE: usize = 300;
/// Most bytes assembled from GET RESPONSE chains for one command.
pub const MAX_CHAINED_RESPONSE: usize = 65536 + 256;

/// A failure below the APDU level: the reader, the link or the card's presence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No card in the field.
    #[error("no card in the reader's field")]
    NoCard,
    /// The card was removed during the exchange.
    #[error("the card was removed")]
    CardRemoved,
    /// The card was reset or re-powered: every secure channel on it is gone.
    #[error("the card was reset")]
    CardReset,
    /// The reader or the link failed; the text comes from the backend.
    #[error("reader error: {0}")]
    Reader(String),
    /// The reader or its driver cannot carry extended-length APDUs (it failed the first
    /// one, or says so): the channel is lost, and the read goes on with short APDUs.
    #[error("the reader cannot carry extended-length APDUs ({0})")]
    ExtendedLengthUnsupported(String),
    /// The chip answered with fewer than two bytes.
    #[error("the chip sent a malformed response APDU: {0}")]
    Malformed(#[from] ApduError),
    /// The chip kept answering 61XX or 6CXX beyond the limits.
    #[error("the chip's response chain did not end ({0})")]
    EndlessChain(&'static str),
}

/// Something that carries command APDUs to a chip and brings back its answers.
///
/// Implementations: [`InProcess`] (our emulator), and the PC/SC backend (feature `pcsc`,
/// `transport::pcsc::PcscCard`).
pub trait Transport {
    /// Sends one encoded C-APDU and returns the raw R-APDU (`data ‖ SW1 SW2`).
    ///
    /// # Errors
    /// [`TransportError`] when the exchange could not happen.
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Whether this reader path can carry extended-length APDUs at all.
    fn supports_extended_length(&self) -> bool {
        true
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(capdu)
    }
    fn supports_extended_length(&self) -> bool {
        (**self).supports_extended_length()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(capdu)
    }
    fn supports_extended_length(&self) -> bool {
        (**self).supports_extended_length()
    }
}

/// A place where cards come and go: a PC/SC reader (`pcsc::PcscSlot`, feature
/// `pcsc`) or a virtual one (`emulator::VirtualSlot`). The kiosk loop
/// (`crate::kiosk`) is written against it.
pub trait CardSlot {
    /// A connection to the card in the slot.
    type Card<'a>: Transport
    where
        Self: 'a;

    /// Waits up to `timeout` (`None`: without limit) for a card; `Ok(false)` when none came.
    ///
    /// # Errors
    /// [`TransportError::Reader`] when the reader or its service fails.
    fn wait_for_card(&mut self, timeout: Option<Duration>) -> Result<bool, TransportError>;

    /// Waits up to `timeout` (`None`: without limit) for the card to leave; `Ok(false)`
    /// when it is still there.
    ///
    /// # Errors
    /// [`TransportError::Reader`] when the reader or its service fails.
    fn wait_for_removal(&mut self, timeout: Option<Duration>) -> Result<bool, TransportError>;

    /// Connects to the card present now.
    ///
    /// # Errors
    /// [`TransportError::NoCard`] when there is none, or a reader error.
    fn connect(&mut self) -> Result<Self::Card<'_>, TransportError>;

    /// Why the reader cannot be used now (its service stopped, it was unplugged), while it
    /// is waited for; `None` when it can.
    fn unavailable(&self) -> Option<String> {
        None
    }
}

/// Sends an already encoded C-APDU and follows `61XX` and `6CXX` answers: GET RESPONSE
/// until the data is complete, and one resend with the corrected Le. Both are bounded.
///
/// # Errors
/// [`TransportError`] from the backend, a malformed answer, or an endless chain.
pub fn exchange_raw<T: Transport + ?Sized>(t: &mut T, capdu: &[u8]) -> Result<Response, TransportError> {
    let mut raw = t.transmit(capdu)?;
    let (_, mut sw) = Response::split(&raw)?;
    // The header and the status only: command and response data can be keys, MRZ-derived
    // values or personal data, and are never logged.
    if let [cla, ins, p1, p2, ..] = capdu {
        tracing::trace!(
            header = %format_args!("{cla:02X} {ins:02X} {p1:02X} {p2:02X}"),
            sent = capdu.len(),
            received = raw.len(),
            sw = %sw,
            "apdu"
        );
    }
    if let StatusWord::WrongLe(n) = sw {
        // Resend once with Le = XX (the last Le byte of a short APDU). Extended APDUs
        // never get 6CXX from a conforming chip; we do not resend those.
        if capdu.len() >= 5 && capdu.len() <= 261 {
            let mut again = capdu.to_vec();
            if let Some(last) = again.last_mut() {
                *last = n;
            }
            raw = t.transmit(&again)?;
            let (_, sw2) = Response::split(&raw)?;
            if matches!(sw2, StatusWord::WrongLe(_)) {
                return Err(TransportError::EndlessChain("6CXX after a corrected Le"));
            }
            sw = sw2;
        }
    }
    if let StatusWord::MoreData(_) = sw {
        let mut data = raw;
        data.truncate(data.len().saturating_sub(2));
        let mut rounds = 0usize;
        while let StatusWord::MoreData(n) = sw {
            rounds += 1;
            if rounds > MAX_GET_RESPONSE || data.len() > MAX_CHAINED_RESPONSE {
                return Err(TransportError::EndlessChain("61XX"));
            }
            let ne = if n == 0 { 256 } else { u32::from(n) };
            let cmd = Command::get_response(ne).to_vec()?;
            let part = t.transmit(&cmd)?;
            let (chunk, next) = Response::split(&part)?;
            data.extend_from_slice(chunk);
            sw = next;
        }
        return Ok(Response::new(data, sw));
    }
    Ok(Response::from_raw(raw)?)
}

/// Encodes `cmd` and sends it with [`exchange_raw`].
///
/// # Errors
/// As [`exchange_raw`], plus an encoding error for an impossible command.
pub fn exchange<T: Transport + ?Sized>(t: &mut T, cmd: &Command<'_>) -> Result<Response, TransportError> {
    let bytes = zeroize::Zeroizing::new(cmd.to_vec()?);
    exchange_raw(t, &bytes)
}

/// The card side of an in-process link: takes a C-APDU, returns an R-APDU.
pub trait ApduHandler {
    /// Processes one command. A handler answers every input, however malformed.
    fn handle(&mut self, capdu: &[u8]) -> Vec<u8>;

    /// Whether the card is currently in the field (checked before and after each
    /// command: a card may leave while answering).
    fn present(&self) -> bool {
        true
    }
}

/// Counts of what crossed a transport.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkStats {
    /// Command APDUs sent.
    pub apdus: u64,
    /// Bytes sent to the chip.
    pub bytes_sent: u64,
    /// Bytes received from the chip.
    pub bytes_received: u64,
}

/// An in-process transport: the reader talks straight to an [`ApduHandler`] (our emulator).
#[derive(Debug)]
pub struct InProcess<H> {
    handler: H,
    stats: LinkStats,
    extended: bool,
}

impl<H: ApduHandler> InProcess<H> {
    /// Connects to `handler`.
    pub fn new(handler: H) -> Self {
        Self { handler, stats: LinkStats::default(), extended: true }
    }

    /// Models a reader that cannot carry extended-length APDUs.
    #[must_use]
    pub fn without_extended_length(mut self) -> Self {
        self.extended = false;
        self
    }

    /// What crossed the link so far.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// The card behind the link.
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// The card behind the link, mutably (tests switch its faults on and off).
    pub fn handler_mut(&mut self) -> &mut H {
        &mut self.handler
    }

    /// Disconnects and returns the card.
    pub fn into_inner(self) -> H {
        self.handler
    }
}

impl<H: ApduHandler> Transport for InProcess<H> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.handler.present() {
            return Err(TransportError::NoCard);
        }
        self.stats.apdus += 1;
        self.stats.bytes_sent += capdu.len() as u64;
        let r = self.handler.handle(capdu);
        if !self.handler.present() {
            // The card left the field while the command was on its way.
            return Err(TransportError::CardRemoved);
        }
        self.stats.bytes_received += r.len() as u64;
        Ok(r)
    }

    fn supports_extended_length(&self) -> bool {
        self.extended
    }
}

/// Encodes the Le of a short APDU: helper for handlers that echo `6CXX`.
#[must_use]
pub fn short_le_byte(le: Le) -> u8 {
    (le.ne() & 0xFF) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    struct Script(VecDeque<Vec<u8>>, Vec<Vec<u8>>);
    impl ApduHandler for Script {
        fn handle(&mut self, capdu: &[u8]) -> Vec<u8> {
            self.1.push(capdu.to_vec());
            self.0.pop_front().unwrap_or_else(|| vec![0x6F, 0x00])
        }
    }

    fn script(answers: &[&[u8]]) -> InProcess<Script> {
        InProcess::new(Script(answers.iter().map(|a| a.to_vec()).collect(), Vec::new()))
    }

    #[test]
    fn follows_get_response() {
        let mut t = script(&[&[1, 2, 0x61, 0x02], &[3, 4, 0x90, 0x00]]);
        let r = exchange(&mut t, &Command::get_challenge()).unwrap();
        assert_eq!(r.data(), &[1, 2, 3, 4]);
        assert_eq!(r.sw(), StatusWord::Ok);
        assert_eq!(t.handler().1[1], vec![0x00, 0xC0, 0x00, 0x00, 0x02]);
        assert_eq!(t.stats().apdus, 2);
    }

    #[test]
    fn resends_once_on_wrong_le() {
        let mut t = script(&[&[0x6C, 0x04], &[9, 9, 9, 9, 0x90, 0x00]]);
        let r = exchange(&mut t, &Command::get_challenge()).unwrap();
        assert_eq!(r.data(), &[9, 9, 9, 9]);
        assert_eq!(t.handler().1[1], vec![0x00, 0x84, 0x00, 0x00, 0x04]);
        let mut loop_ = script(&[&[0x6C, 0x04], &[0x6C, 0x04]]);
        assert_eq!(
            exchange(&mut loop_, &Command::get_challenge()),
            Err(TransportError::EndlessChain("6CXX after a corrected Le"))
        );
    }

    #[test]
    fn endless_get_response_is_cut_off() {
        struct Endless;
        impl ApduHandler for Endless {
            fn handle(&mut self, _: &[u8]) -> Vec<u8> {
                vec![0xAA, 0x61, 0x01]
            }
        }
        let mut t = InProcess::new(Endless);
        assert_eq!(exchange(&mut t, &Command::get_challenge()), Err(TransportError::EndlessChain("61XX")));
        assert!(t.stats().apdus <= MAX_GET_RESPONSE as u64 + 1);
    }

    #[test]
    fn malformed_answer() {
        let mut t = script(&[&[0x90]]);
        assert!(matches!(exchange(&mut t, &Command::get_challenge()), Err(TransportError::Malformed(_))));
    }
}
