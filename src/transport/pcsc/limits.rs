//! Readers that cannot carry extended-length APDUs. Users of OMNIKEY 3x21/5x21 with the
//! free CCID driver, SCM SCL3711, ACR122U and ACR1281 report extended APDUs failing in the
//! reader or its driver (OpenSC#306/#802, LudovicRousseau/PCSC#240/#106, acsccid#42), not
//! with a `6700` from the chip. So the reader is asked first — `SCARD_ATTR_MAXINPUT`, and
//! PC/SC part 10 `FEATURE_GET_TLV_PROPERTIES` → `dwMaxAPDUDataSize` — and a reader or
//! driver error on the first extended exchange of a reader means "this reader cannot": the
//! exchange fails with [`TransportError::ExtendedLengthUnsupported`] (the read resumes with
//! short APDUs), and the reader is remembered as short-only for the rest of the process.

use std::collections::BTreeSet;
use std::sync::Mutex;

use crate::transport::TransportError;

/// Readers known to fail extended APDUs in this process.
static SHORT_ONLY: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
/// Readers that carried an extended APDU in this process.
static EXTENDED_OK: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// `GET_FEATURE_REQUEST` (PC/SC part 10 §2.2): `SCARD_CTL_CODE(3400)`.
const GET_FEATURE_REQUEST: u32 = 3400;
/// `FEATURE_GET_TLV_PROPERTIES` (PC/SC part 10 §2.3).
const FEATURE_GET_TLV_PROPERTIES: u8 = 0x12;
/// `PCSCv2_PART10_PROPERTY_dwMaxAPDUDataSize` (PC/SC part 10 §2.6.14): 0 means short
/// APDUs only.
const PROPERTY_MAX_APDU_DATA_SIZE: u8 = 0x0A;

/// What a reader says about the APDUs it carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReaderLimits {
    /// The reader's name.
    pub reader: String,
    /// `SCARD_ATTR_MAXINPUT`: the largest command the reader accepts, when it says.
    pub max_input: Option<u32>,
    /// `dwMaxAPDUDataSize` from `FEATURE_GET_TLV_PROPERTIES`, when it says (0: short only).
    pub max_apdu_data: Option<u32>,
}

impl ReaderLimits {
    /// Asks the reader holding `card`.
    pub(super) fn query(reader: &str, card: &pcsc::Card) -> Self {
        let max_input = card
            .get_attribute_owned(pcsc::Attribute::Maxinput)
            .ok()
            .and_then(|v| <[u8; 4]>::try_from(v.get(..4)?).ok())
            .map(u32::from_le_bytes)
            .filter(|&n| n > 0);
        Self { reader: reader.to_string(), max_input, max_apdu_data: max_apdu_data(card) }
    }

    /// Whether extended APDUs may be tried on this reader: not when it says it cannot, nor
    /// when an extended exchange already failed on it in this process.
    #[must_use]
    pub fn extended_allowed(&self) -> bool {
        let says_short =
            self.max_apdu_data.is_some_and(|n| n < 256) || self.max_input.is_some_and(|n| n < 4 + 3 + 256 + 3);
        !says_short && !is_short_only(&self.reader)
    }

    /// Judges one exchange: an extended C-APDU that failed in the reader or driver, on a
    /// reader that never carried one, becomes [`TransportError::ExtendedLengthUnsupported`]
    /// and the reader is remembered as short-only; a success is remembered too.
    pub(super) fn judge(
        &self,
        capdu: &[u8],
        result: Result<Vec<u8>, TransportError>,
    ) -> Result<Vec<u8>, TransportError> {
        if !is_extended(capdu) {
            return result;
        }
        match result {
            Ok(r) => {
                if let Ok(mut ok) = EXTENDED_OK.lock() {
                    ok.insert(self.reader.clone());
                }
                Ok(r)
            }
            Err(TransportError::Reader(e)) if !carried_extended(&self.reader) => {
                note_short_only(&self.reader);
                tracing::warn!(reader = %self.reader, error = %e, "the reader cannot carry extended-length APDUs");
                Err(TransportError::ExtendedLengthUnsupported(format!("{}: {e}", self.reader)))
            }
            Err(e) => Err(e),
        }
    }
}

/// Whether a C-APDU uses the extended-length encoding (ISO/IEC 7816-4 §5.1: a zero byte
/// after the header, then two-byte Lc or Le).
#[must_use]
pub fn is_extended(capdu: &[u8]) -> bool {
    capdu.len() >= 7 && capdu.get(4) == Some(&0)
}

/// The receive buffer an exchange needs: the response data the command asks for (Ne)
/// and the status word, at most 65 534 bytes in all. passchip never asks for more than
/// [`crate::reader::EXTENDED_FIRST`] bytes of plaintext in one command, which with secure
/// messaging stays well below; a reader path that delivers more has failed (the driver
/// reports it, as a reader without extended length does).
#[must_use]
pub fn response_capacity(capdu: &[u8]) -> usize {
    const SHORT: usize = 256 + 2;
    const MOST: usize = 65_534;
    match crate::apdu::ParsedCommand::parse(capdu) {
        Ok(p) if is_extended(capdu) && p.ne > 0 => usize::try_from(p.ne).unwrap_or(MOST).saturating_add(2).min(MOST),
        _ => SHORT,
    }
}

/// Remembers `reader` as short-only for the rest of the process.
pub fn note_short_only(reader: &str) {
    if let Ok(mut s) = SHORT_ONLY.lock() {
        s.insert(reader.to_string());
    }
}

/// Whether `reader` failed an extended APDU earlier in this process.
#[must_use]
pub fn is_short_only(reader: &str) -> bool {
    SHORT_ONLY.lock().is_ok_and(|s| s.contains(reader))
}

fn carried_extended(reader: &str) -> bool {
    EXTENDED_OK.lock().is_ok_and(|s| s.contains(reader))
}

/// `dwMaxAPDUDataSize` through `GET_FEATURE_REQUEST` and `FEATURE_GET_TLV_PROPERTIES`.
fn max_apdu_data(card: &pcsc::Card) -> Option<u32> {
    let mut buf = [0u8; 256];
    let features = card.control(pcsc::ctl_code(GET_FEATURE_REQUEST.into()), &[], &mut buf).ok()?;
    // TLV list: tag (1), length 4, control code big-endian.
    let code = features
        .chunks_exact(6)
        .find(|t| t.first() == Some(&FEATURE_GET_TLV_PROPERTIES) && t.get(1) == Some(&4))
        .and_then(|t| <[u8; 4]>::try_from(t.get(2..6)?).ok())
        .map(u32::from_be_bytes)?;
    let mut props = [0u8; 256];
    let props = card.control(code.into(), &[], &mut props).ok()?;
    // TLV list: tag (1), length (1), value little-endian.
    let mut rest = props;
    while let [tag, len, tail @ ..] = rest {
        let value = tail.get(..usize::from(*len))?;
        if *tag == PROPERTY_MAX_APDU_DATA_SIZE {
            let mut le = [0u8; 4];
            le.get_mut(..value.len().min(4))?.copy_from_slice(value.get(..value.len().min(4))?);
            return Some(u32::from_le_bytes(le));
        }
        rest = tail.get(usize::from(*len)..)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_apdus_and_their_buffers() {
        // READ BINARY, short Le 00 (256) and extended Le 0000 (65536), 4000 bytes.
        assert!(!is_extended(&[0x00, 0xB0, 0x00, 0x00, 0x00]));
        assert!(is_extended(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]));
        assert_eq!(response_capacity(&[0x00, 0xB0, 0x00, 0x00, 0x00]), 258);
        assert_eq!(response_capacity(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x0F, 0xA0]), 4002);
        assert_eq!(response_capacity(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]), 65534);
        // Extended Lc with no Le: nothing but the status word is due; short room given.
        assert_eq!(response_capacity(&[0x00, 0x2A, 0x00, 0xBE, 0x00, 0x00, 0x01, 0xAA]), 258);
    }

    #[test]
    fn a_reader_error_on_the_first_extended_exchange_means_the_reader_cannot() {
        let limits = ReaderLimits { reader: "test reader A".into(), ..ReaderLimits::default() };
        let ext = [0x00, 0xB0, 0x00, 0x00, 0x00, 0x10, 0x00];
        let failed = || Err(TransportError::Reader("Transaction failed".into()));
        assert!(limits.extended_allowed());
        // A short exchange failing is only a reader error.
        assert_eq!(limits.judge(&[0x00, 0xB0, 0x00, 0x00, 0x00], failed()), failed());
        assert!(matches!(limits.judge(&ext, failed()), Err(TransportError::ExtendedLengthUnsupported(_))));
        assert!(!limits.extended_allowed(), "remembered for the process");
        // A reader that carried one before keeps its reader errors as such.
        let b = ReaderLimits { reader: "test reader B".into(), ..ReaderLimits::default() };
        assert_eq!(b.judge(&ext, Ok(vec![0x90, 0x00])), Ok(vec![0x90, 0x00]));
        assert_eq!(b.judge(&ext, failed()), failed());
        assert!(b.extended_allowed());
        // What a reader says of itself.
        let says = |max_apdu_data, max_input| ReaderLimits { reader: "test reader C".into(), max_input, max_apdu_data };
        assert!(!says(Some(0), None).extended_allowed());
        assert!(!says(None, Some(261)).extended_allowed());
        assert!(says(Some(65536), Some(65544)).extended_allowed());
    }
}
