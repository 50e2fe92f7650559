//! Access control (ICAO 9303-11 §4): the protocols that turn a plain connection to
//! the chip into a [`SecureChannel`](crate::sm::SecureChannel). BAC is here; PACE
//! comes as a sibling module with the same shape.

pub mod bac;
pub mod pace;

use crate::apdu::StatusWord;
use crate::crypto::RngError;
use crate::transport::TransportError;

/// Which access-control protocol opened the secure channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "UPPERCASE"))]
#[non_exhaustive]
pub enum AccessProtocol {
    /// Basic Access Control (ICAO 9303-11 §4.3), 3DES secure messaging.
    Bac,
    /// PACE (ICAO 9303-11 §4.4).
    Pace,
}

impl core::fmt::Display for AccessProtocol {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Bac => "BAC",
            Self::Pace => "PACE",
        })
    }
}

/// Why access control failed, and whose fault it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The chip rejected our proof of the key: the MRZ data (document number, date of
    /// birth, date of expiry) does not belong to this document. The caller's input.
    #[error(
        "access denied: check the MRZ (document number, date of birth, date of expiry); the chip answered {status}"
    )]
    AccessDenied {
        /// What the chip answered.
        status: StatusWord,
    },
    /// The chip's side of mutual authentication was wrong (its MAC, or the nonces it
    /// echoed): a broken or hostile chip, or an attacker on the link.
    #[error("the chip failed mutual authentication: {0}")]
    ChipAuthenticationFailed(&'static str),
    /// The chip does not support the protocol or refused a step with this status.
    #[error("the chip refused {step} with status {status}")]
    Refused {
        /// The step that was refused.
        step: &'static str,
        /// What the chip answered.
        status: StatusWord,
    },
    /// PACE: the chip rejected the password.
    #[error("access denied: the {password} is wrong{}", tries_left.map_or(String::new(), |n| match n { 0 => " (no tries left)".to_string(), 1 => " (1 try left)".to_string(), n => format!(" ({n} tries left)") }))]
    WrongPassword {
        /// Which password.
        password: crate::access::pace::PasswordKind,
        /// Tries left, when the chip says (63CX).
        tries_left: Option<u8>,
    },
    /// PACE: the password is suspended (one try left); authenticate with the CAN first.
    #[error(
        "the {password} is suspended (1 try left): it may only be tried once more, inside a channel opened with the CAN (give the CAN as well)"
    )]
    PasswordSuspended {
        /// Which password.
        password: crate::access::pace::PasswordKind,
    },
    /// PACE: the password is blocked; the PIN needs unblocking with the PUK.
    #[error("the {password} is blocked (no tries left){}", if matches!(password, crate::access::pace::PasswordKind::Pin) { ": unblock it with the PUK" } else { "" })]
    PasswordBlocked {
        /// Which password.
        password: crate::access::pace::PasswordKind,
    },
    /// The chip's EF.CardAccess (which nobody signs) offered explicit PACE domain
    /// parameters that are not a standardized group: refused before any message that
    /// depends on the password, since a weak group would let the chip (or an overlay
    /// playing it) test passwords offline. A caller may opt in to validated custom groups
    /// ([`crate::access::pace::DomainPolicy::ValidatedCustom`]).
    #[error(
        "the chip offered non-standard PACE domain parameters ({0}); refused before any password-dependent message"
    )]
    NonStandardDomainParameters(&'static str),
    /// Custom PACE domain parameters the caller allowed failed validation (a composite
    /// or small order, a singular curve…): refused before any password-dependent message.
    #[error("the chip's custom PACE domain parameters are unsafe: {0}; refused before any password-dependent message")]
    UnsafeDomainParameters(&'static str),
    /// The chip offers a protocol variant this version does not implement.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The chip answered a step with data of the wrong shape.
    #[error("the chip sent a malformed answer to {0}")]
    Malformed(&'static str),
    /// No randomness for our nonces.
    #[error(transparent)]
    Rng(#[from] RngError),
    /// The link failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
}
