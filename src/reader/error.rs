//! The reader's top-level error ([`SessionError`]) and where an interrupted read was
//! ([`Interruption`]): shared by the session, the whole-document read and resumption.

use super::read::ReadError;
use crate::access::AccessError;
use crate::apdu::StatusWord;
use crate::lds::{LdsError, LdsFile};
use crate::transport::TransportError;

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
    /// [`PartialRead`](super::PartialRead): present the card again and resume.
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
    /// [`PartialRead::allow_pin_on_resume`](super::PartialRead::allow_pin_on_resume) and resume (or resume with the CAN).
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

/// Where a read was when the card left the field (or was reset).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "during", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Interruption {
    /// Opening the chip: EF.CardAccess, BAC or PACE (nothing of the document was lost).
    Access,
    /// Reading a file: `offset` bytes of it were kept.
    Read {
        /// The file.
        #[cfg_attr(feature = "serde", serde(serialize_with = "ser_file_name"))]
        file: LdsFile,
        /// Bytes of it already read and kept.
        offset: usize,
    },
    /// The anti-cloning protocols after the read (they run again in the next session).
    AntiCloning,
}

#[cfg(feature = "serde")]
fn ser_file_name<S: serde::Serializer>(f: &LdsFile, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&f.name())
}

impl core::fmt::Display for Interruption {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Access => f.write_str("access control"),
            Self::Read { file, offset } => write!(f, "reading {file} ({offset} bytes kept)"),
            Self::AntiCloning => f.write_str("the anti-cloning checks"),
        }
    }
}
