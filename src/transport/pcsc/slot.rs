//! One PC/SC reader as a [`CardSlot`] for a kiosk that runs for days: PC/SC comes and
//! goes. On Windows the Smart Card service stops when the last reader is unplugged and
//! calls fail with `SCARD_E_NO_SERVICE` (pyscard#153); on Linux pcscd restarts, and a
//! context made before is invalid. The slot then establishes a new context, finds the
//! reader again by name, and meanwhile answers "no card yet" with the reason kept
//! ([`CardSlot::unavailable`]), so the kiosk waits instead of exiting.
//!
//! No PC/SC transaction is held while a person types: the kiosk asks for the CAN or MRZ
//! before it connects (Windows resets a card held in a transaction for more than 5 s
//! without a command).

use std::time::Duration;

use super::{Pcsc, PcscCard, PcscError};
use crate::transport::{CardSlot, TransportError};

/// How long to wait between tries while the service or the reader is gone.
const RETRY: Duration = Duration::from_millis(500);

/// One PC/SC reader as a [`CardSlot`]: the kiosk loop waits on it and connects to the
/// card in it, in shared mode and without a transaction around the whole read (a kiosk
/// owns its reader; `passchip read`, which may share one, holds a transaction).
pub struct PcscSlot {
    /// `None` while the service is gone.
    pcsc: Option<Pcsc>,
    reader: String,
    /// Why the reader cannot be used now.
    unavailable: Option<String>,
}

impl core::fmt::Debug for PcscSlot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscSlot").field("reader", &self.reader).field("unavailable", &self.unavailable).finish()
    }
}

impl PcscSlot {
    /// The reader named `reader` (its full name or a part only it contains).
    ///
    /// # Errors
    /// [`PcscError`] when the service is not running or no reader has that name.
    pub fn new(pcsc: Pcsc, reader: &str) -> Result<Self, PcscError> {
        let reader = pcsc.resolve(reader)?.to_string_lossy().into_owned();
        Ok(Self { pcsc: Some(pcsc), reader, unavailable: None })
    }

    /// The reader's full name.
    #[must_use]
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// Whether the service is up and the reader there: the service is established again
    /// when it was gone, and the reader found again by name.
    fn ready(&mut self) -> bool {
        if self.pcsc.is_none() {
            match Pcsc::establish() {
                Ok(p) => self.pcsc = Some(p),
                Err(e) => {
                    self.unavailable = Some(format!("the PC/SC service is not available ({e})"));
                    return false;
                }
            }
        }
        let Some(pcsc) = self.pcsc.as_ref() else { return false };
        match pcsc.resolve(&self.reader) {
            Ok(_) => {
                if self.unavailable.take().is_some() {
                    tracing::info!(reader = %self.reader, "the reader is back");
                }
                true
            }
            Err(PcscError::NoService) => {
                self.pcsc = None;
                self.unavailable = Some("the PC/SC service stopped".into());
                false
            }
            Err(_) => {
                self.unavailable = Some(format!("reader {:?} disconnected", self.reader));
                false
            }
        }
    }

    /// Notes that the service or the reader went away: `true` when `e` says so.
    fn lost(&mut self, e: &PcscError) -> bool {
        let why = match e {
            PcscError::NoService => {
                self.pcsc = None;
                "the PC/SC service stopped".to_string()
            }
            PcscError::UnknownReader(_) | PcscError::NoReaders => format!("reader {:?} disconnected", self.reader),
            _ => return false,
        };
        tracing::warn!(reader = %self.reader, why = %why, "waiting for the reader to come back");
        self.unavailable = Some(why);
        true
    }
}

fn slot_error(e: PcscError) -> TransportError {
    match e {
        PcscError::NoCard(_) => TransportError::NoCard,
        PcscError::CardRemoved => TransportError::CardRemoved,
        PcscError::CardReset => TransportError::CardReset,
        other => TransportError::Reader(other.to_string()),
    }
}

impl CardSlot for PcscSlot {
    type Card<'a> = PcscCard;

    fn wait_for_card(&mut self, timeout: Option<Duration>) -> Result<bool, TransportError> {
        let waited = match (self.ready(), &self.pcsc) {
            (true, Some(pcsc)) => pcsc.wait_for_card(Some(&self.reader), timeout),
            _ => {
                std::thread::sleep(timeout.unwrap_or(RETRY).min(RETRY));
                return Ok(false);
            }
        };
        match waited {
            Ok(_) => Ok(true),
            Err(PcscError::Timeout(_)) => Ok(false),
            Err(e) if self.lost(&e) => Ok(false),
            Err(e) => Err(slot_error(e)),
        }
    }

    fn wait_for_removal(&mut self, timeout: Option<Duration>) -> Result<bool, TransportError> {
        // With the service or the reader gone, so is the card, as far as this slot knows.
        let waited = match (self.ready(), &self.pcsc) {
            (true, Some(pcsc)) => pcsc.wait_for_removal(&self.reader, timeout),
            _ => return Ok(true),
        };
        match waited {
            Ok(()) => Ok(true),
            Err(PcscError::Timeout(_)) => Ok(false),
            Err(e) if self.lost(&e) => Ok(true),
            Err(e) => Err(slot_error(e)),
        }
    }

    fn connect(&mut self) -> Result<PcscCard, TransportError> {
        let connected = match (self.ready(), &self.pcsc) {
            (true, Some(pcsc)) => pcsc.connect(&self.reader),
            _ => return Err(TransportError::NoCard),
        };
        match connected {
            Ok(c) => Ok(c),
            Err(e) if self.lost(&e) => Err(TransportError::NoCard),
            Err(e) => Err(slot_error(e)),
        }
    }

    fn unavailable(&self) -> Option<String> {
        self.unavailable.clone()
    }
}
