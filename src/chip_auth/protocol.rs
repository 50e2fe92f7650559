//! The Chip Authentication protocol identifiers of ICAO 9303-11 §9.2.5 / BSI TR-03110-3
//! A.1.1.2: `id-CA-{DH,ECDH}-{3DES-CBC-CBC, AES-CBC-CMAC-128/192/256}`, and the key
//! identifiers `id-PK-{DH,ECDH}` of ChipAuthenticationPublicKeyInfo. `lds` re-exports them.

use const_oid::ObjectIdentifier;

pub use crate::access::pace::protocol::{Cipher, KeyAgreement};

/// The id-CA arc (bsi-de protocols 3).
pub(crate) const CA: &str = "0.4.0.127.0.7.2.2.3";
/// The id-PK arc (bsi-de protocols 1).
pub(crate) const PK: &str = "0.4.0.127.0.7.2.2.1";

/// A Chip Authentication protocol OID, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CaProtocol {
    /// DH or ECDH.
    pub key_agreement: KeyAgreement,
    /// The secure-messaging cipher after Chip Authentication.
    pub cipher: Cipher,
}

fn arcs(o: &ObjectIdentifier, prefix: &str) -> Option<Vec<u32>> {
    let s = o.to_string();
    let rest = s.strip_prefix(prefix)?.strip_prefix('.')?;
    rest.split('.').map(|x| x.parse::<u32>().ok()).collect()
}

fn key_agreement(arc: u32) -> Option<KeyAgreement> {
    match arc {
        1 => Some(KeyAgreement::Dh),
        2 => Some(KeyAgreement::Ecdh),
        _ => None,
    }
}

impl CaProtocol {
    /// Decodes `id-CA-{DH,ECDH}-{cipher}`.
    #[must_use]
    pub fn from_oid(o: &ObjectIdentifier) -> Option<Self> {
        let a = arcs(o, CA)?;
        let [ka, c] = a.as_slice() else { return None };
        Some(Self { key_agreement: key_agreement(*ka)?, cipher: Cipher::from_arc(*c)? })
    }

    /// The protocol OID.
    #[must_use]
    pub fn oid(&self) -> ObjectIdentifier {
        let ka = match self.key_agreement {
            KeyAgreement::Dh => 1,
            KeyAgreement::Ecdh => 2,
        };
        let c = match self.cipher {
            Cipher::Tdes => 1,
            Cipher::Aes128 => 2,
            Cipher::Aes192 => 3,
            Cipher::Aes256 => 4,
        };
        // The arcs are fixed small numbers: the OID is always valid.
        ObjectIdentifier::new(&format!("{CA}.{ka}.{c}")).unwrap_or(crate::oid::DATA)
    }

    /// ICAO 9303-11 §9.2.6: a chip whose DG14 has a ChipAuthenticationPublicKeyInfo but no
    /// ChipAuthenticationInfo supports Chip Authentication with 3DES only.
    #[must_use]
    pub fn implied_by_key(key_agreement: KeyAgreement) -> Self {
        Self { key_agreement, cipher: Cipher::Tdes }
    }
}

/// Decodes `id-PK-{DH,ECDH}`.
#[must_use]
pub fn public_key_protocol(o: &ObjectIdentifier) -> Option<KeyAgreement> {
    let a = arcs(o, PK)?;
    let [ka] = a.as_slice() else { return None };
    key_agreement(*ka)
}

/// The `id-PK-{DH,ECDH}` OID.
#[must_use]
pub fn public_key_oid(ka: KeyAgreement) -> ObjectIdentifier {
    let n = match ka {
        KeyAgreement::Dh => 1,
        KeyAgreement::Ecdh => 2,
    };
    ObjectIdentifier::new(&format!("{PK}.{n}")).unwrap_or(crate::oid::DATA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_round_trip() {
        for ka in [KeyAgreement::Dh, KeyAgreement::Ecdh] {
            for cipher in [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256] {
                let p = CaProtocol { key_agreement: ka, cipher };
                assert_eq!(CaProtocol::from_oid(&p.oid()), Some(p));
            }
            assert_eq!(public_key_protocol(&public_key_oid(ka)), Some(ka));
        }
        assert_eq!(
            CaProtocol { key_agreement: KeyAgreement::Ecdh, cipher: Cipher::Aes128 }.oid().to_string(),
            "0.4.0.127.0.7.2.2.3.2.2"
        );
        assert_eq!(CaProtocol::from_oid(&ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.2")), None);
        assert_eq!(CaProtocol::from_oid(&ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.3.1")), None);
    }
}
