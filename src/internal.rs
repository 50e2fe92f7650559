//! Entry points for our fuzzers and benchmarks. **Not a stable API, not for
//! production**: these build secure channels from fixed keys, which real code can only
//! get from an access-control protocol.

use crate::apdu::Response;
use crate::crypto::tdes::TdesKey;
use crate::sm::{SecureChannel, SmError, Ssc, Suite};

const KS_ENC: [u8; 16] =
    [0x97, 0x9E, 0xC1, 0x3B, 0x1C, 0xBF, 0xE9, 0xDC, 0xD0, 0x1A, 0xB0, 0xFE, 0xD3, 0x07, 0xEA, 0xE5];
const KS_MAC: [u8; 16] =
    [0xF1, 0xCB, 0x1F, 0x1F, 0xB5, 0xAD, 0xF2, 0x08, 0x80, 0x6B, 0x89, 0xDC, 0x57, 0x9D, 0xC1, 0xF8];
const SSC0: [u8; 8] = [0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x26];

fn suite() -> Suite {
    Suite::tdes(&TdesKey::new(KS_ENC), &TdesKey::new(KS_MAC))
}

/// Feeds arbitrary bytes to the secure-messaging response unwrapper (ICAO D.4 keys).
///
/// # Errors
/// Whatever the unwrapper rejects.
pub fn fuzz_sm_unwrap(raw: &[u8]) -> Result<Response, SmError> {
    let mut ch = SecureChannel::new(suite(), &SSC0);
    let (data, sw) = Response::split(raw)?;
    ch.unprotect(data, sw)
}

/// A prepared secure-messaging unwrap: a 3DES channel and one protected response
/// carrying `payload_len` bytes, made for the counter the channel will use.
pub struct SmUnwrapBench {
    channel: SecureChannel,
    start: Ssc,
    response: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl core::fmt::Debug for SmUnwrapBench {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SmUnwrapBench({} bytes)", self.response.len())
    }
}

impl SmUnwrapBench {
    /// Prepares a response with `payload_len` bytes of data.
    #[cfg(any(feature = "emulator", test))]
    #[must_use]
    pub fn new(payload_len: usize) -> Self {
        let payload: Vec<u8> = (0..payload_len).map(|i| (i * 31 + 7) as u8).collect();
        let mut chip = crate::sm::ChipChannel::new(suite(), &SSC0);
        chip.skew(1); // the command's increment
        let response = chip.protect_response(&payload, crate::apdu::StatusWord::Ok, false);
        let ciphertext = crate::tlv::Tlv::parse(&response)
            .map(|(t, _)| t.value.get(1..).unwrap_or_default().to_vec())
            .unwrap_or_default();
        let mut start = Ssc::new(&SSC0);
        start.increment();
        Self { channel: SecureChannel::new(suite(), &SSC0), start, response, ciphertext }
    }

    /// The protected response (data objects and status word).
    #[must_use]
    pub fn response(&self) -> &[u8] {
        &self.response
    }

    /// The DO87 cryptogram inside it (for the raw cipher + MAC comparison).
    #[must_use]
    pub fn ciphertext(&self) -> &[u8] {
        &self.ciphertext
    }

    /// Unwraps the response once (resets the counter first). Returns the payload length.
    ///
    /// # Errors
    /// None expected; a failure means the bench is broken.
    pub fn unwrap_once(&mut self) -> Result<usize, SmError> {
        self.channel.reset_for_bench(self.start);
        let (data, sw) = Response::split(&self.response)?;
        self.channel.unprotect(data, sw).map(|r| r.data().len())
    }
}

/// Runs the terminal side of PACE against a chip whose answers come from `data`: the
/// first byte picks the variant (ECDH-GM on brainpoolP256r1, DH-GM on group 0, ECDH-CAM
/// on P-256, ECDH-IM on brainpoolP256r1, DH-IM on group 0), the rest is split into answers
/// at each `0xFF 0xFE` marker. Exercises every parser of the GENERAL AUTHENTICATE responses
/// (the dynamic authentication data).
///
/// # Errors
/// Whatever PACE rejects.
pub fn fuzz_pace_responses(data: &[u8]) -> Result<(), crate::access::AccessError> {
    use crate::access::pace::{PacePassword, authenticate};
    use crate::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
    use crate::transport::{Transport, TransportError};

    struct Scripted<'a>(std::collections::VecDeque<&'a [u8]>);
    impl Transport for Scripted<'_> {
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(self.0.pop_front().map_or_else(|| vec![0x6D, 0x00], <[u8]>::to_vec))
        }
    }
    /// Fixed "randomness": fuzzing explores the chip's side, not ours.
    struct Fixed;
    impl crate::crypto::RandomSource for Fixed {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), crate::crypto::RngError> {
            buf.fill(0x5A);
            Ok(())
        }
    }

    let (&variant, rest) = data.split_first().unwrap_or((&0, &[]));
    let (ka, mapping, id) = match variant % 5 {
        0 => (KeyAgreement::Ecdh, Mapping::Gm, 13),
        1 => (KeyAgreement::Dh, Mapping::Gm, 0),
        2 => (KeyAgreement::Ecdh, Mapping::Cam, 12),
        3 => (KeyAgreement::Ecdh, Mapping::Im, 13),
        _ => (KeyAgreement::Dh, Mapping::Im, 0),
    };
    let mut answers = std::collections::VecDeque::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < rest.len() {
        if rest.get(i..i + 2) == Some(&[0xFF, 0xFE]) {
            answers.push_back(rest.get(start..i).unwrap_or_default());
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    answers.push_back(rest.get(start..).unwrap_or_default());
    let protocol = PaceProtocol { key_agreement: ka, mapping, cipher: Cipher::Aes128 };
    let (_, outcome) = authenticate(&mut Scripted(answers), &PacePassword::can("123456"), protocol, id, &mut Fixed)?;
    if let Some(cam) = outcome.cam {
        cam.verify(&[0x04; 65])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_fixture_unwraps_repeatedly() {
        let mut b = SmUnwrapBench::new(223);
        assert_eq!(b.unwrap_once(), Ok(223));
        assert_eq!(b.unwrap_once(), Ok(223));
        assert_eq!(b.ciphertext().len(), 224);
        assert!(fuzz_sm_unwrap(b.response()).is_err()); // wrong counter for a fresh channel
    }
}
