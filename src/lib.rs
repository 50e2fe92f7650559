#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod access;
pub mod active_auth;
pub mod apdu;
pub mod chip_auth;
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
pub mod oid;
pub mod pki;
pub mod reader;
pub mod sm;
pub mod tlv;
pub mod transport;
