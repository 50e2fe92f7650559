//! The ICAO 9303 constructions, thinly wrapped around RustCrypto.
//!
//! Only what the protocols need is exposed: the key derivation function
//! ([`kdf`]), ISO/IEC 9797-1 padding ([`padding`]), two-key 3DES in CBC mode and DES
//! parity ([`tdes`]), and the retail MAC ([`retail_mac`]). Keys are wiped on drop
//! and print as `..` in `Debug`. MAC tags are compared in constant time
//! ([`ct_eq`]).

pub mod aes;
pub(crate) mod be;
pub mod dh;
pub mod ec;
pub mod hash;
pub mod iso9796;
pub mod kdf;
pub mod padding;
pub mod retail_mac;
#[cfg(feature = "fast-p256")]
mod ring_ecdsa;
pub mod sig;
pub mod tdes;

use subtle::ConstantTimeEq;

/// Constant-time equality of two byte strings (length is not secret).
#[must_use]
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Fills `buf` from the operating system's random number generator.
///
/// # Errors
/// [`RngError`] if the OS generator is unavailable.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), RngError> {
    getrandom::fill(buf).map_err(|_| RngError)
}

/// The operating system's random number generator failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random number generator is unavailable")]
pub struct RngError;

/// A source of random bytes for nonces and ephemeral keys.
///
/// The reader uses [`OsRandom`]; tests replay the nonces of the ICAO worked examples.
pub trait RandomSource {
    /// Fills `buf` with random bytes.
    ///
    /// # Errors
    /// [`RngError`] if no randomness can be had.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RngError>;
}

/// The operating system's generator (`getrandom`).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RngError> {
        random_bytes(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_compares_content_and_length() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }

    #[test]
    fn os_random_fills() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        OsRandom.fill(&mut a).unwrap();
        OsRandom.fill(&mut b).unwrap();
        assert_ne!(a, b);
    }
}
