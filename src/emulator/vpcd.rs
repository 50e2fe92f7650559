//! Our virtual chip behind a real PC/SC stack: the card side of vsmartcard's `vpcd`
//! reader driver (pcscd loads it; it listens on TCP 35963 for `Virtual PCD 00 00`).
//!
//! Wire protocol (vsmartcard `api.rst`): every message in both directions is a 2-byte
//! big-endian length and the payload. A 1-byte payload from vpcd is a control code:
//! `00` power off, `01` power on, `02` reset (no answer), `04` get ATR (answered with the
//! ATR). Anything longer is a C-APDU, answered with the R-APDU. pcscd polls "get ATR" all
//! the time, so it is answered between APDUs too.
//!
//! The card is present while the TCP connection is up: [`VpcdCard`] "removes" the card by
//! closing it and "presents" it again by reconnecting, and reconnects by itself when pcscd
//! restarts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::VirtualChip;
use crate::transport::ApduHandler;

/// Control codes from vpcd.
const POWER_OFF: u8 = 0;
const POWER_ON: u8 = 1;
const RESET: u8 = 2;
const GET_ATR: u8 = 4;

/// When to take the card away and bring it back (tests of a card lost mid-read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removal {
    /// Remove the card after this many C-APDUs (counted from the first presentation).
    pub after_apdus: u64,
    /// How long the card stays away before it is presented again.
    pub absent_for: Duration,
}

/// How the virtual card behaves behind vpcd.
#[derive(Debug, Clone)]
pub struct VpcdOptions {
    /// The ATR it presents.
    pub atr: Vec<u8>,
    /// How long to keep trying to reach vpcd (pcscd not up yet, or restarting).
    pub connect_for: Duration,
    /// Remove the card once, mid-session, and present it again.
    pub removal: Option<Removal>,
    /// Behave like a reader (or driver) that cannot carry extended-length APDUs: an
    /// extended command never reaches the chip, and the answer overflows the driver's
    /// buffer, so pcscd fails the exchange at the reader level (`SCARD_E_NOT_TRANSACTED`),
    /// as the readers users report do.
    pub reader_without_extended: bool,
}

impl VpcdOptions {
    /// The ATR for `chip`: T=1, with card capabilities saying whether extended Lc/Le is
    /// supported (ISO/IEC 7816-4 §12.1.1.9), as the chip's profile says.
    #[must_use]
    pub fn for_chip(chip: &VirtualChip) -> Self {
        let extended = if chip.profile().max_extended_ne.is_some() { 0xE0 } else { 0x80 };
        // Category 80, card service data 31 F8, capabilities 73 F7 41 xx, status 82 90 00.
        let atr = crate::transport::atr::build_t1(&[0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, extended, 0x82, 0x90, 0x00]);
        Self { atr, connect_for: Duration::from_secs(30), removal: None, reader_without_extended: false }
    }
}

/// Why serving stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VpcdError {
    /// vpcd could not be reached within [`VpcdOptions::connect_for`].
    #[error("cannot reach vpcd at {addr} (is pcscd running with the vpcd driver?): {source}")]
    Unreachable {
        /// The address tried.
        addr: String,
        /// The last error.
        #[source]
        source: std::io::Error,
    },
    /// vpcd sent a frame that breaks the protocol.
    #[error("vpcd protocol error: {0}")]
    Protocol(&'static str),
}

/// The virtual card connected to vpcd.
#[derive(Debug)]
pub struct VpcdCard {
    chip: VirtualChip,
    addr: String,
    options: VpcdOptions,
    apdus: u64,
    removed_once: bool,
}

/// How one connection ended.
enum End {
    /// vpcd closed the connection (pcscd stopped or restarted).
    Closed,
    /// We removed the card.
    Removed,
    /// Asked to stop.
    Stopped,
    /// The chip left the field for good.
    Departed,
}

impl VpcdCard {
    /// A card that will connect to vpcd at `addr` (`HOST:PORT`, e.g. `127.0.0.1:35963`).
    #[must_use]
    pub fn new(chip: VirtualChip, addr: &str, options: VpcdOptions) -> Self {
        Self { chip, addr: addr.to_string(), options, apdus: 0, removed_once: false }
    }

    /// The C-APDUs answered so far.
    #[must_use]
    pub fn apdus(&self) -> u64 {
        self.apdus
    }

    /// Serves the card until `stop` is set: connects (retrying for
    /// [`VpcdOptions::connect_for`]), answers vpcd, reconnects when pcscd restarts, and
    /// removes and re-presents the card when [`VpcdOptions::removal`] says so.
    ///
    /// # Errors
    /// [`VpcdError`] when vpcd cannot be reached or breaks the protocol.
    pub fn serve(&mut self, stop: &Arc<AtomicBool>) -> Result<(), VpcdError> {
        loop {
            let mut stream = self.connect(stop)?;
            let Some(s) = stream.as_mut() else { return Ok(()) };
            // Each presentation powers the chip up afresh.
            self.chip.reset();
            match self.session(s, stop)? {
                End::Stopped | End::Departed => return Ok(()),
                End::Closed => {}
                End::Removed => {
                    drop(stream);
                    let absent = self.options.removal.map_or(Duration::ZERO, |r| r.absent_for);
                    sleep_unless_stopped(absent, stop);
                }
            }
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
        }
    }

    fn connect(&self, stop: &AtomicBool) -> Result<Option<TcpStream>, VpcdError> {
        let started = Instant::now();
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            match TcpStream::connect(&self.addr) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    // Wake up now and then to see `stop`.
                    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
                    return Ok(Some(s));
                }
                Err(e) if started.elapsed() >= self.options.connect_for => {
                    return Err(VpcdError::Unreachable { addr: self.addr.clone(), source: e });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn session(&mut self, s: &mut TcpStream, stop: &AtomicBool) -> Result<End, VpcdError> {
        loop {
            let frame = match read_frame(s, stop) {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(End::Stopped),
                Err(FrameError::Closed) => return Ok(End::Closed),
                Err(FrameError::Protocol(m)) => return Err(VpcdError::Protocol(m)),
            };
            let answer = match frame.as_slice() {
                [] => return Err(VpcdError::Protocol("empty frame")),
                [POWER_OFF | POWER_ON | RESET] => {
                    self.chip.reset();
                    None
                }
                [GET_ATR] => Some(self.options.atr.clone()),
                [_] => None,
                capdu if self.options.reader_without_extended && capdu.len() >= 7 && capdu.get(4) == Some(&0) => {
                    // More than any receive buffer the client gives (vpcd's frames carry
                    // at most 65 535 bytes): vpcd's driver answers "not enough memory".
                    Some(vec![0u8; 65_535])
                }
                capdu => {
                    if let Some(r) = self.options.removal
                        && !self.removed_once
                        && self.apdus >= r.after_apdus
                    {
                        // Taken out of the field before this command reached it.
                        self.removed_once = true;
                        return Ok(End::Removed);
                    }
                    self.apdus += 1;
                    let answer = self.chip.handle(capdu);
                    if !self.chip.present() {
                        // A hostile chip that leaves the field for good: the connection
                        // closes and the card is not presented again.
                        return Ok(End::Departed);
                    }
                    Some(answer)
                }
            };
            if let Some(a) = answer
                && write_frame(s, &a).is_err()
            {
                return Ok(End::Closed);
            }
        }
    }
}

fn sleep_unless_stopped(d: Duration, stop: &AtomicBool) {
    let until = Instant::now() + d;
    while Instant::now() < until && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

enum FrameError {
    Closed,
    Protocol(&'static str),
}

/// Reads one frame; `None` when stopped while waiting.
fn read_frame(s: &mut TcpStream, stop: &AtomicBool) -> Result<Option<Vec<u8>>, FrameError> {
    let mut len = [0u8; 2];
    if !read_exact(s, &mut len, stop, true)? {
        return Ok(None);
    }
    let n = usize::from(u16::from_be_bytes(len));
    if n == 0 {
        return Err(FrameError::Protocol("zero-length frame"));
    }
    let mut buf = vec![0u8; n];
    read_exact(s, &mut buf, stop, false)?;
    Ok(Some(buf))
}

/// Fills `buf`; returns false when stopped before the first byte (only when `idle`).
fn read_exact(s: &mut TcpStream, buf: &mut [u8], stop: &AtomicBool, idle: bool) -> Result<bool, FrameError> {
    let mut got = 0usize;
    while got < buf.len() {
        let Some(rest) = buf.get_mut(got..) else { return Err(FrameError::Closed) };
        match s.read(rest) {
            Ok(0) => return Err(FrameError::Closed),
            Ok(n) => got += n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                if idle && got == 0 && stop.load(Ordering::Relaxed) {
                    return Ok(false);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(FrameError::Closed),
        }
    }
    Ok(true)
}

fn write_frame(s: &mut TcpStream, payload: &[u8]) -> std::io::Result<()> {
    let n = u16::try_from(payload.len()).map_err(|_| std::io::Error::other("frame too long"))?;
    let mut out = Vec::with_capacity(payload.len() + 2);
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(payload);
    s.write_all(&out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::emulator::VirtualDocument;
    use std::net::TcpListener;

    /// A fake vpcd: asks for the ATR, powers on, sends GET CHALLENGE, then closes.
    #[test]
    fn speaks_the_vpcd_protocol() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let chip = VirtualChip::new(VirtualDocument::specimen());
        let expected_atr = VpcdOptions::for_chip(&chip).atr;
        let card = std::thread::spawn(move || {
            let mut card =
                VpcdCard::new(chip, &addr, VpcdOptions::for_chip(&VirtualChip::new(VirtualDocument::specimen())));
            card.serve(&stop2).map(|()| card.apdus())
        });
        let (mut s, _) = listener.accept().unwrap();
        let mut frame = |payload: &[u8]| {
            write_frame(&mut s, payload).unwrap();
            if payload.len() == 1 && payload[0] != GET_ATR {
                return Vec::new();
            }
            let mut len = [0u8; 2];
            s.read_exact(&mut len).unwrap();
            let mut b = vec![0u8; usize::from(u16::from_be_bytes(len))];
            s.read_exact(&mut b).unwrap();
            b
        };
        assert_eq!(frame(&[GET_ATR]), expected_atr);
        assert_eq!(crate::transport::atr::extended_length(&expected_atr), Some(true));
        assert!(frame(&[POWER_ON]).is_empty());
        // SELECT the eMRTD application.
        let r = frame(&[0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01]);
        assert_eq!(r, [0x90, 0x00]);
        assert_eq!(frame(&[GET_ATR]), expected_atr);
        stop.store(true, Ordering::Relaxed);
        drop(s);
        drop(listener);
        assert_eq!(card.join().unwrap().unwrap(), 1);
    }

    fn ask_atr(s: &mut TcpStream) -> Vec<u8> {
        write_frame(s, &[GET_ATR]).unwrap();
        let mut len = [0u8; 2];
        s.read_exact(&mut len).unwrap();
        let mut b = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut b).unwrap();
        b
    }

    /// pcscd restarting looks like vpcd closing the socket: the card connects again. A
    /// removal on cue closes the socket itself and comes back after `absent_for`.
    #[test]
    fn reconnects_after_pcscd_restarts_and_after_a_removal() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let chip = VirtualChip::new(VirtualDocument::specimen());
        let mut options = VpcdOptions::for_chip(&chip);
        options.removal = Some(Removal { after_apdus: 1, absent_for: Duration::from_millis(300) });
        let atr = options.atr.clone();
        let card = std::thread::spawn(move || {
            let mut card = VpcdCard::new(chip, &addr, options);
            card.serve(&stop2).map(|()| card.apdus())
        });
        // First connection: vpcd goes away (pcscd restarts).
        let (mut s, _) = listener.accept().unwrap();
        assert_eq!(ask_atr(&mut s), atr);
        drop(s);
        // Second connection: one APDU is answered, the next finds the card gone.
        let (mut s, _) = listener.accept().unwrap();
        let select = [0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
        write_frame(&mut s, &select).unwrap();
        let mut r = [0u8; 4];
        s.read_exact(&mut r).unwrap();
        assert_eq!(r, [0x00, 0x02, 0x90, 0x00]);
        write_frame(&mut s, &select).unwrap();
        let mut closed = [0u8; 1];
        assert_eq!(s.read(&mut closed).unwrap(), 0, "the card left the field");
        let removed_at = Instant::now();
        // Presented again after the absence, freshly powered.
        let (mut s, _) = listener.accept().unwrap();
        assert!(removed_at.elapsed() >= Duration::from_millis(250));
        assert_eq!(ask_atr(&mut s), atr);
        stop.store(true, Ordering::Relaxed);
        drop(s);
        drop(listener);
        assert_eq!(card.join().unwrap().unwrap(), 1);
    }

    #[test]
    fn unreachable_vpcd_is_reported() {
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().to_string()
        };
        let mut o = VpcdOptions::for_chip(&VirtualChip::new(VirtualDocument::specimen()));
        o.connect_for = Duration::from_millis(300);
        let mut card = VpcdCard::new(VirtualChip::new(VirtualDocument::specimen()), &addr, o);
        let e = card.serve(&Arc::new(AtomicBool::new(false))).unwrap_err();
        assert!(e.to_string().contains("pcscd"), "{e}");
    }
}
