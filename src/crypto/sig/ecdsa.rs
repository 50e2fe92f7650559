//! ECDSA signature encodings: strict DER `SEQUENCE { r, s }` (X9.62) and plain `r ‖ s`
//! (BSI TR-03111 §5.2.1), and the verification of the pair on a curve.

use crate::crypto::ec::{AffinePoint, Curve};
use crate::tlv::{Tag, Tlv};

use super::algorithm::SignatureAlgorithm;
use super::{SigError, unsigned};

/// The error of a DER ECDSA signature that parses but is not canonical.
pub(super) const NOT_CANONICAL: &str = "ECDSA signature is not canonical DER";

/// r and s of an ECDSA signature (unsigned big-endian), in the encoding `alg` names: strict
/// DER for `Ecdsa`, `r ‖ s` for `EcdsaPlain`.
pub(super) fn ecdsa_scalars<'a>(
    curve: &Curve,
    alg: &SignatureAlgorithm,
    signature: &'a [u8],
) -> Result<(&'a [u8], &'a [u8]), SigError> {
    if let SignatureAlgorithm::EcdsaPlain { .. } = alg {
        // BSI TR-03111 §5.2.1: r and s each exactly as long as the order; any other
        // length is another encoding of the same pair, so not this one.
        if signature.len() != 2 * curve.scalar_bytes() {
            return Err(SigError::MalformedSignature("plain ECDSA signature of the wrong length"));
        }
        return Ok(signature.split_at(signature.len() / 2));
    }
    der_signature(signature)
}

/// Parses `SEQUENCE { r INTEGER, s INTEGER }` in DER, strictly: the bytes must be the
/// one canonical encoding of (r, s) (minimal lengths, minimal non-negative integers,
/// nothing after). A signature is malleable otherwise, and BER variants are how
/// verifiers that tolerate them get fooled (Wycheproof's "BER encoded" and "modified
/// integer" cases).
pub(super) fn der_signature(sig: &[u8]) -> Result<(&[u8], &[u8]), SigError> {
    let (r, s) = der_integers(sig)?;
    if canonical_der_signature(r, s) != sig {
        return Err(SigError::MalformedSignature(NOT_CANONICAL));
    }
    Ok((r, s))
}

/// r and s of `SEQUENCE { r INTEGER, s INTEGER }` as unsigned big-endian, however encoded.
pub(super) fn der_integers(sig: &[u8]) -> Result<(&[u8], &[u8]), SigError> {
    let bad = SigError::MalformedSignature("ECDSA signature is not a DER SEQUENCE { r, s }");
    let seq = Tlv::parse_tagged(sig, Tag::new(0x30)).map_err(|_| bad.clone())?;
    let mut kids = seq.children();
    let (Some(Ok(r)), Some(Ok(s)), None) = (kids.next(), kids.next(), kids.next()) else { return Err(bad) };
    if r.tag != Tag::new(0x02) || s.tag != Tag::new(0x02) {
        return Err(bad);
    }
    // A negative INTEGER is never an ECDSA scalar.
    if r.value.first().is_some_and(|b| b & 0x80 != 0) || s.value.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(bad);
    }
    Ok((unsigned(r.value), unsigned(s.value)))
}

/// The DER encoding of `SEQUENCE { r, s }` for unsigned big-endian r and s.
pub(super) fn canonical_der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    let int = |v: &[u8]| {
        let mut body = Vec::with_capacity(v.len() + 1);
        if v.first().is_none_or(|&b| b & 0x80 != 0) {
            body.push(0);
        }
        body.extend_from_slice(v);
        crate::tlv::encode_to_vec(Tag::new(0x02), &body)
    };
    let mut content = int(r);
    content.extend_from_slice(&int(s));
    crate::tlv::encode_to_vec(Tag::new(0x30), &content)
}

pub(super) fn ecdsa(curve: &Curve, point: &AffinePoint, digest: &[u8], r: &[u8], s: &[u8]) -> Result<(), SigError> {
    if curve.verify_ecdsa(point, digest, r, s) { Ok(()) } else { Err(SigError::Invalid) }
}
