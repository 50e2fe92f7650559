//! A bank kiosk: wait for a passport or ID card, ask the operator for its CAN (or the MRZ
//! fields), read and verify it, show the result, and wipe everything when the card is
//! taken away or after the idle timeout (2 minutes); then wait for the next card.
//!
//! ```sh
//! # Without hardware: three virtual visitors (one lifts the card mid-read, one is a clone).
//! cargo run --example kiosk -- --virtual
//! # A PC/SC reader; the trust folder (`passchip trust import`), or CSCA certificates (DER)
//! # to trust; the operator types at the prompt.
//! cargo run --example kiosk --features pcsc -- --reader "NAME" [--csca csca.der …] [--idle SECS] [--short-apdus]
//! ```

use std::io::{BufRead, Write};
use std::time::Duration;

use passchip::kiosk::{self, Desk, KioskError, KioskOptions, Visit, VisitEnd};
use passchip::mrz::MrzKey;
use passchip::pki::{Cert, TrustSource, TrustStore};
use passchip::reader::{Credentials, Progress};
use zeroize::Zeroizing;

/// The screen and keyboard: a terminal here.
struct Terminal {
    /// Credentials typed ahead (the virtual visitors); `None`: prompt on stdin.
    scripted: Option<Vec<Credentials>>,
    visits_left: Option<usize>,
}

impl Desk for Terminal {
    fn keep_going(&mut self) -> bool {
        self.visits_left != Some(0)
    }

    fn credentials(&mut self) -> Option<Credentials> {
        if let Some(list) = &mut self.scripted {
            return (!list.is_empty()).then(|| list.remove(0));
        }
        print!("card on the reader: CAN, or DOCUMENT_NUMBER YYMMDD YYMMDD (empty: skip) > ");
        let _ = std::io::stdout().flush();
        let mut line = Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line).ok()?;
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [can] => Some(Credentials::Can { can: Zeroizing::new((*can).to_string()), mrz: None }),
            [n, b, e] => MrzKey::new(n, b, e).ok().map(Credentials::Mrz),
            _ => None,
        }
    }

    fn progress(&mut self, p: Progress<'_>) {
        if let Some(total) = p.total
            && p.read >= total
        {
            println!("  read {} ({} bytes)", p.file, total);
        }
    }

    fn show(&mut self, visit: &Visit) {
        let read = visit.read();
        let Some(dg1) = &read.dg1 else { return };
        let m = &dg1.mrz;
        println!("┌──────────────────────────────────────────────");
        println!("│ {} {}, {} {}", m.secondary_identifier, m.primary_identifier, m.document_code, m.document_number);
        println!(
            "│ born {} (YYMMDD), nationality {}, expires {}",
            m.date_of_birth.as_str(),
            m.nationality,
            m.date_of_expiry.as_str()
        );
        // GENUINE only for a valid document with a proven chip that has not expired.
        println!("│ {}", visit.outcome());
        let pa = visit.passive_authentication();
        let failing: Vec<String> = pa
            .checks()
            .iter()
            .filter(|c| c.status() != passchip::pki::Status::Passed)
            .filter_map(|c| c.reason().map(str::to_string))
            .collect();
        match pa.verdict() {
            passchip::pki::Verdict::Valid => println!("│   document signed by its issuing state"),
            _ => println!("│   document not verified: {}", failing.join("; ")),
        }
        let chip = visit.chip();
        if chip.proven() {
            println!("│   chip is the original (proven by {})", chip.proven_by().join(", "));
        } else {
            // A failed chip says why it failed; otherwise what is missing.
            let why: Vec<&String> = if chip.failed() {
                chip.reasons().iter().filter(|r| r.contains("failed")).collect()
            } else {
                chip.reasons().iter().collect()
            };
            println!("│   chip {}: {}", chip.status(), why.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("; "));
        }
        if let Some(d) = &read.downgrade {
            println!("│   opened with {} although it supports {}: {}", d.used, d.expected, d.reason);
        }
        for i in &read.interruptions {
            println!("│   (card lifted during {i}; the read went on)");
        }
        println!("└── take the card away to clear the screen");
    }

    fn failed(&mut self, error: &KioskError) {
        println!("could not read the card: {error}");
    }

    fn wiped(&mut self, end: VisitEnd) {
        println!("screen and memory wiped: {end}\n");
        if let Some(n) = &mut self.visits_left {
            *n = n.saturating_sub(1);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let idle = args
        .iter()
        .position(|a| a == "--idle")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse::<u64>())
        .transpose()?
        .map_or(Duration::from_secs(120), Duration::from_secs);
    let mut options = KioskOptions::default().with_idle_timeout(idle);
    // A reader that cannot carry extended APDUs (passchip also finds out by itself).
    if args.iter().any(|a| a == "--short-apdus") {
        options.read = options.read.short_only();
    }
    if args.iter().any(|a| a == "--virtual") {
        return run_virtual(&options);
    }
    run_pcsc(&args, &options)
}

/// Three visitors at a virtual reader.
fn run_virtual(options: &KioskOptions) -> Result<(), Box<dyn std::error::Error>> {
    use passchip::emulator::{ChipProfile, DocumentSpec, Presentation, VirtualChip, VirtualDocument, VirtualSlot};
    let genuine = VirtualDocument::specimen();
    let other = VirtualDocument::from_seed(11);
    let clone = VirtualDocument::build(DocumentSpec { cloned: true, ..DocumentSpec::from_seed(11) });
    let mut store = TrustStore::new();
    for d in [&genuine, &other] {
        let pki = d.pki().ok_or("no PKI")?;
        store.add(pki.csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    }
    let mut slot = VirtualSlot::new();
    let stay = Duration::from_millis(300);
    slot.present(Presentation::new(VirtualChip::new(genuine.clone()), stay));
    // An older chip (short reads only), lifted in the middle of the face image.
    let older = VirtualChip::with_profile(other.clone(), ChipProfile::legacy_le160());
    slot.present(Presentation::new(older, stay).lifted(50, Duration::from_millis(200)));
    slot.present(Presentation::new(VirtualChip::new(clone), stay));
    let can = |d: &VirtualDocument| Credentials::Can { can: Zeroizing::new(d.spec().can.clone()), mrz: None };
    let mut desk = Terminal { scripted: Some(vec![can(&genuine), can(&other), can(&other)]), visits_left: Some(3) };
    kiosk::run(&mut slot, &mut desk, &store, options)?;
    Ok(())
}

#[cfg(feature = "pcsc")]
fn run_pcsc(args: &[String], options: &KioskOptions) -> Result<(), Box<dyn std::error::Error>> {
    use passchip::transport::pcsc::{Pcsc, PcscSlot};
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let reader = value("--reader").ok_or("--reader NAME (see `passchip readers`)")?;
    // The trust folder `passchip trust import` fills, unless CSCAs are named.
    let named = args.iter().any(|a| a == "--csca");
    let mut store = if named { None } else { TrustStore::open_configured()? }.unwrap_or_default();
    if let Some(origin) = store.origin() {
        let updated = passchip::date::Date::from_unix(origin.updated);
        println!("trust store {} (updated {updated}), {} certificate(s)", origin.path, store.len());
    }
    for (i, a) in args.iter().enumerate() {
        if a == "--csca" {
            let path = args.get(i + 1).ok_or("--csca FILE")?;
            let cert = Cert::from_der(&std::fs::read(path)?)?;
            store.add(cert, TrustSource::File { path: path.into() });
        }
    }
    let mut slot = PcscSlot::new(Pcsc::establish()?, reader)?;
    println!("kiosk on {}: present a card (Ctrl-C stops)", slot.reader());
    let mut desk = Terminal { scripted: None, visits_left: None };
    kiosk::run(&mut slot, &mut desk, &store, options)?;
    Ok(())
}

#[cfg(not(feature = "pcsc"))]
fn run_pcsc(_: &[String], _: &KioskOptions) -> Result<(), Box<dyn std::error::Error>> {
    let _ = Cert::from_der;
    Err("built without PC/SC: use --virtual, or --features pcsc".into())
}
