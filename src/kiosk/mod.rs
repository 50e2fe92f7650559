//! The kiosk loop: wait for a card, open it with the CAN or MRZ the operator enters, read
//! it, verify it, show the result, and wipe everything when the card leaves or the
//! screen has been idle too long; then wait for the next card.
//!
//! The loop is [`run`], written against a [`CardSlot`] (a PC/SC reader, or the
//! emulator's `VirtualSlot` in tests) and a [`Desk`] (the operator's side: credentials
//! in, results out). Its steps are public too, for a kiosk that drives its own loop:
//! [`read_card`] (resuming when the card is lifted and put back), [`Visit::verify`],
//! [`hold`].
//!
//! What is wiped: a [`Visit`] owns the read (files, DG1's MRZ: zeroized on drop) and its
//! verification; the credentials are dropped (zeroized) as soon as the chip is open; the
//! session keys die with the session, before the result is shown.

use std::time::Duration;

mod bank;
mod visit;

pub use bank::{Bank, run_for_bank};
pub use visit::{Visit, VisitOutcome};

use crate::identity::asserted::AssertedIdentity;
use crate::identity::attempts::Gate;
use crate::pki::TrustStore;
use crate::reader::{Credentials, DocumentRead, PartialRead, Progress, ReadOptions, SessionError};
use crate::transport::{CardSlot, TransportError};

/// How the kiosk behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KioskOptions {
    /// How long a result stays on screen while the card is left on the reader (default
    /// 2 minutes); then it is wiped.
    pub idle_timeout: Duration,
    /// How long to wait for a card lifted mid-read to be put back (default 30 s).
    pub resume_wait: Duration,
    /// Most times one read is resumed (default 5).
    pub max_resumes: usize,
    /// How long each wait for a card lasts before [`Desk::keep_going`] is asked again.
    pub poll: Duration,
    /// How files are read.
    pub read: ReadOptions,
    /// How long before the idle timeout the desk is warned ([`Desk::idle_warning`];
    /// default 30 s, as online banks warn before they end a session).
    pub idle_warning: Duration,
}

impl Default for KioskOptions {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(120),
            resume_wait: Duration::from_secs(30),
            max_resumes: 5,
            poll: Duration::from_millis(500),
            read: ReadOptions::default(),
            idle_warning: Duration::from_secs(30),
        }
    }
}

impl KioskOptions {
    /// Sets the idle timeout.
    #[must_use]
    pub fn with_idle_timeout(mut self, t: Duration) -> Self {
        self.idle_timeout = t;
        self
    }

    /// Sets how long before the idle timeout the desk is warned.
    #[must_use]
    pub fn with_idle_warning(mut self, t: Duration) -> Self {
        self.idle_warning = t;
        self
    }

    /// Sets how long a lifted card is waited for.
    #[must_use]
    pub fn with_resume_wait(mut self, t: Duration) -> Self {
        self.resume_wait = t;
        self
    }
}

/// Why a card could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KioskError {
    /// The read failed (a wrong CAN or MRZ, a chip error, another document put back…).
    #[error(transparent)]
    Read(#[from] SessionError),
    /// The card was lifted and not put back within the wait, or too many times.
    #[error("the card was taken away during {0} and not put back")]
    Abandoned(crate::reader::Interruption),
    /// The reader failed.
    #[error(transparent)]
    Reader(#[from] TransportError),
    /// The person or the document failed too often: refused before the verdict (the
    /// refusal is in the audit trail).
    #[error("too many failed attempts: {0}")]
    AttemptsRefused(Gate),
    /// The attempt ledger could not be reached or written: no verdict is given (fail
    /// closed).
    #[error("the attempt ledger failed, so no verdict is given: {0}")]
    Ledger(String),
}

/// Reads the card in `slot`, resuming (up to [`KioskOptions::max_resumes`] times) when it
/// is lifted and put back within [`KioskOptions::resume_wait`].
///
/// # Errors
/// [`KioskError`].
pub fn read_card<S: CardSlot>(
    slot: &mut S,
    credentials: &Credentials,
    options: &KioskOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DocumentRead, KioskError> {
    read_card_asking(slot, credentials, options, progress, &mut || false)
}

/// [`read_card`], asking `confirm_pin_resume` before a resumed read spends a PIN try on
/// the card presented again (it is not yet known to be the same document; see
/// [`SessionError::PinResumeNeedsConfirmation`]). Without a yes the read ends with that
/// error.
///
/// # Errors
/// [`KioskError`].
pub fn read_card_asking<S: CardSlot>(
    slot: &mut S,
    credentials: &Credentials,
    options: &KioskOptions,
    progress: &mut dyn FnMut(Progress<'_>),
    confirm_pin_resume: &mut dyn FnMut() -> bool,
) -> Result<DocumentRead, KioskError> {
    let mut partial = PartialRead::new();
    loop {
        let result = {
            let card = slot.connect()?;
            crate::reader::read_document_resuming(card, credentials, options.read.clone(), &mut partial, progress)
        };
        match result {
            Ok(read) => return Ok(read),
            Err(SessionError::PinResumeNeedsConfirmation) if confirm_pin_resume() => partial.allow_pin_on_resume(),
            Err(SessionError::Interrupted { during, cause }) => {
                if partial.interruptions().len() > options.max_resumes {
                    return Err(KioskError::Abandoned(during));
                }
                if cause == TransportError::CardRemoved {
                    // Let the reader notice first, so the wait below sees the return.
                    slot.wait_for_removal(Some(Duration::from_secs(2)))?;
                }
                if !slot.wait_for_card(Some(options.resume_wait))? {
                    return Err(KioskError::Abandoned(during));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Why a visit ended (its data is wiped either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VisitEnd {
    /// The holder took the card away.
    CardRemoved,
    /// The result was on screen for the idle timeout with the card left on the reader.
    IdleTimeout,
    /// The reader failed while the result was on screen.
    ReaderFailed,
}

impl core::fmt::Display for VisitEnd {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::CardRemoved => "the card was taken away",
            Self::IdleTimeout => "the idle timeout passed",
            Self::ReaderFailed => "the reader failed",
        })
    }
}

/// [`hold`], warning the desk [`KioskOptions::idle_warning`] before the idle timeout
/// ([`Desk::idle_warning`] with the time left).
///
/// # Errors
/// [`TransportError`] when the reader fails (the visit is wiped all the same).
pub fn hold_warning<S: CardSlot>(
    slot: &mut S,
    visit: Visit,
    options: &KioskOptions,
    desk: &mut dyn Desk,
) -> Result<VisitEnd, TransportError> {
    let warning = options.idle_warning.min(options.idle_timeout);
    let quiet = options.idle_timeout.saturating_sub(warning);
    let removed = match slot.wait_for_removal(Some(quiet)) {
        Ok(false) => {
            desk.idle_warning(warning);
            slot.wait_for_removal(Some(warning))
        }
        other => other,
    };
    drop(visit);
    Ok(if removed? { VisitEnd::CardRemoved } else { VisitEnd::IdleTimeout })
}

/// Keeps `visit` on screen until the card is taken away or `idle_timeout` passes, then
/// wipes it.
///
/// # Errors
/// [`TransportError`] when the reader fails (the visit is wiped all the same).
pub fn hold<S: CardSlot>(slot: &mut S, visit: Visit, idle_timeout: Duration) -> Result<VisitEnd, TransportError> {
    let removed = slot.wait_for_removal(Some(idle_timeout));
    drop(visit);
    Ok(if removed? { VisitEnd::CardRemoved } else { VisitEnd::IdleTimeout })
}

/// The operator's side of the kiosk.
pub trait Desk {
    /// Whether to go on waiting for cards (asked every [`KioskOptions::poll`]).
    fn keep_going(&mut self) -> bool;
    /// A card is on the reader: the CAN or MRZ to open it, `None` to skip it.
    fn credentials(&mut self) -> Option<Credentials>;
    /// A card is on the reader: the person who logged in with their bank e-ID for this
    /// visit, asked before [`Desk::credentials`]. With one, [`run_for_bank`] decides the
    /// bank's verdict for them ([`Visit::verification`]) and counts it in the attempt
    /// ledger. Default: none (a document check only).
    fn person(&mut self) -> Option<AssertedIdentity> {
        None
    }
    /// Progress of the read.
    fn progress(&mut self, _progress: Progress<'_>) {}
    /// The result, on screen until [`Desk::wiped`].
    fn show(&mut self, visit: &Visit);
    /// The card could not be read.
    fn failed(&mut self, error: &KioskError);
    /// The result was wiped.
    fn wiped(&mut self, end: VisitEnd);
    /// The result will be wiped in `remaining` unless the card is taken away: say so
    /// ("the screen clears in 30 s"), as online banks warn before ending a session.
    fn idle_warning(&mut self, _remaining: Duration) {}
    /// The reader went away (its service stopped, it was unplugged): say "reader
    /// disconnected — waiting"; the kiosk waits for it and goes on.
    fn reader_unavailable(&mut self, _why: &str) {}
    /// The reader is back.
    fn reader_available(&mut self) {}
    /// A PIN read was interrupted and a card is back on the reader: may a PIN try be
    /// spent on it before it is known to be the same document? (Ask the holder.) Default:
    /// no, and the read ends.
    fn confirm_pin_resume(&mut self) -> bool {
        false
    }
}

/// Runs the kiosk until [`Desk::keep_going`] says stop: for each card, credentials from
/// the desk, [`read_card`], [`Visit::verify`] against `store` at today's date, show,
/// [`hold`] until the card leaves or the idle timeout passes, wipe. A card left on the
/// reader after its visit ended is not read again: the kiosk waits for it to go first.
/// A bank's kiosk, deciding for the person who logged in and counting attempts, runs
/// [`run_for_bank`].
///
/// # Errors
/// [`TransportError`] when the reader fails.
pub fn run<S: CardSlot>(
    slot: &mut S,
    desk: &mut dyn Desk,
    store: &TrustStore,
    options: &KioskOptions,
) -> Result<(), TransportError> {
    run_for_bank(slot, desk, store, options, &Bank::<crate::ledger::MemoryStore>::without_ledger())
}
