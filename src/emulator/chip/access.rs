//! The chip before secure messaging: EF.CardAccess, EF.ATR/INFO, PACE with its
//! passwords and retry counters, BAC.

use zeroize::Zeroizing;

use super::modes::Hostile;
use super::{PIN_TRIES, PUK_TRIES, REF_CAN, REF_PIN, REF_PUK, State, VirtualChip};
use crate::access::bac;
use crate::apdu::{EMRTD_AID, ParsedCommand, StatusWord, ins};
use crate::crypto::{ct_eq, retail_mac::RetailMacKey, tdes};
use crate::emulator::pace::{GaResult, PaceChip};
use crate::sm::ChipChannel;
use crate::tlv;

impl VirtualChip {
    /// EF.CardAccess (MF, FID 011C, SFI 1C): readable without authentication.
    pub(super) fn card_access(&mut self, cmd: &ParsedCommand<'_>) -> Option<Vec<u8>> {
        if self.hostile == Some(Hostile::HiddenCardAccess)
            && !self.app_selected
            && ((cmd.ins == ins::SELECT && cmd.data == [0x01, 0x1C]) || (cmd.ins == ins::READ_BINARY && cmd.p1 == 0x9C))
        {
            return Some(StatusWord::FileNotFound.to_bytes().to_vec());
        }
        let content = self.doc.card_access()?.to_vec();
        let ok = |mut v: Vec<u8>, sw: StatusWord| {
            v.extend_from_slice(&sw.to_bytes());
            v
        };
        match cmd.ins {
            ins::SELECT if matches!(cmd.p1, 0x00 | 0x02) && cmd.data == [0x01, 0x1C] && !self.app_selected => {
                self.card_access_selected = true;
                self.atr_info_selected = false;
                Some(StatusWord::Ok.to_bytes().to_vec())
            }
            ins::READ_BINARY
                if (cmd.p1 == 0x9C || (cmd.p1 & 0x80 == 0 && self.card_access_selected)) && !self.app_selected =>
            {
                let offset = if cmd.p1 & 0x80 != 0 {
                    usize::from(cmd.p2)
                } else {
                    (usize::from(cmd.p1) << 8) | usize::from(cmd.p2)
                };
                self.card_access_selected = true;
                let rest = content.get(offset..)?;
                let n = rest.len().min(cmd.ne as usize);
                let sw = if n < cmd.ne as usize { StatusWord::EndOfFile } else { StatusWord::Ok };
                Some(ok(rest.get(..n).unwrap_or_default().to_vec(), sw))
            }
            _ => None,
        }
    }

    /// EF.ATR/INFO (MF, FID 2F01), when the profile has it: selected by FID, read plain.
    pub(super) fn atr_info(&mut self, cmd: &ParsedCommand<'_>) -> Option<Vec<u8>> {
        if !self.profile.atr_info || self.app_selected {
            return None;
        }
        match cmd.ins {
            ins::SELECT if matches!(cmd.p1, 0x00 | 0x02) && cmd.data == [0x2F, 0x01] => {
                self.atr_info_selected = true;
                self.card_access_selected = false;
                Some(StatusWord::Ok.to_bytes().to_vec())
            }
            ins::READ_BINARY if cmd.p1 & 0x80 == 0 && self.atr_info_selected => {
                let content = self.profile.atr_info_file();
                let offset = (usize::from(cmd.p1) << 8) | usize::from(cmd.p2);
                let rest = content.get(offset..).unwrap_or_default();
                let n = rest.len().min(cmd.ne as usize);
                let sw = if n < cmd.ne as usize { StatusWord::EndOfFile } else { StatusWord::Ok };
                let mut out = rest.get(..n).unwrap_or_default().to_vec();
                out.extend_from_slice(&sw.to_bytes());
                Some(out)
            }
            _ => None,
        }
    }

    /// MSE:Set AT and GENERAL AUTHENTICATE of PACE, plain or inside secure messaging
    /// (a PACE with the PIN after one with the CAN). `None` for other commands; otherwise
    /// the answer and, when PACE completed, the new channel.
    pub(super) fn pace_command(
        &mut self,
        ins_: u8,
        p1p2: (u8, u8),
        data: &[u8],
    ) -> Option<(Vec<u8>, StatusWord, Option<Box<ChipChannel>>)> {
        let offered = self.doc.spec().pace?;
        match (ins_, p1p2) {
            (ins::MSE, (0xC1, 0xA4)) => {
                self.pace_run = None;
                let mut oid = Vec::new();
                let mut reference = 0u8;
                let mut param = None;
                for t in tlv::iter(data).flatten() {
                    match t.tag.value() {
                        0x80 => oid = t.value.to_vec(),
                        0x83 => reference = t.value.first().copied().unwrap_or(0),
                        0x84 => param = t.value.first().map(|&b| u32::from(b)),
                        _ => {}
                    }
                }
                let (password, warning) = match self.password(reference) {
                    Ok(p) => p,
                    Err(sw) => return Some((vec![], sw, None)),
                };
                if let Some(custom) =
                    self.custom_pace.iter().find(|c| oid == c.protocol.oid().as_bytes() && param == Some(c.id))
                {
                    let ca_key = custom.ca_key.clone();
                    let p = PaceChip::start_custom(custom.protocol, custom.group.clone(), password, ca_key);
                    self.pace_run = Some((Box::new(p), reference));
                    return Some((vec![], warning, None));
                }
                let ca_key = self.doc.chip_authentication_key().map(|(sk, _)| sk);
                let spec = self.doc.spec();
                let group_id = spec.pace_explicit.unwrap_or(offered.1);
                // A chip that names no parameter set does not know a reference to one.
                if spec.pace_without_parameter_id && spec.pace_explicit.is_some() && param.is_some() {
                    return Some((vec![], StatusWord::WrongData, None));
                }
                let bad_key = match self.hostile {
                    Some(Hostile::PaceKey(kind)) => Some(kind),
                    _ => None,
                };
                Some(match PaceChip::start(offered, &oid, param, password, ca_key, group_id) {
                    Ok(p) => {
                        let p = p.with_bad_key(bad_key);
                        self.pace_run = Some((Box::new(p), reference));
                        (vec![], warning, None)
                    }
                    Err(sw) => (vec![], sw, None),
                })
            }
            (ins::GENERAL_AUTHENTICATE, (0x00, 0x00)) => {
                let Some((pace, reference)) = self.pace_run.as_mut() else {
                    return Some((vec![], StatusWord::ConditionsNotSatisfied, None));
                };
                let reference = *reference;
                Some(match pace.step(data, &mut self.rng) {
                    GaResult::Continue(d, sw) => (d, sw, None),
                    GaResult::Established(d, channel) => {
                        self.pace_run = None;
                        match reference {
                            REF_CAN => self.can_verified = true,
                            REF_PIN => self.pin_tries = PIN_TRIES,
                            REF_PUK => self.puk_tries = PUK_TRIES,
                            _ => {}
                        }
                        self.session_password = Some(reference);
                        (d, StatusWord::Ok, Some(channel))
                    }
                    GaResult::Failed(sw) => {
                        self.pace_run = None;
                        (vec![], self.count_failure(reference, sw), None)
                    }
                })
            }
            _ => None,
        }
    }

    /// The password for a reference, with the status MSE:Set AT answers when it starts:
    /// `9000`, or `63CX` as a warning that the PIN has been mistyped before.
    pub(super) fn password(&self, reference: u8) -> Result<(Zeroizing<Vec<u8>>, StatusWord), StatusWord> {
        let spec = self.doc.spec();
        let ascii = |s: &str| Zeroizing::new(s.as_bytes().to_vec());
        match reference {
            1 => {
                let key = self.access_mrz.clone().unwrap_or_else(|| self.doc.mrz_key());
                Ok((crate::access::pace::PacePassword::mrz(&key.mrz_information()).key_material(), StatusWord::Ok))
            }
            REF_CAN => Ok((ascii(&spec.can), StatusWord::Ok)),
            REF_PIN => {
                let pin = self.new_pin.as_deref().map(String::as_str).or(spec.pin.as_deref());
                let pin = pin.ok_or(StatusWord::ReferenceNotFound)?;
                match self.pin_tries {
                    0 => Err(StatusWord::AuthenticationBlocked),
                    // Suspended: only after a PACE with the CAN in this session.
                    1 if !self.can_verified => Err(StatusWord::TriesLeft(1)),
                    n if n < PIN_TRIES && !self.can_verified => Ok((ascii(pin), StatusWord::TriesLeft(n))),
                    _ => Ok((ascii(pin), StatusWord::Ok)),
                }
            }
            REF_PUK => {
                let puk = spec.puk.as_deref().ok_or(StatusWord::ReferenceNotFound)?;
                if self.puk_tries == 0 {
                    Err(StatusWord::AuthenticationBlocked)
                } else {
                    Ok((ascii(puk), StatusWord::Ok))
                }
            }
            _ => Err(StatusWord::ReferenceNotFound),
        }
    }

    /// A failed PACE costs a try of a PIN or PUK: answer `63CX` with the tries left.
    pub(super) fn count_failure(&mut self, reference: u8, sw: StatusWord) -> StatusWord {
        if sw != StatusWord::AuthenticationFailed {
            return sw;
        }
        let counter = match reference {
            REF_PIN => &mut self.pin_tries,
            REF_PUK => &mut self.puk_tries,
            _ => return sw,
        };
        *counter = counter.saturating_sub(1);
        StatusWord::TriesLeft(*counter)
    }

    /// MSE/GA in the plain: a completed PACE opens the channel.
    pub(super) fn pace(&mut self, cmd: &ParsedCommand<'_>) -> Option<Vec<u8>> {
        let (mut data, sw, channel) = self.pace_command(cmd.ins, (cmd.p1, cmd.p2), cmd.data)?;
        if let Some(channel) = channel {
            self.state = State::Secured(channel);
            self.card_access_selected = false;
            self.in_mf = !self.app_selected;
        } else if !matches!(self.state, State::Idle) {
            self.state = State::Idle;
        }
        data.extend_from_slice(&sw.to_bytes());
        Some(data)
    }

    pub(super) fn plain(&mut self, cmd: &ParsedCommand<'_>) -> Vec<u8> {
        if let Some(r) = self.card_access(cmd) {
            return r;
        }
        if let Some(r) = self.atr_info(cmd) {
            return r;
        }
        if let Some(r) = self.pace(cmd) {
            return r;
        }
        if !self.profile.bac && matches!(cmd.ins, ins::GET_CHALLENGE | ins::EXTERNAL_AUTHENTICATE) {
            return StatusWord::InsNotSupported.to_bytes().to_vec();
        }
        let sw = match (cmd.ins, &self.state) {
            (ins::SELECT, _) if cmd.p1 == 0x04 => {
                if cmd.data == EMRTD_AID {
                    self.app_selected = true;
                    self.card_access_selected = false;
                    self.state = State::Idle;
                    StatusWord::Ok
                } else {
                    StatusWord::FileNotFound
                }
            }
            (ins::GET_CHALLENGE, _) if self.app_selected => {
                if cmd.ne != 8 {
                    StatusWord::WrongLength
                } else {
                    let mut rnd = Zeroizing::new([0u8; 8]);
                    self.rng.fill_bytes(&mut rnd[..]);
                    let mut out = rnd.to_vec();
                    self.state = State::Challenged(rnd);
                    out.extend_from_slice(&StatusWord::Ok.to_bytes());
                    return out;
                }
            }
            (ins::EXTERNAL_AUTHENTICATE, State::Challenged(_)) => return self.external_authenticate(cmd),
            (ins::EXTERNAL_AUTHENTICATE, _) => StatusWord::ConditionsNotSatisfied,
            (ins::SELECT | ins::READ_BINARY | ins::READ_BINARY_ODD, _) if self.app_selected => {
                StatusWord::SecurityStatusNotSatisfied
            }
            (ins::SELECT | ins::READ_BINARY | ins::READ_BINARY_ODD | ins::GET_CHALLENGE, _) => {
                StatusWord::ConditionsNotSatisfied
            }
            _ => StatusWord::InsNotSupported,
        };
        sw.to_bytes().to_vec()
    }

    /// BAC, chip side (ICAO 9303-11 §4.3): check the terminal's MAC and nonce, answer
    /// with ours, derive the session keys.
    pub(super) fn external_authenticate(&mut self, cmd: &ParsedCommand<'_>) -> Vec<u8> {
        let State::Challenged(rnd_ic) = core::mem::replace(&mut self.state, State::Idle) else {
            return StatusWord::ConditionsNotSatisfied.to_bytes().to_vec();
        };
        let denied = StatusWord::AuthenticationFailed.to_bytes().to_vec();
        let (e_ifd, m_ifd) = match cmd.data.split_at_checked(32) {
            Some((e, m)) if m.len() == 8 => (e, m),
            _ => return StatusWord::WrongLength.to_bytes().to_vec(),
        };
        let mac = RetailMacKey::new(self.keys.k_mac());
        if !ct_eq(&mac.mac_padded(&[e_ifd]), m_ifd) {
            return denied;
        }
        let cipher = self.keys.k_enc().cipher();
        let Ok(e_ifd) = <[u8; 32]>::try_from(e_ifd) else {
            return StatusWord::WrongLength.to_bytes().to_vec();
        };
        let mut s = Zeroizing::new(e_ifd);
        if tdes::cbc_decrypt(&cipher, &[0; 8], &mut s[..]).is_err() {
            return denied;
        }
        let (rnd_ifd, rnd_ic_echo, k_ifd) = bac::unblock(&s);
        if !ct_eq(&rnd_ic_echo[..], &rnd_ic[..]) {
            return denied;
        }
        let mut k_ic = Zeroizing::new([0u8; 16]);
        self.rng.fill_bytes(&mut k_ic[..]);
        let mut r = bac::block(&rnd_ic, &rnd_ifd, &k_ic);
        if tdes::cbc_encrypt(&cipher, &[0; 8], &mut r[..]).is_err() {
            return StatusWord::NoPreciseDiagnosis.to_bytes().to_vec();
        }
        let mut out = r.to_vec();
        out.extend_from_slice(&mac.mac_padded(&[&r[..]]));
        out.extend_from_slice(&StatusWord::Ok.to_bytes());
        let (suite, ssc) = bac::session(&k_ifd, &k_ic, &rnd_ic, &rnd_ifd);
        self.state = State::Secured(Box::new(ChipChannel::new(suite, &ssc)));
        out
    }
}
