//! Chip Authentication (ICAO 9303-11 §6.2; BSI TR-03110-1 §3.4): the chip proves it
//! holds the private key of the static public key in DG14 (or EF.CardSecurity) by
//! agreeing new secure-messaging keys with an ephemeral key of ours. A clone that copied
//! the signed files but not the key cannot answer under the new keys.
//!
//! * 3DES: `MSE:Set KAT` with `91` our ephemeral key (and `84` the key ID).
//! * AES (and 3DES where the chip prefers it): `MSE:Set AT` with `80` the protocol OID
//!   (and `84` the key ID), then `GENERAL AUTHENTICATE` with `7C { 80 key }`. A chip that
//!   answers `7C { 81 nonce, 82 token }` (version 2 style) has the nonce appended to the
//!   shared secret and its token checked.
//!
//! Then secure messaging restarts with `KS_enc = KDF(K, 1)`, `KS_mac = KDF(K, 2)` and a
//! zero send sequence counter, and the new keys are proven by a command whose protected
//! answer must verify: only then is the chip authenticated (ICAO 9303-11 §6.2.3: "the
//! terminal implicitly authenticates the chip").

mod key;
pub mod protocol;

use zeroize::Zeroizing;

use crate::access::pace::{derive_key, dyn_auth, session_suite, token};
use crate::apdu::{Command, Le, StatusWord, ins};
use crate::crypto::{RandomSource, RngError, ct_eq};
use crate::sm::{SecureChannel, SmError};
use crate::tlv::{self, Tag, Tlv};
use crate::transport::Transport;

pub use key::ChipPublicKey;
pub use protocol::CaProtocol;
use protocol::Cipher;

/// Why Chip Authentication did not succeed, and whose fault it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChipAuthError {
    /// The chip's static public key (from DG14 or EF.CardSecurity) is unusable: the
    /// document's data is wrong.
    #[error("the chip authentication public key is unusable: {0}")]
    BadKey(&'static str),
    /// The protocol's key agreement does not fit the key (the document's data is wrong).
    #[error("the chip announces {protocol} but its key is for the other key agreement")]
    KeyMismatch {
        /// The protocol OID.
        protocol: String,
    },
    /// The chip refused a step.
    #[error("the chip refused {step} with status {status}")]
    Refused {
        /// The step.
        step: &'static str,
        /// What the chip answered.
        status: StatusWord,
    },
    /// The chip answered a step with data of the wrong shape.
    #[error("the chip sent a malformed answer to {0}")]
    Malformed(&'static str),
    /// The chip's authentication token (version 2 style answer) is wrong.
    #[error("the chip's authentication token is wrong: it does not hold the private key")]
    WrongToken,
    /// The first answer under the new keys does not verify: the chip does not hold the
    /// private key of its static public key (a clone), or the link was tampered with.
    #[error("the chip did not prove its key: its answer under the new keys fails ({0}); a cloned chip?")]
    NotProven(SmError),
    /// Secure messaging failed before the key agreement completed.
    #[error(transparent)]
    SecureMessaging(#[from] SmError),
    /// No randomness for the ephemeral key.
    #[error(transparent)]
    Rng(#[from] RngError),
}

/// What Chip Authentication established.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CaOutcome {
    /// The protocol run.
    pub protocol: CaProtocol,
    /// The key ID sent, when the chip has several keys.
    pub key_id: Option<u32>,
    /// The chip's key: `"brainpoolP256r1"`, `"DH-2048"`…
    pub public_key: String,
    /// Whether the chip also sent a nonce and an authentication token, and it verified.
    pub token_verified: bool,
}

/// `(KS_enc, KS_mac)`.
pub(crate) type KeyPair = (Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>);

/// The session keys of Chip Authentication: `KDF(K ‖ nonce, 1)` and `KDF(K ‖ nonce, 2)`
/// (the nonce only in the version 2 style answer, BSI TR-03110-1 §3.4).
pub(crate) fn session_keys(cipher: Cipher, shared: &[u8], nonce: Option<&[u8]>) -> KeyPair {
    let mut seed = Zeroizing::new(shared.to_vec());
    seed.extend_from_slice(nonce.unwrap_or_default());
    (derive_key(cipher, &seed, 1), derive_key(cipher, &seed, 2))
}

/// The key ID as the INTEGER content of DO `84`.
pub(crate) fn key_id_bytes(id: u32) -> Vec<u8> {
    let b = id.to_be_bytes();
    let skip = b.iter().take_while(|&&x| x == 0).count().min(3);
    b.get(skip..).unwrap_or_default().to_vec()
}

/// Runs Chip Authentication inside `channel` and, on success, replaces it with the
/// channel under the new keys (already proven by one protected exchange, a SELECT of
/// EF.COM).
///
/// # Errors
/// [`ChipAuthError`]. After [`ChipAuthError::NotProven`] the channel is closed: the
/// session must be opened again.
pub fn authenticate<T: Transport + ?Sized>(
    t: &mut T,
    channel: &mut SecureChannel,
    protocol: CaProtocol,
    key_id: Option<u32>,
    chip_key: &ChipPublicKey,
    rng: &mut dyn RandomSource,
) -> Result<CaOutcome, ChipAuthError> {
    if protocol.key_agreement != chip_key.key_agreement() {
        return Err(ChipAuthError::KeyMismatch { protocol: protocol.oid().to_string() });
    }
    let group = &chip_key.group;
    let secret = group.random_secret(rng)?;
    let ephemeral = group.mul(&secret, &group.generator()).ok_or(ChipAuthError::BadKey("degenerate group"))?;
    let pk_pcd = group.encode(&ephemeral);
    let id_do = key_id.map(|id| tlv::encode_to_vec(Tag::new(0x84), &key_id_bytes(id))).unwrap_or_default();

    let answer = if protocol.cipher == Cipher::Tdes {
        let mut data = tlv::encode_to_vec(Tag::new(0x91), &pk_pcd);
        data.extend_from_slice(&id_do);
        expect_ok(channel.transmit(t, &Command::new(0x00, ins::MSE, 0x41, 0xA6).with_data(&data))?, "MSE:Set KAT")?;
        Vec::new()
    } else {
        let mut at = tlv::encode_to_vec(Tag::new(0x80), protocol.oid().as_bytes());
        at.extend_from_slice(&id_do);
        expect_ok(channel.transmit(t, &Command::new(0x00, ins::MSE, 0x41, 0xA4).with_data(&at))?, "MSE:Set AT")?;
        let ga = dyn_auth(0x80, &pk_pcd);
        let cmd = Command::new(0x00, ins::GENERAL_AUTHENTICATE, 0x00, 0x00).with_data(&ga).with_le(Le::MAX_SHORT);
        let r = channel.transmit(t, &cmd)?;
        expect_ok(r.clone(), "GENERAL AUTHENTICATE")?;
        r.data().to_vec()
    };
    let (nonce, chip_token) = parse_answer(&answer)?;

    let shared_point =
        group.mul(&secret, &chip_key.element).ok_or(ChipAuthError::BadKey("degenerate shared secret"))?;
    let shared = group.shared_secret(&shared_point);
    let (ks_enc, ks_mac) = session_keys(protocol.cipher, &shared, nonce.as_deref());
    let token_verified = match &chip_token {
        Some(tk) => {
            let expected = token(protocol.cipher, &ks_mac, protocol.oid().as_bytes(), group.key_tag(), &pk_pcd);
            if !ct_eq(&expected, tk) {
                return Err(ChipAuthError::WrongToken);
            }
            true
        }
        None => false,
    };
    let (suite, ssc) = session_suite(protocol.cipher, &ks_enc, &ks_mac).ok_or(ChipAuthError::Malformed("keys"))?;
    *channel = SecureChannel::new(suite, &ssc);
    // The proof: a harmless command whose protected answer only the key holder can make.
    match channel.transmit(t, &Command::select_ef(&[0x01, 0x1E])) {
        Ok(_) => {}
        Err(e) => return Err(ChipAuthError::NotProven(e)),
    }
    Ok(CaOutcome { protocol, key_id, public_key: chip_key.describe(), token_verified })
}

fn expect_ok(r: crate::apdu::Response, step: &'static str) -> Result<(), ChipAuthError> {
    if r.sw().is_ok() { Ok(()) } else { Err(ChipAuthError::Refused { step, status: r.sw() }) }
}

/// The GENERAL AUTHENTICATE answer: empty, `7C 00`, or `7C { 81 nonce, 82 token }`.
type Answer = (Option<Vec<u8>>, Option<Vec<u8>>);

fn parse_answer(data: &[u8]) -> Result<Answer, ChipAuthError> {
    if data.is_empty() {
        return Ok((None, None));
    }
    let bad = ChipAuthError::Malformed("GENERAL AUTHENTICATE (chip authentication)");
    let outer = Tlv::parse_tagged(data, Tag::new(0x7C)).map_err(|_| bad.clone())?;
    let nonce = outer.find(Tag::new(0x81)).map_err(|_| bad.clone())?.map(|t| t.value.to_vec());
    let tk = outer.find(Tag::new(0x82)).map_err(|_| bad.clone())?.map(|t| t.value.to_vec());
    match (&nonce, &tk) {
        (Some(_), Some(t)) if t.len() == 8 => Ok((nonce, tk)),
        (None, None) => Ok((None, None)),
        _ => Err(bad),
    }
}

/// The chip side of the key agreement, for the emulator: from the terminal's ephemeral
/// key and the chip's static secret, the session keys (or `None` for an invalid key).
#[cfg(feature = "emulator")]
pub(crate) fn chip_side(
    group: &crate::access::pace::Group,
    static_secret: &[u8],
    pk_pcd: &[u8],
    cipher: Cipher,
) -> Option<KeyPair> {
    let theirs = group.decode(pk_pcd)?;
    let shared = group.mul(static_secret, &theirs)?;
    Some(session_keys(cipher, &group.shared_secret(&shared), None))
}

#[cfg(test)]
mod tests;
