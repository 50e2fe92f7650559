//! PACE with a PIN as a bank wants it: a suspended PIN only after the CAN, nothing
//! retried on its own ([`Session::pace_pin`]).

use super::session::{Plain, Secured, Session};
use crate::access::AccessError;
use crate::access::pace::PacePassword;
use crate::crypto::RandomSource;
use crate::lds::security_infos::PaceProtocol;
use crate::transport::Transport;

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
