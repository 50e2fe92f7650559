//! The hash functions of eMRTD signatures and data-group hashes.

use const_oid::ObjectIdentifier;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::oid;

/// A hash algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-1 (still in old documents and master lists).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The algorithm of a digest-algorithm OID. Some issuers put a signature OID
    /// (e.g. sha256WithRSAEncryption) where a digest OID belongs; the hash it names is
    /// taken in that case too.
    #[must_use]
    pub fn from_oid(o: &ObjectIdentifier) -> Option<Self> {
        Some(match *o {
            oid::SHA1 | oid::SHA1_WITH_RSA | oid::ECDSA_SHA1 | oid::ECDSA_PLAIN_SHA1 => Self::Sha1,
            oid::SHA224 | oid::SHA224_WITH_RSA | oid::ECDSA_SHA224 | oid::ECDSA_PLAIN_SHA224 => Self::Sha224,
            oid::SHA256 | oid::SHA256_WITH_RSA | oid::ECDSA_SHA256 | oid::ECDSA_PLAIN_SHA256 => Self::Sha256,
            oid::SHA384 | oid::SHA384_WITH_RSA | oid::ECDSA_SHA384 | oid::ECDSA_PLAIN_SHA384 => Self::Sha384,
            oid::SHA512 | oid::SHA512_WITH_RSA | oid::ECDSA_SHA512 | oid::ECDSA_PLAIN_SHA512 => Self::Sha512,
            _ => return None,
        })
    }

    /// The digest OID.
    #[must_use]
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha224 => oid::SHA224,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    /// Output length in bytes.
    #[must_use]
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Hashes `data`.
    #[must_use]
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        self.digest_parts(&[data])
    }

    /// Hashes the concatenation of `parts`.
    #[must_use]
    pub fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            Self::Sha1 => run::<Sha1>(parts),
            Self::Sha224 => run::<Sha224>(parts),
            Self::Sha256 => run::<Sha256>(parts),
            Self::Sha384 => run::<Sha384>(parts),
            Self::Sha512 => run::<Sha512>(parts),
        }
    }

    /// The name, e.g. `"SHA-256"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }
}

/// Serialized by name (`"SHA-256"`), as in every passchip JSON.
#[cfg(feature = "serde")]
impl serde::Serialize for HashAlg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl core::fmt::Display for HashAlg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            HashAlg::Sha256.digest(b"abc"),
            hex_literal::hex!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(HashAlg::Sha1.digest_parts(&[b"a", b"bc"]), HashAlg::Sha1.digest(b"abc"));
        for h in [HashAlg::Sha1, HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            assert_eq!(h.digest(b"").len(), h.output_len());
            assert_eq!(HashAlg::from_oid(&h.oid()), Some(h));
        }
        assert_eq!(HashAlg::from_oid(&oid::SHA256_WITH_RSA), Some(HashAlg::Sha256));
        assert_eq!(HashAlg::from_oid(&oid::RSA_ENCRYPTION), None);
    }
}
