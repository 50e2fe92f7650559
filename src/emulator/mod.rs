//! Our own virtual eMRTD chip: the other side of every protocol the reader speaks.
//!
//! Tests, benches, `passchip demo` and the vpcd bridge to a real pcscd ([`vpcd`]) all
//! use it. A [`VirtualDocument`] is built deterministically from a [`DocumentSpec`]
//! (or a seed); a [`VirtualChip`] serves it, with the limits of a [`ChipProfile`] and
//! any injected [`Fault`].
//!
//! ```
//! use passchip::emulator::{ChipProfile, VirtualChip, VirtualDocument};
//! use passchip::transport::InProcess;
//!
//! let doc = VirtualDocument::from_seed(42);
//! let chip = VirtualChip::with_profile(doc, ChipProfile::legacy_le160());
//! let transport = InProcess::new(chip);
//! # let _ = transport;
//! ```

mod anti_cloning;
mod asn1;
mod chip;
mod data_groups;
mod document;
pub mod face;
pub mod hostile;
mod pace;
pub mod pki;
mod rng;
mod slot;
pub mod sod;
pub mod vpcd;

pub use anti_cloning::{AaSpec, ChipAuthSpec};
pub use chip::{ChipProfile, Fault, Hostile, VirtualChip};
pub use document::{DocumentSpec, FaceSpec, Layout, VirtualDocument};
pub use hostile::WeakGroup;
pub use pace::BadKey;
pub use pki::{PkiGenError, SignatureScheme, Validity, VirtualPki};
pub use rng::DetRng;
pub use slot::{Presentation, VirtualCard, VirtualSlot};
