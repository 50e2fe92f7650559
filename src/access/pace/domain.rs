//! PACE domain parameters: the standardized IDs (ICAO 9303-11 table 4) and what this
//! implementation supports.

use crate::crypto::ec::NamedCurve;

use super::protocol::KeyAgreement;

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

/// The curves of ICAO 9303-11 table 4 (standardized domain parameter IDs 8–18).
pub(super) const STANDARD_CURVES: [NamedCurve; 11] = [
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
