//! What the hostile chips of [`super::Hostile`] publish: weak PACE groups as explicit
//! domain parameters, the curve a PACE-CAM clone builds around a genuine key, and the
//! EF.CardAccess entries that offer them.

use super::asn1::{oid, seq, small_int, uint};
use super::document::VirtualDocument;
use crate::crypto::ec::{Curve, DomainParams, NamedCurve};
use crate::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use crate::tlv::{Tag, Tlv};

/// A weak group for [`Hostile::WeakPaceGroup`](super::Hostile::WeakPaceGroup).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WeakGroup {
    /// y² = x³ over P-256's field, G = (4, 8), "order" p: a singular curve whose points form
    /// (F_p, +), where a discrete logarithm is a division.
    SingularCurve,
    /// secp256k1's curve claiming a smooth odd order (a product of small primes): the shape
    /// of a curve chosen for Pohlig–Hellman.
    SmoothOrderCurve,
    /// RFC 5114 group 2's prime with generator −g and "order" 2q: a composite order.
    CompositeOrderDh,
}

/// The DER AlgorithmIdentifier (`id-ecPublicKey` with SpecifiedECDomain) of explicit EC
/// domain parameters, as a PACEDomainParameterInfo carries them; `None` when they do not
/// make a curve.
#[must_use]
pub fn ec_algorithm_identifier(d: &DomainParams) -> Option<Vec<u8>> {
    let curve = Curve::from_params(d).ok()?;
    Some(seq(&[&oid(&crate::oid::EC_PUBLIC_KEY), &super::pki::explicit_params_of(&curve, d)]))
}

/// The DER AlgorithmIdentifier of X9.42 DH parameters `{ p, g, q }`.
pub(crate) fn dh_algorithm_identifier(p: &[u8], g: &[u8], q: &[u8]) -> Vec<u8> {
    seq(&[&oid(&crate::oid::DH_PUBLIC_NUMBER), &seq(&[&uint(p), &uint(g), &uint(q)])])
}

/// The protocol and explicit parameters of a [`WeakGroup`], offered with AES-256.
pub(crate) fn weak_group(weak: WeakGroup) -> (PaceProtocol, Vec<u8>) {
    let ecdh = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes256 };
    match weak {
        WeakGroup::SingularCurve => {
            let mut cusp = DomainParams::named(NamedCurve::P256);
            (cusp.a, cusp.b, cusp.gx, cusp.gy) = (vec![0], vec![0], vec![4], vec![8]);
            cusp.n = cusp.p.clone();
            (ecdh, ec_algorithm_identifier(&cusp).unwrap_or_default())
        }
        WeakGroup::SmoothOrderCurve => {
            let mut smooth = DomainParams::secp256k1();
            // 3·5·7·…·47, then zeros, then 1: odd, 256 bits, composite.
            let mut n = (3u64 * 5 * 7 * 11 * 13 * 17 * 19 * 23 * 29 * 31 * 37 * 41 * 43 * 47).to_be_bytes().to_vec();
            n.extend([0; 24]);
            if let Some(last) = n.last_mut() {
                *last = 1;
            }
            smooth.n = n;
            (ecdh, ec_algorithm_identifier(&smooth).unwrap_or_default())
        }
        WeakGroup::CompositeOrderDh => {
            let dh = PaceProtocol { key_agreement: KeyAgreement::Dh, ..ecdh };
            let Some(g2) = crate::crypto::dh::DhGroup::standard(2) else { return (dh, Vec::new()) };
            let p = g2.modulus();
            // −g has order 2q.
            let minus_g = sub_be(&p, &g2.encode(g2.generator()));
            let q2 = double_be(&g2.order());
            (dh, dh_algorithm_identifier(&p, &minus_g, &q2))
        }
    }
}

/// The PACE-CAM clone's curve E′ around the document's genuine EF.CardSecurity key P, on
/// the field of the document's PACE curve, with its CAM protocol.
pub(crate) fn cam_curve_around_key(doc: &VirtualDocument) -> Option<(PaceProtocol, Vec<u8>)> {
    let (protocol, id) = doc.spec().pace?;
    let curve = Curve::named(crate::access::pace::standard_curve(doc.spec().pace_explicit.unwrap_or(id))?).ok()?;
    let (_, pk) = doc.chip_authentication_key()?;
    let point = curve.decode_point(&pk).ok()?;
    let around = curve.params_through_test_only(&point);
    Some((protocol, ec_algorithm_identifier(&around)?))
}

/// A PACEInfo (version 2) and a PACEDomainParameterInfo, both under `id` (ICAO 9303-11 §9.2.1).
pub(crate) fn pace_infos(protocol: PaceProtocol, id: u32, algorithm_identifier: &[u8]) -> Vec<Vec<u8>> {
    let pace_info = seq(&[&oid(&protocol.oid()), &small_int(2), &small_int(id)]);
    // The domain parameter info names the protocol without its cipher arc.
    let full = protocol.oid().to_string();
    let bare = full.rsplit_once('.').map_or(full.as_str(), |(head, _)| head);
    let Ok(bare) = const_oid::ObjectIdentifier::new(bare) else { return vec![pace_info] };
    vec![pace_info, seq(&[&oid(&bare), algorithm_identifier, &small_int(id)])]
}

/// `SET { existing elements…, more… }`.
pub(crate) fn extend_set(existing: Option<&[u8]>, more: &[Vec<u8>]) -> Vec<u8> {
    let mut body: Vec<u8> =
        existing.and_then(|b| Tlv::parse_tagged(b, Tag::new(0x31)).ok()).map(|t| t.value.to_vec()).unwrap_or_default();
    for m in more {
        body.extend_from_slice(m);
    }
    crate::tlv::encode_to_vec(Tag::new(0x31), &body)
}

fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    use crypto_bigint::BoxedUint;
    let x = BoxedUint::from_be_slice_vartime(a);
    let y = BoxedUint::from_be_slice_vartime(b);
    let bits = x.bits_precision().max(y.bits_precision());
    let x = crypto_bigint::Resize::resize_unchecked(x, bits);
    let y = crypto_bigint::Resize::resize_unchecked(y, bits);
    x.wrapping_sub(&y).to_be_bytes().to_vec()
}

fn double_be(a: &[u8]) -> Vec<u8> {
    use crypto_bigint::BoxedUint;
    let x = BoxedUint::from_be_slice_vartime(a);
    let wide = crypto_bigint::Resize::resize_unchecked(x, (a.len() as u32 + 8) * 8);
    wide.wrapping_add(&wide).to_be_bytes().to_vec()
}
