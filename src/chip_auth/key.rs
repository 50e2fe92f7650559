//! The chip's static Chip Authentication key, from the SubjectPublicKeyInfo of a
//! ChipAuthenticationPublicKeyInfo (ICAO 9303-11 §9.2.6; DG14 or EF.CardSecurity):
//!
//! ```text
//! ECDH: AlgorithmIdentifier { id-ecPublicKey | id-PK-ECDH, ECParameters (named or explicit) },
//!       subjectPublicKey = uncompressed point
//! DH:   AlgorithmIdentifier { dhpublicnumber, DomainParameters { p, g, q, … } }   (X9.42)
//!    or AlgorithmIdentifier { dhKeyAgreement, DHParameter { p, g, l OPTIONAL } }  (PKCS #3)
//!       subjectPublicKey = INTEGER y
//! ```

use const_oid::ObjectIdentifier;

use super::ChipAuthError;
use crate::access::pace::protocol::KeyAgreement;
use crate::access::pace::{Element, Group};
use crate::crypto::dh::DhGroup;
use crate::tlv::{Tag, Tlv};

/// BSI TR-03110-3 A.2.1.1 id-StandardizedDomainParameters: the parameters are the
/// INTEGER ID of ICAO 9303-11 table 4 (German ID cards use it in EF.CardSecurity).
const STANDARDIZED_DOMAIN_PARAMETERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.2");

/// PKCS #3 dhKeyAgreement.
const DH_KEY_AGREEMENT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.3.1");

/// A validated static Chip Authentication public key and its group.
#[derive(Debug, Clone)]
pub struct ChipPublicKey {
    pub(crate) group: Group,
    pub(crate) element: Element,
    encoded: Vec<u8>,
}

fn bad(why: &'static str) -> ChipAuthError {
    ChipAuthError::BadKey(why)
}

impl ChipPublicKey {
    /// Parses and validates a SubjectPublicKeyInfo (DER): the point must lie on the
    /// curve (not the identity); a DH value in (1, p − 1) and, when q is given, in the
    /// subgroup of order q.
    ///
    /// # Errors
    /// [`ChipAuthError::BadKey`].
    pub fn from_spki(der: &[u8]) -> Result<Self, ChipAuthError> {
        let spki = Tlv::parse_tagged(der, Tag::new(0x30)).map_err(|_| bad("not a SubjectPublicKeyInfo"))?;
        let mut kids = spki.children();
        let alg = kids.next().and_then(Result::ok).ok_or(bad("no AlgorithmIdentifier"))?;
        let bits = kids.next().and_then(Result::ok).filter(|t| t.tag == Tag::new(0x03)).ok_or(bad("no key bits"))?;
        let key = match bits.value.split_first() {
            Some((0, k)) => k,
            _ => return Err(bad("BIT STRING with unused bits")),
        };
        let mut alg_kids = alg.children();
        let oid_t = alg_kids.next().and_then(Result::ok).filter(|t| t.tag == Tag::new(0x06)).ok_or(bad("no OID"))?;
        let oid = ObjectIdentifier::from_bytes(oid_t.value).map_err(|_| bad("malformed OID"))?;
        let ka = super::protocol::public_key_protocol(&oid);
        let (group, raw_key): (Group, &[u8]) = if oid == STANDARDIZED_DOMAIN_PARAMETERS {
            let id_t = alg_kids.next().and_then(Result::ok).filter(|t| t.tag == Tag::new(0x02));
            let id = id_t.filter(|t| t.value.len() == 1).and_then(|t| t.value.first()).map(|&b| u32::from(b));
            let id = id.ok_or(bad("standardized domain parameters without a small INTEGER ID"))?;
            let ka = if id <= 2 { KeyAgreement::Dh } else { KeyAgreement::Ecdh };
            let group = Group::standard(ka, id).ok_or(bad("unknown standardized domain parameter ID"))?;
            let raw = if ka == KeyAgreement::Dh { dh_integer(key)? } else { key };
            (group, raw)
        } else if oid == crate::oid::EC_PUBLIC_KEY || ka == Some(KeyAgreement::Ecdh) {
            let params = alg_kids.next().and_then(Result::ok).ok_or(bad("EC key without domain parameters"))?;
            let (curve, _) = crate::crypto::sig::curve_from_params(params).map_err(|_| bad("unusable curve"))?;
            (Group::Ec(curve), key)
        } else if oid == crate::oid::DH_PUBLIC_NUMBER {
            let group = Group::explicit(KeyAgreement::Dh, alg.raw).map_err(bad)?;
            (group, dh_integer(key)?)
        } else if oid == DH_KEY_AGREEMENT || ka == Some(KeyAgreement::Dh) {
            let params = alg_kids.next().and_then(Result::ok).ok_or(bad("DH key without domain parameters"))?;
            let ints: Vec<Tlv<'_>> = params.children().take(3).collect::<Result<_, _>>().map_err(|_| bad("DH"))?;
            let (Some(p), Some(g)) = (ints.first(), ints.get(1)) else { return Err(bad("DH parameters without p, g")) };
            let l = ints.get(2).map_or(0, |t| t.value.iter().fold(0u32, |a, &b| a.saturating_mul(256) | u32::from(b)));
            let dh = DhGroup::without_order(p.value, g.value, l).map_err(|_| bad("unusable DH group"))?;
            (Group::Dh(dh), dh_integer(key)?)
        } else {
            return Err(bad("not an ECDH or DH key"));
        };
        let element = group.decode(raw_key).ok_or(bad("the public key is not a valid group element"))?;
        let encoded = group.encode(&element);
        Ok(Self { group, element, encoded })
    }

    /// DH or ECDH.
    #[must_use]
    pub fn key_agreement(&self) -> KeyAgreement {
        match self.group {
            Group::Ec(_) => KeyAgreement::Ecdh,
            Group::Dh(_) => KeyAgreement::Dh,
        }
    }

    /// The key as sent on the wire: an uncompressed point or the DH value as long as p.
    #[must_use]
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }

    /// A short description: `"brainpoolP256r1"`, `"DH-2048"`.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.group {
            Group::Ec(c) => {
                c.named_curve().map_or_else(|| format!("EC-{} (explicit)", c.order_bits()), |n| n.to_string())
            }
            Group::Dh(g) => format!("DH-{}", g.modulus_bits()),
        }
    }
}

/// The DH public value: an INTEGER inside the BIT STRING (some chips put the bare value).
fn dh_integer(key: &[u8]) -> Result<&[u8], ChipAuthError> {
    match Tlv::parse_exact(key) {
        Ok(t) if t.tag == Tag::new(0x02) => Ok(t.value),
        _ => Ok(key),
    }
}
