//! The chip's side of PACE with Generic Mapping over ECDH (ICAO 9303-11 §4.4), for the
//! virtual chip: MSE:Set AT, then four GENERAL AUTHENTICATE steps.

use zeroize::Zeroizing;

use super::rng::DetRng;
use crate::access::pace::{cipher_blocks, derive_key, session_suite, standard_curve, token};
use crate::apdu::StatusWord;
use crate::crypto::ec::{AffinePoint, Curve};
use crate::crypto::{ct_eq, kdf};
use crate::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use crate::sm::ChipChannel;
use crate::tlv::{self, Tag, Tlv};

enum Step {
    /// MSE:Set AT accepted; waiting for GA 1.
    SetAt,
    /// Nonce sent; waiting for the terminal's mapping key.
    Nonce(Zeroizing<Vec<u8>>),
    /// Generator mapped; waiting for the terminal's ephemeral key.
    Mapped(AffinePoint),
    /// Keys agreed; waiting for the terminal's token.
    Agreed { ks_enc: Zeroizing<Vec<u8>>, ks_mac: Zeroizing<Vec<u8>>, pk_chip: Vec<u8>, pk_terminal: Vec<u8> },
}

/// A PACE run in progress on the chip.
pub(crate) struct PaceChip {
    protocol: PaceProtocol,
    curve: Curve,
    k_pi: Zeroizing<Vec<u8>>,
    step: Step,
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

fn field(data: &[u8], tag: u32) -> Option<Vec<u8>> {
    let outer = Tlv::parse_tagged(data, Tag::new(0x7C)).ok()?;
    outer.find(Tag::new(tag)).ok()?.map(|t| t.value.to_vec())
}

fn dyn_auth(tag: u32, value: &[u8]) -> Vec<u8> {
    tlv::encode_to_vec(Tag::new(0x7C), &tlv::encode_to_vec(Tag::new(tag), value))
}

impl PaceChip {
    /// Starts a run after MSE:Set AT, if the chip supports what the terminal asked for.
    pub(crate) fn start(
        offered: (PaceProtocol, u32),
        asked_oid: &[u8],
        asked_param: Option<u32>,
        password: Zeroizing<Vec<u8>>,
    ) -> Result<Self, StatusWord> {
        let (protocol, param) = offered;
        if asked_oid != protocol.oid().as_bytes() || asked_param.is_some_and(|p| p != param) {
            return Err(StatusWord::WrongData);
        }
        if protocol.key_agreement != KeyAgreement::Ecdh || protocol.mapping != Mapping::Gm {
            return Err(StatusWord::WrongData);
        }
        let curve = standard_curve(param).and_then(|c| Curve::named(c).ok()).ok_or(StatusWord::WrongData)?;
        let k_pi = derive_key(protocol.cipher, &password, kdf::PACE);
        Ok(Self { protocol, curve, k_pi, step: Step::SetAt })
    }

    /// One GENERAL AUTHENTICATE step.
    pub(crate) fn step(&mut self, data: &[u8], rng: &mut DetRng) -> GaResult {
        let wrong = GaResult::Failed(StatusWord::WrongData);
        match core::mem::replace(&mut self.step, Step::SetAt) {
            Step::SetAt => {
                let block = if self.protocol.cipher == Cipher::Tdes { 8 } else { 16 };
                let mut s = Zeroizing::new(vec![0u8; block]);
                rng.fill_bytes(&mut s);
                let mut z = s.to_vec();
                if cipher_blocks(self.protocol.cipher, &self.k_pi, &mut z, false).is_err() {
                    return wrong;
                }
                self.step = Step::Nonce(s);
                GaResult::Continue(dyn_auth(0x80, &z), StatusWord::Ok)
            }
            Step::Nonce(s) => {
                let Some(pk_t) = field(data, 0x81).and_then(|p| self.curve.decode_point(&p).ok()) else { return wrong };
                let Ok(sk) = self.curve.random_scalar(rng) else { return wrong };
                let Some(pk) = self.curve.mul_ct(&sk, self.curve.generator()) else { return wrong };
                let h = self.curve.mul_ct(&sk, &pk_t);
                let sg = self.curve.mul_ct(&s, self.curve.generator());
                let Some(g_hat) = h.zip(sg).and_then(|(h, sg)| self.curve.add_points(&sg, &h)) else { return wrong };
                self.step = Step::Mapped(g_hat);
                GaResult::Continue(dyn_auth(0x82, &self.curve.encode_point(&pk)), StatusWord::Ok)
            }
            Step::Mapped(g_hat) => {
                let Some(pk_t_enc) = field(data, 0x83) else { return wrong };
                let Ok(pk_t) = self.curve.decode_point(&pk_t_enc) else { return wrong };
                let Ok(sk) = self.curve.random_scalar(rng) else { return wrong };
                let Some(pk) = self.curve.mul_ct(&sk, &g_hat) else { return wrong };
                let Some(shared) = self.curve.mul_ct(&sk, &pk_t) else { return wrong };
                let k = Zeroizing::new(self.curve.x_bytes(&shared));
                let pk_chip = self.curve.encode_point(&pk);
                self.step = Step::Agreed {
                    ks_enc: derive_key(self.protocol.cipher, &k, kdf::ENC),
                    ks_mac: derive_key(self.protocol.cipher, &k, kdf::MAC),
                    pk_chip: pk_chip.clone(),
                    pk_terminal: pk_t_enc,
                };
                GaResult::Continue(dyn_auth(0x84, &pk_chip), StatusWord::Ok)
            }
            Step::Agreed { ks_enc, ks_mac, pk_chip, pk_terminal } => {
                let oid = self.protocol.oid();
                let expected = token(self.protocol.cipher, &ks_mac, oid.as_bytes(), &pk_chip);
                // A wrong password gives other keys, so the terminal's token fails here.
                if !field(data, 0x85).is_some_and(|t| ct_eq(&t, &expected)) {
                    return GaResult::Failed(StatusWord::AuthenticationFailed);
                }
                let t_chip = token(self.protocol.cipher, &ks_mac, oid.as_bytes(), &pk_terminal);
                let Some((suite, ssc)) = session_suite(self.protocol.cipher, &ks_enc, &ks_mac) else { return wrong };
                GaResult::Established(dyn_auth(0x86, &t_chip), Box::new(ChipChannel::new(suite, &ssc)))
            }
        }
    }
}
