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
mod document;
mod error;
mod options;
mod pin;
mod pin_flow;
mod read;
mod resume;
mod secured;
mod session;
mod stats;

pub use document::*;
pub use error::{Interruption, SessionError};
pub use options::*;
pub use pin_flow::*;
pub use session::*;
pub use stats::*;

/// What a PIN flow needs from the layers below, here so a bank app stays on this API.
pub use crate::access::AccessError;
pub use crate::access::pace::PacePassword;
pub use crate::crypto::OsRandom;
pub use access_check::Downgrade;
pub use anti_cloning::{AntiCloningRead, Attempt, recheck_active_authentication};
pub use pin::unblock_pin;
pub use read::{Progress, ReadError};
pub use resume::PartialRead;
