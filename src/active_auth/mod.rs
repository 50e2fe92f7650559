//! Active Authentication (ICAO 9303-11 §6.1): the chip signs the terminal's challenge
//! with the private key of the public key in DG15. The signature is kept as
//! [`AaEvidence`], which anyone can re-verify later: a bank server sends its own nonce as
//! the challenge, receives the evidence from the kiosk or phone, and checks it offline.
//!
//! * RSA: ISO/IEC 9796-2 scheme 1 with partial message recovery (trailer `BC` for SHA-1,
//!   `hashId CC` otherwise), see [`crate::crypto::iso9796`].
//! * ECDSA: over the challenge with the hash named by DG14's ActiveAuthenticationInfo
//!   (BSI TR-03111 plain `r ‖ s`; DER `SEQUENCE { r, s }` as some chips send it).

mod evidence;

use crate::apdu::{Command, Le, StatusWord, ins};
use crate::crypto::hash::HashAlg;
use crate::crypto::sig::{PublicKey, SigError};
use crate::sm::{SecureChannel, SmError};
use crate::transport::Transport;

pub use evidence::{AaEvidence, AaVerified, EvidenceError};

/// The challenge length of ICAO 9303-11 §6.1 (RND.IFD).
pub const CHALLENGE_LEN: usize = 8;

/// Why Active Authentication did not succeed, and whose fault it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AaError {
    /// DG15's public key is unusable (the document's data).
    #[error("the active authentication public key (DG15) is unusable: {0}")]
    BadKey(String),
    /// An ECDSA key without an ActiveAuthenticationInfo naming the hash (DG14): the
    /// signature cannot be checked (ICAO 9303-11 §9.2.7 requires the info).
    #[error("DG15 holds an ECDSA key but DG14 names no hash (ActiveAuthenticationInfo missing)")]
    NoHash,
    /// The chip refused INTERNAL AUTHENTICATE.
    #[error("the chip refused INTERNAL AUTHENTICATE with status {0}")]
    Refused(StatusWord),
    /// The chip answered without a signature.
    #[error("the chip answered INTERNAL AUTHENTICATE without a signature")]
    NoSignature,
    /// The signature does not verify: the chip does not hold DG15's private key (a
    /// clone), or the answer was altered.
    #[error("the active authentication signature does not verify ({0}); a cloned chip?")]
    Invalid(SigError),
    /// Secure messaging failed.
    #[error(transparent)]
    SecureMessaging(#[from] SmError),
}

/// The signature length to expect from `key`: the modulus length, or `r ‖ s`.
fn expected_len(key: &PublicKey) -> usize {
    match key {
        PublicKey::Rsa(_) => key.bits().div_ceil(8) as usize,
        PublicKey::Ec { .. } => 2 * key.bits().div_ceil(8) as usize,
    }
}

/// Sends INTERNAL AUTHENTICATE with `challenge` and returns the chip's signature.
///
/// Le is chosen from the key: a signature longer than a short protected answer can carry
/// asks for extended length first (long RSA keys come back truncated otherwise), and a
/// chip that rejects it, or answers it with no data, is asked again with `Le = 00`.
/// `allow_extended` false (the caller's short-APDU policy) skips the extended attempt.
///
/// # Errors
/// [`AaError`].
pub fn internal_authenticate<T: Transport + ?Sized>(
    t: &mut T,
    channel: &mut SecureChannel,
    challenge: &[u8; CHALLENGE_LEN],
    key: &PublicKey,
    allow_extended: bool,
) -> Result<Vec<u8>, AaError> {
    let cmd = Command::new(0x00, ins::INTERNAL_AUTHENTICATE, 0x00, 0x00).with_data(challenge);
    let long = expected_len(key) > channel.max_short_read();
    if long && allow_extended && t.supports_extended_length() {
        match channel.transmit_probing_extended(t, &cmd.with_le(Le::MAX_EXTENDED)) {
            Ok(r) if r.sw().is_ok() && !r.data().is_empty() => return Ok(r.data().to_vec()),
            Ok(r) if !r.sw().is_ok() && r.sw() != StatusWord::WrongLength => return Err(AaError::Refused(r.sw())),
            // Rejected, or answered with nothing: ask again the short way.
            Ok(_) | Err(SmError::ExtendedLengthRejected) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let r = channel.transmit(t, &cmd.with_le(Le::MAX_SHORT))?;
    if !r.sw().is_ok() {
        return Err(AaError::Refused(r.sw()));
    }
    if r.data().is_empty() {
        return Err(AaError::NoSignature);
    }
    Ok(r.data().to_vec())
}

/// Runs Active Authentication: signs `challenge` on the chip with DG15's key (`spki`,
/// DER) and verifies the answer. The evidence is returned either way a signature was
/// received, so a failed check can be shown and re-checked.
///
/// # Errors
/// [`AaError`] when no signature was obtained or the key is unusable.
pub fn authenticate<T: Transport + ?Sized>(
    t: &mut T,
    channel: &mut SecureChannel,
    spki: &[u8],
    ecdsa_hash: Option<HashAlg>,
    challenge: [u8; CHALLENGE_LEN],
    allow_extended: bool,
) -> Result<(AaEvidence, Result<AaVerified, AaError>), AaError> {
    let key = PublicKey::from_spki(spki).map_err(|e| AaError::BadKey(e.to_string()))?;
    if matches!(key, PublicKey::Ec { .. }) && ecdsa_hash.is_none() {
        return Err(AaError::NoHash);
    }
    let signature = internal_authenticate(t, channel, &challenge, &key, allow_extended)?;
    let evidence = AaEvidence::new(challenge.to_vec(), signature, spki.to_vec(), ecdsa_hash);
    let verified = evidence.verify_with(&key);
    Ok((evidence, verified))
}
