//! A deterministic byte stream for the emulator: SHA-256(seed ‖ label ‖ counter).
//! Not a secure generator on purpose: the virtual chip must be reproducible.

use sha2::{Digest, Sha256};

use crate::crypto::{RandomSource, RngError};

/// Reproducible "random" bytes derived from a seed.
#[derive(Clone)]
pub struct DetRng {
    seed: [u8; 32],
    counter: u64,
    buf: [u8; 32],
    pos: usize,
}

impl core::fmt::Debug for DetRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DetRng(..)")
    }
}

impl DetRng {
    /// A stream for `seed`, separated from other streams by `label`.
    #[must_use]
    pub fn new(seed: u64, label: &str) -> Self {
        let mut h = Sha256::new();
        h.update(seed.to_be_bytes());
        h.update(label.as_bytes());
        Self { seed: h.finalize().into(), counter: 0, buf: [0; 32], pos: 32 }
    }

    /// Fills `out`.
    pub fn fill_bytes(&mut self, out: &mut [u8]) {
        for b in out.iter_mut() {
            if self.pos == 32 {
                let mut h = Sha256::new();
                h.update(self.seed);
                h.update(self.counter.to_be_bytes());
                self.buf = h.finalize().into();
                self.counter += 1;
                self.pos = 0;
            }
            *b = self.buf.get(self.pos).copied().unwrap_or(0);
            self.pos += 1;
        }
    }

    /// A number in `0..n` (n > 0), slightly biased, fine for test data.
    pub fn below(&mut self, n: u64) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_be_bytes(b) % n.max(1)
    }
}

/// The emulator's generator also drives RustCrypto key generation and randomized
/// signatures (RSA-PSS), deterministically.
impl rand_core::TryRng for DetRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        Ok(u32::from_be_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        Ok(u64::from_be_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.fill_bytes(dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for DetRng {}

impl RandomSource for DetRng {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RngError> {
        self.fill_bytes(buf);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_separated() {
        let mut a = DetRng::new(7, "x");
        let mut b = DetRng::new(7, "x");
        let mut c = DetRng::new(7, "y");
        let (mut x, mut y, mut z) = ([0u8; 40], [0u8; 40], [0u8; 40]);
        a.fill_bytes(&mut x);
        b.fill_bytes(&mut y);
        c.fill_bytes(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
    }
}
