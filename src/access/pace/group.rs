//! The group a PACE run computes in: an elliptic curve (ECDH) or a subgroup of Z*_p (DH),
//! behind one small interface so the mapping and key agreement are written once for both
//! sides (terminal here, chip in the emulator).

use zeroize::Zeroizing;

use super::protocol::KeyAgreement;
use crate::crypto::dh::{DhGroup, DhValue};
use crate::crypto::ec::{AffinePoint, Curve};
use crate::crypto::{RandomSource, RngError};

/// The DER body of bsiEckaDH (0.4.0.127.0.7.1.1.5.2), BSI TR-03111.
const BSI_ECKA_DH: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x01, 0x05, 0x02];

/// A PACE group given at run time.
#[derive(Debug, Clone)]
pub(crate) enum Group {
    /// ECDH on a short-Weierstrass curve.
    Ec(Curve),
    /// DH modulo a prime.
    Dh(DhGroup),
}

/// An element of a [`Group`].
#[derive(Debug, Clone)]
pub(crate) enum Element {
    /// A curve point (never the identity).
    Point(AffinePoint),
    /// A residue (never 1).
    Int(DhValue),
}

impl Group {
    /// The group of a standardized domain parameter ID (ICAO 9303-11 table 4): 0–2 for DH,
    /// 8–18 for ECDH.
    pub(crate) fn standard(ka: KeyAgreement, id: u32) -> Option<Self> {
        match ka {
            KeyAgreement::Ecdh => super::standard_curve(id).and_then(|c| Curve::named(c).ok()).map(Self::Ec),
            KeyAgreement::Dh => DhGroup::standard(id).map(Self::Dh),
        }
    }

    /// The group of a PACEDomainParameterInfo's AlgorithmIdentifier (ICAO 9303-11 §9.2.1):
    /// `id-ecPublicKey` with ECParameters (named or explicit SpecifiedECDomain) for ECDH,
    /// `dhpublicnumber` with X9.42 DomainParameters `{ p, g, q, … }` for DH. A DH group
    /// without q (PKCS #3) is refused: without q, received values cannot be checked.
    pub(crate) fn explicit(ka: KeyAgreement, algorithm_identifier: &[u8]) -> Result<Self, &'static str> {
        use crate::tlv::{Tag, Tlv};
        let seq = Tlv::parse_tagged(algorithm_identifier, Tag::new(0x30)).map_err(|_| "not an AlgorithmIdentifier")?;
        let mut kids = seq.children();
        let oid = kids.next().and_then(Result::ok).filter(|t| t.tag == Tag::new(0x06)).ok_or("no algorithm OID")?;
        let params = kids.next().and_then(Result::ok).ok_or("no domain parameters")?;
        match ka {
            // id-ecPublicKey, or BSI TR-03111's bsiEckaDH* OIDs that early German test cards
            // put there (the parameters that follow are ordinary ECParameters).
            KeyAgreement::Ecdh
                if oid.value == crate::oid::EC_PUBLIC_KEY.as_bytes() || oid.value.starts_with(BSI_ECKA_DH) =>
            {
                crate::crypto::sig::curve_from_params(params).map(|(c, _)| Self::Ec(c)).map_err(|_| "unusable curve")
            }
            KeyAgreement::Dh if oid.value == crate::oid::DH_PUBLIC_NUMBER.as_bytes() => {
                let ints: Vec<Tlv<'_>> =
                    params.children().take(3).collect::<Result<_, _>>().map_err(|_| "DH parameters")?;
                let [p, g, q] = ints.as_slice() else { return Err("DH parameters without q") };
                DhGroup::from_params(p.value, g.value, q.value).map(Self::Dh).map_err(|_| "unusable DH group")
            }
            _ => Err("the algorithm does not match the key agreement"),
        }
    }

    /// The tag of the public key in the token's public key data object (TR-03110 D.3.2):
    /// `84` for DH, `86` for ECDH.
    pub(crate) fn key_tag(&self) -> u32 {
        match self {
            Self::Ec(_) => 0x86,
            Self::Dh(_) => 0x84,
        }
    }

    /// The generator.
    pub(crate) fn generator(&self) -> Element {
        match self {
            Self::Ec(c) => Element::Point(c.generator().clone()),
            Self::Dh(g) => Element::Int(g.generator().clone()),
        }
    }

    /// The bit length of the prime p (the field of the curve, or the DH modulus).
    pub(crate) fn field_bits(&self) -> u32 {
        match self {
            Self::Ec(c) => c.field_bits(),
            Self::Dh(g) => g.modulus_bits(),
        }
    }

    /// Integrated Mapping's generator from the pseudo-random number R(s, t): the point
    /// encoding (ECDH) or `R^((p−1)/q)` (DH). `None` when degenerate or undefined (ECDH on a
    /// curve with p ≢ 3 mod 4).
    pub(crate) fn map_integrated(&self, r: &[u8]) -> Option<Element> {
        match self {
            Self::Ec(c) => c.encode_to_point(r).map(Element::Point),
            Self::Dh(g) => g.map_to_subgroup(r).map(Element::Int),
        }
    }

    /// A fresh secret in [1, order − 1].
    pub(crate) fn random_secret(&self, rng: &mut dyn RandomSource) -> Result<Zeroizing<Vec<u8>>, RngError> {
        match self {
            Self::Ec(c) => c.random_scalar(rng),
            Self::Dh(g) => g.random_exponent(rng),
        }
    }

    /// `secret · e` (ECDH) or `e^secret` (DH), in constant time; `None` for the identity.
    pub(crate) fn mul(&self, secret: &[u8], e: &Element) -> Option<Element> {
        match (self, e) {
            (Self::Ec(c), Element::Point(p)) => c.mul_ct(secret, p).map(Element::Point),
            (Self::Dh(g), Element::Int(v)) => g.pow_ct(v, secret).filter(|r| !g.is_one(r)).map(Element::Int),
            _ => None,
        }
    }

    /// The group operation (point addition, multiplication mod p); `None` for the identity.
    pub(crate) fn combine(&self, a: &Element, b: &Element) -> Option<Element> {
        match (self, a, b) {
            (Self::Ec(c), Element::Point(a), Element::Point(b)) => c.add_points(a, b).map(Element::Point),
            (Self::Dh(g), Element::Int(a), Element::Int(b)) => {
                Some(g.mul(a, b)).filter(|r| !g.is_one(r)).map(Element::Int)
            }
            _ => None,
        }
    }

    /// Decodes and validates a received public key (on the curve and not the identity; in
    /// (1, p − 1) and in the subgroup). `None` when invalid.
    pub(crate) fn decode(&self, bytes: &[u8]) -> Option<Element> {
        match self {
            Self::Ec(c) => c.decode_point(bytes).ok().map(Element::Point),
            Self::Dh(g) => g.decode(bytes).ok().map(Element::Int),
        }
    }

    /// The wire encoding: an uncompressed point, or the value as long as p.
    pub(crate) fn encode(&self, e: &Element) -> Vec<u8> {
        match (self, e) {
            (Self::Ec(c), Element::Point(p)) => c.encode_point(p),
            (Self::Dh(g), Element::Int(v)) => g.encode(v),
            _ => Vec::new(),
        }
    }

    /// The shared secret K fed to the KDF: the x coordinate (ECDH) or the whole value (DH).
    pub(crate) fn shared_secret(&self, e: &Element) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(match (self, e) {
            (Self::Ec(c), Element::Point(p)) => c.x_bytes(p),
            (Self::Dh(g), Element::Int(v)) => g.encode(v),
            _ => Vec::new(),
        })
    }
}
