//! SecurityInfos (ICAO 9303-11 §9.2; BSI TR-03110-3 A.1), the content of EF.CardAccess,
//! DG14 and EF.CardSecurity:
//!
//! ```text
//! SecurityInfos ::= SET OF SecurityInfo
//! SecurityInfo  ::= SEQUENCE { protocol OBJECT IDENTIFIER, requiredData ANY, optionalData ANY OPTIONAL }
//! PACEInfo      ::= SEQUENCE { protocol id-PACE-*, version INTEGER, parameterId INTEGER OPTIONAL }
//! PACEDomainParameterInfo ::= SEQUENCE { protocol id-PACE-{DH,ECDH}-{GM,IM,CAM},
//!                                        domainParameter AlgorithmIdentifier, parameterId INTEGER OPTIONAL }
//! ChipAuthenticationInfo  ::= SEQUENCE { protocol id-CA-*, version INTEGER, keyId INTEGER OPTIONAL }
//! ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol id-PK-{DH,ECDH},
//!                                        chipAuthenticationPublicKey SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }
//! TerminalAuthenticationInfo ::= SEQUENCE { protocol id-TA, version INTEGER }
//! ActiveAuthenticationInfo   ::= SEQUENCE { protocol id-AA, version INTEGER, signatureAlgorithm OID }
//! ```
//!
//! Unknown infos are kept, not dropped. Bytes after the SET (seen on real cards: 38 bytes
//! of garbage, or `62 82`) are tolerated and counted.

use const_oid::ObjectIdentifier;

use super::{LdsError, tlv_err};
use crate::tlv::{Tag, Tlv};

/// bsi-de protocols arc.
use crate::access::pace::protocol::PACE;
const CA: &str = "0.4.0.127.0.7.2.2.3";
const PK: &str = "0.4.0.127.0.7.2.2.1";
const TA: &str = "0.4.0.127.0.7.2.2.2";
const AA: &str = "2.23.136.1.1.5";

pub use crate::access::pace::protocol::{Cipher, KeyAgreement, Mapping, PaceProtocol};

/// One SecurityInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum SecurityInfo {
    /// PACEInfo.
    Pace {
        /// The protocol.
        protocol: PaceProtocol,
        /// Version (2).
        version: u32,
        /// Standardized domain parameter ID, or the ID of a PACEDomainParameterInfo.
        parameter_id: Option<u32>,
    },
    /// PACEDomainParameterInfo (explicit domain parameters).
    PaceDomainParameters {
        /// The DH/ECDH arc of the protocol OID.
        protocol: String,
        /// The AlgorithmIdentifier, DER.
        #[cfg_attr(feature = "serde", serde(skip))]
        domain_parameter: Vec<u8>,
        /// Its ID.
        parameter_id: Option<u32>,
    },
    /// ChipAuthenticationInfo.
    ChipAuthentication {
        /// The protocol OID, dotted.
        protocol: String,
        /// Version.
        version: u32,
        /// Key ID.
        key_id: Option<u32>,
    },
    /// ChipAuthenticationPublicKeyInfo.
    ChipAuthenticationPublicKey {
        /// The protocol OID, dotted.
        protocol: String,
        /// The SubjectPublicKeyInfo, DER.
        #[cfg_attr(feature = "serde", serde(skip))]
        public_key: Vec<u8>,
        /// Key ID.
        key_id: Option<u32>,
    },
    /// TerminalAuthenticationInfo.
    TerminalAuthentication {
        /// Version.
        version: u32,
    },
    /// ActiveAuthenticationInfo.
    ActiveAuthentication {
        /// Version.
        version: u32,
        /// The signature algorithm OID, dotted.
        signature_algorithm: String,
    },
    /// Anything else, kept as encoded.
    Unknown {
        /// The protocol OID, dotted.
        protocol: String,
        /// The whole SecurityInfo, DER.
        #[cfg_attr(feature = "serde", serde(skip))]
        raw: Vec<u8>,
    },
}

/// Parsed SecurityInfos.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct SecurityInfos {
    /// The infos, in the order given.
    pub infos: Vec<SecurityInfo>,
    /// Bytes after the SET that were ignored.
    pub trailing_bytes: usize,
}

fn small_uint(t: &Tlv<'_>) -> Option<u32> {
    if t.tag != Tag::new(0x02) || t.value.len() > 4 || t.value.is_empty() {
        return None;
    }
    Some(t.value.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)))
}

impl SecurityInfos {
    /// Parses EF.CardAccess / the SecurityInfos of DG14 or EF.CardSecurity.
    ///
    /// # Errors
    /// [`LdsError`] when the SET itself is malformed (a malformed member becomes `Unknown`
    /// only when its protocol OID can be read; otherwise the whole file is rejected).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const FILE: &str = "SecurityInfos";
        let err = tlv_err(FILE);
        let (set, rest) = Tlv::parse(bytes).map_err(&err)?;
        set.expect_tag(Tag::new(0x31)).map_err(&err)?;
        let mut infos = Vec::new();
        for item in set.children() {
            let item = item.map_err(&err)?;
            let kids: Vec<Tlv<'_>> = item.children().collect::<Result<_, _>>().map_err(&err)?;
            let Some(oid_t) = kids.first().filter(|t| t.tag == Tag::new(0x06)) else {
                return Err(LdsError::Invalid { file: FILE, reason: "SecurityInfo without a protocol OID" });
            };
            let oid = ObjectIdentifier::from_bytes(oid_t.value)
                .map_err(|_| LdsError::Invalid { file: FILE, reason: "malformed protocol OID" })?;
            infos.push(Self::one(&oid, &kids, item.raw));
        }
        Ok(Self { infos, trailing_bytes: rest.len() })
    }

    fn one(oid: &ObjectIdentifier, kids: &[Tlv<'_>], raw: &[u8]) -> SecurityInfo {
        let dotted = oid.to_string();
        let unknown = || SecurityInfo::Unknown { protocol: dotted.clone(), raw: raw.to_vec() };
        let second = kids.get(1);
        let third = kids.get(2);
        if let Some(protocol) = PaceProtocol::from_oid(oid) {
            return match second.and_then(small_uint) {
                Some(version) => SecurityInfo::Pace { protocol, version, parameter_id: third.and_then(small_uint) },
                // PACEDomainParameterInfo shares the PACE arc but carries an AlgorithmIdentifier.
                None if second.is_some_and(|t| t.tag == Tag::new(0x30)) => SecurityInfo::PaceDomainParameters {
                    protocol: dotted,
                    domain_parameter: second.map(|t| t.raw.to_vec()).unwrap_or_default(),
                    parameter_id: third.and_then(small_uint),
                },
                None => unknown(),
            };
        }
        if let Some(arc) = dotted.strip_prefix(PACE).and_then(|r| r.strip_prefix('.')) {
            // id-PACE-{DH,ECDH}-{GM,IM} without a cipher arc: domain parameters.
            if !arc.contains('.') && second.is_some_and(|t| t.tag == Tag::new(0x30)) {
                return SecurityInfo::PaceDomainParameters {
                    protocol: dotted,
                    domain_parameter: second.map(|t| t.raw.to_vec()).unwrap_or_default(),
                    parameter_id: third.and_then(small_uint),
                };
            }
        }
        if dotted.starts_with(&format!("{CA}."))
            && let Some(version) = second.and_then(small_uint)
        {
            return SecurityInfo::ChipAuthentication { protocol: dotted, version, key_id: third.and_then(small_uint) };
        }
        if dotted.starts_with(&format!("{PK}."))
            && let Some(k) = second.filter(|t| t.tag == Tag::new(0x30))
        {
            return SecurityInfo::ChipAuthenticationPublicKey {
                protocol: dotted,
                public_key: k.raw.to_vec(),
                key_id: third.and_then(small_uint),
            };
        }
        if dotted == TA
            && let Some(version) = second.and_then(small_uint)
        {
            return SecurityInfo::TerminalAuthentication { version };
        }
        if dotted == AA
            && let (Some(version), Some(alg)) = (second.and_then(small_uint), third.filter(|t| t.tag == Tag::new(0x06)))
        {
            let signature_algorithm =
                ObjectIdentifier::from_bytes(alg.value).map(|o| o.to_string()).unwrap_or_default();
            return SecurityInfo::ActiveAuthentication { version, signature_algorithm };
        }
        unknown()
    }

    /// The PACEInfos, in file order.
    pub fn pace(&self) -> impl Iterator<Item = (PaceProtocol, Option<u32>)> + '_ {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::Pace { protocol, parameter_id, .. } => Some((*protocol, *parameter_id)),
            _ => None,
        })
    }
}

impl SecurityInfos {
    /// The AlgorithmIdentifier (DER) of the PACEDomainParameterInfo a PACEInfo refers to:
    /// the one with this ID, or for a PACEInfo without `parameterId` (`None`) the chip's
    /// only PACEDomainParameterInfo when that has no ID either. ICAO 9303-11 §9.2.1 makes
    /// the ID mandatory only for chips with more than one set of domain parameters, and
    /// old chips (the BSI test card among them) use that freedom.
    #[must_use]
    pub fn pace_domain_parameters(&self, id: Option<u32>) -> Option<&[u8]> {
        let mut domains = self.infos.iter().filter_map(|i| match i {
            SecurityInfo::PaceDomainParameters { domain_parameter, parameter_id, .. } => {
                Some((domain_parameter.as_slice(), *parameter_id))
            }
            _ => None,
        });
        match id {
            Some(id) => domains.find_map(|(d, p)| (p == Some(id)).then_some(d)),
            None => match (domains.next(), domains.next()) {
                (Some((d, None)), None) => Some(d),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn icao_g1_card_access() {
        let s = SecurityInfos::parse(&hex!("31143012060A04007F0007020204020202010202010D")).unwrap();
        let pace: Vec<_> = s.pace().collect();
        assert_eq!(
            pace,
            [(
                PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes128 },
                Some(13)
            )]
        );
        assert_eq!(pace[0].0.oid().to_string(), "0.4.0.127.0.7.2.2.4.2.2");
        assert_eq!(s.trailing_bytes, 0);
    }

    #[test]
    fn german_gm_and_cam_with_trailing_bytes() {
        let mut b =
            hex!("31283012060A04007F0007020204020202010202010D3012060A04007F0007020204060202010202010D").to_vec();
        b.extend_from_slice(&[0x62, 0x82]);
        let s = SecurityInfos::parse(&b).unwrap();
        let mappings: Vec<Mapping> = s.pace().map(|(p, _)| p.mapping).collect();
        assert_eq!(mappings, [Mapping::Gm, Mapping::Cam]);
        assert_eq!(s.trailing_bytes, 2);
    }

    #[test]
    fn every_protocol_oid_round_trips() {
        for ka in [KeyAgreement::Dh, KeyAgreement::Ecdh] {
            for m in [Mapping::Gm, Mapping::Im, Mapping::Cam] {
                for c in [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256] {
                    let p = PaceProtocol { key_agreement: ka, mapping: m, cipher: c };
                    let back = PaceProtocol::from_oid(&p.oid());
                    if m == Mapping::Cam && (c == Cipher::Tdes || ka == KeyAgreement::Dh) {
                        continue;
                    }
                    assert_eq!(back, Some(p));
                }
            }
        }
    }

    #[test]
    fn unknown_infos_are_kept_and_garbage_rejected() {
        let s = SecurityInfos::parse(&hex!("3109 3007 0602 2A03 020101")).unwrap();
        assert!(matches!(&s.infos[0], SecurityInfo::Unknown { protocol, .. } if protocol == "1.2.3"));
        assert!(SecurityInfos::parse(&hex!("3003 020101")).is_err());
        assert!(SecurityInfos::parse(&hex!("3003 3001")).is_err());
        assert!(SecurityInfos::parse(&hex!("0400")).is_err());
    }
}
