//! The chip inside secure messaging: the commands it serves, faults injected on the
//! way out, Chip Authentication, READ BINARY.

use zeroize::Zeroizing;

use super::modes::{Fault, Hostile};
use super::{EMRTD_AID, PIN_TRIES, REF_PIN, REF_PUK, State, VirtualChip};
use crate::apdu::{ParsedCommand, StatusWord, ins};
use crate::lds::LdsFile;
use crate::sm::OpenedCommand;
use crate::tlv::{self, Tag};

impl VirtualChip {
    pub(super) fn secured(&mut self, cmd: &ParsedCommand<'_>) -> Vec<u8> {
        // A plain SELECT of the application restarts; any other plain command ends SM.
        if cmd.cla & 0x0C != 0x0C {
            if cmd.ins == ins::SELECT && cmd.p1 == 0x04 {
                return self.plain(cmd);
            }
            self.state = State::Idle;
            return StatusWord::SmObjectsMissing.to_bytes().to_vec();
        }
        let State::Secured(channel) = &mut self.state else {
            return StatusWord::ConditionsNotSatisfied.to_bytes().to_vec();
        };
        let opened = match channel.open_command(cmd) {
            Ok(o) => o,
            Err(_) => {
                self.state = State::Idle;
                return StatusWord::SmObjectsIncorrect.to_bytes().to_vec();
            }
        };
        let index = self.protected_seen;
        self.protected_seen += 1;
        let fault = match self.faults.front() {
            Some(&(at, f)) if at == index => {
                self.faults.pop_front();
                Some(f)
            }
            _ => None,
        };
        if let Some(Fault::Unprotected(sw)) = fault {
            self.state = State::Idle;
            return sw.to_bytes().to_vec();
        }
        // A chip that refuses an EAC-protected group outside secure messaging ends it.
        let targets_dg3 = match opened.ins {
            ins::SELECT => opened.data.as_slice() == [0x01, 0x03],
            ins::READ_BINARY => opened.p1 == 0x83,
            _ => false,
        };
        if targets_dg3 && self.profile.eac_refusal_ends_sm && self.doc.spec().eac_protected_dg3 {
            self.state = State::Idle;
            return StatusWord::SecurityStatusNotSatisfied.to_bytes().to_vec();
        }
        let reads = matches!(opened.ins, ins::READ_BINARY | ins::READ_BINARY_ODD);
        if reads && self.hostile == Some(Hostile::UnprotectedErrors) {
            return StatusWord::FileNotFound.to_bytes().to_vec();
        }
        let (data, sw) = match &mut self.hostile {
            Some(Hostile::Scripted(script)) => match script.pop_front() {
                Some(mut answer) if answer.len() >= 2 => {
                    let sw2 = answer.pop().unwrap_or(0);
                    let sw1 = answer.pop().unwrap_or(0);
                    (answer, StatusWord::from_bytes(sw1, sw2))
                }
                _ => (vec![], StatusWord::FileNotFound),
            },
            _ => self.process(&opened),
        };
        let odd = opened.ins & 1 == 1;
        let State::Secured(channel) = &mut self.state else {
            return StatusWord::ConditionsNotSatisfied.to_bytes().to_vec();
        };
        match fault {
            Some(Fault::SkewCounter(n)) => channel.protect_response_with_offset(&data, sw, odd, n),
            Some(Fault::TamperResponseMac) => {
                let mut r = channel.protect_response(&data, sw, odd);
                let n = r.len();
                if let Some(b) = r.get_mut(n.saturating_sub(3)) {
                    *b ^= 0x01;
                }
                r
            }
            _ => {
                let r = channel.protect_response(&data, sw, odd);
                if let Some(next) = self.pending_channel.take() {
                    self.state = State::Secured(next);
                    self.current = None;
                }
                self.tamper(r)
            }
        }
    }

    /// The wire-level hostile modes, applied to a protected response.
    pub(super) fn tamper(&mut self, mut r: Vec<u8>) -> Vec<u8> {
        let n = r.len();
        match self.hostile {
            Some(Hostile::WrongMac) => {
                if let Some(b) = r.get_mut(n.saturating_sub(3)) {
                    *b ^= 0x01;
                }
                r
            }
            // … ‖ 8E 08 MAC ‖ SW1 SW2: drop the MAC object.
            Some(Hostile::MissingMac) if n >= 12 => {
                r.drain(n - 12..n - 2);
                r
            }
            Some(Hostile::ReplayedResponses) => {
                let previous = core::mem::replace(&mut self.last_protected, r.clone());
                if previous.is_empty() { r } else { previous }
            }
            Some(Hostile::TruncatedResponses) if n > 4 => {
                let sw = r.split_off(n - 2);
                r.truncate((n - 2) / 2);
                r.extend_from_slice(&sw);
                r
            }
            _ => r,
        }
    }

    pub(super) fn process(&mut self, cmd: &OpenedCommand) -> (Vec<u8>, StatusWord) {
        if let Some(Hostile::LeaveOnExtraGroup(n)) = self.hostile {
            let asked = match cmd.ins {
                ins::SELECT => cmd.data.as_slice() == [0x01, n],
                ins::READ_BINARY => cmd.p1 == 0x80 | (n & 0x1F),
                _ => false,
            };
            if asked {
                self.reset();
                self.departed = true;
                return (vec![], StatusWord::NoPreciseDiagnosis);
            }
        }
        // 0x10: command chaining, which GENERAL AUTHENTICATE uses.
        if cmd.cla != 0x00 && !(cmd.cla == 0x10 && cmd.ins == ins::GENERAL_AUTHENTICATE) {
            return (vec![], StatusWord::ClaNotSupported);
        }
        match cmd.ins {
            ins::SELECT => match (cmd.p1, cmd.data.as_slice()) {
                (0x04, aid) if aid == EMRTD_AID => {
                    self.current = None;
                    self.in_mf = false;
                    self.card_security_current = false;
                    (vec![], StatusWord::Ok)
                }
                (0x00 | 0x02, &[0x01, 0x1D]) if self.in_mf => {
                    self.current = None;
                    self.card_security_current = self.doc.card_security().is_some();
                    let sw = if self.card_security_current { StatusWord::Ok } else { StatusWord::FileNotFound };
                    (vec![], sw)
                }
                (0x00 | 0x02, _) if self.in_mf => (vec![], StatusWord::FileNotFound),
                (0x00 | 0x02, &[a, b]) => match self.doc.files().find(|(f, _)| f.fid() == [a, b]) {
                    Some((f, _)) if self.eac_protected(f) => (vec![], StatusWord::SecurityStatusNotSatisfied),
                    Some((f, _)) => {
                        if self.hostile == Some(Hostile::ChangingAnswers) && f.sfi() == 1 {
                            self.hostile_step = self.hostile_step.wrapping_add(1);
                        }
                        self.current = Some(f);
                        self.card_security_current = false;
                        (vec![], StatusWord::Ok)
                    }
                    None => (vec![], StatusWord::FileNotFound),
                },
                _ => (vec![], StatusWord::WrongP1P2),
            },
            ins::READ_BINARY | ins::READ_BINARY_ODD => self.read_binary(cmd),
            ins::GET_CHALLENGE => {
                let mut r = vec![0u8; 8];
                self.rng.fill_bytes(&mut r);
                (r, StatusWord::Ok)
            }
            // RESET RETRY COUNTER of the PIN, only in a session opened with the PUK: `03`
            // resets the counter, `02` also sets the PIN given as data (4 to 6 digits here).
            ins::RESET_RETRY_COUNTER if matches!((cmd.p1, cmd.p2), (0x02 | 0x03, REF_PIN)) => {
                let new_pin = (cmd.p1 == 0x02).then(|| String::from_utf8(cmd.data.to_vec()).ok()).flatten();
                let valid = cmd.p1 == 0x03
                    || new_pin
                        .as_ref()
                        .is_some_and(|p| (4..=6).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
                if self.session_password != Some(REF_PUK) || self.doc.spec().pin.is_none() {
                    (vec![], StatusWord::SecurityStatusNotSatisfied)
                } else if !valid {
                    (vec![], StatusWord::WrongData)
                } else {
                    self.pin_tries = PIN_TRIES;
                    if let Some(p) = new_pin {
                        self.new_pin = Some(Zeroizing::new(p));
                    }
                    (vec![], StatusWord::Ok)
                }
            }
            ins::MSE | ins::INTERNAL_AUTHENTICATE
                if self.hostile == Some(Hostile::RefuseChipProofs)
                    && (cmd.ins == ins::INTERNAL_AUTHENTICATE || cmd.p1 == 0x41) =>
            {
                (vec![], StatusWord::ConditionsNotSatisfied)
            }
            ins::MSE | ins::GENERAL_AUTHENTICATE if let Some(r) = self.chip_authentication(cmd) => r,
            ins::INTERNAL_AUTHENTICATE => match (cmd.data.len(), self.doc.secrets().aa.clone()) {
                (8, Some(key)) => match key.sign(&cmd.data, &mut self.rng) {
                    Some(sig) if sig.len() <= cmd.ne as usize => (sig, StatusWord::Ok),
                    Some(_) => (vec![], StatusWord::WrongLength),
                    None => (vec![], StatusWord::NoPreciseDiagnosis),
                },
                (8, None) => (vec![], StatusWord::InsNotSupported),
                _ => (vec![], StatusWord::WrongLength),
            },
            ins::MSE | ins::GENERAL_AUTHENTICATE => match self.pace_command(cmd.ins, (cmd.p1, cmd.p2), &cmd.data) {
                Some((data, sw, channel)) => {
                    self.pending_channel = channel;
                    (data, sw)
                }
                None => (vec![], StatusWord::WrongP1P2),
            },
            _ => (vec![], StatusWord::InsNotSupported),
        }
    }

    /// Chip Authentication (ICAO 9303-11 §6.2): MSE:Set KAT (3DES), or MSE:Set AT then
    /// GENERAL AUTHENTICATE. The new channel takes over after this answer. `None` for
    /// commands that are not Chip Authentication's.
    pub(super) fn chip_authentication(&mut self, cmd: &OpenedCommand) -> Option<(Vec<u8>, StatusWord)> {
        use crate::chip_auth::protocol::Cipher;
        let (group, secret, spec) = self.doc.secrets().ca.clone()?;
        let field =
            |tag: u32| tlv::iter(&cmd.data).flatten().find(|t| t.tag == Tag::new(tag)).map(|t| t.value.to_vec());
        let key_ok = |id: Option<Vec<u8>>| match (id, spec.key_id) {
            (Some(given), Some(ours)) => given == crate::chip_auth::key_id_bytes(ours),
            (Some(_), None) => false,
            (None, _) => true,
        };
        let finish = |chip: &mut Self, pk: &[u8], cipher: Cipher, answer: Vec<u8>| {
            match crate::emulator::anti_cloning::ca_channel(&group, &secret, pk, cipher) {
                Some(ch) => {
                    chip.pending_channel = Some(ch);
                    (answer, StatusWord::Ok)
                }
                None => (vec![], StatusWord::WrongData),
            }
        };
        match (cmd.ins, cmd.p1, cmd.p2) {
            (ins::MSE, 0x41, 0xA6) => {
                self.ca_pending = None;
                if spec.protocol.cipher != Cipher::Tdes {
                    return Some((vec![], StatusWord::ConditionsNotSatisfied));
                }
                if !key_ok(field(0x84)) {
                    return Some((vec![], StatusWord::ReferenceNotFound));
                }
                let pk = field(0x91)?;
                Some(finish(self, &pk, Cipher::Tdes, vec![]))
            }
            (ins::MSE, 0x41, 0xA4) => {
                self.ca_pending = None;
                if field(0x80).as_deref() != Some(spec.protocol.oid().as_bytes()) {
                    return Some((vec![], StatusWord::WrongData));
                }
                if !key_ok(field(0x84)) {
                    return Some((vec![], StatusWord::ReferenceNotFound));
                }
                self.ca_pending = Some(spec.protocol.cipher);
                Some((vec![], StatusWord::Ok))
            }
            (ins::GENERAL_AUTHENTICATE, 0x00, 0x00) => {
                let cipher = self.ca_pending.take()?;
                let Ok(pk) = crate::access::pace::dyn_auth_field(&cmd.data, 0x80, "GA") else {
                    return Some((vec![], StatusWord::WrongData));
                };
                Some(finish(self, &pk, cipher, vec![0x7C, 0x00]))
            }
            _ => None,
        }
    }

    /// DG3 when the document makes it need Extended Access Control (which this chip
    /// does not implement, so it never releases it).
    pub(super) fn eac_protected(&self, f: LdsFile) -> bool {
        self.doc.spec().eac_protected_dg3 && matches!(f, LdsFile::Dg(d) if d.get() == 3)
    }

    pub(super) fn read_binary(&mut self, cmd: &OpenedCommand) -> (Vec<u8>, StatusWord) {
        let limit = if cmd.extended { self.profile.max_extended_ne.unwrap_or(0) } else { self.profile.max_short_ne };
        if cmd.ne == 0 || cmd.ne > limit {
            return (vec![], StatusWord::WrongLength);
        }
        let odd = cmd.ins == ins::READ_BINARY_ODD;
        let offset = if odd {
            match tlv::Tlv::parse_exact(&cmd.data) {
                Ok(t) if t.tag == Tag::new(0x54) && !t.value.is_empty() && t.value.len() <= 3 => {
                    t.value.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b))
                }
                _ => return (vec![], StatusWord::WrongData),
            }
        } else if cmd.p1 & 0x80 != 0 {
            if !self.profile.sfi {
                return (vec![], StatusWord::WrongP1P2);
            }
            let sfi = cmd.p1 & 0x1F;
            match self.doc.files().find(|(f, _)| f.sfi() == sfi) {
                Some((f, _)) if self.eac_protected(f) => return (vec![], StatusWord::SecurityStatusNotSatisfied),
                Some((f, _)) => {
                    self.current = Some(f);
                    self.card_security_current = false;
                }
                None => return (vec![], StatusWord::FileNotFound),
            }
            usize::from(cmd.p2)
        } else {
            (usize::from(cmd.p1 & 0x7F) << 8) | usize::from(cmd.p2)
        };
        let grown;
        let content = if self.card_security_current {
            self.doc.card_security()
        } else if self.hostile == Some(Hostile::GrowingFile) && self.current.is_some_and(|f| f.sfi() == 2) {
            // A new, longer DG2 at every read: 1 KiB more each time, its header updated.
            self.hostile_step = self.hostile_step.saturating_add(1);
            let mut body = self.current.and_then(|f| self.doc.file(f)).unwrap_or_default().to_vec();
            body.resize(body.len() + 1024 * self.hostile_step as usize, 0x47);
            grown = crate::tlv::encode_to_vec(crate::tlv::Tag::new(0x75), &body);
            Some(grown.as_slice())
        } else if self.hostile == Some(Hostile::ChangingAnswers) && self.current.is_some_and(|f| f.sfi() == 1) {
            // Another DG1 at every SELECT (and every SFI read): its last MRZ byte changes.
            if cmd.p1 & 0x80 != 0 {
                self.hostile_step = self.hostile_step.wrapping_add(1);
            }
            let mut changed = self.current.and_then(|f| self.doc.file(f)).unwrap_or_default().to_vec();
            if let Some(last) = changed.last_mut() {
                *last = b'0' + (self.hostile_step % 10) as u8;
            }
            grown = changed;
            Some(grown.as_slice())
        } else {
            self.current.and_then(|f| self.doc.file(f))
        };
        let Some(content) = content else {
            return (vec![], StatusWord::CommandNotAllowed);
        };
        let len = content.len();
        if offset > len {
            return (vec![], StatusWord::WrongParameters);
        }
        let rest = content.get(offset..).unwrap_or_default();
        let ne = cmd.ne as usize;
        if odd {
            // DO53 must fit in Ne with its header.
            let mut n = rest.len().min(ne.saturating_sub(2));
            while n > 0 && 1 + tlv::length_len(n) + n > ne {
                n -= 1;
            }
            let chunk = rest.get(..n).unwrap_or_default();
            let sw =
                if n < rest.len() || 1 + tlv::length_len(n) + n == ne { StatusWord::Ok } else { StatusWord::EndOfFile };
            return (tlv::encode_to_vec(Tag::new(0x53), chunk), sw);
        }
        let n = rest.len().min(ne);
        let sw = if n < ne { StatusWord::EndOfFile } else { StatusWord::Ok };
        (rest.get(..n).unwrap_or_default().to_vec(), sw)
    }
}
