//! PACE (ICAO 9303-11 §4.4; worked examples in Appendix G), terminal side.
//!
//! ```text
//! MSE:Set AT   80 protocol OID, 83 password reference, 84 domain parameter ID (always when known)
//! GA 1  →7C{}              ←7C{80 z}           s = D(K_π, z)
//! GA 2  →7C{81 PK_map,T}   ←7C{82 PK_map,C}    Ĝ = s·G + SK_map,T·PK_map,C     (Generic Mapping)
//! GA 3  →7C{83 PK_T}       ←7C{84 PK_C}        K = x(SK_T·PK_C)
//! GA 4  →7C{85 T_T}        ←7C{86 T_C …}       T = MAC(KS_mac, 7F49{06 OID, 86 other party's key})
//! ```
//!
//! This module implements Generic Mapping with ECDH on every standardized curve (IDs 8–18),
//! with DH on the RFC 5114 groups (IDs 0–2), and every cipher. Secret scalars use the constant-time ladder; every point the chip
//! sends is validated (on the curve, not the identity), the mapped generator and the
//! shared secret must not be the identity, and the chip's key must differ from ours.
//! A wrong password is never retried here: every attempt costs the holder a try.
//!
//! This file runs the protocol; beside it: `password` (what PACE runs with), `domain`
//! (the standardized IDs), `policy` (which parameters are run, and which explicit ones
//! from the unauthenticated EF.CardAccess are accepted), `group` (the EC or DH group
//! of a run), `keys` (derived keys, token, session suite), `mapping` (Generic and
//! Integrated Mapping), `cam` (PACE-CAM's evidence), `protocol` (the OIDs).

use zeroize::Zeroizing;

use super::AccessError;
pub(crate) use group::{Element, Group};

mod cam;
mod domain;
mod group;
mod keys;
mod mapping;
mod password;
mod policy;
pub mod protocol;

use crate::apdu::{Command, Le, StatusWord, ins};
use crate::crypto::{RandomSource, ct_eq, kdf};
use crate::sm::SecureChannel;
use crate::tlv::{self, Tag, Tlv};
use crate::transport::{Transport, exchange};
pub use cam::CamEvidence;
#[cfg(feature = "emulator")]
pub(crate) use cam::cam_iv;
pub use domain::{domain_name, standard_curve};
pub(crate) use keys::{cipher_blocks, derive_key, session_suite, token};
use mapping::decode;
pub(crate) use mapping::{map_generic, pseudo_random};
pub use password::{PacePassword, PasswordKind};
pub(crate) use policy::check_domain;
pub use policy::{DomainPolicy, explicit_supported, is_supported};
pub use protocol::{Cipher, KeyAgreement, Mapping, PaceProtocol};

/// What the chip chose and proved: for the result and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PaceOutcome {
    /// The protocol run.
    pub protocol: PaceProtocol,
    /// The domain parameter ID; `None` when the chip publishes a single set of explicit
    /// parameters without one (ICAO 9303-11 §9.2.1) and MSE:Set AT carried no reference.
    pub parameter_id: Option<u32>,
    /// The password used.
    pub password: PasswordKind,
    /// With Chip Authentication Mapping: the chip's proof, still to be checked against its
    /// static key (which only the passive-authenticated EF.CardSecurity can vouch for).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub cam: Option<CamEvidence>,
}

/// Dynamic authentication data `7C { tag value }`.
pub(crate) fn dyn_auth(tag: u32, value: &[u8]) -> Vec<u8> {
    tlv::encode_to_vec(Tag::new(0x7C), &tlv::encode_to_vec(Tag::new(tag), value))
}

/// The value of `tag` inside a `7C` response.
pub(crate) fn dyn_auth_field(data: &[u8], tag: u32, step: &'static str) -> Result<Vec<u8>, AccessError> {
    let outer = Tlv::parse_tagged(data, Tag::new(0x7C)).map_err(|_| AccessError::Malformed(step))?;
    let field =
        outer.find(Tag::new(tag)).map_err(|_| AccessError::Malformed(step))?.ok_or(AccessError::Malformed(step))?;
    Ok(field.value.to_vec())
}

/// Maps a refused step's status word to the error the caller needs.
fn refused(step: &'static str, status: StatusWord, password: PasswordKind) -> AccessError {
    match status {
        StatusWord::TriesLeft(n) => AccessError::WrongPassword { password, tries_left: Some(n) },
        StatusWord::AuthenticationFailed | StatusWord::SecurityStatusNotSatisfied => {
            AccessError::WrongPassword { password, tries_left: None }
        }
        StatusWord::AuthenticationBlocked => AccessError::PasswordBlocked { password },
        StatusWord::ReferenceDataNotUsable => AccessError::PasswordSuspended { password },
        status => AccessError::Refused { step, status },
    }
}

fn general_authenticate<T: Transport + ?Sized>(
    t: &mut T,
    data: &[u8],
    last: bool,
    step: &'static str,
    password: PasswordKind,
) -> Result<Vec<u8>, AccessError> {
    let cla = if last { 0x00 } else { 0x10 };
    let cmd = Command::new(cla, ins::GENERAL_AUTHENTICATE, 0x00, 0x00).with_data(data).with_le(Le::MAX_SHORT);
    let r = exchange(t, &cmd)?;
    if !r.sw().is_ok() {
        return Err(refused(step, r.sw(), password));
    }
    Ok(r.data().to_vec())
}

/// Runs PACE with Generic or Integrated Mapping (ECDH or DH) or Chip Authentication Mapping
/// (ECDH). `protocol` and `parameter_id` come from the
/// chip's EF.CardAccess; the eMRTD application is NOT selected first (PACE runs in the MF).
///
/// # Errors
/// [`AccessError`]: a wrong password (with tries left), a blocked or suspended password,
/// an unsupported protocol, a chip whose public keys or token are wrong, or the link.
pub fn authenticate<T: Transport + ?Sized>(
    t: &mut T,
    password: &PacePassword,
    protocol: PaceProtocol,
    parameter_id: u32,
    rng: &mut dyn RandomSource,
) -> Result<(SecureChannel, PaceOutcome), AccessError> {
    if !is_supported(protocol, parameter_id) {
        return Err(match protocol.mapping {
            Mapping::Im => AccessError::Unsupported("PACE Integrated Mapping on a curve with p ≢ 3 (mod 4)"),
            _ => AccessError::Unsupported("unknown PACE domain parameter ID"),
        });
    }
    let group = Group::standard(protocol.key_agreement, parameter_id)
        .ok_or(AccessError::Unsupported("unknown PACE domain parameter ID"))?;
    run(t, password, protocol, Some(parameter_id), &group, None, rng)
}

/// [`authenticate`] with explicit domain parameters: `algorithm_identifier` is the DER
/// AlgorithmIdentifier of the chip's PACEDomainParameterInfo whose ID is `parameter_id`
/// (ICAO 9303-11 §9.2.1); the ID is still sent in MSE:Set AT. `None` for a chip whose
/// single PACEDomainParameterInfo has no ID: then MSE:Set AT carries no reference.
///
/// The group is checked against `policy` before the first command is sent.
///
/// # Errors
/// As [`authenticate`]; [`AccessError::NonStandardDomainParameters`] or
/// [`AccessError::UnsafeDomainParameters`] for a group `policy` refuses;
/// [`AccessError::Unsupported`] for parameters we cannot use (a DH group without q, a
/// curve with a cofactor, Integrated Mapping on a curve with p ≢ 3 mod 4 or with
/// AES-192/256).
pub fn authenticate_explicit<T: Transport + ?Sized>(
    t: &mut T,
    password: &PacePassword,
    protocol: PaceProtocol,
    parameter_id: Option<u32>,
    algorithm_identifier: &[u8],
    policy: DomainPolicy,
    rng: &mut dyn RandomSource,
) -> Result<(SecureChannel, PaceOutcome), AccessError> {
    let group = Group::explicit(protocol.key_agreement, algorithm_identifier).map_err(AccessError::Unsupported)?;
    check_domain(&group, policy)?;
    if protocol.mapping == Mapping::Cam && (protocol.cipher == Cipher::Tdes || matches!(group, Group::Dh(_))) {
        return Err(AccessError::Unsupported("Chip Authentication Mapping needs ECDH and AES"));
    }
    // Integrated Mapping's point encoding is defined for p ≡ 3 (mod 4) only.
    if protocol.mapping == Mapping::Im && matches!(group, Group::Ec(_)) && group.map_integrated(&[2]).is_none() {
        return Err(AccessError::Unsupported("Integrated Mapping on a curve with p ≢ 3 (mod 4)"));
    }
    run(t, password, protocol, parameter_id, &group, Some(algorithm_identifier), rng)
}

fn run<T: Transport + ?Sized>(
    t: &mut T,
    password: &PacePassword,
    protocol: PaceProtocol,
    parameter_id: Option<u32>,
    group: &Group,
    explicit: Option<&[u8]>,
    rng: &mut dyn RandomSource,
) -> Result<(SecureChannel, PaceOutcome), AccessError> {
    let kind = password.kind();
    let oid = protocol.oid();

    // MSE:Set AT, always with the domain parameter reference when the chip names one
    // (omitting it breaks real chips that offer several sets).
    let mut at = Vec::new();
    tlv::encode(Tag::new(0x80), oid.as_bytes(), &mut at);
    tlv::encode(Tag::new(0x83), &[password.reference()], &mut at);
    if let Some(id) = parameter_id {
        let id = u8::try_from(id).map_err(|_| AccessError::Unsupported("a domain parameter ID above 255"))?;
        tlv::encode(Tag::new(0x84), &[id], &mut at);
    }
    let mse = exchange(t, &Command::new(0x00, ins::MSE, 0xC1, 0xA4).with_data(&at))?;
    match mse.sw() {
        StatusWord::Ok => {}
        // 63CX here is a retry counter warning, not a failure (9303-11 §4.4.4.2).
        StatusWord::TriesLeft(1) if kind == PasswordKind::Pin => {
            return Err(AccessError::PasswordSuspended { password: kind });
        }
        StatusWord::TriesLeft(_) => {}
        sw => return Err(refused("MSE:Set AT", sw, kind)),
    }

    // 1. Encrypted nonce.
    let k_pi = derive_key(protocol.cipher, &password.key_material(), kdf::PACE);
    let z = dyn_auth_field(&general_authenticate(t, &[0x7C, 0x00], false, "GA 1", kind)?, 0x80, "GA 1")?;
    // One cipher block for Generic Mapping and CAM; Integrated Mapping's l bits (ICAO
    // 9303-11 §4.4.3.3): anything else is a chip steering the mapping.
    let nonce_len = match (protocol.mapping, protocol.cipher) {
        (Mapping::Im, Cipher::Aes192 | Cipher::Aes256) => 32,
        (_, Cipher::Tdes) if protocol.mapping != Mapping::Im => 8,
        _ => 16,
    };
    if z.len() != nonce_len {
        return Err(AccessError::Malformed("GA 1 (the encrypted nonce has the wrong length)"));
    }
    let mut s = Zeroizing::new(z);
    cipher_blocks(protocol.cipher, &k_pi, &mut s, true)?;

    // 2. Mapping.
    let internal = AccessError::Malformed("internal");
    let (g_hat, pk_map_chip_enc) = if protocol.mapping == Mapping::Im {
        // Integrated Mapping: our nonce t in the clear, Ĝ = encode(R(s, t)).
        let mut nonce = Zeroizing::new(vec![0u8; s.len()]);
        rng.fill(&mut nonce)?;
        let ga2 = general_authenticate(t, &dyn_auth(0x81, &nonce), false, "GA 2", kind)?;
        if !ga2.is_empty() && Tlv::parse_tagged(&ga2, Tag::new(0x7C)).is_err() {
            return Err(AccessError::Malformed("GA 2"));
        }
        let r = pseudo_random(protocol.cipher, &s, &nonce, group.field_bits())?;
        let g_hat = group.map_integrated(&r).ok_or(AccessError::ChipAuthenticationFailed("R(s, t) maps to nothing"))?;
        (g_hat, Vec::new())
    } else {
        // Generic Mapping: Ĝ = s·G + H (ECDH), ĝ = g^s · h (DH).
        let sk_map = group.random_secret(rng)?;
        let pk_map = group.mul(&sk_map, &group.generator()).ok_or(internal.clone())?;
        let ga2 = general_authenticate(t, &dyn_auth(0x81, &group.encode(&pk_map)), false, "GA 2", kind)?;
        let pk_map_chip_enc = dyn_auth_field(&ga2, 0x82, "GA 2")?;
        let pk_map_chip = decode(group, &pk_map_chip_enc)?;
        (map_generic(group, &s, &sk_map, &pk_map_chip)?, pk_map_chip_enc)
    };

    // 3. Key agreement on the mapped generator.
    let sk = group.random_secret(rng)?;
    let pk = group.mul(&sk, &g_hat).ok_or(internal.clone())?;
    let pk_enc = group.encode(&pk);
    let ga3 = general_authenticate(t, &dyn_auth(0x83, &pk_enc), false, "GA 3", kind)?;
    let pk_chip_enc = dyn_auth_field(&ga3, 0x84, "GA 3")?;
    let pk_chip = decode(group, &pk_chip_enc)?;
    if ct_eq(&pk_chip_enc, &pk_enc) {
        return Err(AccessError::ChipAuthenticationFailed("the chip echoed our ephemeral key"));
    }
    let shared =
        group.mul(&sk, &pk_chip).ok_or(AccessError::ChipAuthenticationFailed("the shared secret is the identity"))?;
    let k = group.shared_secret(&shared);
    let ks_enc = derive_key(protocol.cipher, &k, kdf::ENC);
    let ks_mac = derive_key(protocol.cipher, &k, kdf::MAC);

    // 4. Mutual authentication.
    let tag = group.key_tag();
    let t_ifd = token(protocol.cipher, &ks_mac, oid.as_bytes(), tag, &pk_chip_enc);
    let ga4 = general_authenticate(t, &dyn_auth(0x85, &t_ifd), true, "GA 4", kind)?;
    let t_ic = dyn_auth_field(&ga4, 0x86, "GA 4")?;
    if !ct_eq(&token(protocol.cipher, &ks_mac, oid.as_bytes(), tag, &pk_enc), &t_ic) {
        return Err(AccessError::ChipAuthenticationFailed("its authentication token does not verify"));
    }
    let cam = if protocol.mapping == Mapping::Cam {
        let a_ic = dyn_auth_field(&ga4, 0x8A, "GA 4 (chip authentication data)")?;
        let Group::Ec(curve) = group else { return Err(internal) };
        Some(CamEvidence::from_run(protocol, parameter_id, explicit, curve, &ks_enc, &a_ic, pk_map_chip_enc)?)
    } else {
        None
    };
    let (suite, ssc) = session_suite(protocol.cipher, &ks_enc, &ks_mac).ok_or(internal)?;
    Ok((SecureChannel::new(suite, &ssc), PaceOutcome { protocol, parameter_id, password: kind, cam }))
}

#[cfg(test)]
mod tests;
