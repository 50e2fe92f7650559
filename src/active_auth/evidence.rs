//! Active Authentication evidence that a server can re-verify offline.
//!
//! # JSON (schema `passchip.aa-evidence/1`)
//! ```text
//! { "schema": "passchip.aa-evidence/1", "challenge": "<hex>", "signature": "<hex>",
//!   "public_key": "<hex DER SubjectPublicKeyInfo, DG15's content>", "ecdsa_hash": "SHA-256" | null }
//! ```

use crate::crypto::hash::HashAlg;
use crate::crypto::iso9796;
use crate::crypto::sig::{self, PublicKey, SignatureAlgorithm};

use super::AaError;

/// What the chip was asked and answered: enough to verify the signature again.
#[derive(Clone, PartialEq, Eq)]
pub struct AaEvidence {
    challenge: Vec<u8>,
    signature: Vec<u8>,
    public_key: Vec<u8>,
    ecdsa_hash: Option<HashAlg>,
}

impl core::fmt::Debug for AaEvidence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AaEvidence(challenge {}, {}-byte signature)", hex(&self.challenge), self.signature.len())
    }
}

/// A signature that verified: how.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AaVerified {
    /// `"ISO/IEC 9796-2 scheme 1"` or `"ECDSA"` (plain or DER).
    pub scheme: String,
    /// The hash.
    pub hash: HashAlg,
    /// The key: `"RSA-1024"`, `"brainpoolP256r1"`…
    pub key: String,
}

/// Evidence that could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("active authentication evidence: {0}")]
pub struct EvidenceError(pub &'static str);

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(any(feature = "serde", test))]
fn unhex(s: &str) -> Result<Vec<u8>, EvidenceError> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || s.len() > 1 << 16 {
        return Err(EvidenceError("a hex field has odd length or is too long"));
    }
    // from_str_radix alone would take a sign ("+f").
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(EvidenceError("a hex field has a non-hex character"));
    }
    (0..s.len() / 2)
        .map(|i| {
            s.get(2 * i..2 * i + 2)
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or(EvidenceError("a hex field has a non-hex character"))
        })
        .collect()
}

impl AaEvidence {
    /// Evidence from its parts: the challenge sent, the chip's answer, DG15's
    /// SubjectPublicKeyInfo (DER) and, for an ECDSA key, DG14's hash.
    #[must_use]
    pub fn new(challenge: Vec<u8>, signature: Vec<u8>, public_key: Vec<u8>, ecdsa_hash: Option<HashAlg>) -> Self {
        Self { challenge, signature, public_key, ecdsa_hash }
    }

    /// The challenge.
    #[must_use]
    pub fn challenge(&self) -> &[u8] {
        &self.challenge
    }

    /// The chip's signature.
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The public key (DER SubjectPublicKeyInfo).
    #[must_use]
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The hash named for an ECDSA key (from DG14), if any.
    #[must_use]
    pub fn ecdsa_hash(&self) -> Option<HashAlg> {
        self.ecdsa_hash
    }

    /// Verifies the signature over the challenge.
    ///
    /// # Errors
    /// [`AaError::BadKey`], [`AaError::NoHash`] or [`AaError::Invalid`].
    pub fn verify(&self) -> Result<AaVerified, AaError> {
        let key = PublicKey::from_spki(&self.public_key).map_err(|e| AaError::BadKey(e.to_string()))?;
        self.verify_with(&key)
    }

    pub(crate) fn verify_with(&self, key: &PublicKey) -> Result<AaVerified, AaError> {
        match key {
            PublicKey::Rsa(k) => {
                let r = iso9796::verify(k, &self.signature, &self.challenge).map_err(AaError::Invalid)?;
                Ok(AaVerified { scheme: "ISO/IEC 9796-2 scheme 1".into(), hash: r.hash, key: key.describe() })
            }
            PublicKey::Ec { .. } => {
                let hash = self.ecdsa_hash.ok_or(AaError::NoHash)?;
                // BSI TR-03111 plain r ‖ s is twice the scalar size; some chips (Portuguese
                // cards) send DER SEQUENCE { r, s }. A plain signature starts with 30 xx now
                // and then (one in about 65 000 look like a DER header), so a signature of
                // the plain length is tried as plain first, and as DER only if that fails.
                let looks_der = crate::tlv::Tlv::parse_exact(&self.signature).is_ok_and(|t| t.tag.value() == 0x30);
                let plain_len = self.signature.len() == 2 * key.bits().div_ceil(8) as usize;
                let order: &[bool] = match (plain_len, looks_der) {
                    (true, true) => &[false, true],
                    (true, false) | (false, false) => &[false],
                    (false, true) => &[true],
                };
                let mut last = None;
                for &der in order {
                    let alg =
                        if der { SignatureAlgorithm::Ecdsa { hash } } else { SignatureAlgorithm::EcdsaPlain { hash } };
                    match sig::verify_tolerating_issuer_errors(key, &alg, &self.challenge, &self.signature) {
                        Ok(tolerated) => {
                            let scheme = match (der, tolerated) {
                                (false, _) => "ECDSA (plain r ‖ s)",
                                (true, sig::Tolerated::Nothing) => "ECDSA (DER signature)",
                                (true, _) => {
                                    "ECDSA (DER signature with non-canonical integers, an issuer error tolerated)"
                                }
                            };
                            return Ok(AaVerified { scheme: scheme.into(), hash, key: key.describe() });
                        }
                        Err(e) => last = Some(e),
                    }
                }
                Err(AaError::Invalid(last.unwrap_or(crate::crypto::sig::SigError::Invalid)))
            }
        }
    }

    /// The evidence as JSON (`passchip.aa-evidence/1`).
    #[must_use]
    pub fn to_json(&self) -> String {
        let hash = self.ecdsa_hash.map_or_else(|| "null".to_string(), |h| format!("\"{}\"", h.name()));
        format!(
            "{{\"schema\":\"passchip.aa-evidence/1\",\"challenge\":\"{}\",\"signature\":\"{}\",\"public_key\":\"{}\",\"ecdsa_hash\":{hash}}}",
            hex(&self.challenge),
            hex(&self.signature),
            hex(&self.public_key)
        )
    }

    /// Reads evidence written by [`AaEvidence::to_json`].
    ///
    /// # Errors
    /// [`EvidenceError`] for anything else.
    #[cfg(feature = "serde")]
    pub fn from_json(s: &str) -> Result<Self, EvidenceError> {
        let v: serde_json::Value = serde_json::from_str(s).map_err(|_| EvidenceError("not JSON"))?;
        if v.get("schema").and_then(|s| s.as_str()) != Some("passchip.aa-evidence/1") {
            return Err(EvidenceError("schema is not passchip.aa-evidence/1"));
        }
        let field = |name: &'static str| -> Result<Vec<u8>, EvidenceError> {
            unhex(v.get(name).and_then(|x| x.as_str()).ok_or(EvidenceError("a field is missing"))?)
        };
        let ecdsa_hash = match v.get("ecdsa_hash") {
            None | Some(serde_json::Value::Null) => None,
            Some(h) => Some(
                [HashAlg::Sha1, HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512]
                    .into_iter()
                    .find(|a| h.as_str() == Some(a.name()))
                    .ok_or(EvidenceError("unknown ecdsa_hash"))?,
            ),
        };
        Ok(Self {
            challenge: field("challenge")?,
            signature: field("signature")?,
            public_key: field("public_key")?,
            ecdsa_hash,
        })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for AaEvidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("AaEvidence", 5)?;
        st.serialize_field("schema", "passchip.aa-evidence/1")?;
        st.serialize_field("challenge", &hex(&self.challenge))?;
        st.serialize_field("signature", &hex(&self.signature))?;
        st.serialize_field("public_key", &hex(&self.public_key))?;
        st.serialize_field("ecdsa_hash", &self.ecdsa_hash.map(HashAlg::name))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_total() {
        assert_eq!(unhex("00ff").unwrap(), [0, 255]);
        assert!(unhex("0").is_err());
        assert!(unhex("zz").is_err());
        assert!(unhex("é0").is_err());
        assert!(unhex("+f").is_err());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn json_round_trips() {
        let e = AaEvidence::new(vec![1; 8], vec![2; 64], vec![0x30, 0], Some(HashAlg::Sha256));
        assert_eq!(AaEvidence::from_json(&e.to_json()).unwrap(), e);
        assert_eq!(serde_json::to_string(&e).unwrap(), e.to_json());
        let e = AaEvidence::new(vec![1; 8], vec![2; 128], vec![0x30, 0], None);
        assert_eq!(AaEvidence::from_json(&e.to_json()).unwrap(), e);
        assert!(AaEvidence::from_json("{}").is_err());
        assert!(AaEvidence::from_json("[").is_err());
    }
}
