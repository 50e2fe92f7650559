//! Which PACE domain parameters the terminal runs (standardized and explicit ones) and
//! which explicit ones it accepts: EF.CardAccess names the group, and it is
//! unauthenticated.

use crate::access::AccessError;

use super::domain::{STANDARD_CURVES, standard_curve};
use super::group::Group;
use super::protocol::{Cipher, KeyAgreement, Mapping, PaceProtocol};

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
