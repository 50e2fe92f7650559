//! Secure messaging (ICAO 9303-11 §9.8; ISO/IEC 7816-4 §10).
//!
//! A [`SecureChannel`] exists only after an access-control protocol ran (its
//! constructor is crate-private; `access::bac` makes one). It owns the send sequence
//! counter (SSC) and increments it before every command and every response.
//!
//! Unwrapping follows one order, with no switch to turn checks off:
//! 1. an answer without data objects is an unprotected status word: the chip has
//!    left secure messaging ([`SmError::Unprotected`]);
//! 2. the data objects are parsed without copying: `87`/`85` (optional, first), `99`
//!    (required), `8E` (required, last); anything else is rejected;
//! 3. the MAC is checked in constant time over `SSC ‖ DOs`;
//! 4. only then is the cryptogram decrypted and its padding removed.
//!
//! Any failure closes the channel for good. When a MAC fails, the channel checks
//! whether the MAC would verify under a nearby counter value, so that a replayed or
//! lost message ([`SmError::CounterMismatch`]) is told apart from tampering
//! ([`SmError::BadMac`]).

#[cfg(any(feature = "emulator", test))]
mod chip;
mod suite;

#[cfg(any(feature = "emulator", test))]
pub(crate) use chip::{ChipChannel, OpenedCommand};
pub(crate) use suite::Suite;
pub use suite::{Cipher, SuiteKind};

use zeroize::Zeroizing;

use crate::apdu::{ApduError, Command, Le, Response, StatusWord};
use crate::crypto::{ct_eq, padding};
use crate::tlv::{self, Tag};
use crate::transport::{self, Transport, TransportError};

const DO85: Tag = Tag::new(0x85);
const DO87: Tag = Tag::new(0x87);
#[cfg(any(feature = "emulator", test))]
const DO97: Tag = Tag::new(0x97);
const DO99: Tag = Tag::new(0x99);
const DO8E: Tag = Tag::new(0x8E);

/// How far [`SmError::CounterMismatch`] diagnosis looks either side of the expected SSC.
const COUNTER_PROBE: i8 = 4;

/// A secure-messaging failure. After any of these the channel is closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmError {
    /// The chip answered with a bare status word (for example `6987` or `6988`): it has
    /// dropped its session keys. Nothing in such an answer is authenticated.
    #[error("the chip ended secure messaging with the unprotected status {0}")]
    Unprotected(StatusWord),
    /// The response MAC does not verify under the session keys: the response was
    /// altered in transit or does not come from the authenticated chip.
    #[error("the response MAC does not verify: the response was altered or not made with the session keys")]
    BadMac,
    /// The response MAC verifies, but under another send sequence counter value: a
    /// message was replayed, lost or answered twice. `delta` is the chip's counter
    /// minus ours.
    #[error("send sequence counters out of step (chip {delta:+}): a message was replayed or lost")]
    CounterMismatch {
        /// Chip's SSC minus the terminal's, as found by probing.
        delta: i8,
    },
    /// The response is not a valid secure-messaging structure.
    #[error("malformed secure-messaging response: {0}")]
    Malformed(&'static str),
    /// The channel was already closed by an earlier failure.
    #[error("the secure channel is closed after an earlier failure; authenticate again")]
    Closed,
    /// The chip refused an extended-length command with a bare `6700` before secure
    /// messaging saw it (the channel stays usable; see `transmit_probing_extended`).
    #[error("the chip does not accept extended-length commands")]
    ExtendedLengthRejected,
    /// The command could not be encoded.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// The link failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// Bytes of a protected response APDU (data and status word) that carries `n` bytes of
/// plaintext with `block`-byte cipher blocks: DO`87` (tag, length, padding indicator,
/// padded data), DO`99` (4), DO`8E` (10), SW (2).
#[must_use]
pub fn protected_response_len(n: usize, block: usize) -> usize {
    let padded = (n / block.max(1) + 1) * block.max(1);
    let content = 1 + padded;
    let len_len = crate::tlv::length_len(content);
    1 + len_len + content + 4 + 10 + 2
}

/// The largest plaintext a protected response of at most `r` bytes carries, for either
/// suite (AES's 16-byte blocks pad the most).
#[must_use]
pub fn max_plaintext_in(r: usize) -> usize {
    let mut n = r.saturating_sub(1 + 4 + 1 + 16 + 4 + 10 + 2);
    while protected_response_len(n + 1, 16) <= r {
        n += 1;
    }
    while n > 0 && protected_response_len(n, 16) > r {
        n -= 1;
    }
    n
}

/// The send sequence counter: a big-endian integer as long as the cipher block.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ssc {
    value: u128,
    len: usize,
}

impl Ssc {
    pub(crate) fn new(initial: &[u8]) -> Self {
        let len = initial.len().min(16);
        let value = initial.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
        Self { value, len }
    }

    fn mask(&self) -> u128 {
        if self.len >= 16 { u128::MAX } else { (1u128 << (8 * self.len)) - 1 }
    }

    pub(crate) fn increment(&mut self) {
        self.value = self.value.wrapping_add(1) & self.mask();
    }

    fn offset(&self, delta: i8) -> Self {
        let v = if delta >= 0 {
            self.value.wrapping_add(delta.unsigned_abs().into())
        } else {
            self.value.wrapping_sub(delta.unsigned_abs().into())
        };
        Self { value: v & self.mask(), len: self.len }
    }

    /// The counter's bytes; only the first `len` are meaningful.
    pub(crate) fn bytes(&self) -> ([u8; 16], usize) {
        let all = self.value.to_be_bytes();
        let mut out = [0u8; 16];
        for (dst, src) in out.iter_mut().zip(all.iter().skip(16 - self.len)) {
            *dst = *src;
        }
        (out, self.len)
    }
}

/// Calls `f` with the SSC's bytes as a slice.
fn with_ssc<R>(ssc: &Ssc, f: impl FnOnce(&[u8]) -> R) -> R {
    let (buf, len) = ssc.bytes();
    f(buf.get(..len).unwrap_or(&buf))
}

/// Builds the protected form of `cmd` (ICAO 9303-11 §9.8.4): masked CLA, the data as
/// DO87 (even INS) or DO85 (odd INS), Ne as DO97, and the MAC as DO8E.
pub(crate) fn wrap_command(suite: &Suite, ssc: &[u8], cmd: &Command<'_>) -> Result<Zeroizing<Vec<u8>>, SmError> {
    let block = suite.block_len();
    let cla = cmd.cla | 0x0C;
    let mut padded_header = [0u8; 16];
    padded_header[..4].copy_from_slice(&[cla, cmd.ins, cmd.p1, cmd.p2]);
    padded_header[4] = 0x80;
    let padded_header = padded_header.get(..block).unwrap_or(&padded_header);

    let mut body = Zeroizing::new(Vec::with_capacity(cmd.data.len() + 48));
    if !cmd.data.is_empty() {
        let odd = cmd.ins & 1 == 1;
        let ct_len = cmd.data.len() + padding::pad_len(cmd.data.len(), block);
        let value_len = ct_len + usize::from(!odd);
        (if odd { DO85 } else { DO87 }).encode(&mut body);
        tlv::encode_length(value_len, &mut body);
        if !odd {
            body.push(0x01); // padding-content indicator: method 2
        }
        let start = body.len();
        body.extend_from_slice(cmd.data);
        body.push(0x80);
        body.resize(start + ct_len, 0);
        let plain = body.get_mut(start..).ok_or(SmError::Malformed("internal: command buffer"))?;
        suite.encrypt(ssc, plain).map_err(|_| SmError::Malformed("internal: block alignment"))?;
    }
    let extended = cmd.is_extended();
    if let Le::Ne(ne) = cmd.le {
        if extended {
            let [a, b] = ((ne & 0xFFFF) as u16).to_be_bytes();
            body.extend_from_slice(&[0x97, 0x02, a, b]);
        } else {
            body.extend_from_slice(&[0x97, 0x01, (ne & 0xFF) as u8]);
        }
    }
    let mac = suite.mac(ssc, &[padded_header, &body]);
    body.extend_from_slice(&[0x8E, 0x08]);
    body.extend_from_slice(&mac);
    let outer_extended = extended || body.len() > 255;
    let outer = Command {
        cla,
        ins: cmd.ins,
        p1: cmd.p1,
        p2: cmd.p2,
        data: &body,
        le: if outer_extended { Le::MAX_EXTENDED } else { Le::MAX_SHORT },
        force_extended: outer_extended,
    };
    Ok(Zeroizing::new(outer.to_vec()?))
}

/// The data objects of a protected response, borrowed.
struct ResponseDos<'a> {
    cryptogram: Option<tlv::Tlv<'a>>,
    status: [u8; 2],
    mac_input: &'a [u8],
    mac: &'a [u8],
}

fn parse_response_dos(data: &[u8]) -> Result<ResponseDos<'_>, SmError> {
    let mut cryptogram = None;
    let mut status = None;
    let mut mac = None;
    for item in tlv::iter(data) {
        let t = item.map_err(|_| SmError::Malformed("data objects are not valid BER-TLV"))?;
        if mac.is_some() {
            return Err(SmError::Malformed("data after the MAC object 8E"));
        }
        match t.tag {
            DO87 | DO85 if cryptogram.is_none() && status.is_none() => cryptogram = Some(t),
            DO99 if status.is_none() => {
                let sw: [u8; 2] =
                    t.value.try_into().map_err(|_| SmError::Malformed("status object 99 is not two bytes"))?;
                status = Some(sw);
            }
            DO8E => {
                if t.value.len() != 8 {
                    return Err(SmError::Malformed("MAC object 8E is not eight bytes"));
                }
                mac = Some(t);
            }
            DO87 | DO85 | DO99 => return Err(SmError::Malformed("duplicate or misordered data object")),
            _ => return Err(SmError::Malformed("unexpected data object")),
        }
    }
    let mac = mac.ok_or(SmError::Malformed("MAC object 8E missing"))?;
    let status = status.ok_or(SmError::Malformed("status object 99 missing"))?;
    let mac_input = data.get(..mac.offset).ok_or(SmError::Malformed("internal: MAC offset"))?;
    Ok(ResponseDos { cryptogram, status, mac_input, mac: mac.value })
}

/// Checks and opens a protected response. The MAC is checked before anything is decrypted.
pub(crate) fn unwrap_response(suite: &Suite, ssc: &[u8], data: &[u8], sw: StatusWord) -> Result<Response, SmError> {
    if data.is_empty() {
        return Err(SmError::Unprotected(sw));
    }
    let dos = parse_response_dos(data)?;
    let expected = suite.mac(ssc, &[dos.mac_input]);
    if !ct_eq(&expected, dos.mac) {
        return Err(SmError::BadMac);
    }
    let status = StatusWord::from_bytes(dos.status[0], dos.status[1]);
    let plain = match dos.cryptogram {
        None => Vec::new(),
        Some(c) => decrypt_cryptogram(suite, ssc, c)?,
    };
    Ok(Response::new(plain, status))
}

fn decrypt_cryptogram(suite: &Suite, ssc: &[u8], c: tlv::Tlv<'_>) -> Result<Vec<u8>, SmError> {
    let ct = if c.tag == DO87 {
        match c.value.split_first() {
            Some((0x01, ct)) => ct,
            _ => return Err(SmError::Malformed("object 87 without padding indicator 01")),
        }
    } else {
        c.value
    };
    if ct.is_empty() || ct.len() % suite.block_len() != 0 {
        return Err(SmError::Malformed("cryptogram is not whole cipher blocks"));
    }
    let mut buf = ct.to_vec();
    suite.decrypt(ssc, &mut buf).map_err(|_| SmError::Malformed("cryptogram is not whole cipher blocks"))?;
    let plain_len = padding::unpad(&buf, suite.block_len()).map(<[u8]>::len);
    match plain_len {
        Some(n) => {
            buf.truncate(n);
            Ok(buf)
        }
        None => {
            zeroize::Zeroize::zeroize(&mut buf);
            Err(SmError::Malformed("bad padding inside an authenticated cryptogram"))
        }
    }
}

/// An authenticated secure-messaging channel to the chip (terminal side).
pub struct SecureChannel {
    suite: Suite,
    ssc: Ssc,
    open: bool,
}

impl core::fmt::Debug for SecureChannel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SecureChannel({}, {})", self.suite.kind(), if self.open { "open" } else { "closed" })
    }
}

impl SecureChannel {
    /// Only access-control protocols create channels.
    pub(crate) fn new(suite: Suite, initial_ssc: &[u8]) -> Self {
        Self { suite, ssc: Ssc::new(initial_ssc), open: true }
    }

    /// The cipher suite protecting the channel.
    #[must_use]
    pub fn suite(&self) -> SuiteKind {
        self.suite.kind()
    }

    /// Whether the channel can still be used.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Largest plaintext a short-length protected response can carry: 231 bytes for
    /// 3DES, 223 for AES (ICAO 9303-11 §9.8; `real-world-quirks.md` §5.3).
    #[must_use]
    pub fn max_short_read(&self) -> usize {
        // 256 − DO99 (4) − DO8E (10) − DO87 header (3 + indicator 1), rounded down to
        // whole blocks, minus the one padding byte.
        let room = 256 - 4 - 10 - 4;
        let block = self.suite.block_len();
        room / block * block - 1
    }

    /// Puts the counter back and reopens the channel (benchmarks only).
    pub(crate) fn reset_for_bench(&mut self, ssc: Ssc) {
        self.ssc = ssc;
        self.open = true;
    }

    /// Protects `cmd` (increments the SSC).
    pub(crate) fn protect(&mut self, cmd: &Command<'_>) -> Result<Zeroizing<Vec<u8>>, SmError> {
        if !self.open {
            return Err(SmError::Closed);
        }
        self.ssc.increment();
        let r = with_ssc(&self.ssc, |ssc| wrap_command(&self.suite, ssc, cmd));
        if r.is_err() {
            self.open = false;
        }
        r
    }

    /// Opens a response (increments the SSC). Closes the channel on any failure.
    pub(crate) fn unprotect(&mut self, data: &[u8], sw: StatusWord) -> Result<Response, SmError> {
        if !self.open {
            return Err(SmError::Closed);
        }
        self.ssc.increment();
        let result = with_ssc(&self.ssc, |ssc| unwrap_response(&self.suite, ssc, data, sw));
        match result {
            Ok(r) => Ok(r),
            Err(SmError::BadMac) => {
                self.open = false;
                Err(self.diagnose_mac_failure(data))
            }
            Err(e) => {
                self.open = false;
                Err(e)
            }
        }
    }

    /// After a MAC failure: would the MAC verify under a nearby counter? Runs only on
    /// a channel that is already closed, so it gives an attacker no oracle.
    fn diagnose_mac_failure(&self, data: &[u8]) -> SmError {
        let Ok(dos) = parse_response_dos(data) else { return SmError::BadMac };
        for delta in (-COUNTER_PROBE..=COUNTER_PROBE).filter(|&d| d != 0) {
            let probe = self.ssc.offset(delta);
            let mac = with_ssc(&probe, |ssc| self.suite.mac(ssc, &[dos.mac_input]));
            if ct_eq(&mac, dos.mac) {
                return SmError::CounterMismatch { delta };
            }
        }
        SmError::BadMac
    }

    /// Sends `cmd` protected and returns the chip's verified, decrypted answer. The
    /// status word inside is the authenticated one (DO99); a protected error status
    /// (`6A82`, `6982`…) is a normal [`Response`], and the channel stays open.
    ///
    /// # Errors
    /// [`SmError`]; the channel is closed afterwards.
    pub fn transmit<T: Transport + ?Sized>(&mut self, t: &mut T, cmd: &Command<'_>) -> Result<Response, SmError> {
        let raw = self.send(t, cmd)?;
        self.unprotect(raw.data(), raw.sw()).inspect_err(|e| {
            tracing::warn!(error = %e, "secure messaging failed; the channel is closed");
        })
    }

    /// Protects and sends `cmd`; a link failure closes the channel.
    fn send<T: Transport + ?Sized>(&mut self, t: &mut T, cmd: &Command<'_>) -> Result<Response, SmError> {
        let wrapped = self.protect(cmd)?;
        transport::exchange_raw(t, &wrapped).map_err(|e| {
            self.open = false;
            e.into()
        })
    }

    /// As [`SecureChannel::transmit`] for an extended-length command the chip may not
    /// support. Chips without extended length reject such a command with a bare `6700`
    /// before secure messaging processes it, so their counter did not move: the SSC is
    /// rewound and [`SmError::ExtendedLengthRejected`] returned with the channel open.
    /// If that assumption were wrong, the next response fails its MAC check and the
    /// channel closes: the tolerance cannot turn into accepting unauthenticated data.
    ///
    /// # Errors
    /// As [`SecureChannel::transmit`].
    pub fn transmit_probing_extended<T: Transport + ?Sized>(
        &mut self,
        t: &mut T,
        cmd: &Command<'_>,
    ) -> Result<Response, SmError> {
        let before = self.ssc;
        let raw = self.send(t, cmd)?;
        if raw.data().is_empty() && raw.sw() == StatusWord::WrongLength && cmd.is_extended() {
            self.ssc = before;
            return Err(SmError::ExtendedLengthRejected);
        }
        self.unprotect(raw.data(), raw.sw()).inspect_err(|e| {
            tracing::warn!(error = %e, "secure messaging failed; the channel is closed");
        })
    }
}

#[cfg(test)]
mod tests;
