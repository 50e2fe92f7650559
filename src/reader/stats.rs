//! What a session cost: round trips, bytes and time, per phase, counted by a transport
//! wrapper ([`SessionStats`]).

use std::time::{Duration, Instant};

use crate::transport::atr::AtrInfo;
use crate::transport::{LinkStats, Transport, TransportError};

/// The phases of a read, for the cost of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Access,
    Read,
    AntiCloning,
}

/// What one phase of a session cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PhaseStats {
    /// Command APDUs sent.
    pub apdus: u64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// Time spent in the phase.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_duration_ms", rename = "elapsed_ms"))]
    pub elapsed: Duration,
}

/// The cost of each phase: opening the chip (EF.CardAccess, BAC or PACE), reading the
/// files, and the anti-cloning protocols after the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Phases {
    /// Selecting, EF.CardAccess, BAC or PACE (and EF.CardSecurity after PACE-CAM).
    pub access: PhaseStats,
    /// Reading EF.COM, the data groups and EF.SOD.
    pub read: PhaseStats,
    /// PACE-CAM check, Chip Authentication, Active Authentication.
    pub anti_cloning: PhaseStats,
}

/// What a session keeps beside the link: which phase is running, what each has cost so
/// far, and EF.CardAccess as read (for the dump).
#[derive(Debug)]
pub(super) struct Record {
    pub(super) phase: Phase,
    pub(super) started: Instant,
    pub(super) phases: Phases,
    pub(super) card_access: Option<Vec<u8>>,
    /// EF.ATR/INFO as read before access control.
    pub(super) atr_info: Option<AtrInfo>,
    /// The card left the field or was reset: every later exchange of this session fails.
    pub(super) lost: Option<TransportError>,
    /// This session's cost was added to a [`PartialRead`] already.
    pub(super) settled: bool,
}

impl Record {
    pub(super) fn current(&mut self) -> &mut PhaseStats {
        self.phases.get_mut(self.phase)
    }
}

impl PhaseStats {
    pub(super) fn absorb(&mut self, o: &Self) {
        self.apdus += o.apdus;
        self.bytes_sent += o.bytes_sent;
        self.bytes_received += o.bytes_received;
        self.elapsed += o.elapsed;
    }
}

impl SessionStats {
    /// Adds the cost of another session (an earlier one, cut short by the card leaving).
    pub(super) fn absorb(&mut self, o: &Self) {
        self.apdus += o.apdus;
        self.read_binary += o.read_binary;
        self.bytes_sent += o.bytes_sent;
        self.bytes_received += o.bytes_received;
        self.elapsed += o.elapsed;
        self.phases.access.absorb(&o.phases.access);
        self.phases.read.absorb(&o.phases.read);
        self.phases.anti_cloning.absorb(&o.phases.anti_cloning);
    }
}

impl Phases {
    pub(super) fn get_mut(&mut self, phase: Phase) -> &mut PhaseStats {
        match phase {
            Phase::Access => &mut self.access,
            Phase::Read => &mut self.read,
            Phase::AntiCloning => &mut self.anti_cloning,
        }
    }
}

/// A transport wrapper that counts what crosses it, whatever the backend.
#[derive(Debug)]
pub(super) struct Counting<T> {
    pub(super) inner: T,
    pub(super) stats: LinkStats,
    pub(super) read_binary: u64,
    // Boxed: sessions travel in `Result::Err` when access control fails.
    pub(super) record: Box<Record>,
}

impl<T> Counting<T> {
    pub(super) fn new(inner: T, started: Instant) -> Self {
        let record = Record {
            phase: Phase::Access,
            started,
            phases: Phases::default(),
            card_access: None,
            atr_info: None,
            lost: None,
            settled: false,
        };
        Self { inner, stats: LinkStats::default(), read_binary: 0, record: Box::new(record) }
    }

    /// Closes the current phase's clock and starts `next`.
    pub(super) fn enter(&mut self, next: Phase) {
        let spent = self.record.started.elapsed();
        self.record.current().elapsed += spent;
        self.record.phase = next;
        self.record.started = Instant::now();
    }

    /// The phases, with the running one's time up to `now`.
    pub(super) fn phases(&self, now: Instant) -> Phases {
        let mut phases = self.record.phases;
        phases.get_mut(self.record.phase).elapsed += now.saturating_duration_since(self.record.started);
        phases
    }
}

impl<T: Transport> Transport for Counting<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.stats.apdus += 1;
        self.stats.bytes_sent += capdu.len() as u64;
        let phase = self.record.current();
        phase.apdus += 1;
        phase.bytes_sent += capdu.len() as u64;
        if matches!(capdu.get(1), Some(0xB0 | 0xB1)) {
            self.read_binary += 1;
        }
        let r = match self.inner.transmit(capdu) {
            Ok(r) => r,
            Err(e) => {
                if matches!(
                    e,
                    TransportError::CardRemoved
                        | TransportError::CardReset
                        | TransportError::NoCard
                        | TransportError::ExtendedLengthUnsupported(_)
                ) {
                    self.record.lost = Some(e.clone());
                }
                return Err(e);
            }
        };
        self.stats.bytes_received += r.len() as u64;
        self.record.current().bytes_received += r.len() as u64;
        Ok(r)
    }

    fn supports_extended_length(&self) -> bool {
        self.inner.supports_extended_length()
    }
}

/// What a session cost: round trips, bytes and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SessionStats {
    /// Command APDUs sent (including GET RESPONSE and retries).
    pub apdus: u64,
    /// READ BINARY commands among them.
    pub read_binary: u64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// Time since the session was created.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_duration_ms", rename = "elapsed_ms"))]
    pub elapsed: Duration,
    /// The same, per phase.
    pub phases: Phases,
}

#[cfg(feature = "serde")]
pub(super) fn ser_duration_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}
