//! A modelled contactless link, to compare reading strategies by the time a real one
//! would take: every command costs a fixed turnaround (reader, driver and the chip's own
//! processing) plus its bytes both ways at the ISO/IEC 14443 bit rate.

use std::time::Duration;

use super::{Transport, TransportError};

/// The link's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkModel {
    /// Bits per second on air (424 kbit/s: ISO/IEC 14443 fc/32, what passports and
    /// readers commonly settle on).
    pub bit_rate: u32,
    /// Fixed cost of one command, whatever its size.
    pub turnaround: Duration,
}

impl LinkModel {
    /// 424 kbit/s and `turnaround` per command.
    #[must_use]
    pub const fn iso14443_424(turnaround: Duration) -> Self {
        Self { bit_rate: 424_000, turnaround }
    }

    /// The modelled time of one exchange of `sent` and `received` bytes.
    #[must_use]
    pub fn exchange(&self, sent: usize, received: usize) -> Duration {
        let bits = (sent as u64 + received as u64) * 8;
        let on_air = Duration::from_nanos(bits.saturating_mul(1_000_000_000) / u64::from(self.bit_rate.max(1)));
        self.turnaround + on_air
    }
}

/// A transport that adds up the modelled time of what crosses it.
#[derive(Debug)]
pub struct Modelled<T> {
    inner: T,
    model: LinkModel,
    elapsed: Duration,
}

impl<T> Modelled<T> {
    /// Models `inner` as a `model` link.
    pub fn new(inner: T, model: LinkModel) -> Self {
        Self { inner, model, elapsed: Duration::ZERO }
    }

    /// The modelled time so far.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl<T: Transport> Transport for Modelled<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let r = self.inner.transmit(capdu);
        let received = r.as_ref().map_or(0, Vec::len);
        self.elapsed += self.model.exchange(capdu.len(), received);
        r
    }

    fn supports_extended_length(&self) -> bool {
        self.inner.supports_extended_length()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_turnaround_plus_bits_on_air() {
        let m = LinkModel::iso14443_424(Duration::from_millis(5));
        // 53 bytes = 424 bits: 1 ms on air.
        assert_eq!(m.exchange(20, 33), Duration::from_millis(6));
        assert_eq!(m.exchange(0, 0), Duration::from_millis(5));
    }
}
