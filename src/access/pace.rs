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

use zeroize::Zeroizing;

use super::AccessError;
pub(crate) use group::{Element, Group};

mod group;
pub mod protocol;
use crate::apdu::{Command, Le, StatusWord, ins};
use crate::crypto::ec::{Curve, NamedCurve};
use crate::crypto::{RandomSource, aes::AesCipher, ct_eq, kdf, retail_mac::RetailMacKey, tdes};
use crate::sm::{SecureChannel, Suite};
use crate::tlv::{self, Tag, Tlv};
use crate::transport::{Transport, exchange};
pub use protocol::{Cipher, KeyAgreement, Mapping, PaceProtocol};

/// The password PACE is run with.
pub enum PacePassword {
    /// The MRZ: K = SHA-1(MRZ_information) (ICAO 9303-11 §4.4.1), made by
    /// [`PacePassword::mrz`]. PACE takes this hash, not the MRZ: reading and checking the
    /// MRZ is the `mrz` layer's job.
    Mrz(Zeroizing<[u8; 20]>),
    /// The card access number printed on the card.
    Can(Zeroizing<String>),
    /// The holder's PIN.
    Pin(Zeroizing<String>),
    /// The holder's PUK (to unblock the PIN).
    Puk(Zeroizing<String>),
}

impl core::fmt::Debug for PacePassword {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PacePassword({}, ..)", self.kind())
    }
}

/// Which kind of password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "UPPERCASE"))]
pub enum PasswordKind {
    /// MRZ.
    Mrz,
    /// CAN.
    Can,
    /// PIN.
    Pin,
    /// PUK.
    Puk,
}

impl core::fmt::Display for PasswordKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Mrz => "MRZ",
            Self::Can => "CAN",
            Self::Pin => "PIN",
            Self::Puk => "PUK",
        })
    }
}

impl PacePassword {
    /// The MRZ password from `MRZ_information` (document number, birth and expiry dates,
    /// each with its check digit: [`MrzKey::mrz_information`](crate::mrz::MrzKey::mrz_information)).
    #[must_use]
    pub fn mrz(mrz_information: &[u8]) -> Self {
        use sha1::Digest;
        // Hashed straight into the wiped buffer: no stack copy of K outlives this call
        // (the hasher wipes its own state on drop: sha1's `zeroize` feature).
        let mut k = Zeroizing::new([0u8; 20]);
        let mut hasher = sha1::Sha1::new();
        hasher.update(mrz_information);
        hasher.finalize_into((&mut *k).into());
        Self::Mrz(k)
    }

    /// A CAN (digits as printed).
    #[must_use]
    pub fn can(s: &str) -> Self {
        Self::Can(Zeroizing::new(s.trim().to_string()))
    }

    /// Which kind.
    #[must_use]
    pub fn kind(&self) -> PasswordKind {
        match self {
            Self::Mrz(_) => PasswordKind::Mrz,
            Self::Can(_) => PasswordKind::Can,
            Self::Pin(_) => PasswordKind::Pin,
            Self::Puk(_) => PasswordKind::Puk,
        }
    }

    /// The password reference of MSE:Set AT (ICAO 9303-11 §4.4.3.1).
    #[must_use]
    pub fn reference(&self) -> u8 {
        match self.kind() {
            PasswordKind::Mrz => 1,
            PasswordKind::Can => 2,
            PasswordKind::Pin => 3,
            PasswordKind::Puk => 4,
        }
    }

    /// K = f(π): SHA-1 of MRZ_information for the MRZ, the ASCII bytes otherwise.
    pub(crate) fn key_material(&self) -> Zeroizing<Vec<u8>> {
        match self {
            Self::Mrz(k) => Zeroizing::new(k.to_vec()),
            Self::Can(s) | Self::Pin(s) | Self::Puk(s) => Zeroizing::new(s.as_bytes().to_vec()),
        }
    }
}

/// The elliptic curve of a standardized domain parameter ID (ICAO 9303-11 table 4).
#[must_use]
pub fn standard_curve(id: u32) -> Option<NamedCurve> {
    Some(match id {
        8 => NamedCurve::P192,
        9 => NamedCurve::BrainpoolP192r1,
        10 => NamedCurve::P224,
        11 => NamedCurve::BrainpoolP224r1,
        12 => NamedCurve::P256,
        13 => NamedCurve::BrainpoolP256r1,
        14 => NamedCurve::BrainpoolP320r1,
        15 => NamedCurve::P384,
        16 => NamedCurve::BrainpoolP384r1,
        17 => NamedCurve::BrainpoolP512r1,
        18 => NamedCurve::P521,
        _ => return None,
    })
}

/// Whether this implementation can run `protocol` with standardized domain parameter `id`.
#[must_use]
pub fn is_supported(protocol: PaceProtocol, id: u32) -> bool {
    match (protocol.mapping, protocol.key_agreement) {
        (Mapping::Gm, KeyAgreement::Dh) => id <= 2,
        (Mapping::Gm, KeyAgreement::Ecdh) => standard_curve(id).is_some(),
        (Mapping::Cam, KeyAgreement::Ecdh) => protocol.cipher != Cipher::Tdes && standard_curve(id).is_some(),
        // Integrated Mapping: the point encoding needs p ≡ 3 (mod 4), which excludes P-224 (ID 10).
        (Mapping::Im, KeyAgreement::Ecdh) => id != 10 && standard_curve(id).is_some(),
        (Mapping::Im, KeyAgreement::Dh) => id <= 2,
        _ => false,
    }
}

/// Which explicit PACE domain parameters the terminal computes in. EF.CardAccess is
/// unauthenticated: whatever group it names, the chip (or an overlay on the reader)
/// chose, and PACE's password-dependent messages computed in a weak group give the
/// password away offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DomainPolicy {
    /// Only parameters identical to a standardized group of ICAO 9303-11 table 4 (EC:
    /// p, a, b, G, n and cofactor of one of the curves of IDs 8–18; DH: p, g and q of an
    /// RFC 5114 group, IDs 0–2), whatever ID the chip gives them. The default.
    #[default]
    StandardOnly,
    /// Custom groups as well, when they pass full validation
    /// ([`crate::crypto::ec::Curve::validate_custom`],
    /// [`crate::crypto::dh::DhGroup::validate_custom`]): primes checked with Baillie–PSW,
    /// n·G = O, Hasse bound, a non-singular curve, cofactor 1, n of at least 224 bits,
    /// no small embedding degree; DH p of at least 2048 bits, q prime of at least 224.
    ValidatedCustom,
}

/// Checks the group of explicit domain parameters against `policy`, before anything is
/// sent to the chip.
///
/// # Errors
/// [`AccessError::NonStandardDomainParameters`] for a custom group under
/// [`DomainPolicy::StandardOnly`]; [`AccessError::UnsafeDomainParameters`] for one that
/// fails validation.
pub(crate) fn check_domain(group: &Group, policy: DomainPolicy) -> Result<(), AccessError> {
    let standard = match group {
        Group::Ec(c) => c.named_curve().is_some_and(|n| STANDARD_CURVES.contains(&n)),
        Group::Dh(g) => g.standard_id().is_some(),
    };
    if standard {
        return Ok(());
    }
    match (policy, group) {
        (DomainPolicy::StandardOnly, Group::Ec(_)) => {
            Err(AccessError::NonStandardDomainParameters("an elliptic curve that is not one of ICAO 9303-11 table 4"))
        }
        (DomainPolicy::StandardOnly, Group::Dh(_)) => {
            Err(AccessError::NonStandardDomainParameters("a DH group that is not one of RFC 5114's"))
        }
        (DomainPolicy::ValidatedCustom, Group::Ec(c)) => c.validate_custom().map_err(|e| match e {
            crate::crypto::ec::EcError::BadParameters(why) => AccessError::UnsafeDomainParameters(why),
            _ => AccessError::UnsafeDomainParameters("the curve is unusable"),
        }),
        (DomainPolicy::ValidatedCustom, Group::Dh(g)) => g.validate_custom().map_err(|e| match e {
            crate::crypto::dh::DhError::BadGroup(why) => AccessError::UnsafeDomainParameters(why),
            crate::crypto::dh::DhError::BadValue(why) => AccessError::UnsafeDomainParameters(why),
        }),
    }
}

/// The curves of ICAO 9303-11 table 4 (standardized domain parameter IDs 8–18).
const STANDARD_CURVES: [NamedCurve; 11] = [
    NamedCurve::P192,
    NamedCurve::BrainpoolP192r1,
    NamedCurve::P224,
    NamedCurve::BrainpoolP224r1,
    NamedCurve::P256,
    NamedCurve::BrainpoolP256r1,
    NamedCurve::BrainpoolP320r1,
    NamedCurve::P384,
    NamedCurve::BrainpoolP384r1,
    NamedCurve::BrainpoolP512r1,
    NamedCurve::P521,
];

/// Whether this implementation can run `protocol` with the explicit domain parameters of
/// a PACEDomainParameterInfo (its DER AlgorithmIdentifier).
#[must_use]
pub fn explicit_supported(protocol: PaceProtocol, algorithm_identifier: &[u8]) -> bool {
    let Ok(group) = Group::explicit(protocol.key_agreement, algorithm_identifier) else { return false };
    match (protocol.mapping, &group) {
        (Mapping::Gm, _) => true,
        (Mapping::Cam, Group::Ec(_)) => protocol.cipher != Cipher::Tdes,
        (Mapping::Im, _) => group.map_integrated(&[2]).is_some(),
        _ => false,
    }
}

/// A readable name for a PACE domain parameter ID (ICAO 9303-11 table 4).
#[must_use]
pub fn domain_name(key_agreement: KeyAgreement, id: u32) -> &'static str {
    match key_agreement {
        KeyAgreement::Ecdh => standard_curve(id).map_or("explicit parameters", NamedCurve::name),
        KeyAgreement::Dh => match id {
            0 => "1024-bit MODP group, 160-bit subgroup (RFC 5114)",
            1 => "2048-bit MODP group, 224-bit subgroup (RFC 5114)",
            2 => "2048-bit MODP group, 256-bit subgroup (RFC 5114)",
            _ => "explicit parameters",
        },
    }
}

/// A key derived for `cipher` (KDF with counter `c`): parity-adjusted 3DES or AES bytes.
pub(crate) fn derive_key(cipher: Cipher, seed: &[u8], counter: u32) -> Zeroizing<Vec<u8>> {
    match cipher {
        Cipher::Tdes => Zeroizing::new(kdf::derive_tdes(seed, counter).expose().to_vec()),
        c => kdf::derive_aes(seed, counter, c.key_len()),
    }
}

/// Decrypts (or encrypts) whole blocks with IV 0 under a PACE cipher key.
pub(crate) fn cipher_blocks(cipher: Cipher, key: &[u8], buf: &mut [u8], decrypt: bool) -> Result<(), AccessError> {
    let bad = AccessError::Malformed("nonce");
    match cipher {
        Cipher::Tdes => {
            let c = tdes::TdesKey::from_slice(key).ok_or(bad.clone())?.cipher();
            if decrypt { tdes::cbc_decrypt(&c, &[0; 8], buf) } else { tdes::cbc_encrypt(&c, &[0; 8], buf) }
                .map_err(|_| bad)
        }
        _ => {
            let c = AesCipher::new(key).ok_or(bad.clone())?;
            if decrypt { c.cbc_decrypt(&[0; 16], buf) } else { c.cbc_encrypt(&[0; 16], buf) }.map_err(|_| bad)
        }
    }
}

/// The authentication token: MAC over `7F49 { 06 OID, 84|86 public key }` (9303-11
/// §4.4.3.4; the key tag is [`Group::key_tag`]).
pub(crate) fn token(cipher: Cipher, ks_mac: &[u8], oid: &[u8], key_tag: u32, public_key: &[u8]) -> [u8; 8] {
    let mut inner = Vec::new();
    tlv::encode(Tag::new(0x06), oid, &mut inner);
    tlv::encode(Tag::new(key_tag), public_key, &mut inner);
    let input = tlv::encode_to_vec(Tag::new(0x7F49), &inner);
    match cipher {
        Cipher::Tdes => {
            let k = tdes::TdesKey::from_slice(ks_mac).unwrap_or_else(|| tdes::TdesKey::new([0; 16]));
            RetailMacKey::new(&k).mac_padded(&[&input])
        }
        _ => crate::crypto::aes::CmacKey::new(ks_mac).map_or([0; 8], |m| m.mac8(&[&input])),
    }
}

/// The secure-messaging suite of the session keys.
pub(crate) fn session_suite(cipher: Cipher, ks_enc: &[u8], ks_mac: &[u8]) -> Option<(Suite, Vec<u8>)> {
    match cipher {
        Cipher::Tdes => {
            let (e, m) = (tdes::TdesKey::from_slice(ks_enc)?, tdes::TdesKey::from_slice(ks_mac)?);
            Some((Suite::tdes(&e, &m), vec![0; 8]))
        }
        _ => Some((Suite::aes(ks_enc, ks_mac)?, vec![0; 16])),
    }
}

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

/// The chip-authentication data of PACE-CAM (ICAO 9303-11 §4.4.3.5): CA_IC, decrypted
/// from the chip's `8A` object, and the chip's mapping key PK_map,IC, with the protocol and
/// group PACE ran in. The chip holds the static key PK_IC if `CA_IC · PK_IC = PK_map,IC`
/// on the group of that key, and that group is the one PACE ran in: both come from the
/// chip's unsigned EF.CardAccess, so they count only once EF.CardSecurity's signed
/// SecurityInfos vouch for them (see `lds::anti_cloning`).
#[derive(Clone)]
pub struct CamEvidence {
    protocol: PaceProtocol,
    parameter_id: Option<u32>,
    /// The explicit domain parameters (DER AlgorithmIdentifier) PACE ran with, if any.
    explicit: Option<Vec<u8>>,
    curve: Curve,
    ca_ic: Vec<u8>,
    pk_map_ic: Vec<u8>,
}

impl PartialEq for CamEvidence {
    fn eq(&self, other: &Self) -> bool {
        (self.protocol, self.parameter_id, &self.explicit, &self.ca_ic, &self.pk_map_ic)
            == (other.protocol, other.parameter_id, &other.explicit, &other.ca_ic, &other.pk_map_ic)
    }
}

impl Eq for CamEvidence {}

impl core::fmt::Debug for CamEvidence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CamEvidence(parameter {:?}, ..)", self.parameter_id)
    }
}

impl CamEvidence {
    /// The PACE protocol that ran.
    #[must_use]
    pub fn protocol(&self) -> PaceProtocol {
        self.protocol
    }

    /// The domain parameter ID sent in MSE:Set AT (`None`: none was sent).
    #[must_use]
    pub fn parameter_id(&self) -> Option<u32> {
        self.parameter_id
    }

    /// The explicit domain parameters PACE ran with (DER AlgorithmIdentifier), when the
    /// chip gave them.
    #[must_use]
    pub fn explicit_domain_parameters(&self) -> Option<&[u8]> {
        self.explicit.as_deref()
    }

    /// Checks the evidence against a static public key `PK_IC` (an uncompressed point) on
    /// `key_curve`, the curve of that key as EF.CardSecurity gives it. The equation is
    /// computed on `key_curve`, which must be the curve PACE ran on: a curve taken from
    /// the chip's unsigned EF.CardAccess would let a clone build one around the genuine key.
    ///
    /// # Errors
    /// [`AccessError::ChipAuthenticationFailed`] when the curves differ, the key is
    /// invalid, CA_IC is out of range, or the product does not match: the chip does not
    /// hold the static key.
    pub fn verify_on(&self, key_curve: &Curve, chip_public_key: &[u8]) -> Result<(), AccessError> {
        if !key_curve.same_parameters(&self.curve) {
            return Err(AccessError::ChipAuthenticationFailed(
                "PACE ran on another curve than the one of its static key (PACE-CAM)",
            ));
        }
        self.equation(key_curve, chip_public_key)
    }

    /// Checks the evidence against `PK_IC` on the curve PACE ran on (from the unsigned
    /// EF.CardAccess). Kept for tests of the protocol itself; anything that decides on a
    /// chip's authenticity uses [`CamEvidence::verify_on`] with the signed key's curve.
    ///
    /// # Errors
    /// As [`CamEvidence::verify_on`].
    pub fn verify(&self, chip_public_key: &[u8]) -> Result<(), AccessError> {
        self.equation(&self.curve, chip_public_key)
    }

    /// Evidence assembled by hand, for tests of what binds it.
    #[cfg(test)]
    pub(crate) fn for_tests(
        protocol: PaceProtocol,
        parameter_id: Option<u32>,
        explicit: Option<Vec<u8>>,
        curve: Curve,
        ca_ic: Vec<u8>,
        pk_map_ic: Vec<u8>,
    ) -> Self {
        Self { protocol, parameter_id, explicit, curve, ca_ic, pk_map_ic }
    }

    fn equation(&self, curve: &Curve, chip_public_key: &[u8]) -> Result<(), AccessError> {
        let fail = AccessError::ChipAuthenticationFailed;
        let pk_ic = curve.decode_point(chip_public_key).map_err(|_| fail("its static public key is invalid"))?;
        if !curve.scalar_in_range(&self.ca_ic) {
            return Err(fail("CA_IC is not in [1, n − 1]"));
        }
        let product = curve.mul_vartime(&self.ca_ic, &pk_ic).ok_or(fail("CA_IC · PK_IC is the identity"))?;
        if ct_eq(&curve.encode_point(&product), &self.pk_map_ic) {
            Ok(())
        } else {
            Err(fail("CA_IC · PK_IC differs from its mapping key (PACE-CAM)"))
        }
    }
}

/// IV of the CAM data: E(KS_enc, −1), the all-ones block (9303-11 §4.4.3.5.1).
pub(crate) fn cam_iv(cipher: &AesCipher) -> [u8; 16] {
    let mut iv = [0xFF; 16];
    cipher.encrypt_block(&mut iv);
    iv
}

fn decrypt_cam(ks_enc: &[u8], a_ic: &[u8]) -> Result<Vec<u8>, AccessError> {
    let bad = AccessError::Malformed("GA 4 (chip authentication data)");
    let c = AesCipher::new(ks_enc).ok_or(bad.clone())?;
    let mut buf = Zeroizing::new(a_ic.to_vec());
    c.cbc_decrypt(&cam_iv(&c), &mut buf).map_err(|_| bad.clone())?;
    Ok(crate::crypto::padding::unpad(&buf, 16).ok_or(bad)?.to_vec())
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
        Some(CamEvidence {
            protocol,
            parameter_id,
            explicit: explicit.map(<[u8]>::to_vec),
            curve: curve.clone(),
            ca_ic: decrypt_cam(&ks_enc, &a_ic)?,
            pk_map_ic: pk_map_chip_enc,
        })
    } else {
        None
    };
    let (suite, ssc) = session_suite(protocol.cipher, &ks_enc, &ks_mac).ok_or(internal)?;
    Ok((SecureChannel::new(suite, &ssc), PaceOutcome { protocol, parameter_id, password: kind, cam }))
}

/// The pseudo-random number mapping R(s, t) of Integrated Mapping (9303-11 §4.4.3.3.2),
/// before reduction mod p. With the block cipher E of the protocol in CBC mode (IV 0),
/// l = 128 bits for 3DES and AES-128 and l = 256 bits for AES-192/256 (the length of the
/// nonces s and t, of c₀, c₁ and of each output): `k₀ = E(t, s)`, then `xᵢ = E(kᵢ, c₁)` and
/// `kᵢ₊₁ = E(kᵢ, c₀)`, every key cut to the cipher's key length, until the output has at
/// least `bits(p) + 64` bits (so the reduction's bias is negligible).
///
/// The l = 256 case has no published worked example; it follows the ICAO text as other
/// implementations read it (the first key is t itself, 32 bytes).
pub(crate) fn pseudo_random(
    cipher: Cipher,
    s: &[u8],
    t: &[u8],
    p_bits: u32,
) -> Result<Zeroizing<Vec<u8>>, AccessError> {
    const C0_128: [u8; 16] =
        [0xA6, 0x68, 0x89, 0x2A, 0x7C, 0x41, 0xE3, 0xCA, 0x73, 0x9F, 0x40, 0xB0, 0x57, 0xD8, 0x59, 0x04];
    const C1_128: [u8; 16] =
        [0xA4, 0xE1, 0x36, 0xAC, 0x72, 0x5F, 0x73, 0x8B, 0x01, 0xC1, 0xF6, 0x02, 0x17, 0xC1, 0x88, 0xAD];
    const C0_256: [u8; 32] = [
        0xD4, 0x63, 0xD6, 0x52, 0x34, 0x12, 0x4E, 0xF7, 0x89, 0x70, 0x54, 0x98, 0x6D, 0xCA, 0x0A, 0x17, 0x4E, 0x28,
        0xDF, 0x75, 0x8C, 0xBA, 0xA0, 0x3F, 0x24, 0x06, 0x16, 0x41, 0x4D, 0x5A, 0x16, 0x76,
    ];
    const C1_256: [u8; 32] = [
        0x54, 0xBD, 0x72, 0x55, 0xF0, 0xAA, 0xF8, 0x31, 0xBE, 0xC3, 0x42, 0x3F, 0xCF, 0x39, 0xD6, 0x9B, 0x6C, 0xBF,
        0x06, 0x66, 0x77, 0xD0, 0xFA, 0xAE, 0x5A, 0xAD, 0xD9, 0x9D, 0xF8, 0xE5, 0x35, 0x17,
    ];
    let (c0, c1): (&[u8], &[u8]) = match cipher {
        Cipher::Tdes | Cipher::Aes128 => (&C0_128, &C1_128),
        Cipher::Aes192 | Cipher::Aes256 => (&C0_256, &C1_256),
    };
    let l = c0.len();
    if s.len() != l || t.len() != l {
        return Err(AccessError::Malformed("nonce"));
    }
    let key_len = cipher.key_len();
    let encrypt = |key: &[u8], data: &[u8]| -> Result<Zeroizing<Vec<u8>>, AccessError> {
        let mut out = Zeroizing::new(data.to_vec());
        cipher_blocks(cipher, key, &mut out, false)?;
        Ok(out)
    };
    let cut = |mut k: Zeroizing<Vec<u8>>| {
        k.truncate(key_len);
        k
    };
    let mut key = cut(encrypt(t, s)?);
    let mut out = Zeroizing::new(Vec::new());
    while out.len() * 8 < p_bits as usize + 64 {
        out.extend_from_slice(&encrypt(&key, c1)?);
        key = cut(encrypt(&key, c0)?);
    }
    Ok(out)
}

/// Generic Mapping (9303-11 §4.4.3.3.1): the new generator `s·G + SK·PK_other` (ECDH) or
/// `g^s · PK_other^SK` (DH). The same on both sides.
pub(crate) fn map_generic(
    group: &Group,
    s: &[u8],
    sk_map: &[u8],
    pk_map_other: &Element,
) -> Result<Element, AccessError> {
    let h = group.mul(sk_map, pk_map_other).ok_or(AccessError::ChipAuthenticationFailed("H is the identity"))?;
    let sg = group
        .mul(s, &group.generator())
        .ok_or(AccessError::ChipAuthenticationFailed("the nonce maps to the identity"))?;
    group.combine(&sg, &h).ok_or(AccessError::ChipAuthenticationFailed("the mapped generator is the identity"))
}

fn decode(group: &Group, enc: &[u8]) -> Result<Element, AccessError> {
    group.decode(enc).ok_or(AccessError::ChipAuthenticationFailed("it sent an invalid public key"))
}

#[cfg(test)]
mod tests;
