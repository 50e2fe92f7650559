//! `passchip readers` and `passchip read`: real documents through PC/SC (feature `pcsc`).
//!
//! `read` verifies as it reads: integrity always (every group against EF.SOD), passive
//! authentication and chip authenticity with a trust store, the bank verdict with
//! `--identity`. Exit status: 0 only when the read is complete, the data intact and —
//! with a trust store — the document genuine (with `--identity`: the decision `accept`);
//! 1 otherwise (also for a wrong MRZ/CAN/PIN, a card that left and did not come back, a
//! chip that failed an anti-cloning protocol, with or without a trust store); 2 on usage
//! or environment errors (no PC/SC service, no such reader, no card within `--wait`, a
//! trust store that cannot be used).

use std::path::PathBuf;

use clap::Args;

/// Options of `passchip readers`.
#[derive(Debug, Args)]
pub struct ReadersArgs {
    /// Print the readers as JSON (schema `passchip.readers/1`).
    #[arg(long)]
    json: bool,
}

/// Options of `passchip read`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("secret").required(true).multiple(true).args(["mrz", "can", "pin", "document_number"])))]
pub struct ReadArgs {
    /// The reader (its full name, or a part only it contains); default: the first reader
    /// with a card.
    #[arg(long, value_name = "NAME")]
    reader: Option<String>,
    /// Wait up to SECS for a card to be presented (default: it must be there already). A
    /// card that leaves mid-read is waited for up to SECS again (30 s without --wait), and
    /// the read resumes where it stopped.
    #[arg(long, value_name = "SECS")]
    wait: Option<u64>,
    /// The full MRZ, lines separated by newlines; `-` reads it from standard input (or
    /// asks, without echo, on a terminal).
    #[arg(long, value_name = "LINES", env = "PASSCHIP_MRZ", hide_env_values = true)]
    mrz: Option<String>,
    /// The card access number (PACE); `-` reads it from standard input (or asks, without
    /// echo, on a terminal). Keep secrets off the command line: other users see it.
    #[arg(long, value_name = "CAN", env = "PASSCHIP_CAN", hide_env_values = true)]
    can: Option<String>,
    /// The holder's PIN (PACE; eID cards); `-` reads it from standard input (or asks,
    /// without echo, on a terminal).
    #[arg(long, value_name = "PIN", env = "PASSCHIP_PIN", hide_env_values = true)]
    pin: Option<String>,
    /// The document number (with --birth-date and --expiry-date, instead of --mrz).
    #[arg(long, value_name = "N", requires_all = ["birth_date", "expiry_date"])]
    document_number: Option<String>,
    /// Date of birth, YYMMDD.
    #[arg(long, value_name = "YYMMDD", requires = "document_number")]
    birth_date: Option<String>,
    /// Date of expiry, YYMMDD.
    #[arg(long, value_name = "YYMMDD", requires = "document_number")]
    expiry_date: Option<String>,
    /// Write the read as a dump folder (the format `passchip verify` reads).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write the face image from DG2 to FILE: the original JPEG or JPEG 2000 bytes, or
    /// decoded to PNG when FILE ends in `.png`.
    #[arg(long, value_name = "FILE")]
    face: Option<PathBuf>,
    /// With --out and --face: replace an existing dump folder's files or face file
    /// (without it, a folder that is not empty or a file that exists is refused).
    #[arg(long)]
    force: bool,
    /// Print the result as JSON (schema `passchip.read/1`).
    #[arg(long)]
    json: bool,
    /// Add the link statistics: APDUs, bytes each way, time per phase.
    #[arg(long)]
    stats: bool,
    /// Short APDUs only (for readers that cannot carry extended ones; passchip also finds
    /// out by itself and reads on with short APDUs).
    #[arg(long)]
    short_apdus: bool,
    #[command(flatten)]
    trust: crate::trust::TrustArgs,
    /// Judge certificate validity and expiry as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    /// Require a CRL check for a genuine verdict.
    #[arg(long)]
    require_crl: bool,
    /// A bank e-ID result (the JSON forms of `passchip match`): decide whether the
    /// document's holder is that person (`passchip.verification/1` in the output).
    #[arg(long, value_name = "FILE")]
    identity: Option<PathBuf>,
    /// A plain read for diagnostics: no verdict, no trust store (integrity is still shown).
    #[arg(long, conflicts_with = "identity")]
    no_verify: bool,
    /// With --identity: the attempt ledger (consulted when --ledger, --ledger-key-file or
    /// $PASSCHIP_LEDGER_KEY is given): a locked person is refused before the card is read.
    #[command(flatten)]
    ledger: crate::ledger_cmd::LedgerArgs,
}

/// How a command ended: the exit status.
#[derive(Debug)]
pub enum Failure {
    /// The read ran and failed: exit 1.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    Read(String),
    /// Usage or environment: exit 2.
    Usage(String),
}

#[cfg(not(feature = "pcsc"))]
const NO_PCSC: &str = "this passchip was built without PC/SC support: rebuild with `--features pcsc`";

/// `passchip readers`.
#[cfg(not(feature = "pcsc"))]
pub fn readers(_: &ReadersArgs) -> Result<(), Failure> {
    Err(Failure::Usage(NO_PCSC.into()))
}

/// `passchip read`.
#[cfg(not(feature = "pcsc"))]
pub fn read(_: &ReadArgs, _: &clap::ArgMatches) -> Result<(), Failure> {
    Err(Failure::Usage(NO_PCSC.into()))
}

#[cfg(feature = "pcsc")]
pub use with_pcsc::{read, readers};

#[cfg(feature = "pcsc")]
mod with_pcsc {
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
    use passchip::date::Date;
    use passchip::kiosk::Visit;
    use passchip::lds::LdsFile;
    use passchip::mrz::{Mrz, MrzKey};
    use passchip::pki::{Integrity, PaOptions};
    use passchip::reader::{Credentials, PartialRead, ReadOptions, SessionError, read_document_resuming};
    use passchip::transport::TransportError;
    use passchip::transport::pcsc::{Pcsc, PcscError};
    use serde::Serialize;
    use zeroize::Zeroizing;

    use super::{Failure, ReadArgs, ReadersArgs};
    use crate::read_report::{Concluded, Stats};

    /// Most times a read is resumed after the card left the field.
    const MAX_RESUMES: usize = 5;
    /// Time given to present a card again after it left mid-read, without `--wait`.
    const RESUME_WAIT: Duration = Duration::from_secs(30);

    fn env(e: PcscError) -> Failure {
        Failure::Usage(e.to_string())
    }

    pub fn readers(args: &ReadersArgs) -> Result<(), Failure> {
        let pcsc = Pcsc::establish().map_err(env)?;
        let list = pcsc.readers().map_err(env)?;
        if args.json {
            #[derive(Serialize)]
            struct Out<'a> {
                schema: &'static str,
                readers: &'a [passchip::transport::pcsc::ReaderInfo],
            }
            let text = serde_json::to_string_pretty(&Out { schema: "passchip.readers/1", readers: &list })
                .map_err(|e| Failure::Usage(e.to_string()))?;
            println!("{text}");
            return Ok(());
        }
        if list.is_empty() {
            println!("no readers");
        }
        for r in &list {
            let atr: String = r.atr.iter().map(|b| format!("{b:02X}")).collect();
            let kind = match r.kind {
                passchip::transport::reader_kind::ReaderKind::Contactless => "contactless",
                passchip::transport::reader_kind::ReaderKind::Contact => "contact",
                _ => "unknown kind",
            };
            let card = if r.card_present { format!("card present, ATR {atr}") } else { "no card".into() };
            println!("{}\t{kind}\t{card}", r.name);
        }
        if let Ok(c) = passchip::transport::reader_kind::choose(
            list.iter().map(|r| (r.name.as_str(), r.card_present, r.atr.as_slice())),
        ) && let Some(r) = list.get(c.index)
        {
            println!("\n`passchip read` would read from {} ({})", r.name, c.why);
        }
        Ok(())
    }

    /// The secrets given: the PIN (with the CAN for a suspended PIN), else the CAN (with
    /// the MRZ for a chip without PACE), else the MRZ.
    fn credentials(args: &ReadArgs) -> Result<Credentials, Failure> {
        let usage = |e: &dyn std::fmt::Display| Failure::Usage(e.to_string());
        let mrz = if let Some(lines) = &args.mrz {
            let lines = crate::secret::resolve(lines, "MRZ", true).map_err(Failure::Usage)?;
            let lines = Zeroizing::new(lines.replace("\\n", "\n"));
            Some(Mrz::parse(&lines).map_err(|e| usage(&format!("--mrz: {e}")))?.access_key())
        } else if let (Some(n), Some(b), Some(e)) = (&args.document_number, &args.birth_date, &args.expiry_date) {
            Some(MrzKey::new(n, b, e).map_err(|e| usage(&e))?)
        } else {
            None
        };
        let secret =
            |v: &Option<String>, what| v.as_deref().map(|v| crate::secret::resolve(v, what, false)).transpose();
        let pin = secret(&args.pin, "PIN").map_err(Failure::Usage)?;
        let can = secret(&args.can, "CAN").map_err(Failure::Usage)?;
        match (pin, can, mrz) {
            (Some(_), _, Some(_)) => {
                Err(Failure::Usage("--pin opens eID cards with PACE: give the CAN with it, not the MRZ".into()))
            }
            (Some(pin), Some(can), None) => Ok(Credentials::PinWithCan { pin, can }),
            (Some(pin), None, None) => Ok(Credentials::Pin(pin)),
            (None, Some(can), mrz) => Ok(Credentials::Can { can, mrz }),
            (None, None, Some(key)) => Ok(Credentials::Mrz(key)),
            (None, None, None) => Err(Failure::Usage("give --mrz, --can, --pin or the three MRZ fields".into())),
        }
    }

    /// Progress bars on stderr, one per file (hidden when stderr is not a terminal).
    struct Bars {
        multi: MultiProgress,
        bars: HashMap<String, ProgressBar>,
    }

    impl Bars {
        fn new() -> Self {
            Self { multi: MultiProgress::new(), bars: HashMap::new() }
        }

        fn update(&mut self, p: passchip::reader::Progress<'_>) {
            let multi = &self.multi;
            let bar = self.bars.entry(p.file.to_string()).or_insert_with(|| {
                let b = multi.add(ProgressBar::new(0));
                let style = ProgressStyle::with_template("{prefix:>8} [{bar:30}] {bytes}/{total_bytes}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
                b.set_style(style);
                b.set_prefix(p.file.to_string());
                b
            });
            if let Some(t) = p.total {
                bar.set_length(t as u64);
            }
            bar.set_position(p.read as u64);
            if p.total.is_some_and(|t| p.read >= t) {
                bar.finish();
            }
        }
    }

    pub fn read(args: &ReadArgs, matches: &clap::ArgMatches) -> Result<(), Failure> {
        let at = match &args.at {
            Some(s) => Date::parse(s).map_err(|e| Failure::Usage(format!("--at: {e}")))?,
            None => Date::today(),
        };
        // The trust store is opened before the card is touched: a store that cannot be
        // used is a usage error, not a reason to spend the holder's time.
        let trust = if args.no_verify || !args.trust.any() {
            None
        } else {
            Some(args.trust.load(matches, at).map_err(|e| Failure::Usage(e.0))?)
        };
        let creds = credentials(args)?;
        // The person is admitted by the attempt ledger before the card is touched.
        let check = match &args.identity {
            Some(path) => match crate::bank::start(path, &args.ledger).map_err(Failure::Usage)? {
                crate::bank::Start::Go(check) => Some(check),
                crate::bank::Start::Refused(v) => {
                    crate::bank::print_refusal(&v, args.json).map_err(Failure::Usage)?;
                    return Err(Failure::Read(crate::bank::refusal_text(&v)));
                }
            },
            None => None,
        };
        let pcsc = Pcsc::establish().map_err(env)?;
        let t0 = Instant::now();
        let timeout = Some(Duration::from_secs(args.wait.unwrap_or(0)));
        let chosen = pcsc.wait_for_document(args.reader.as_deref(), timeout).map_err(|e| match e {
            PcscError::Timeout(_) if args.wait.is_none() => Failure::Usage(match &args.reader {
                Some(r) => format!("no card in reader {r:?} (use --wait SECS to wait for one)"),
                None => "no card in any reader (use --wait SECS to wait for one)".into(),
            }),
            e => env(e),
        })?;
        let reader = chosen.name.clone();
        if !args.json {
            eprintln!("passchip read: reading from {reader} ({})", chosen.why);
        }
        let waited = t0.elapsed();
        let resume_wait = args.wait.map_or(RESUME_WAIT, Duration::from_secs);
        let mut bars = Bars::new();
        let mut partial = PartialRead::new();
        let mut first: Option<(String, Duration)> = None;
        let read = loop {
            let t1 = Instant::now();
            let mut card = pcsc.connect(&reader).map_err(env)?;
            let atr: String = card.atr().iter().map(|b| format!("{b:02X}")).collect();
            let mut tx = card.transaction().map_err(env)?;
            first.get_or_insert((atr, t1.elapsed()));
            let options = if args.short_apdus { ReadOptions::default().short_only() } else { ReadOptions::default() };
            let result = read_document_resuming(&mut tx, &creds, options, &mut partial, &mut |p| bars.update(p));
            match result {
                Ok(read) => break read,
                Err(SessionError::Interrupted { during, cause }) if partial.interruptions().len() <= MAX_RESUMES => {
                    drop(tx);
                    drop(card);
                    // Said on stderr even when the bars are hidden (stderr not a terminal).
                    bars.multi.suspend(|| {
                        if matches!(cause, TransportError::ExtendedLengthUnsupported(_)) {
                            eprintln!("passchip read: {cause} during {during}; reading on with short APDUs");
                        } else {
                            eprintln!(
                                "passchip read: {cause} during {during}; present it again to resume (waiting up to {} s)",
                                resume_wait.as_secs()
                            );
                        }
                    });
                    if cause == TransportError::CardRemoved {
                        // pcscd may not have noticed yet: let it, so the wait below sees the return.
                        let _ = pcsc.wait_for_removal(&reader, Some(Duration::from_secs(2)));
                    }
                    pcsc.wait_for_card(Some(&reader), Some(resume_wait)).map_err(|e| match e {
                        PcscError::Timeout(_) => Failure::Read(format!(
                            "the card left the reader during {during} and was not presented again within {} s",
                            resume_wait.as_secs()
                        )),
                        e => env(e),
                    })?;
                }
                Err(SessionError::PinResumeNeedsConfirmation) => {
                    // No transaction is held while a person answers: Windows resets a card
                    // held in one for more than 5 s without a command.
                    drop(tx);
                    drop(card);
                    if !confirm_pin_resume(&bars) {
                        return Err(Failure::Read(SessionError::PinResumeNeedsConfirmation.to_string()));
                    }
                    partial.allow_pin_on_resume();
                }
                Err(e) => return Err(Failure::Read(e.to_string())),
            }
        };
        let (atr, connected) = first.unwrap_or_default();
        let mut owned = None;
        let _ = bars.multi.clear();
        if let Some(dir) = &args.out {
            read.dump().write(dir, crate::overwrite(args.force)).map_err(|e| Failure::Usage(e.to_string()))?;
        }
        if let Some(path) = &args.face {
            let dg2 =
                LdsFile::dg(2).and_then(|f| read.files.get(&f)).ok_or(Failure::Read("the chip has no DG2".into()))?;
            super::super::face::write(dg2, path, args.force).map_err(Failure::Usage)?;
        }
        let stats = args.stats.then_some(Stats {
            wait_ms: waited.as_secs_f64() * 1000.0,
            connect_ms: connected.as_secs_f64() * 1000.0,
            session: read.stats,
        });
        let dump = read.dump();
        let integrity = Integrity::check(dump.sod.as_deref(), dump.com.as_deref(), &dump.data_groups);
        drop(dump);
        let (visit, summary) = match trust {
            Some((store, summary)) => {
                let options = PaOptions::at(at).with_required_crl(args.require_crl);
                (Some(Visit::verify(read, &store, &options)), Some(summary))
            }
            None => {
                owned = Some(read);
                (None, None)
            }
        };
        let read_ref = match (&visit, &owned) {
            (Some(v), _) => v.read(),
            (None, Some(r)) => r,
            (None, None) => return Err(Failure::Read("nothing was read".into())),
        };
        let bank = match check {
            Some(check) => Some(check.decide(read_ref, visit.as_ref(), at).map_err(Failure::Usage)?),
            None => None,
        };
        let concluded = Concluded {
            reader: &reader,
            reader_chosen_because: &chosen.why,
            atr,
            read: read_ref,
            integrity: &integrity,
            visit: visit.as_ref().zip(summary.as_ref()),
            bank: bank.as_ref(),
            stats,
            verify_skipped: args.no_verify,
        };
        if args.json {
            let text = serde_json::to_string_pretty(&concluded.report()).map_err(|e| Failure::Usage(e.to_string()))?;
            println!("{text}");
        } else {
            concluded.print();
        }
        match concluded.failure() {
            Some(why) => Err(Failure::Read(why)),
            None => Ok(()),
        }
    }

    /// Asks on the terminal whether a PIN try may be spent on the card presented again
    /// (not yet known to be the same document). No terminal: no.
    fn confirm_pin_resume(bars: &Bars) -> bool {
        use std::io::{BufRead, IsTerminal, Write};
        if !std::io::stdin().is_terminal() {
            return false;
        }
        let mut answer = String::new();
        bars.multi.suspend(|| {
            eprint!("passchip read: spend a PIN try on the card presented again before it is known to be the same document? [y/N] ");
            let _ = std::io::stderr().flush();
            let _ = std::io::stdin().lock().read_line(&mut answer);
        });
        matches!(answer.trim(), "y" | "Y" | "yes")
    }
}
