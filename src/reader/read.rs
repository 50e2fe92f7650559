//! Reading one elementary file through secure messaging, adaptively (see the module
//! documentation of [`crate::reader`] for the strategy).

use super::options::{EXTENDED_FIRST, EXTENDED_MIN, ExtendedLength, ReadOptions, SHORT_LADDER};
use crate::apdu::{Command, Le, StatusWord, offset_do};
use crate::sm::{SecureChannel, SmError};
use crate::tlv::{self, Header, Length, Tag, TlvError};
use crate::transport::Transport;
use crate::transport::atr::AtrInfo;

/// The error for a refused file: DG3 and DG4 are the EAC-protected ones (ICAO 9303-10
/// §4.7.3–4.7.4).
fn refused(target: &Target) -> ReadError {
    if matches!(target.fid, [0x01, 0x03 | 0x04]) {
        ReadError::EacProtected { file: target.name.clone() }
    } else {
        ReadError::AccessDenied { file: target.name.clone() }
    }
}

/// Progress of one file read, reported after every chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The file, e.g. `"DG2"`.
    pub file: &'a str,
    /// Bytes read so far.
    pub read: usize,
    /// The file's size, once its header has been read (`None` for an indefinite length).
    pub total: Option<usize>,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Secure messaging failed; the channel is closed.
    #[error("secure messaging failed: {0}")]
    Sm(#[from] SmError),
    /// The chip refuses this file without further authentication (`6982`).
    #[error("reading {file} was refused: its access conditions are not satisfied")]
    AccessDenied {
        /// The file.
        file: String,
    },
    /// The chip refuses DG3 or DG4 (`6982`): they are protected by Extended Access
    /// Control, which needs Terminal Authentication with a certificate from the issuing
    /// state. Secure messaging stays up.
    #[error("{file} is protected by EAC: the chip releases it only after Terminal Authentication")]
    EacProtected {
        /// The file.
        file: String,
    },
    /// The chip answered with an error status.
    #[error("the chip answered {sw} reading {file} at offset {offset}")]
    ChipStatus {
        /// The file.
        file: String,
        /// Where the read was.
        offset: usize,
        /// The (authenticated) status word.
        sw: StatusWord,
    },
    /// The file claims to be larger than the configured limit.
    #[error("{file} claims {claimed} bytes, more than the limit of {limit}")]
    FileTooLarge {
        /// The file.
        file: String,
        /// Its claimed size.
        claimed: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The file does not start with a valid TLV header.
    #[error("{file} does not start with a valid TLV header: {source}")]
    BadHeader {
        /// The file.
        file: String,
        /// The TLV problem.
        source: TlvError,
    },
    /// The chip stopped delivering data before the end of the file, at every chunk size.
    #[error("the chip stopped delivering {file} at offset {offset} of {total:?}")]
    Stalled {
        /// The file.
        file: String,
        /// Bytes read.
        offset: usize,
        /// The size its header claimed.
        total: Option<usize>,
    },
    /// An odd-INS answer without a valid DO`53`.
    #[error("the chip's answer for {file} at offset {offset} is malformed: {reason}")]
    Malformed {
        /// The file.
        file: String,
        /// Where the read was.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
}

/// Chunk sizes that work with this chip, learnt during the session.
#[derive(Debug, Clone)]
pub(crate) struct ChunkState {
    ext: Option<u32>,
    short: u32,
    sfi: bool,
}

impl ChunkState {
    /// The chunk sizes to start with: extended length when the caller allows it, the
    /// reader path carries it and EF.ATR/INFO (when read) does not deny it, sized to the
    /// largest response the chip states.
    pub(crate) fn new(opts: &ReadOptions, link_extended: bool, hint: Option<AtrInfo>) -> Self {
        let allowed = opts.extended_length == ExtendedLength::Auto && link_extended;
        let ext = match hint {
            _ if !allowed => None,
            Some(AtrInfo { extended_length: Some(false), .. }) => None,
            Some(AtrInfo { max_response: Some(r), .. }) => {
                let n = u32::try_from(crate::sm::max_plaintext_in(r as usize)).unwrap_or(u32::MAX).min(EXTENDED_FIRST);
                // A chip whose responses are no longer than short ones gains nothing.
                (n > 256).then_some(n)
            }
            _ => Some(EXTENDED_FIRST),
        };
        Self { ext, short: opts.short_chunk.clamp(1, 256), sfi: opts.use_sfi }
    }

    pub(crate) fn extended(&self) -> Option<u32> {
        self.ext
    }

    fn current(&self) -> (u32, bool) {
        match self.ext {
            Some(n) => (n, true),
            None => (self.short, false),
        }
    }

    /// Next smaller chunk size; false when there is none.
    fn step_down(&mut self) -> bool {
        if let Some(e) = self.ext {
            let half = e / 2;
            self.ext = (half >= EXTENDED_MIN).then_some(half);
            return true;
        }
        match SHORT_LADDER.iter().find(|&&n| n < self.short) {
            Some(&n) => {
                self.short = n;
                true
            }
            None => false,
        }
    }
}

/// Which file to read.
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) fid: [u8; 2],
    pub(crate) sfi: Option<u8>,
}

enum Outcome {
    Data,
    Done,
    Retry,
    NotFound,
}

/// The bytes of one file read so far, kept by the caller so that a read cut short (the
/// card left the field) continues from the last good offset in the next session.
/// Zeroized on drop: data groups carry personal data.
#[derive(Default)]
pub(crate) struct Partial {
    pub(crate) data: Vec<u8>,
    /// The size its header claimed, once known.
    pub(crate) total: Option<usize>,
}

impl Drop for Partial {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

struct FileRead<'a, 'b> {
    target: &'a Target,
    buf: &'b mut Partial,
    selected: bool,
    le_override: Option<u32>,
    limit: usize,
}

impl FileRead<'_, '_> {
    fn err_status(&self, sw: StatusWord) -> ReadError {
        ReadError::ChipStatus { file: self.target.name.clone(), offset: self.buf.data.len(), sw }
    }

    fn remaining(&self) -> Option<usize> {
        self.buf.total.map(|t| t.saturating_sub(self.buf.data.len()))
    }
}

pub(crate) fn read_file<T: Transport>(
    link: &mut T,
    ch: &mut SecureChannel,
    chunks: &mut ChunkState,
    opts: &ReadOptions,
    target: &Target,
    buf: &mut Partial,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Option<Vec<u8>>, ReadError> {
    let mut f = FileRead { target, buf, selected: false, le_override: None, limit: opts.max_file_size };
    // Each iteration makes progress, steps the ladder down, or ends: bound them anyway.
    let max_rounds = opts.max_file_size / 32 + 64;
    for _ in 0..max_rounds {
        if f.remaining() == Some(0) {
            return Ok(Some(core::mem::take(&mut f.buf.data)));
        }
        let via_sfi = !f.selected && f.buf.data.is_empty() && chunks.sfi && target.sfi.is_some();
        if !via_sfi && !f.selected {
            let sel = ch.transmit(link, &Command::select_ef(&target.fid))?;
            match sel.sw() {
                StatusWord::Ok => f.selected = true,
                StatusWord::FileNotFound => return Ok(None),
                StatusWord::SecurityStatusNotSatisfied => return Err(refused(target)),
                sw => return Err(f.err_status(sw)),
            }
        }
        match read_chunk(link, ch, chunks, &mut f, via_sfi)? {
            Outcome::Data => {
                if via_sfi {
                    // READ BINARY with an SFI made it the current EF.
                    f.selected = true;
                }
                progress(Progress { file: &target.name, read: f.buf.data.len(), total: f.buf.total });
            }
            Outcome::Done => {
                progress(Progress { file: &target.name, read: f.buf.data.len(), total: f.buf.total });
                return Ok(Some(core::mem::take(&mut f.buf.data)));
            }
            Outcome::Retry => {}
            Outcome::NotFound => return Ok(None),
        }
    }
    Err(ReadError::Stalled { file: target.name.clone(), offset: f.buf.data.len(), total: f.buf.total })
}

fn read_chunk<T: Transport>(
    link: &mut T,
    ch: &mut SecureChannel,
    chunks: &mut ChunkState,
    f: &mut FileRead<'_, '_>,
    via_sfi: bool,
) -> Result<Outcome, ReadError> {
    let offset = f.buf.data.len();
    let (chunk, extended) = chunks.current();
    let odd = offset > 0x7FFF;
    let mut ne = f.le_override.take().unwrap_or(chunk);
    if let Some(rem) = f.remaining() {
        // Never ask past the end: some chips answer that with an error.
        let want = rem + if odd { 2 + tlv::length_len(rem) } else { 0 };
        ne = ne.min(u32::try_from(want).unwrap_or(u32::MAX)).max(1);
    }
    let (do54, do54_len) = offset_do(u32::try_from(offset).unwrap_or(u32::MAX));
    let mut cmd = if via_sfi {
        Command::read_binary_sfi(f.target.sfi.unwrap_or(0), 0, Le::Ne(ne))
    } else if odd {
        Command::read_binary_odd(do54.get(..do54_len).unwrap_or_default(), Le::Ne(ne))
    } else {
        Command::read_binary(offset as u16, Le::Ne(ne))
    };
    cmd.force_extended = extended;
    let answer = if extended { ch.transmit_probing_extended(link, &cmd) } else { ch.transmit(link, &cmd) };
    let resp = match answer {
        Ok(r) => r,
        Err(SmError::ExtendedLengthRejected) => {
            chunks.ext = None;
            return Ok(Outcome::Retry);
        }
        Err(e) => return Err(e.into()),
    };
    let sw = resp.sw();
    let raw_payload = resp.data();
    let payload = if odd && !raw_payload.is_empty() {
        match tlv::Tlv::parse_exact(raw_payload) {
            Ok(t) if t.tag == Tag::new(0x53) => t.value,
            _ => {
                return Err(ReadError::Malformed { file: f.target.name.clone(), offset, reason: "expected one DO53" });
            }
        }
    } else {
        raw_payload
    };

    if !payload.is_empty() && matches!(sw, StatusWord::Ok | StatusWord::EndOfFile) {
        let take = f.remaining().map_or(payload.len(), |r| r.min(payload.len()));
        append_wiping(&mut f.buf.data, payload.get(..take).unwrap_or(payload), f.buf.total);
        if f.buf.data.len() > f.limit {
            return Err(ReadError::FileTooLarge {
                file: f.target.name.clone(),
                claimed: f.buf.data.len(),
                limit: f.limit,
            });
        }
        if f.buf.total.is_none() && offset == 0 {
            learn_total(f)?;
        }
        let short_answer = payload.len() < ne as usize && f.remaining().is_none_or(|r| r > 0);
        if f.buf.total.is_none() && (sw == StatusWord::EndOfFile || short_answer) {
            // Indefinite length: the chip says where the file ends.
            return Ok(Outcome::Done);
        }
        if f.remaining() == Some(0) {
            return Ok(Outcome::Done);
        }
        return Ok(Outcome::Data);
    }
    match sw {
        StatusWord::FileNotFound if offset == 0 => Ok(Outcome::NotFound),
        StatusWord::SecurityStatusNotSatisfied => Err(refused(f.target)),
        StatusWord::WrongP1P2
        | StatusWord::InsNotSupported
        | StatusWord::CommandNotAllowed
        | StatusWord::Other(0x6981)
            if via_sfi =>
        {
            // The chip does not take short EF identifiers: SELECT from now on.
            chunks.sfi = false;
            Ok(Outcome::Retry)
        }
        _ if f.buf.total.is_none() && offset > 0 && (sw.is_length_problem() || payload.is_empty()) => Ok(Outcome::Done),
        StatusWord::WrongLe(n) if n > 0 && f.le_override.is_none() => {
            f.le_override = Some(u32::from(n));
            Ok(Outcome::Retry)
        }
        sw if sw.is_length_problem() || (sw.is_ok() && payload.is_empty()) => {
            if chunks.step_down() {
                Ok(Outcome::Retry)
            } else if via_sfi {
                chunks.sfi = false;
                Ok(Outcome::Retry)
            } else {
                Err(ReadError::Stalled { file: f.target.name.clone(), offset, total: f.buf.total })
            }
        }
        sw => Err(f.err_status(sw)),
    }
}

/// Appends `more` to `buf` without leaving a copy of `buf` in freed memory: when the
/// allocation must grow, a new one is made (for `want` bytes, the file's size, when
/// known), the bytes are moved, and the old allocation is wiped before it is freed. Data
/// groups carry personal data; `Vec`'s own growth would leave each old buffer behind.
pub(crate) fn append_wiping(buf: &mut Vec<u8>, more: &[u8], want: Option<usize>) {
    let needed = buf.len().saturating_add(more.len());
    if needed.max(want.unwrap_or(0)) > buf.capacity() {
        let grow = if needed > buf.capacity() { buf.capacity().saturating_mul(2) } else { 0 };
        let capacity = want.unwrap_or(0).max(needed).max(grow);
        let mut grown = Vec::with_capacity(capacity);
        grown.extend_from_slice(buf);
        // Zeroize for Vec wipes the elements and the spare capacity.
        zeroize::Zeroize::zeroize(buf);
        *buf = grown;
    }
    buf.extend_from_slice(more);
}

fn learn_total(f: &mut FileRead<'_, '_>) -> Result<(), ReadError> {
    let header =
        Header::parse(&f.buf.data).map_err(|source| ReadError::BadHeader { file: f.target.name.clone(), source })?;
    match header.length {
        Length::Definite(_) => {
            let total = header.total_len().ok_or(ReadError::BadHeader {
                file: f.target.name.clone(),
                source: TlvError::BadLength { offset: 0 },
            })?;
            if total > f.limit {
                return Err(ReadError::FileTooLarge { file: f.target.name.clone(), claimed: total, limit: f.limit });
            }
            f.buf.total = Some(total);
            f.buf.data.truncate(total);
            // One allocation for the whole file from now on.
            append_wiping(&mut f.buf.data, &[], Some(total));
        }
        Length::Indefinite => f.buf.total = None,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::append_wiping;

    #[test]
    fn appending_keeps_the_bytes_and_grows_to_the_wanted_size_at_once() {
        let mut buf = Vec::new();
        append_wiping(&mut buf, &[1, 2, 3], Some(10));
        assert_eq!(buf, [1, 2, 3]);
        assert_eq!(buf.capacity(), 10);
        let before = buf.as_ptr();
        append_wiping(&mut buf, &[4; 7], Some(10));
        assert_eq!(buf.as_ptr(), before, "no reallocation within the wanted size");
        append_wiping(&mut buf, &[5], None);
        assert_eq!(buf.len(), 11);
        assert_eq!(buf.get(..4), Some(&[1, 2, 3, 4][..]));
    }
}
