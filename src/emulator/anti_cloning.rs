//! The virtual chip's anti-cloning side: its Chip Authentication and Active
//! Authentication keys, the files that publish them (DG14, DG15, EF.CardSecurity), and
//! the chip's answers to Chip Authentication (MSE:Set KAT, MSE:Set AT + GENERAL
//! AUTHENTICATE) and INTERNAL AUTHENTICATE.
//!
//! A "cloned" document publishes the genuine public keys but its chip holds other
//! private keys, as a copy of the signed files on another chip would.

use rsa::RsaPrivateKey;
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

use super::asn1::{NULL, bits, oid, seq, set, small_int, uint};
use super::rng::DetRng;
use crate::access::pace::{Group, session_suite};
use crate::chip_auth::CaProtocol;
use crate::chip_auth::protocol::{Cipher, KeyAgreement, public_key_oid};
use crate::crypto::ec::NamedCurve;
use crate::crypto::hash::HashAlg;
use crate::oid as oids;
use crate::sm::ChipChannel;

/// Chip Authentication as the virtual chip offers it (in DG14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChipAuthSpec {
    /// The protocol announced in ChipAuthenticationInfo.
    pub protocol: CaProtocol,
    /// The standardized domain parameter ID of the key's group (ICAO 9303-11 table 4:
    /// 0–2 DH, 8–18 ECDH).
    pub domain: u32,
    /// The key ID, when the chip names one.
    pub key_id: Option<u32>,
}

impl ChipAuthSpec {
    /// ECDH on brainpoolP256r1 with AES-128, as most current passports.
    #[must_use]
    pub fn ecdh_aes128() -> Self {
        Self {
            protocol: CaProtocol { key_agreement: KeyAgreement::Ecdh, cipher: Cipher::Aes128 },
            domain: 13,
            key_id: None,
        }
    }
}

/// Active Authentication as the virtual chip offers it (its DG15 key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AaSpec {
    /// RSA with ISO/IEC 9796-2 scheme 1 and this hash.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
        /// The hash (SHA-1 uses the implicit trailer `BC`).
        hash: HashAlg,
    },
    /// ECDSA over the challenge.
    Ecdsa {
        /// The curve.
        curve: NamedCurve,
        /// The hash named in DG14's ActiveAuthenticationInfo.
        hash: HashAlg,
        /// Send the signature DER-encoded instead of plain `r ‖ s` (a real-chip quirk).
        der: bool,
    },
}

/// A chip's Active Authentication private key.
#[derive(Clone)]
pub(crate) enum AaPrivate {
    Rsa(Box<RsaPrivateKey>, HashAlg),
    Ec { curve: NamedCurve, d: Zeroizing<Vec<u8>>, hash: HashAlg, der: bool },
}

/// The static Chip Authentication secret of `group` for a document seed; `genuine`
/// false gives the clone's key.
pub(crate) fn ca_secret(seed: u64, group: &Group, label: &str, genuine: bool) -> Option<Zeroizing<Vec<u8>>> {
    let tag = if genuine { "genuine" } else { "clone" };
    let mut rng = DetRng::new(seed, &format!("chip-authentication/{label}/{tag}"));
    group.random_secret(&mut rng).ok()
}

/// The public value for a secret, encoded.
pub(crate) fn ca_public(group: &Group, secret: &[u8]) -> Option<Vec<u8>> {
    Some(group.encode(&group.mul(secret, &group.generator())?))
}

/// The SubjectPublicKeyInfo of a static key: `id-ecPublicKey` with named parameters, or
/// `dhpublicnumber` with `{ p, g, q }` and the value as an INTEGER.
pub(crate) fn ca_spki(group: &Group, public: &[u8]) -> Option<Vec<u8>> {
    match group {
        Group::Ec(curve) => {
            let named = curve.named_curve()?;
            let curve_oid = const_oid::ObjectIdentifier::new(named.oid()).ok()?;
            Some(seq(&[&seq(&[&oid(&oids::EC_PUBLIC_KEY), &oid(&curve_oid)]), &bits(public)]))
        }
        Group::Dh(g) => {
            let params = seq(&[&uint(&g.modulus()), &uint(&g.encode(g.generator())), &uint(&g.order())]);
            Some(seq(&[&seq(&[&oid(&oids::DH_PUBLIC_NUMBER), &params]), &bits(&uint(public))]))
        }
    }
}

/// ChipAuthenticationInfo and ChipAuthenticationPublicKeyInfo (ICAO 9303-11 §9.2.5–6).
pub(crate) fn ca_infos(protocol: CaProtocol, key_id: Option<u32>, spki: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let id = key_id.map(small_int).unwrap_or_default();
    let info = seq(&[&oid(&protocol.oid()), &small_int(1), &id]);
    let key = seq(&[&oid(&public_key_oid(protocol.key_agreement)), spki, &id]);
    (info, key)
}

/// ActiveAuthenticationInfo with the ECDSA signature algorithm (ICAO 9303-11 §9.2.7).
pub(crate) fn aa_info(hash: HashAlg) -> Vec<u8> {
    let alg = match hash {
        HashAlg::Sha1 => oids::ECDSA_SHA1,
        HashAlg::Sha224 => oids::ECDSA_SHA224,
        HashAlg::Sha256 => oids::ECDSA_SHA256,
        HashAlg::Sha384 => oids::ECDSA_SHA384,
        HashAlg::Sha512 => oids::ECDSA_SHA512,
    };
    seq(&[&oid(&const_oid::ObjectIdentifier::new_unwrap("2.23.136.1.1.5")), &small_int(1), &oid(&alg)])
}

/// DG14: `6E { SET OF SecurityInfo }`.
pub(crate) fn dg14(infos: &[&[u8]]) -> Vec<u8> {
    crate::tlv::encode_to_vec(crate::tlv::Tag::new(0x6E), &set(infos))
}

/// Generates the Active Authentication key of a document (`genuine` false: the clone's).
pub(crate) fn aa_private(seed: u64, spec: AaSpec, genuine: bool) -> Option<AaPrivate> {
    let tag = if genuine { "genuine" } else { "clone" };
    let mut rng = DetRng::new(seed, &format!("active-authentication/{tag}"));
    match spec {
        AaSpec::Rsa { bits, hash } => {
            RsaPrivateKey::new(&mut rng, bits).ok().map(|k| AaPrivate::Rsa(Box::new(k), hash))
        }
        AaSpec::Ecdsa { curve, hash, der } => {
            let c = crate::crypto::ec::Curve::named(curve).ok()?;
            let d = c.random_scalar(&mut rng).ok()?;
            Some(AaPrivate::Ec { curve, d, hash, der })
        }
    }
}

impl AaPrivate {
    /// DG15: `6F { SubjectPublicKeyInfo }`.
    pub(crate) fn dg15(&self) -> Option<Vec<u8>> {
        let spki = match self {
            Self::Rsa(k, _) => {
                let pk = seq(&[&uint(&k.n().as_ref().to_be_bytes()), &uint(&k.e().to_be_bytes())]);
                seq(&[&seq(&[&oid(&oids::RSA_ENCRYPTION), &NULL]), &bits(&pk)])
            }
            Self::Ec { curve, d, .. } => {
                let c = crate::crypto::ec::Curve::named(*curve).ok()?;
                let q = c.mul_vartime(d, c.generator())?;
                let curve_oid = const_oid::ObjectIdentifier::new(curve.oid()).ok()?;
                seq(&[&seq(&[&oid(&oids::EC_PUBLIC_KEY), &oid(&curve_oid)]), &bits(&c.encode_point(&q))])
            }
        };
        Some(crate::tlv::encode_to_vec(crate::tlv::Tag::new(0x6F), &spki))
    }

    /// INTERNAL AUTHENTICATE: the signature over the challenge.
    pub(crate) fn sign(&self, challenge: &[u8], rng: &mut DetRng) -> Option<Vec<u8>> {
        match self {
            Self::Rsa(k, hash) => {
                use crypto_bigint::BoxedUint;
                let size = k.size();
                let mut m1 = vec![0u8; size];
                rng.fill_bytes(&mut m1);
                let f = crate::crypto::iso9796::representative(size, *hash, &m1, challenge)?;
                let n = k.n().as_ref();
                let m = BoxedUint::from_be_slice(&f, n.bits_precision()).ok()?;
                let s = rsa::hazmat::rsa_decrypt::<DetRng>(None, k.as_ref(), &m).ok()?;
                let bytes = s.to_be_bytes();
                Some(bytes.get(bytes.len().saturating_sub(size)..)?.to_vec())
            }
            Self::Ec { curve, d, hash, der } => {
                let c = crate::crypto::ec::Curve::named(*curve).ok()?;
                let digest = hash.digest(challenge);
                for _ in 0..8 {
                    let k = c.random_scalar(rng).ok()?;
                    if let Some((r, s)) = c.sign_ecdsa_test_key(d, &k, &digest) {
                        if *der {
                            return Some(seq(&[&uint(&r), &uint(&s)]));
                        }
                        let n = c.scalar_bytes();
                        let mut out = vec![0u8; 2 * n];
                        let pad = |v: &[u8], o: &mut [u8]| {
                            let start = o.len().saturating_sub(v.len());
                            if let Some(dst) = o.get_mut(start..) {
                                dst.copy_from_slice(v.get(v.len().saturating_sub(dst.len())..).unwrap_or_default());
                            }
                        };
                        let (lo, hi) = out.split_at_mut(n);
                        pad(&r, lo);
                        pad(&s, hi);
                        return Some(out);
                    }
                }
                None
            }
        }
    }
}

/// Completes Chip Authentication on the chip: the channel under the new keys, or `None`
/// when the terminal's key is invalid.
pub(crate) fn ca_channel(group: &Group, secret: &[u8], pk_pcd: &[u8], cipher: Cipher) -> Option<Box<ChipChannel>> {
    let (enc, mac) = crate::chip_auth::chip_side(group, secret, pk_pcd, cipher)?;
    let (suite, ssc) = session_suite(cipher, &enc, &mac)?;
    Some(Box::new(ChipChannel::new(suite, &ssc)))
}
