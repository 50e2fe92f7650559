//! Command and response APDUs (ISO/IEC 7816-4 §5.1–5.6), short and extended.
//!
//! This layer only encodes and decodes: no cryptography, no I/O. The GET RESPONSE
//! (`61XX`) and wrong-Le (`6CXX`) dance lives in one place,
//! [`crate::transport::exchange`].

/// The eMRTD application identifier (ICAO 9303-10 §3.10.1).
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// Instruction bytes used by the eMRTD protocols.
pub mod ins {
    /// SELECT.
    pub const SELECT: u8 = 0xA4;
    /// READ BINARY with a 15-bit offset in P1-P2 (or SFI in P1).
    pub const READ_BINARY: u8 = 0xB0;
    /// READ BINARY with the offset in data object `54` (offsets above 32767).
    pub const READ_BINARY_ODD: u8 = 0xB1;
    /// GET CHALLENGE.
    pub const GET_CHALLENGE: u8 = 0x84;
    /// EXTERNAL AUTHENTICATE (BAC mutual authentication).
    pub const EXTERNAL_AUTHENTICATE: u8 = 0x82;
    /// INTERNAL AUTHENTICATE (active authentication).
    pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
    /// MANAGE SECURITY ENVIRONMENT.
    pub const MSE: u8 = 0x22;
    /// GENERAL AUTHENTICATE (PACE, chip authentication).
    pub const GENERAL_AUTHENTICATE: u8 = 0x86;
    /// RESET RETRY COUNTER (unblocks a PIN after PACE with the PUK).
    pub const RESET_RETRY_COUNTER: u8 = 0x2C;
    /// GET RESPONSE.
    pub const GET_RESPONSE: u8 = 0xC0;
}

/// A caller asked for an APDU that cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApduError {
    /// Command data longer than 65535 bytes (or 255 when short form is required).
    #[error("command data of {len} bytes does not fit in a{} APDU", if *.extended { "n extended" } else { " short" })]
    DataTooLong {
        /// The data length asked for.
        len: usize,
        /// Whether extended form was allowed.
        extended: bool,
    },
    /// Ne outside 1..=65536 (or 1..=256 in short form).
    #[error("expected response length {ne} is out of range")]
    BadLe {
        /// The Ne asked for.
        ne: u32,
    },
    /// A response APDU shorter than its two status bytes.
    #[error("response APDU of {len} byte(s) has no status word")]
    ResponseTooShort {
        /// Bytes received.
        len: usize,
    },
}

/// How many response bytes a command asks for (Ne). `None` means case 1/3 (no Le field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Le {
    /// No Le field.
    #[default]
    None,
    /// Ne bytes, 1..=65536. Encoded short when Ne ≤ 256 and the APDU is short.
    Ne(u32),
}

impl Le {
    /// The maximum a short APDU can ask for (Le = `00`).
    pub const MAX_SHORT: Self = Self::Ne(256);
    /// The maximum an extended APDU can ask for (Le = `00 00`).
    pub const MAX_EXTENDED: Self = Self::Ne(65536);

    /// Ne, or 0 when absent.
    #[must_use]
    pub fn ne(self) -> u32 {
        match self {
            Self::None => 0,
            Self::Ne(n) => n,
        }
    }
}

/// A command APDU borrowing its data.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Command<'a> {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (may be secret: `Debug` shows only its length).
    pub data: &'a [u8],
    /// Expected response length.
    pub le: Le,
    /// Force extended length fields even when short ones would do.
    pub force_extended: bool,
}

impl core::fmt::Debug for Command<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Command({:02X} {:02X} {:02X} {:02X}, {} data byte(s), Ne {})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le.ne()
        )
    }
}

impl<'a> Command<'a> {
    /// A command with the given header, no data and no Le.
    #[must_use]
    pub const fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self { cla, ins, p1, p2, data: &[], le: Le::None, force_extended: false }
    }

    /// Sets the command data.
    #[must_use]
    pub const fn with_data(mut self, data: &'a [u8]) -> Self {
        self.data = data;
        self
    }

    /// Sets Ne.
    #[must_use]
    pub const fn with_le(mut self, le: Le) -> Self {
        self.le = le;
        self
    }

    /// Whether this command needs (or was told to use) extended length fields.
    #[must_use]
    pub fn is_extended(&self) -> bool {
        self.force_extended || self.data.len() > 255 || self.le.ne() > 256
    }

    /// Appends the encoded APDU to `out`.
    ///
    /// # Errors
    /// [`ApduError`] when data or Ne cannot be encoded.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), ApduError> {
        let extended = self.is_extended();
        let nc = self.data.len();
        if nc > 65535 {
            return Err(ApduError::DataTooLong { len: nc, extended: true });
        }
        let ne = self.le.ne();
        if ne > 65536 || (matches!(self.le, Le::Ne(0))) {
            return Err(ApduError::BadLe { ne });
        }
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if extended {
            if nc > 0 {
                out.push(0);
                out.extend_from_slice(&(nc as u16).to_be_bytes());
                out.extend_from_slice(self.data);
            }
            if ne > 0 {
                if nc == 0 {
                    out.push(0);
                }
                // 65536 is encoded as 00 00.
                out.extend_from_slice(&((ne & 0xFFFF) as u16).to_be_bytes());
            }
        } else {
            if nc > 0 {
                out.push(nc as u8);
                out.extend_from_slice(self.data);
            }
            if ne > 0 {
                // 256 is encoded as 00.
                out.push((ne & 0xFF) as u8);
            }
        }
        Ok(())
    }

    /// The encoded APDU as a new vector.
    ///
    /// # Errors
    /// As [`Command::encode`].
    pub fn to_vec(&self) -> Result<Vec<u8>, ApduError> {
        let mut v = Vec::with_capacity(9 + self.data.len());
        self.encode(&mut v)?;
        Ok(v)
    }

    /// SELECT the eMRTD application by AID (P2 `0C`: no FCI wanted).
    #[must_use]
    pub const fn select_emrtd_application() -> Command<'static> {
        Command::new(0x00, ins::SELECT, 0x04, 0x0C).with_data(&EMRTD_AID)
    }

    /// SELECT an elementary file by its file identifier under the current DF (P1 `02`).
    #[must_use]
    pub const fn select_ef(fid: &'a [u8; 2]) -> Self {
        Command::new(0x00, ins::SELECT, 0x02, 0x0C).with_data(fid)
    }

    /// SELECT an elementary file of the master file by identifier (P1 `00`, P2 `0C`).
    #[must_use]
    pub const fn select_mf_ef(fid: &'a [u8; 2]) -> Self {
        Command::new(0x00, ins::SELECT, 0x00, 0x0C).with_data(fid)
    }

    /// READ BINARY with a short EF identifier, from `offset` (0..=255), selecting that EF.
    #[must_use]
    pub const fn read_binary_sfi(sfi: u8, offset: u8, le: Le) -> Self {
        Command::new(0x00, ins::READ_BINARY, 0x80 | (sfi & 0x1F), offset).with_le(le)
    }

    /// READ BINARY of the current EF at a 15-bit offset (0..=32767; higher bits dropped).
    #[must_use]
    pub const fn read_binary(offset: u16, le: Le) -> Self {
        let [hi, lo] = offset.to_be_bytes();
        Command::new(0x00, ins::READ_BINARY, hi & 0x7F, lo).with_le(le)
    }

    /// READ BINARY with odd INS (`B1`); `offset_do` must be the encoded `54` data object
    /// (see [`offset_do`]).
    #[must_use]
    pub const fn read_binary_odd(offset_do: &'a [u8], le: Le) -> Self {
        Command::new(0x00, ins::READ_BINARY_ODD, 0x00, 0x00).with_data(offset_do).with_le(le)
    }

    /// GET CHALLENGE for an 8-byte nonce.
    #[must_use]
    pub const fn get_challenge() -> Command<'static> {
        Command::new(0x00, ins::GET_CHALLENGE, 0x00, 0x00).with_le(Le::Ne(8))
    }

    /// GET RESPONSE for `ne` bytes (1..=256).
    #[must_use]
    pub const fn get_response(ne: u32) -> Command<'static> {
        Command::new(0x00, ins::GET_RESPONSE, 0x00, 0x00).with_le(Le::Ne(ne))
    }
}

/// Encodes the offset data object `54` for odd-INS READ BINARY: the offset in as few
/// big-endian bytes as possible (at least one). Returns the buffer and its used length.
#[must_use]
pub fn offset_do(offset: u32) -> ([u8; 6], usize) {
    let bytes = offset.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(3);
    let n = 4 - skip;
    let mut out = [0u8; 6];
    out[0] = 0x54;
    out[1] = n as u8;
    for (dst, src) in out.iter_mut().skip(2).zip(bytes.iter().skip(skip)) {
        *dst = *src;
    }
    (out, 2 + n)
}

/// A command APDU parsed from its encoding (the chip's view; also used by fuzzers).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ParsedCommand<'a> {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data.
    pub data: &'a [u8],
    /// Ne (0 when there is no Le field).
    pub ne: u32,
    /// Whether the APDU used extended length fields.
    pub extended: bool,
}

impl core::fmt::Debug for ParsedCommand<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "ParsedCommand({:02X} {:02X} {:02X} {:02X}, {} data byte(s), Ne {}{})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.ne,
            if self.extended { ", extended" } else { "" }
        )
    }
}

/// A byte string that is not a valid command APDU (ISO/IEC 7816-3 §12.1 cases 1–4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed command APDU of {len} byte(s)")]
pub struct MalformedCommand {
    /// Length of the rejected input.
    pub len: usize,
}

impl<'a> ParsedCommand<'a> {
    /// Parses cases 1, 2, 3 and 4 in short and extended form.
    ///
    /// # Errors
    /// [`MalformedCommand`] when the lengths are inconsistent.
    pub fn parse(raw: &'a [u8]) -> Result<Self, MalformedCommand> {
        let bad = MalformedCommand { len: raw.len() };
        let (header, body) = raw.split_first_chunk::<4>().ok_or(bad)?;
        let [cla, ins, p1, p2] = *header;
        let mk = |data: &'a [u8], ne: u32, extended: bool| Self { cla, ins, p1, p2, data, ne, extended };
        match body {
            [] => Ok(mk(&[], 0, false)),
            [le] => Ok(mk(&[], if *le == 0 { 256 } else { u32::from(*le) }, false)),
            [0, rest @ ..] if rest.len() >= 2 => {
                let (lc_or_le, tail) = rest.split_first_chunk::<2>().ok_or(bad)?;
                let n = u32::from(u16::from_be_bytes(*lc_or_le));
                if tail.is_empty() {
                    return Ok(mk(&[], if n == 0 { 65536 } else { n }, true));
                }
                let nc = n as usize;
                if nc == 0 {
                    return Err(bad);
                }
                let (data, le) = tail.split_at_checked(nc).ok_or(bad)?;
                match le {
                    [] => Ok(mk(data, 0, true)),
                    [a, b] => {
                        let ne = u32::from(u16::from_be_bytes([*a, *b]));
                        Ok(mk(data, if ne == 0 { 65536 } else { ne }, true))
                    }
                    _ => Err(bad),
                }
            }
            [lc, rest @ ..] if *lc != 0 => {
                let (data, le) = rest.split_at_checked(usize::from(*lc)).ok_or(bad)?;
                match le {
                    [] => Ok(mk(data, 0, false)),
                    [le] => Ok(mk(data, if *le == 0 { 256 } else { u32::from(*le) }, false)),
                    _ => Err(bad),
                }
            }
            _ => Err(bad),
        }
    }
}

/// A status word (SW1 SW2), with the words that matter to eMRTD readers named.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum StatusWord {
    /// `9000`: success.
    Ok,
    /// `61XX`: XX more bytes available with GET RESPONSE (0 means 256 or more).
    MoreData(u8),
    /// `6282`: end of file reached before Ne bytes were read.
    EndOfFile,
    /// `63CX`: verification failed, X tries left.
    TriesLeft(u8),
    /// `6300`: authentication failed (no counter given).
    AuthenticationFailed,
    /// `6700`: wrong length.
    WrongLength,
    /// `6982`: security status not satisfied.
    SecurityStatusNotSatisfied,
    /// `6983`: authentication method blocked.
    AuthenticationBlocked,
    /// `6984`: reference data not usable.
    ReferenceDataNotUsable,
    /// `6985`: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// `6986`: command not allowed (no current EF).
    CommandNotAllowed,
    /// `6987`: expected secure messaging data objects missing.
    SmObjectsMissing,
    /// `6988`: secure messaging data objects incorrect.
    SmObjectsIncorrect,
    /// `6A80`: incorrect data field.
    WrongData,
    /// `6A82`: file or application not found.
    FileNotFound,
    /// `6A86`: incorrect P1-P2.
    WrongP1P2,
    /// `6A88`: referenced data not found.
    ReferenceNotFound,
    /// `6B00`: wrong parameters (offset outside the EF).
    WrongParameters,
    /// `6CXX`: wrong Le; XX is the exact length available (0 means 256).
    WrongLe(u8),
    /// `6D00`: instruction not supported.
    InsNotSupported,
    /// `6E00`: class not supported.
    ClaNotSupported,
    /// `6F00`: no precise diagnosis.
    NoPreciseDiagnosis,
    /// Any other word, as `SW1 << 8 | SW2`.
    Other(u16),
}

impl StatusWord {
    /// The word from its two bytes.
    #[must_use]
    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Ok,
            (0x61, n) => Self::MoreData(n),
            (0x62, 0x82) => Self::EndOfFile,
            (0x63, 0x00) => Self::AuthenticationFailed,
            (0x63, x @ 0xC0..=0xCF) => Self::TriesLeft(x & 0x0F),
            (0x67, 0x00) => Self::WrongLength,
            (0x69, 0x82) => Self::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Self::AuthenticationBlocked,
            (0x69, 0x84) => Self::ReferenceDataNotUsable,
            (0x69, 0x85) => Self::ConditionsNotSatisfied,
            (0x69, 0x86) => Self::CommandNotAllowed,
            (0x69, 0x87) => Self::SmObjectsMissing,
            (0x69, 0x88) => Self::SmObjectsIncorrect,
            (0x6A, 0x80) => Self::WrongData,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x86) => Self::WrongP1P2,
            (0x6A, 0x88) => Self::ReferenceNotFound,
            (0x6B, 0x00) => Self::WrongParameters,
            (0x6C, n) => Self::WrongLe(n),
            (0x6D, 0x00) => Self::InsNotSupported,
            (0x6E, 0x00) => Self::ClaNotSupported,
            (0x6F, 0x00) => Self::NoPreciseDiagnosis,
            _ => Self::Other(u16::from_be_bytes([sw1, sw2])),
        }
    }

    /// The word as `SW1 << 8 | SW2`.
    #[must_use]
    pub fn code(self) -> u16 {
        match self {
            Self::Ok => 0x9000,
            Self::MoreData(n) => 0x6100 | u16::from(n),
            Self::EndOfFile => 0x6282,
            Self::TriesLeft(n) => 0x63C0 | u16::from(n & 0x0F),
            Self::AuthenticationFailed => 0x6300,
            Self::WrongLength => 0x6700,
            Self::SecurityStatusNotSatisfied => 0x6982,
            Self::AuthenticationBlocked => 0x6983,
            Self::ReferenceDataNotUsable => 0x6984,
            Self::ConditionsNotSatisfied => 0x6985,
            Self::CommandNotAllowed => 0x6986,
            Self::SmObjectsMissing => 0x6987,
            Self::SmObjectsIncorrect => 0x6988,
            Self::WrongData => 0x6A80,
            Self::FileNotFound => 0x6A82,
            Self::WrongP1P2 => 0x6A86,
            Self::ReferenceNotFound => 0x6A88,
            Self::WrongParameters => 0x6B00,
            Self::WrongLe(n) => 0x6C00 | u16::from(n),
            Self::InsNotSupported => 0x6D00,
            Self::ClaNotSupported => 0x6E00,
            Self::NoPreciseDiagnosis => 0x6F00,
            Self::Other(c) => c,
        }
    }

    /// The two bytes.
    #[must_use]
    pub fn to_bytes(self) -> [u8; 2] {
        self.code().to_be_bytes()
    }

    /// True for `9000`.
    #[must_use]
    pub fn is_ok(self) -> bool {
        self == Self::Ok
    }

    /// True for the words that mean "ask for fewer bytes" on READ BINARY
    /// (`6700`, `6282` without data, `6B00`, `6CXX`).
    #[must_use]
    pub fn is_length_problem(self) -> bool {
        matches!(self, Self::WrongLength | Self::EndOfFile | Self::WrongParameters | Self::WrongLe(_))
    }
}

impl From<[u8; 2]> for StatusWord {
    fn from([a, b]: [u8; 2]) -> Self {
        Self::from_bytes(a, b)
    }
}

impl core::fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "StatusWord({:04X})", self.code())
    }
}

impl core::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04X}", self.code())
    }
}

/// A response APDU: data and status word. The data may be personal or secret, so
/// `Debug` shows only its length; it is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    data: zeroize::Zeroizing<Vec<u8>>,
    sw: StatusWord,
}

impl core::fmt::Debug for Response {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Response({} byte(s), {})", self.data.len(), self.sw)
    }
}

impl Response {
    /// A response from its parts.
    #[must_use]
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Self { data: zeroize::Zeroizing::new(data), sw }
    }

    /// Splits a raw R-APDU (`data ‖ SW1 SW2`), taking ownership of the buffer.
    ///
    /// # Errors
    /// [`ApduError::ResponseTooShort`] for fewer than two bytes.
    pub fn from_raw(mut raw: Vec<u8>) -> Result<Self, ApduError> {
        let len = raw.len();
        if len < 2 {
            return Err(ApduError::ResponseTooShort { len });
        }
        let sw2 = raw.pop().unwrap_or_default();
        let sw1 = raw.pop().unwrap_or_default();
        Ok(Self::new(raw, StatusWord::from_bytes(sw1, sw2)))
    }

    /// Splits a borrowed raw R-APDU into data and status word without copying.
    ///
    /// # Errors
    /// [`ApduError::ResponseTooShort`] for fewer than two bytes.
    pub fn split(raw: &[u8]) -> Result<(&[u8], StatusWord), ApduError> {
        match raw.split_last_chunk::<2>() {
            Some((data, [a, b])) => Ok((data, StatusWord::from_bytes(*a, *b))),
            None => Err(ApduError::ResponseTooShort { len: raw.len() }),
        }
    }

    /// The status word.
    #[must_use]
    pub fn sw(&self) -> StatusWord {
        self.sw
    }

    /// The response data.
    #[must_use]
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The data if the status is `9000`, else the status word as the error.
    ///
    /// # Errors
    /// The non-success [`StatusWord`].
    pub fn into_ok(self) -> Result<zeroize::Zeroizing<Vec<u8>>, StatusWord> {
        if self.sw.is_ok() { Ok(self.data) } else { Err(self.sw) }
    }

    /// Takes the data regardless of the status.
    #[must_use]
    pub fn into_data(self) -> zeroize::Zeroizing<Vec<u8>> {
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn status_words_round_trip() {
        for code in 0u16..=0xFFFF {
            let [a, b] = code.to_be_bytes();
            let sw = StatusWord::from_bytes(a, b);
            assert_eq!(sw.code(), code, "{code:04X}");
        }
        assert_eq!(StatusWord::from([0x63, 0xC2]), StatusWord::TriesLeft(2));
        assert_eq!(StatusWord::from([0x6C, 0x10]), StatusWord::WrongLe(0x10));
        assert_eq!(StatusWord::from([0x90, 0x01]), StatusWord::Other(0x9001));
        assert_eq!(StatusWord::SmObjectsIncorrect.to_string(), "6988");
    }

    #[test]
    fn encodes_all_four_cases_short_and_extended() {
        let c1 = Command::new(0x00, 0xA4, 0x04, 0x0C);
        assert_eq!(c1.to_vec().unwrap(), hex!("00A4040C"));
        let c2 = Command::get_challenge();
        assert_eq!(c2.to_vec().unwrap(), hex!("0084000008"));
        let c3 = Command::select_emrtd_application();
        assert_eq!(c3.to_vec().unwrap(), hex!("00A4040C07A0000002471001"));
        let c4 = Command::new(0x00, 0x82, 0, 0).with_data(&[1, 2]).with_le(Le::MAX_SHORT);
        assert_eq!(c4.to_vec().unwrap(), hex!("00820000020102 00"));
        // Extended forms.
        let e2 = Command::read_binary(0x0102, Le::MAX_EXTENDED);
        assert_eq!(e2.to_vec().unwrap(), hex!("00B00102 000000"));
        let e2b = Command::read_binary(0, Le::Ne(4096));
        assert_eq!(e2b.to_vec().unwrap(), hex!("00B00000 001000"));
        let data = [0xAA; 300];
        let e3 = Command::new(0, 0xDA, 0, 0).with_data(&data);
        let v = e3.to_vec().unwrap();
        assert_eq!(&v[..7], &hex!("00DA0000 00012C"));
        assert_eq!(v.len(), 7 + 300);
        let e4 = Command::new(0, 0x86, 0, 0).with_data(&data).with_le(Le::Ne(65536));
        let v = e4.to_vec().unwrap();
        assert_eq!(&v[v.len() - 2..], &hex!("0000"));
        let forced = Command { force_extended: true, ..Command::get_challenge() };
        assert_eq!(forced.to_vec().unwrap(), hex!("00840000 000008"));
    }

    #[test]
    fn rejects_unencodable_commands() {
        let big = vec![0u8; 65536];
        assert!(matches!(Command::new(0, 0, 0, 0).with_data(&big).to_vec(), Err(ApduError::DataTooLong { .. })));
        assert_eq!(Command::new(0, 0, 0, 0).with_le(Le::Ne(65537)).to_vec(), Err(ApduError::BadLe { ne: 65537 }));
        assert_eq!(Command::new(0, 0, 0, 0).with_le(Le::Ne(0)).to_vec(), Err(ApduError::BadLe { ne: 0 }));
    }

    #[test]
    fn read_binary_variants() {
        assert_eq!(Command::read_binary_sfi(0x1E, 0, Le::Ne(223)).to_vec().unwrap(), hex!("00B09E00DF"));
        assert_eq!(Command::read_binary(0x7FFF, Le::Ne(160)).to_vec().unwrap(), hex!("00B07FFFA0"));
        let (d, n) = offset_do(0x8000);
        assert_eq!(&d[..n], &hex!("54028000"));
        let (d, n) = offset_do(0);
        assert_eq!(&d[..n], &hex!("540100"));
        let (d, n) = offset_do(0x01_0000);
        assert_eq!(&d[..n], &hex!("5403010000"));
        let cmd = Command::read_binary_odd(&d[..n], Le::MAX_SHORT);
        assert_eq!(cmd.to_vec().unwrap(), hex!("00B10000055403010000 00"));
    }

    #[test]
    fn responses() {
        let r = Response::from_raw(hex!("4608F919887022129000").to_vec()).unwrap();
        assert_eq!(r.sw(), StatusWord::Ok);
        assert_eq!(r.data(), &hex!("4608F91988702212"));
        assert_eq!(format!("{r:?}"), "Response(8 byte(s), 9000)");
        assert_eq!(Response::from_raw(vec![0x90]), Err(ApduError::ResponseTooShort { len: 1 }));
        let (d, sw) = Response::split(&hex!("6988")).unwrap();
        assert!(d.is_empty());
        assert_eq!(sw, StatusWord::SmObjectsIncorrect);
        assert_eq!(Response::new(vec![], StatusWord::FileNotFound).into_ok(), Err(StatusWord::FileNotFound));
    }

    #[test]
    fn parse_inverts_encode() {
        let data = [0x5Au8; 300];
        let cmds = [
            Command::new(0x00, 0xA4, 0x04, 0x0C),
            Command::get_challenge(),
            Command::select_emrtd_application(),
            Command::read_binary(5, Le::MAX_SHORT),
            Command::read_binary(5, Le::MAX_EXTENDED),
            Command::read_binary(5, Le::Ne(1000)),
            Command::new(0, 0xDA, 0, 0).with_data(&data),
            Command::new(0, 0x86, 0, 0).with_data(&data).with_le(Le::Ne(65536)),
            Command::new(0, 0x86, 0, 0).with_data(&data[..10]).with_le(Le::Ne(7)),
        ];
        for c in cmds {
            let v = c.to_vec().unwrap();
            let p = ParsedCommand::parse(&v).unwrap();
            assert_eq!((p.cla, p.ins, p.p1, p.p2), (c.cla, c.ins, c.p1, c.p2));
            assert_eq!(p.data, c.data);
            assert_eq!(p.ne, c.le.ne());
            assert_eq!(p.extended, c.is_extended());
        }
        for bad in [&[0u8, 1, 2][..], &[0, 1, 2, 3, 5, 1], &[0, 1, 2, 3, 0, 0, 0, 1], &[0, 1, 2, 3, 1, 9, 9, 9]] {
            assert!(ParsedCommand::parse(bad).is_err(), "{bad:02X?}");
        }
    }
}
