//! The chip's side of PACE with Generic and Integrated Mapping (ECDH and DH) and Chip
//! Authentication Mapping (ICAO 9303-11 §4.4), for the
//! virtual chip: MSE:Set AT, then four GENERAL AUTHENTICATE steps.

use zeroize::Zeroizing;

use super::rng::DetRng;
use crate::access::pace::{
    Element, Group, cam_iv, cipher_blocks, derive_key, dyn_auth, dyn_auth_field, map_generic, pseudo_random,
    session_suite, token,
};
use crate::apdu::StatusWord;
use crate::crypto::aes::AesCipher;
use crate::crypto::{ct_eq, kdf};
use crate::lds::security_infos::{Cipher, Mapping, PaceProtocol};
use crate::sm::ChipChannel;
use crate::tlv::{self, Tag};

/// An invalid public key for [`Hostile::PaceKey`](super::Hostile::PaceKey).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BadKey {
    /// ECDH: a point off the curve (an invalid-curve attack).
    OffCurve,
    /// ECDH: the point at infinity.
    Infinity,
    /// DH: 0.
    Zero,
    /// DH: 1.
    One,
    /// DH: p − 1 (order 2).
    PMinusOne,
    /// DH: 2, in range but outside the order-q subgroup.
    OutsideSubgroup,
}

enum Step {
    /// MSE:Set AT accepted; waiting for GA 1.
    SetAt,
    /// Nonce sent; waiting for the terminal's mapping key.
    Nonce(Zeroizing<Vec<u8>>),
    /// Generator mapped; waiting for the terminal's ephemeral key. Keeps SK_map,IC for CAM.
    Mapped(Element, Zeroizing<Vec<u8>>),
    /// Keys agreed; waiting for the terminal's token.
    Agreed {
        ks_enc: Zeroizing<Vec<u8>>,
        ks_mac: Zeroizing<Vec<u8>>,
        pk_chip: Vec<u8>,
        pk_terminal: Vec<u8>,
        sk_map: Zeroizing<Vec<u8>>,
    },
}

/// A PACE run in progress on the chip.
pub(crate) struct PaceChip {
    protocol: PaceProtocol,
    group: Group,
    k_pi: Zeroizing<Vec<u8>>,
    /// SK_IC, the static chip-authentication key (PACE-CAM only).
    ca_key: Option<Zeroizing<Vec<u8>>>,
    step: Step,
    /// Hostile: the public key to send instead of the first real one.
    bad_key: Option<BadKey>,
}

/// A hostile chip's first public key (GA 2 for Generic Mapping and CAM, GA 3 for Integrated
/// Mapping) in place of `good`: off the curve or the point at infinity (ECDH); 0, 1, p − 1
/// or 2 (outside the order-q subgroup) for DH. A kind that does not fit the group sends
/// `good` with its last byte changed.
fn hostile_key(group: &Group, good: &[u8], kind: BadKey) -> Vec<u8> {
    let len = good.len();
    let small = |v: u8| {
        let mut out = vec![0u8; len];
        if let Some(last) = out.last_mut() {
            *last = v;
        }
        out
    };
    match (group, kind) {
        (Group::Ec(_), BadKey::Infinity) => vec![0x00],
        (Group::Dh(_), BadKey::Zero) => small(0),
        (Group::Dh(_), BadKey::One) => small(1),
        (Group::Dh(_), BadKey::OutsideSubgroup) => small(2),
        (Group::Dh(d), BadKey::PMinusOne) => {
            let mut p = d.modulus();
            if let Some(last) = p.last_mut() {
                *last = last.wrapping_sub(1);
            }
            p
        }
        _ => {
            let mut off = good.to_vec();
            if let Some(last) = off.last_mut() {
                *last ^= 0x01;
            }
            off
        }
    }
}

/// What a GENERAL AUTHENTICATE step produced.
pub(crate) enum GaResult {
    /// Answer with this data and status; keep going.
    Continue(Vec<u8>, StatusWord),
    /// Done: answer, then switch to secure messaging with this channel.
    Established(Vec<u8>, Box<ChipChannel>),
    /// The run failed: answer with this status and forget it.
    Failed(StatusWord),
}

/// The value of `tag` in the terminal's `7C` data (the reader's parser, errors dropped:
/// the chip only needs "present and well formed").
fn field(data: &[u8], tag: u32) -> Option<Vec<u8>> {
    dyn_auth_field(data, tag, "GA").ok()
}

impl PaceChip {
    /// Starts a run after MSE:Set AT, if the chip supports what the terminal asked for.
    pub(crate) fn start(
        offered: (PaceProtocol, u32),
        asked_oid: &[u8],
        asked_param: Option<u32>,
        password: Zeroizing<Vec<u8>>,
        ca_key: Option<Zeroizing<Vec<u8>>>,
        group_id: u32,
    ) -> Result<Self, StatusWord> {
        let (protocol, param) = offered;
        if asked_oid != protocol.oid().as_bytes() || asked_param.is_some_and(|p| p != param) {
            return Err(StatusWord::WrongData);
        }
        // `group_id` is the standardized group behind `param` (the same unless the chip
        // publishes its parameters explicitly under a proprietary ID).
        if !crate::access::pace::is_supported(protocol, group_id)
            || (protocol.mapping == Mapping::Cam && ca_key.is_none())
        {
            return Err(StatusWord::WrongData);
        }
        let group = Group::standard(protocol.key_agreement, group_id).ok_or(StatusWord::WrongData)?;
        let k_pi = derive_key(protocol.cipher, &password, kdf::PACE);
        Ok(Self { protocol, group, k_pi, ca_key, step: Step::SetAt, bad_key: None })
    }

    /// Starts a run in a group given by explicit parameters (the chip's own custom offer,
    /// or a hostile one); no check of the group: the terminal must refuse a weak one.
    pub(crate) fn start_custom(
        protocol: PaceProtocol,
        group: Group,
        password: Zeroizing<Vec<u8>>,
        ca_key: Option<Zeroizing<Vec<u8>>>,
    ) -> Self {
        let k_pi = derive_key(protocol.cipher, &password, kdf::PACE);
        Self { protocol, group, k_pi, ca_key, step: Step::SetAt, bad_key: None }
    }

    /// Makes this run hostile: its first public key is `kind`.
    pub(crate) fn with_bad_key(mut self, kind: Option<BadKey>) -> Self {
        self.bad_key = kind;
        self
    }

    /// One GENERAL AUTHENTICATE step.
    pub(crate) fn step(&mut self, data: &[u8], rng: &mut DetRng) -> GaResult {
        let wrong = GaResult::Failed(StatusWord::WrongData);
        match core::mem::replace(&mut self.step, Step::SetAt) {
            Step::SetAt => {
                // Integrated Mapping: a nonce of l bits (128, or 256 for AES-192/256); otherwise
                // one cipher block.
                let block = match (self.protocol.mapping, self.protocol.cipher) {
                    (Mapping::Im, Cipher::Aes192 | Cipher::Aes256) => 32,
                    (Mapping::Im, _) | (_, Cipher::Aes128 | Cipher::Aes192 | Cipher::Aes256) => 16,
                    (_, Cipher::Tdes) => 8,
                };
                let mut s = Zeroizing::new(vec![0u8; block]);
                rng.fill_bytes(&mut s);
                let mut z = s.to_vec();
                if cipher_blocks(self.protocol.cipher, &self.k_pi, &mut z, false).is_err() {
                    return wrong;
                }
                self.step = Step::Nonce(s);
                GaResult::Continue(dyn_auth(0x80, &z), StatusWord::Ok)
            }
            Step::Nonce(s) if self.protocol.mapping == Mapping::Im => {
                let g = &self.group;
                let Some(t) = field(data, 0x81) else { return wrong };
                let Ok(r) = pseudo_random(self.protocol.cipher, &s, &t, g.field_bits()) else { return wrong };
                let Some(g_hat) = g.map_integrated(&r) else { return wrong };
                self.step = Step::Mapped(g_hat, Zeroizing::new(Vec::new()));
                GaResult::Continue(vec![0x7C, 0x00], StatusWord::Ok)
            }
            Step::Nonce(s) => {
                let g = &self.group;
                let Some(pk_t) = field(data, 0x81).and_then(|p| g.decode(&p)) else { return wrong };
                let Ok(sk) = g.random_secret(rng) else { return wrong };
                let Some(pk) = g.mul(&sk, &g.generator()) else { return wrong };
                let Ok(g_hat) = map_generic(g, &s, &sk, &pk_t) else { return wrong };
                self.step = Step::Mapped(g_hat, sk);
                let mut sent = g.encode(&pk);
                if let Some(kind) = self.bad_key.take() {
                    sent = hostile_key(g, &sent, kind);
                }
                GaResult::Continue(dyn_auth(0x82, &sent), StatusWord::Ok)
            }
            Step::Mapped(g_hat, sk_map) => {
                let g = &self.group;
                let Some(pk_t_enc) = field(data, 0x83) else { return wrong };
                let Some(pk_t) = g.decode(&pk_t_enc) else { return wrong };
                let Ok(sk) = g.random_secret(rng) else { return wrong };
                let Some(pk) = g.mul(&sk, &g_hat) else { return wrong };
                let Some(shared) = g.mul(&sk, &pk_t) else { return wrong };
                let k = g.shared_secret(&shared);
                let pk_chip = g.encode(&pk);
                self.step = Step::Agreed {
                    ks_enc: derive_key(self.protocol.cipher, &k, kdf::ENC),
                    ks_mac: derive_key(self.protocol.cipher, &k, kdf::MAC),
                    pk_chip: pk_chip.clone(),
                    pk_terminal: pk_t_enc,
                    sk_map,
                };
                let sent = match self.bad_key.take() {
                    Some(kind) => hostile_key(&self.group, &pk_chip, kind),
                    None => pk_chip,
                };
                GaResult::Continue(dyn_auth(0x84, &sent), StatusWord::Ok)
            }
            Step::Agreed { ks_enc, ks_mac, pk_chip, pk_terminal, sk_map } => {
                let oid = self.protocol.oid();
                let tag = self.group.key_tag();
                let expected = token(self.protocol.cipher, &ks_mac, oid.as_bytes(), tag, &pk_chip);
                // A wrong password gives other keys, so the terminal's token fails here.
                if !field(data, 0x85).is_some_and(|t| ct_eq(&t, &expected)) {
                    return GaResult::Failed(StatusWord::AuthenticationFailed);
                }
                let t_chip = token(self.protocol.cipher, &ks_mac, oid.as_bytes(), tag, &pk_terminal);
                let Some((suite, ssc)) = session_suite(self.protocol.cipher, &ks_enc, &ks_mac) else { return wrong };
                let mut answer = tlv::encode_to_vec(Tag::new(0x86), &t_chip);
                if self.protocol.mapping == Mapping::Cam {
                    let Some(a_ic) = self.cam_data(&ks_enc, &sk_map) else { return wrong };
                    tlv::encode(Tag::new(0x8A), &a_ic, &mut answer);
                }
                let answer = tlv::encode_to_vec(Tag::new(0x7C), &answer);
                GaResult::Established(answer, Box::new(ChipChannel::new(suite, &ssc)))
            }
        }
    }

    /// A_IC = E(KS_enc, CA_IC) with CA_IC = SK_map,IC · SK_IC⁻¹ mod n (9303-11 §4.4.3.5).
    fn cam_data(&self, ks_enc: &[u8], sk_map: &[u8]) -> Option<Vec<u8>> {
        let (Group::Ec(curve), Some(sk_ic)) = (&self.group, &self.ca_key) else { return None };
        let ca = curve.div_scalars_test_key(sk_map, sk_ic)?;
        let cipher = AesCipher::new(ks_enc)?;
        let mut buf = crate::crypto::padding::padded(&ca, 16);
        cipher.cbc_encrypt(&cam_iv(&cipher), &mut buf).ok()?;
        Some(buf)
    }
}
