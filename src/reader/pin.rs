//! PIN management of eID cards (BSI TR-03110-3 §B.11.8 RESET RETRY COUNTER; ICAO 9303-11
//! §4.4): a blocked PIN unblocked with the PUK, and optionally replaced. Nothing is
//! retried: a wrong PUK costs a try, and the error says how many are left.

use super::document::choose_pace;
use super::error::SessionError;
use super::options::ReadOptions;
use super::session::{Secured, Session};
use crate::access::AccessError;
use crate::access::pace::PacePassword;
use crate::apdu::Command;
use crate::crypto::OsRandom;
use crate::transport::Transport;

impl<T: Transport> Session<T, Secured> {
    /// RESET RETRY COUNTER with a new PIN (`00 2C 02 03`, the PIN as data), in a channel
    /// opened with the PUK: the counter is reset and the PIN replaced.
    ///
    /// # Errors
    /// [`AccessError::Refused`] with the chip's status, or a broken channel.
    pub fn set_pin(&mut self, new_pin: &str) -> Result<(), AccessError> {
        let cmd = Command::new(0x00, crate::apdu::ins::RESET_RETRY_COUNTER, 0x02, 0x03).with_data(new_pin.as_bytes());
        match self.state.channel.transmit(&mut self.link, &cmd) {
            Ok(r) if r.sw().is_ok() => Ok(()),
            Ok(r) => Err(AccessError::Refused { step: "RESET RETRY COUNTER (new PIN)", status: r.sw() }),
            Err(_) => Err(AccessError::Malformed("RESET RETRY COUNTER under secure messaging")),
        }
    }
}

/// Unblocks the PIN of the eID card behind `transport`: PACE with the PUK (the chip's
/// strongest PACE option), RESET RETRY COUNTER, and with `new_pin` the PIN replaced.
///
/// # Errors
/// [`SessionError::Access`]: a wrong PUK (with the tries left), a blocked PUK, a chip
/// without PACE or PIN, or the chip's refusal.
pub fn unblock_pin<T: Transport>(
    transport: T,
    puk: &PacePassword,
    new_pin: Option<&str>,
    options: ReadOptions,
) -> Result<(), SessionError> {
    if !matches!(puk, PacePassword::Puk(_)) {
        return Err(AccessError::Unsupported("the PIN is unblocked with the PUK").into());
    }
    let mut session = Session::new(transport, options);
    let infos = session
        .read_card_access()?
        .ok_or(AccessError::Unsupported("the chip has no EF.CardAccess: no PACE, so no PIN"))?;
    let (protocol, id) = choose_pace(&infos)
        .ok_or(AccessError::Unsupported("the chip offers no PACE variant this version implements"))?;
    let id = id.ok_or(AccessError::Unsupported("PACE without a standard parameter ID"))?;
    let mut secured =
        session.unblock_pin(puk, protocol, id, &mut OsRandom).map_err(|e| SessionError::Access(e.error().clone()))?;
    if let Some(pin) = new_pin {
        secured.set_pin(pin)?;
    }
    tracing::info!(new_pin = new_pin.is_some(), "PIN unblocked");
    Ok(())
}
