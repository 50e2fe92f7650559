//! The files that carry the chip's anti-cloning keys:
//!
//! * DG14 (ICAO 9303-10 §4.7.14): `6E L SecurityInfos` — Chip Authentication keys and
//!   protocols, ActiveAuthenticationInfo.
//! * DG15 (ICAO 9303-10 §4.7.15): `6F L SubjectPublicKeyInfo` — the Active
//!   Authentication key (RSA or EC).
//! * EF.CardSecurity (ICAO 9303-11 §9.2; BSI TR-03110-3 A.1.2): a CMS SignedData
//!   (ContentInfo, no wrapper tag) whose eContent, of type id-SecurityObject
//!   (0.4.0.127.0.7.3.2.1), is SecurityInfos — signed by the document signer so that
//!   PACE-CAM's key can be trusted.
//!
//! [`ChipAuthenticationOption`] pairs each ChipAuthenticationInfo with its public key.

use super::cms::SignedData;
use super::security_infos::{SecurityInfo, SecurityInfos};
use super::{LdsError, tlv_err};
use crate::chip_auth::CaProtocol;
use crate::chip_auth::protocol::public_key_protocol;
use crate::crypto::hash::HashAlg;
use crate::tlv::{self, Tag, Tlv};

/// DG14: the SecurityInfos for Chip and Active Authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dg14 {
    /// The SecurityInfos.
    pub infos: SecurityInfos,
}

impl Dg14 {
    /// Parses DG14 (`6E`).
    ///
    /// # Errors
    /// [`LdsError`].
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let outer = Tlv::parse_tagged(bytes, Tag::new(0x6E)).map_err(tlv_err("DG14"))?;
        Ok(Self { infos: SecurityInfos::parse(outer.value)? })
    }
}

/// DG15: the Active Authentication public key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dg15 {
    /// The SubjectPublicKeyInfo, DER, byte-exact.
    pub public_key: Vec<u8>,
}

impl Dg15 {
    /// Parses DG15 (`6F`). The key itself is decoded when it is used.
    ///
    /// # Errors
    /// [`LdsError`].
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let outer = Tlv::parse_tagged(bytes, Tag::new(0x6F)).map_err(tlv_err("DG15"))?;
        let spki = Tlv::parse_exact(outer.value).map_err(tlv_err("DG15"))?;
        if spki.tag != Tag::new(0x30) {
            return Err(LdsError::Invalid { file: "DG15", reason: "not a SubjectPublicKeyInfo" });
        }
        tlv::validate(spki.raw).map_err(tlv_err("DG15"))?;
        Ok(Self { public_key: spki.raw.to_vec() })
    }
}

/// EF.CardSecurity: SecurityInfos signed by the document signer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CardSecurity {
    /// The CMS structure (signers, certificates, eContent).
    pub signed_data: SignedData,
    /// The signed SecurityInfos.
    pub infos: SecurityInfos,
}

impl CardSecurity {
    /// Parses EF.CardSecurity (BER or DER ContentInfo).
    ///
    /// # Errors
    /// [`LdsError`].
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let der = tlv::ber::to_der(bytes).map_err(tlv_err("EF.CardSecurity"))?;
        let mut signed_data = SignedData::parse(&der)?;
        signed_data.was_ber |= matches!(der, std::borrow::Cow::Owned(_));
        if signed_data.econtent_type != crate::oid::BSI_SECURITY_OBJECT {
            return Err(LdsError::Invalid { file: "EF.CardSecurity", reason: "eContentType is not id-SecurityObject" });
        }
        let infos = SecurityInfos::parse(&signed_data.econtent)?;
        Ok(Self { signed_data, infos })
    }
}

/// One way to run Chip Authentication: a protocol and the key it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChipAuthenticationOption {
    /// The protocol (from ChipAuthenticationInfo, or implied: 3DES when DG14 has a key
    /// but no ChipAuthenticationInfo).
    pub protocol: CaProtocol,
    /// Whether the protocol was implied rather than announced.
    pub implied: bool,
    /// The key ID, when the chip names one.
    pub key_id: Option<u32>,
    /// The ChipAuthenticationPublicKeyInfo's SubjectPublicKeyInfo, DER.
    pub public_key: Vec<u8>,
}

impl SecurityInfos {
    /// The Chip Authentication options, strongest cipher first. A ChipAuthenticationInfo
    /// is paired with the public key of the same key ID, or with the only key when
    /// neither names an ID (ICAO 9303-11 §9.2.5–9.2.6). A key without any
    /// ChipAuthenticationInfo implies 3DES.
    #[must_use]
    pub fn chip_authentication(&self) -> Vec<ChipAuthenticationOption> {
        let keys: Vec<(crate::access::pace::KeyAgreement, Option<u32>, &[u8])> = self
            .infos
            .iter()
            .filter_map(|i| match i {
                SecurityInfo::ChipAuthenticationPublicKey { protocol, public_key, key_id } => {
                    let oid = const_oid::ObjectIdentifier::new(protocol).ok()?;
                    Some((public_key_protocol(&oid)?, *key_id, public_key.as_slice()))
                }
                _ => None,
            })
            .collect();
        let infos: Vec<(CaProtocol, Option<u32>)> = self
            .infos
            .iter()
            .filter_map(|i| match i {
                SecurityInfo::ChipAuthentication { protocol, key_id, .. } => {
                    let oid = const_oid::ObjectIdentifier::new(protocol).ok()?;
                    Some((CaProtocol::from_oid(&oid)?, *key_id))
                }
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        if infos.is_empty() {
            for (ka, key_id, pk) in &keys {
                out.push(ChipAuthenticationOption {
                    protocol: CaProtocol::implied_by_key(*ka),
                    implied: true,
                    key_id: *key_id,
                    public_key: pk.to_vec(),
                });
            }
        }
        for (protocol, key_id) in infos {
            let same: Vec<_> = keys.iter().filter(|k| k.0 == protocol.key_agreement).collect();
            let matching = match key_id {
                Some(id) => same.iter().find(|k| k.1 == Some(id)),
                None if same.len() == 1 => same.first(),
                None => same.iter().find(|k| k.1.is_none()),
            };
            if let Some((_, kid, pk)) = matching {
                out.push(ChipAuthenticationOption {
                    protocol,
                    implied: false,
                    key_id: key_id.or(*kid),
                    public_key: pk.to_vec(),
                });
            }
        }
        let rank = |c: crate::access::pace::Cipher| c.key_len() + usize::from(c != crate::access::pace::Cipher::Tdes);
        out.sort_by_key(|o| std::cmp::Reverse(rank(o.protocol.cipher)));
        out
    }

    /// The hash ActiveAuthenticationInfo names for ECDSA Active Authentication.
    #[must_use]
    pub fn active_authentication_hash(&self) -> Option<HashAlg> {
        self.infos.iter().find_map(|i| match i {
            SecurityInfo::ActiveAuthentication { signature_algorithm, .. } => {
                HashAlg::from_oid(&const_oid::ObjectIdentifier::new(signature_algorithm).ok()?)
            }
            _ => None,
        })
    }

    /// The ChipAuthenticationPublicKeyInfo keys (SubjectPublicKeyInfo, DER) with their IDs.
    pub fn chip_authentication_keys(&self) -> impl Iterator<Item = (Option<u32>, &[u8])> + '_ {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey { public_key, key_id, .. } => {
                Some((*key_id, public_key.as_slice()))
            }
            _ => None,
        })
    }
}
