//! The chip's side of secure messaging, for our emulator: open protected commands,
//! protect responses. Same suite and codec as the terminal side, mirrored.

use zeroize::Zeroizing;

use super::{DO8E, DO85, DO87, DO97, SmError, Ssc, Suite, with_ssc};
use crate::apdu::{ParsedCommand, StatusWord};
use crate::crypto::{ct_eq, padding};
use crate::tlv::{self, Tag};

/// A protected command after verification and decryption.
pub(crate) struct OpenedCommand {
    pub(crate) cla: u8,
    pub(crate) ins: u8,
    pub(crate) p1: u8,
    pub(crate) p2: u8,
    pub(crate) data: Zeroizing<Vec<u8>>,
    pub(crate) ne: u32,
    pub(crate) extended: bool,
}

/// The chip's secure-messaging state.
pub(crate) struct ChipChannel {
    suite: Suite,
    ssc: Ssc,
}

impl ChipChannel {
    pub(crate) fn new(suite: Suite, initial_ssc: &[u8]) -> Self {
        Self { suite, ssc: Ssc::new(initial_ssc) }
    }

    /// Moves the chip's counter (the emulator's "wrong SSC" fault).
    pub(crate) fn skew(&mut self, steps: u8) {
        for _ in 0..steps {
            self.ssc.increment();
        }
    }

    /// Verifies and decrypts a protected command (increments the SSC).
    pub(crate) fn open_command(&mut self, cmd: &ParsedCommand<'_>) -> Result<OpenedCommand, SmError> {
        self.ssc.increment();
        let suite = &self.suite;
        with_ssc(&self.ssc, |ssc| open(suite, ssc, cmd))
    }

    /// Protects a response (increments the SSC). `odd_ins` selects DO85 over DO87.
    pub(crate) fn protect_response(&mut self, data: &[u8], sw: StatusWord, odd_ins: bool) -> Vec<u8> {
        self.ssc.increment();
        let suite = &self.suite;
        with_ssc(&self.ssc, |ssc| protect(suite, ssc, data, sw, odd_ins))
    }

    /// Protects a response under an arbitrary counter offset (hostile-chip faults).
    pub(crate) fn protect_response_with_offset(
        &mut self,
        data: &[u8],
        sw: StatusWord,
        odd_ins: bool,
        extra: u8,
    ) -> Vec<u8> {
        self.skew(extra);
        self.protect_response(data, sw, odd_ins)
    }
}

fn open(suite: &Suite, ssc: &[u8], cmd: &ParsedCommand<'_>) -> Result<OpenedCommand, SmError> {
    if cmd.cla & 0x0C != 0x0C {
        return Err(SmError::Malformed("command is not protected"));
    }
    let block = suite.block_len();
    let mut cryptogram = None;
    let mut ne = 0u32;
    let mut le_len = 0usize;
    let mut mac = None;
    for item in tlv::iter(cmd.data) {
        let t = item.map_err(|_| SmError::Malformed("data objects are not valid BER-TLV"))?;
        if mac.is_some() {
            return Err(SmError::Malformed("data after the MAC object 8E"));
        }
        match t.tag {
            DO87 | DO85 if cryptogram.is_none() && ne == 0 && le_len == 0 => cryptogram = Some(t),
            DO97 if le_len == 0 => {
                le_len = t.value.len();
                let n = t.value.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b));
                ne = match (t.value.len(), n) {
                    (1, 0) => 256,
                    (2, 0) => 65536,
                    (1 | 2, n) => n,
                    _ => return Err(SmError::Malformed("bad DO97")),
                };
            }
            DO8E if t.value.len() == 8 => mac = Some(t),
            _ => return Err(SmError::Malformed("unexpected data object")),
        }
    }
    let mac = mac.ok_or(SmError::Malformed("MAC object 8E missing"))?;
    let mut padded_header = [0u8; 16];
    padded_header[..4].copy_from_slice(&[cmd.cla, cmd.ins, cmd.p1, cmd.p2]);
    padded_header[4] = 0x80;
    let header = padded_header.get(..block).unwrap_or(&padded_header);
    let body = cmd.data.get(..mac.offset).unwrap_or_default();
    if !ct_eq(&suite.mac(ssc, &[header, body]), mac.value) {
        return Err(SmError::BadMac);
    }
    let data = match cryptogram {
        None => Vec::new(),
        Some(c) => super::decrypt_cryptogram(suite, ssc, c)?,
    };
    Ok(OpenedCommand {
        cla: cmd.cla & !0x0C,
        ins: cmd.ins,
        p1: cmd.p1,
        p2: cmd.p2,
        data: Zeroizing::new(data),
        ne,
        extended: le_len == 2 || cmd.extended,
    })
}

fn protect(suite: &Suite, ssc: &[u8], data: &[u8], sw: StatusWord, odd_ins: bool) -> Vec<u8> {
    let block = suite.block_len();
    let mut out = Vec::with_capacity(data.len() + 40);
    if !data.is_empty() {
        let ct_len = data.len() + padding::pad_len(data.len(), block);
        let tag = if odd_ins { DO85 } else { DO87 };
        tag.encode(&mut out);
        tlv::encode_length(ct_len + usize::from(!odd_ins), &mut out);
        if !odd_ins {
            out.push(0x01);
        }
        let start = out.len();
        out.extend_from_slice(data);
        out.push(0x80);
        out.resize(start + ct_len, 0);
        if let Some(plain) = out.get_mut(start..) {
            // Whole blocks by construction.
            let _ = suite.encrypt(ssc, plain);
        }
    }
    let [a, b] = sw.to_bytes();
    out.extend_from_slice(&[0x99, 0x02, a, b]);
    let mac = suite.mac(ssc, &[&out]);
    Tag::new(0x8E).encode(&mut out);
    out.push(0x08);
    out.extend_from_slice(&mac);
    out.extend_from_slice(&sw.to_bytes());
    out
}
