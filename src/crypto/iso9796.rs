//! ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery, the RSA
//! signature of Active Authentication (ICAO 9303-11 §6.1.2.2):
//!
//! ```text
//! F = 6A ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer        trailer = BC (SHA-1) or hashId ‖ CC
//! ```
//!
//! M1 is recovered from the signature; M2 (the terminal's challenge) is not transmitted.
//! The `rsa` crate has no such scheme, so it is written here over the raw public
//! operation.

use rsa::RsaPublicKey;
use rsa::traits::PublicKeyParts;

use super::hash::HashAlg;
use super::sig::{SigError, rsa_public};
use crate::crypto::ct_eq;

/// The header of a signature with partial recovery (more data follows: M2).
const PARTIAL_RECOVERY: u8 = 0x6A;
/// The implicit trailer: SHA-1.
const TRAILER_SHA1: u8 = 0xBC;
/// The explicit trailer's last byte, after the hash identifier.
const TRAILER_EXPLICIT: u8 = 0xCC;

/// The hash identifier of an explicit trailer (ISO/IEC 10118-3 numbering).
fn hash_of_id(id: u8) -> Option<HashAlg> {
    Some(match id {
        0x33 => HashAlg::Sha1,
        0x34 => HashAlg::Sha256,
        0x35 => HashAlg::Sha512,
        0x36 => HashAlg::Sha384,
        0x38 => HashAlg::Sha224,
        _ => return None,
    })
}

/// The hash identifier for an explicit trailer.
#[must_use]
pub fn hash_id(hash: HashAlg) -> u8 {
    match hash {
        HashAlg::Sha1 => 0x33,
        HashAlg::Sha256 => 0x34,
        HashAlg::Sha512 => 0x35,
        HashAlg::Sha384 => 0x36,
        HashAlg::Sha224 => 0x38,
    }
}

/// A verified signature: what it recovered and the hash its trailer named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The recoverable part M1 (the chip's own random bytes in Active Authentication).
    pub m1: Vec<u8>,
    /// The hash named by the trailer.
    pub hash: HashAlg,
}

/// Verifies an ISO/IEC 9796-2 scheme 1 signature with partial recovery over the
/// non-recoverable message `m2`.
///
/// The representative is taken as `s^e mod n`, or `n − (s^e mod n)` when only that ends
/// in the `…C` nibble (the signer may publish the smaller of `s` and `n − s`). Leading
/// zero bytes of the signature or the representative are tolerated (Australian chips
/// send them).
///
/// # Errors
/// [`SigError::Invalid`] when it does not verify; [`SigError::MalformedSignature`] when the
/// representative has no valid header or trailer.
pub fn verify(key: &RsaPublicKey, signature: &[u8], m2: &[u8]) -> Result<Recovered, SigError> {
    let m = rsa_public(key, signature)?;
    let f = if m.last().is_some_and(|b| b & 0x0F == 0x0C) { m } else { n_minus(key, &m) };
    let lead = f.iter().take_while(|&&b| b == 0).count();
    let f = f.get(lead..).unwrap_or_default();
    let (&header, rest) = f.split_first().ok_or(SigError::MalformedSignature("empty representative"))?;
    if header != PARTIAL_RECOVERY {
        return Err(if header == 0x4A {
            SigError::MalformedSignature("full message recovery: the challenge is not bound to the signature")
        } else {
            SigError::MalformedSignature("ISO/IEC 9796-2 header is not 6A")
        });
    }
    let (hash, trailer_len) = match rest.last() {
        Some(&TRAILER_SHA1) => (HashAlg::Sha1, 1),
        Some(&TRAILER_EXPLICIT) => {
            let id = rest.len().checked_sub(2).and_then(|i| rest.get(i)).copied().unwrap_or(0);
            (hash_of_id(id).ok_or(SigError::MalformedSignature("unknown ISO/IEC 9796-2 hash identifier"))?, 2)
        }
        _ => return Err(SigError::MalformedSignature("ISO/IEC 9796-2 trailer is neither BC nor xxCC")),
    };
    let h_len = hash.output_len();
    let body_len =
        rest.len().checked_sub(trailer_len + h_len).ok_or(SigError::MalformedSignature("representative too short"))?;
    let (m1, tail) = rest.split_at(body_len);
    let digest = tail.get(..h_len).ok_or(SigError::Invalid)?;
    if ct_eq(&hash.digest_parts(&[m1, m2]), digest) {
        Ok(Recovered { m1: m1.to_vec(), hash })
    } else {
        Err(SigError::Invalid)
    }
}

/// `n − m` as `k` bytes.
fn n_minus(key: &RsaPublicKey, m: &[u8]) -> Vec<u8> {
    use crypto_bigint::BoxedUint;
    let n = key.n().as_ref();
    let Ok(v) = BoxedUint::from_be_slice(m, n.bits_precision()) else { return Vec::new() };
    let r = n.wrapping_sub(&v).to_be_bytes();
    let size = key.size();
    let body = r.get(r.len().saturating_sub(size)..).unwrap_or_default();
    body.to_vec()
}

/// The message representative a signer builds for `m2` with random `m1` filling the
/// modulus (`k` bytes): `6A ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer`. For the emulator's chip.
#[must_use]
pub fn representative(k: usize, hash: HashAlg, m1_random: &[u8], m2: &[u8]) -> Option<Vec<u8>> {
    let trailer: &[u8] = if hash == HashAlg::Sha1 { &[TRAILER_SHA1] } else { &[hash_id(hash), TRAILER_EXPLICIT] };
    let m1_len = k.checked_sub(1 + hash.output_len() + trailer.len())?;
    let m1 = m1_random.get(..m1_len)?;
    let mut f = Vec::with_capacity(k);
    f.push(PARTIAL_RECOVERY);
    f.extend_from_slice(m1);
    f.extend_from_slice(&hash.digest_parts(&[m1, m2]));
    f.extend_from_slice(trailer);
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::BoxedUint;
    use rsa::RsaPrivateKey;

    fn key() -> RsaPrivateKey {
        let mut rng = crate::emulator::DetRng::new(7, "iso9796");
        RsaPrivateKey::new(&mut rng, 1024).unwrap()
    }

    fn sign(sk: &RsaPrivateKey, f: &[u8]) -> Vec<u8> {
        let n = sk.n().as_ref();
        let m = BoxedUint::from_be_slice(f, n.bits_precision()).unwrap();
        let s = rsa::hazmat::rsa_decrypt::<crate::emulator::DetRng>(None, sk, &m).unwrap();
        s.to_be_bytes().to_vec()
    }

    #[test]
    fn every_trailer_round_trips_and_binds_the_challenge() {
        let sk = key();
        let pk = sk.to_public_key();
        let m1 = [0x5Au8; 128];
        let challenge = *b"\x01\x02\x03\x04\x05\x06\x07\x08";
        for hash in [HashAlg::Sha1, HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            let f = representative(128, hash, &m1, &challenge).unwrap();
            let s = sign(&sk, &f);
            let got = verify(&pk, &s, &challenge).unwrap();
            assert_eq!(got.hash, hash);
            assert_eq!(got.m1.len(), 128 - 1 - hash.output_len() - if hash == HashAlg::Sha1 { 1 } else { 2 });
            assert_eq!(verify(&pk, &s, b"other!!!"), Err(SigError::Invalid), "{hash}");
            let mut t = s.clone();
            t[60] ^= 1;
            assert!(verify(&pk, &t, &challenge).is_err(), "{hash}");
        }
    }

    #[test]
    fn n_minus_s_and_leading_zeros_are_accepted() {
        let sk = key();
        let pk = sk.to_public_key();
        let challenge = [9u8; 8];
        let f = representative(128, HashAlg::Sha256, &[0x11; 128], &challenge).unwrap();
        let s = sign(&sk, &f);
        // The signer may publish n − s: (n − s)^e = −f mod n, so the verifier sees n − f.
        let n = pk.n().as_ref();
        let s_int = BoxedUint::from_be_slice(&s, n.bits_precision()).unwrap();
        let alt = n.wrapping_sub(&s_int).to_be_bytes().to_vec();
        assert_eq!(verify(&pk, &alt, &challenge).unwrap().hash, HashAlg::Sha256);
        let mut padded = vec![0, 0];
        padded.extend_from_slice(&s);
        assert_eq!(verify(&pk, &padded, &challenge).unwrap(), verify(&pk, &s, &challenge).unwrap());
    }

    #[test]
    fn bad_header_or_trailer_is_malformed() {
        let sk = key();
        let pk = sk.to_public_key();
        let mut f = representative(128, HashAlg::Sha1, &[1; 128], &[0; 8]).unwrap();
        f[0] = 0x4A;
        assert!(matches!(verify(&pk, &sign(&sk, &f), &[0; 8]), Err(SigError::MalformedSignature(_))));
        let mut f = representative(128, HashAlg::Sha256, &[1; 128], &[0; 8]).unwrap();
        f[126] = 0x99;
        assert!(matches!(verify(&pk, &sign(&sk, &f), &[0; 8]), Err(SigError::MalformedSignature(_))));
        assert!(verify(&pk, &[0xFF; 129], &[0; 8]).is_err());
        assert!(verify(&pk, &[], &[0; 8]).is_err());
    }
}
