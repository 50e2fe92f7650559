//! RSA signature verification: PKCS #1 v1.5 and EMSA-PSS (RFC 8017 §8, §9.1.2) with any
//! salt length and an MGF1 hash independent of the message hash.

use crypto_bigint::BoxedUint;
use rsa::RsaPublicKey;
use rsa::traits::PublicKeyParts;

use crate::crypto::hash::HashAlg;

use super::{SigError, unsigned};

pub(super) fn rsa_pkcs1(k: &RsaPublicKey, hash: HashAlg, digest: &[u8], sig: &[u8]) -> Result<(), SigError> {
    use rsa::pkcs1v15::Pkcs1v15Sign;
    let scheme = match hash {
        HashAlg::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        HashAlg::Sha224 => Pkcs1v15Sign::new::<sha2::Sha224>(),
        HashAlg::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
        HashAlg::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
        HashAlg::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
    };
    k.verify(scheme, digest, sig).map_err(|_| SigError::Invalid)
}

/// The RSA public operation `s^e mod n` as `k` bytes (k = modulus length), checking s < n.
pub(crate) fn rsa_public(k: &RsaPublicKey, sig: &[u8]) -> Result<Vec<u8>, SigError> {
    let size = k.size();
    let stripped = unsigned(sig);
    if stripped.len() > size {
        return Err(SigError::Invalid);
    }
    let s = BoxedUint::from_be_slice(stripped, k.n_bits_precision()).map_err(|_| SigError::Invalid)?;
    if s >= *k.n().as_ref() {
        return Err(SigError::Invalid);
    }
    let m = rsa::hazmat::rsa_encrypt(k, &s).map_err(|_| SigError::Invalid)?;
    let bytes = m.to_be_bytes();
    let body = unsigned(&bytes);
    let mut out = vec![0u8; size.saturating_sub(body.len())];
    out.extend_from_slice(body);
    Ok(out)
}

/// MGF1 (RFC 8017 B.2.1).
pub(super) fn mgf1(hash: HashAlg, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut counter = 0u32;
    while out.len() < len {
        out.extend_from_slice(&hash.digest_parts(&[seed, &counter.to_be_bytes()]));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) over the raw RSA operation: unlike the `rsa`
/// crate, the MGF1 hash may differ from the message hash.
pub(super) fn emsa_pss_verify(
    k: &RsaPublicKey,
    m_hash: &[u8],
    sig: &[u8],
    hash: HashAlg,
    mgf: HashAlg,
    salt_len: usize,
) -> Result<(), SigError> {
    let invalid = SigError::Invalid;
    if sig.len() != k.size() {
        return Err(invalid);
    }
    let mod_bits = k.n().as_ref().bits_vartime() as usize;
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    let full = rsa_public(k, sig)?;
    // When emBits is a multiple of 8, EM is one byte shorter than the modulus.
    let (lead, em) = full.split_at(full.len() - em_len);
    if lead.iter().any(|&b| b != 0) {
        return Err(invalid);
    }
    let h_len = hash.output_len();
    if em_len < h_len + salt_len + 2 {
        return Err(invalid);
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let (h, trailer) = rest.split_at(h_len);
    if trailer != [0xBC] {
        return Err(invalid);
    }
    let top_bits = 8 * em_len - em_bits;
    let top_mask = if top_bits == 0 { 0u8 } else { 0xFFu8 << (8 - top_bits) };
    if masked_db.first().is_some_and(|b| b & top_mask != 0) {
        return Err(invalid);
    }
    let mut db: Vec<u8> = masked_db.iter().zip(mgf1(mgf, h, masked_db.len())).map(|(a, b)| a ^ b).collect();
    if let Some(first) = db.first_mut() {
        *first &= !top_mask;
    }
    let ps_len = em_len - h_len - salt_len - 2;
    let (ps, rest) = db.split_at(ps_len);
    if ps.iter().any(|&b| b != 0) || rest.first() != Some(&0x01) {
        return Err(invalid);
    }
    let salt = rest.get(1..).unwrap_or_default();
    let h2 = hash.digest_parts(&[&[0u8; 8], m_hash, salt]);
    if crate::crypto::ct_eq(&h2, h) { Ok(()) } else { Err(invalid) }
}
