//! Read the chip of an e-passport or national ID card (ICAO 9303) and tell whether the
//! document is genuine, whether the chip is the original, and whether it belongs to the
//! person a bank e-ID asserted.
//!
//! The crate is layered; each module uses only those before it in this list:
//!
//! - [`low_level`]: BER-TLV and APDUs, what RustCrypto lacks (ICAO KDF, ISO 9796-2, DH,
//!   runtime curves), secure messaging, BAC and PACE, Chip and Active Authentication:
//!   the protocol machinery, for experts. [`mrz`]: the machine-readable zone.
//! - [`transport`]: how APDUs reach a chip (in process, PC/SC with feature `pcsc`).
//! - [`lds`]: the data groups, EF.SOD, SecurityInfos, dump folders; [`pki`]: passive
//!   authentication and the trust store.
//! - [`reader`]: the whole-document read; [`identity`]: the holder match and the bank
//!   verdict; [`ledger`]: attempt limits and the audit trail; [`kiosk`]: the kiosk loop.
//! - `emulator` (feature `emulator`): the virtual chip on the other side of every protocol.
//!
//! Start with [`reader::read_document`], then [`kiosk::Visit::verify`] for passive
//! authentication and anti-cloning, and
//! [`identity::verification::Verification::decide`] for the bank's verdict. The
//! repository's `docs/` folder has the command line, the JSON shapes, the security
//! properties and the performance figures.
//!
//! ```
//! # #[cfg(feature = "emulator")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use passchip::emulator::{VirtualChip, VirtualDocument};
//! use passchip::mrz::Mrz;
//! use passchip::reader::{Credentials, ReadOptions, read_document};
//! use passchip::transport::InProcess;
//!
//! let doc = VirtualDocument::specimen();
//! let mrz = Mrz::parse(&doc.mrz_text())?;
//! let read = read_document(InProcess::new(VirtualChip::new(doc)), &Credentials::Mrz(mrz.access_key()), ReadOptions::default())?;
//! assert_eq!(read.dg1.as_ref().map(|d| d.mrz.primary_identifier.as_str()), Some("OEBERG"));
//! # Ok(()) }
//! # #[cfg(not(feature = "emulator"))]
//! # fn main() {}
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

#[doc(hidden)]
pub mod access;
#[doc(hidden)]
pub mod active_auth;
#[doc(hidden)]
pub mod apdu;
#[doc(hidden)]
pub mod chip_auth;
#[doc(hidden)]
pub mod crypto;
pub mod date;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod identity;
#[doc(hidden)]
pub mod internal;
pub mod kiosk;
pub mod lds;
pub mod ledger;
pub mod mrz;
#[doc(hidden)]
pub mod oid;
pub mod pki;
pub mod reader;
#[doc(hidden)]
pub mod sm;
#[doc(hidden)]
pub mod tlv;
pub mod transport;

/// The protocol machinery beneath the reader, for experts: BER-TLV and APDUs, the
/// cryptography passchip adds to RustCrypto, secure messaging, BAC and PACE, Chip and
/// Active Authentication, the OIDs. Most programs need none of it: [`reader`] drives
/// them all, [`pki`] verifies, [`identity`] decides. These modules change more freely
/// than the rest of the API; their only documented path is this one.
pub mod low_level {
    #[doc(inline)]
    pub use crate::{access, active_auth, apdu, chip_auth, crypto, oid, sm, tlv};
}

// The README and the pages of docs/ are tested: their Rust examples compile and run.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
#[cfg(doctest)]
#[doc = include_str!("../docs/library.md")]
struct LibraryExamples;
