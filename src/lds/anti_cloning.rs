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
use crate::chip_auth::ChipPublicKey;
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

/// Why PACE-CAM's proof is not bound to the SecurityInfos that should vouch for it
/// (ICAO 9303-11 §4.4.3.5 and §9.2: EF.CardAccess is a subset of EF.CardSecurity, whose
/// ChipAuthenticationPublicKeyInfo carries the key PACE-CAM proves). Each names what did
/// not bind; the chip is not counted as authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CamBindError {
    /// EF.CardSecurity does not list the PACEInfo PACE-CAM ran with.
    #[error("EF.CardSecurity does not list the PACEInfo that was used ({protocol}, parameter {parameter})")]
    PaceInfoNotSigned {
        /// The protocol.
        protocol: String,
        /// The parameter ID, or "none".
        parameter: String,
    },
    /// PACE ran on explicit domain parameters that EF.CardSecurity does not carry.
    #[error("the explicit domain parameters PACE ran on are not among EF.CardSecurity's")]
    DomainParametersNotSigned,
    /// EF.CardSecurity has no usable ECDH Chip Authentication key.
    #[error("EF.CardSecurity has no usable Chip Authentication public key")]
    NoKey,
    /// EF.CardSecurity's keys are on other curves than the one PACE ran on.
    #[error("EF.CardSecurity's Chip Authentication key is on another curve than the one PACE ran on")]
    GroupDiffers,
    /// The equation does not hold for EF.CardSecurity's key: the chip does not hold it.
    #[error("CA_IC · PK_IC differs from PK_map,IC for EF.CardSecurity's key: the chip does not hold its private key")]
    NotProven,
    /// DG14 names a Chip Authentication key under the same key ID that differs.
    #[error("DG14's Chip Authentication key{} differs from EF.CardSecurity's", key_id.map_or(String::new(), |k| format!(" (key ID {k})")))]
    Dg14KeyDiffers {
        /// The key ID.
        key_id: Option<u32>,
    },
}

/// The key PACE-CAM proved: the ChipAuthenticationPublicKeyInfo of EF.CardSecurity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CamKey {
    /// Its key ID, when it has one.
    pub key_id: Option<u32>,
    /// Its SubjectPublicKeyInfo, DER.
    pub public_key: Vec<u8>,
}

/// Binds PACE-CAM's evidence to SecurityInfos (those of EF.CardSecurity) and, when given,
/// to DG14's: the PACEInfo and explicit domain parameters used must be among them, the
/// equation is computed on the curve of their key (which must be the curve PACE ran on),
/// and a DG14 key under the same key ID must be that key. The caller decides whose
/// SecurityInfos these are: only [`crate::pki`]'s authenticated ones make a proof.
pub(crate) fn bind_cam(
    cam: &crate::access::pace::CamEvidence,
    card_security: &SecurityInfos,
    dg14: Option<&SecurityInfos>,
) -> Result<CamKey, CamBindError> {
    let protocol = cam.protocol();
    let listed = card_security.pace().any(|(p, id)| p == protocol && id == cam.parameter_id());
    if !listed {
        return Err(CamBindError::PaceInfoNotSigned {
            protocol: protocol.oid().to_string(),
            parameter: cam.parameter_id().map_or_else(|| "none".into(), |i| i.to_string()),
        });
    }
    if let Some(used) = cam.explicit_domain_parameters()
        && card_security.pace_domain_parameters(cam.parameter_id()) != Some(used)
    {
        return Err(CamBindError::DomainParametersNotSigned);
    }
    let mut last = CamBindError::NoKey;
    for (key_id, spki) in card_security.chip_authentication_keys() {
        let Ok(key) = ChipPublicKey::from_spki(spki) else { continue };
        let crate::access::pace::Group::Ec(curve) = &key.group else { continue };
        match cam.verify_on(curve, key.encoded()) {
            Ok(()) => {
                if let Some(dg14) = dg14 {
                    let differs = dg14.chip_authentication_keys().filter(|(id, _)| *id == key_id).any(|(_, other)| {
                        !ChipPublicKey::from_spki(other).is_ok_and(|o| {
                            o.encoded() == key.encoded()
                                && matches!(&o.group, crate::access::pace::Group::Ec(c) if c.same_parameters(curve))
                        })
                    });
                    if differs {
                        return Err(CamBindError::Dg14KeyDiffers { key_id });
                    }
                }
                return Ok(CamKey { key_id, public_key: spki.to_vec() });
            }
            Err(crate::access::AccessError::ChipAuthenticationFailed(why)) if why.contains("another curve") => {
                if last == CamBindError::NoKey {
                    last = CamBindError::GroupDiffers;
                }
            }
            Err(_) => last = CamBindError::NotProven,
        }
    }
    Err(last)
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

#[cfg(all(test, feature = "emulator"))]
mod tests {
    use super::*;
    use crate::access::pace::{CamEvidence, Cipher, KeyAgreement, Mapping, PaceProtocol};
    use crate::crypto::ec::{Curve, NamedCurve};
    use crate::emulator::{DocumentSpec, VirtualDocument};

    const CAM: PaceProtocol =
        PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Cam, cipher: Cipher::Aes128 };

    struct Fixture {
        infos: SecurityInfos,
        curve: Curve,
        pk: Vec<u8>,
    }

    fn fixture() -> Fixture {
        let doc = VirtualDocument::build(DocumentSpec { pace: Some((CAM, 13)), ..DocumentSpec::specimen() });
        let infos = CardSecurity::parse(doc.card_security().unwrap()).unwrap().infos;
        let (_, pk) = doc.chip_authentication_key().unwrap();
        Fixture { infos, curve: Curve::named(NamedCurve::BrainpoolP256r1).unwrap(), pk }
    }

    /// Evidence whose equation holds for `pk` on `curve`: CA_IC = r, PK_map = r·PK.
    fn evidence(protocol: PaceProtocol, id: u32, explicit: Option<Vec<u8>>, curve: &Curve, pk: &[u8]) -> CamEvidence {
        let r = vec![0x3C; 32];
        let point = curve.decode_point(pk).unwrap();
        let pk_map = curve.encode_point(&curve.mul_vartime(&r, &point).unwrap());
        CamEvidence::for_tests(protocol, Some(id), explicit, curve.clone(), r, pk_map)
    }

    #[test]
    fn the_genuine_proof_binds() {
        let f = fixture();
        let key = bind_cam(&evidence(CAM, 13, None, &f.curve, &f.pk), &f.infos, None).unwrap();
        assert_eq!(key.key_id, None);
    }

    #[test]
    fn what_the_card_security_does_not_sign_does_not_bind() {
        let f = fixture();
        // Another protocol or parameter ID than the signed PACEInfo.
        let aes256 = PaceProtocol { cipher: Cipher::Aes256, ..CAM };
        assert!(matches!(
            bind_cam(&evidence(aes256, 13, None, &f.curve, &f.pk), &f.infos, None),
            Err(CamBindError::PaceInfoNotSigned { .. })
        ));
        assert!(matches!(
            bind_cam(&evidence(CAM, 32, None, &f.curve, &f.pk), &f.infos, None),
            Err(CamBindError::PaceInfoNotSigned { .. })
        ));
        // Explicit parameters the file does not carry.
        assert_eq!(
            bind_cam(&evidence(CAM, 13, Some(vec![0x30, 0x00]), &f.curve, &f.pk), &f.infos, None),
            Err(CamBindError::DomainParametersNotSigned)
        );
    }

    /// The clone's curve E′ through the genuine key P with G′ = P: the equation holds on
    /// E′, but E′ is not the curve of EF.CardSecurity's key.
    #[test]
    fn a_proof_on_another_curve_through_the_genuine_key_does_not_bind() {
        let f = fixture();
        let point = f.curve.decode_point(&f.pk).unwrap();
        let e2 = Curve::from_params(&f.curve.params_through_test_only(&point)).unwrap();
        let on_e2 = evidence(CAM, 13, None, &e2, &f.pk);
        assert!(on_e2.verify(&f.pk).is_ok(), "on its own curve the clone's equation holds");
        assert_eq!(bind_cam(&on_e2, &f.infos, None), Err(CamBindError::GroupDiffers));
    }

    #[test]
    fn a_wrong_ca_ic_is_not_proven() {
        let f = fixture();
        let good = evidence(CAM, 13, None, &f.curve, &f.pk);
        let other_pk = f.curve.encode_point(&f.curve.mul_vartime(&[7], f.curve.generator()).unwrap());
        let wrong = evidence(CAM, 13, None, &f.curve, &other_pk);
        assert!(good != wrong);
        assert_eq!(bind_cam(&wrong, &f.infos, None), Err(CamBindError::NotProven));
    }

    #[test]
    fn a_dg14_key_under_the_same_id_must_be_the_same_key() {
        let f = fixture();
        let ev = evidence(CAM, 13, None, &f.curve, &f.pk);
        let same = SecurityInfos { infos: f.infos.infos.clone(), trailing_bytes: 0 };
        assert!(bind_cam(&ev, &f.infos, Some(&same)).is_ok());
        let other =
            VirtualDocument::build(DocumentSpec { pace: Some((CAM, 13)), seed: 77, ..DocumentSpec::specimen() });
        let other_infos = CardSecurity::parse(other.card_security().unwrap()).unwrap().infos;
        assert_eq!(bind_cam(&ev, &f.infos, Some(&other_infos)), Err(CamBindError::Dg14KeyDiffers { key_id: None }));
    }
}
