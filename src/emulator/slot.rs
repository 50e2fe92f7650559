//! A virtual reader slot: our chips presented one after another, lifted mid-read or left
//! on the reader, for the kiosk loop's tests and the kiosk example without hardware.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::VirtualChip;
use crate::transport::{ApduHandler, CardSlot, Transport, TransportError};

/// One card presented to the slot, and how the holder handles it.
pub struct Presentation {
    chip: VirtualChip,
    lift: Option<(u64, Duration)>,
    stays: Duration,
}

impl Presentation {
    /// `chip` is put on the reader and left there for `stays` (from the moment it is
    /// presented or put back), then taken away.
    #[must_use]
    pub fn new(chip: VirtualChip, stays: Duration) -> Self {
        Self { chip, lift: None, stays }
    }

    /// The holder lifts the card before command number `after_apdus + 1` and puts it back
    /// after `absent` (once); the chip loses its session, as a real one does.
    #[must_use]
    pub fn lifted(mut self, after_apdus: u64, absent: Duration) -> Self {
        self.lift = Some((after_apdus, absent));
        self
    }
}

struct Present {
    card: Presentation,
    since: Instant,
    apdus: u64,
    away_until: Option<Instant>,
}

/// A virtual reader: [`Presentation`]s arrive in order; when the queue is empty no card
/// ever comes (`wait_for_card` answers `false` at once, whatever the timeout).
#[derive(Default)]
pub struct VirtualSlot {
    queue: VecDeque<Presentation>,
    present: Option<Present>,
}

impl VirtualSlot {
    /// An empty slot.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a card.
    pub fn present(&mut self, card: Presentation) {
        self.queue.push_back(card);
    }

    /// Cards still to come (not counting the one on the reader).
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.queue.len()
    }

    /// The card on the reader has been there long enough: take it away.
    fn expire(&mut self) {
        if self.present.as_ref().is_some_and(|p| p.away_until.is_none() && p.since.elapsed() >= p.card.stays) {
            self.present = None;
        }
    }
}

fn sleep_until(deadline: Instant, timeout: Option<Duration>, started: Instant) -> bool {
    let limit = timeout.map(|t| started + t);
    let wake = limit.map_or(deadline, |l| l.min(deadline));
    std::thread::sleep(wake.saturating_duration_since(Instant::now()));
    Instant::now() >= deadline
}

impl CardSlot for VirtualSlot {
    type Card<'a> = VirtualCard<'a>;

    fn wait_for_card(&mut self, timeout: Option<Duration>) -> Result<bool, TransportError> {
        let started = Instant::now();
        self.expire();
        match &mut self.present {
            Some(p) => match p.away_until {
                Some(back) => {
                    let returned = sleep_until(back, timeout, started);
                    if returned {
                        p.away_until = None;
                        p.since = Instant::now();
                    }
                    Ok(returned)
                }
                None => Ok(true),
            },
            None => match self.queue.pop_front() {
                Some(card) => {
                    self.present = Some(Present { card, since: Instant::now(), apdus: 0, away_until: None });
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }

    fn wait_for_removal(&mut self, timeout: Option<Duration>) -> Result<bool, TransportError> {
        let started = Instant::now();
        let Some(p) = &self.present else { return Ok(true) };
        if p.away_until.is_some() {
            return Ok(true);
        }
        let gone = sleep_until(p.since + p.card.stays, timeout, started);
        self.expire();
        Ok(gone)
    }

    fn connect(&mut self) -> Result<VirtualCard<'_>, TransportError> {
        self.expire();
        match &mut self.present {
            Some(p) if p.away_until.is_none() => {
                p.card.chip.reset();
                Ok(VirtualCard { present: p })
            }
            _ => Err(TransportError::NoCard),
        }
    }
}

/// A connection to the card in a [`VirtualSlot`].
pub struct VirtualCard<'a> {
    present: &'a mut Present,
}

impl Transport for VirtualCard<'_> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let p = &mut *self.present;
        if p.away_until.is_some() {
            return Err(TransportError::CardRemoved);
        }
        p.apdus += 1;
        if let Some((after, absent)) = p.card.lift
            && p.apdus > after
        {
            p.card.lift = None;
            p.card.chip.reset();
            p.away_until = Some(Instant::now() + absent);
            return Err(TransportError::CardRemoved);
        }
        let answer = p.card.chip.handle(capdu);
        if !p.card.chip.present() {
            // The chip left the field for good (a hostile clone): the next card comes.
            p.card.stays = Duration::ZERO;
            p.card.lift = None;
            return Err(TransportError::CardRemoved);
        }
        Ok(answer)
    }

    fn supports_extended_length(&self) -> bool {
        self.present.card.chip.profile().max_extended_ne.is_some()
    }
}
