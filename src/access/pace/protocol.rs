//! The PACE protocol identifiers of ICAO 9303-11 §9.2.1 / BSI TR-03110-3 A.1:
//! `id-PACE-{DH,ECDH}-{GM,IM,CAM}-{3DES,AES-128,AES-192,AES-256}`, decoded into what the
//! protocol runs. They live with the protocol; `lds::security_infos` re-exports them for
//! the SecurityInfos it parses.

use const_oid::ObjectIdentifier;

/// The id-PACE arc (bsi-de protocols 4).
pub(crate) const PACE: &str = "0.4.0.127.0.7.2.2.4";

/// PACE's key agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "UPPERCASE"))]
pub enum KeyAgreement {
    /// Diffie-Hellman in a prime field.
    Dh,
    /// Elliptic-curve Diffie-Hellman.
    Ecdh,
}

/// PACE's mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "UPPERCASE"))]
pub enum Mapping {
    /// Generic Mapping.
    Gm,
    /// Integrated Mapping.
    Im,
    /// Chip Authentication Mapping.
    Cam,
}

/// The symmetric cipher a protocol uses for secure messaging: the secure-messaging
/// suite itself ([`crate::sm::Cipher`]), one type for both layers.
pub use crate::sm::Cipher;

/// A PACE protocol OID, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PaceProtocol {
    /// DH or ECDH.
    pub key_agreement: KeyAgreement,
    /// GM, IM or CAM.
    pub mapping: Mapping,
    /// The cipher.
    pub cipher: Cipher,
}

impl PaceProtocol {
    /// Decodes `id-PACE-{DH,ECDH}-{GM,IM,CAM}-{cipher}`.
    #[must_use]
    pub fn from_oid(o: &ObjectIdentifier) -> Option<Self> {
        let s = o.to_string();
        let rest = s.strip_prefix(PACE)?.strip_prefix('.')?;
        let mut it = rest.split('.').map(|x| x.parse::<u32>().ok());
        let (Some(Some(alg)), Some(Some(c)), None) = (it.next(), it.next(), it.next()) else { return None };
        let (key_agreement, mapping) = match alg {
            1 => (KeyAgreement::Dh, Mapping::Gm),
            2 => (KeyAgreement::Ecdh, Mapping::Gm),
            3 => (KeyAgreement::Dh, Mapping::Im),
            4 => (KeyAgreement::Ecdh, Mapping::Im),
            6 => (KeyAgreement::Ecdh, Mapping::Cam),
            _ => return None,
        };
        let cipher = Cipher::from_arc(c)?;
        if mapping == Mapping::Cam && cipher == Cipher::Tdes {
            return None;
        }
        Some(Self { key_agreement, mapping, cipher })
    }

    /// The protocol OID.
    #[must_use]
    pub fn oid(&self) -> ObjectIdentifier {
        let alg = match (self.key_agreement, self.mapping) {
            (KeyAgreement::Dh, Mapping::Gm) => 1,
            (KeyAgreement::Ecdh, Mapping::Gm) => 2,
            (KeyAgreement::Dh, Mapping::Im) => 3,
            (KeyAgreement::Ecdh, Mapping::Im) => 4,
            (_, Mapping::Cam) => 6,
        };
        let c = match self.cipher {
            Cipher::Tdes => 1,
            Cipher::Aes128 => 2,
            Cipher::Aes192 => 3,
            Cipher::Aes256 => 4,
        };
        ObjectIdentifier::new(&format!("{PACE}.{alg}.{c}")).unwrap_or(crate::oid::DATA)
    }
}
