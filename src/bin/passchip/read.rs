//! `passchip readers` and `passchip read`: real documents through PC/SC (feature `pcsc`).
//!
//! `read` exit status: 0 on a complete read, 1 when the chip could not be read (a wrong
//! MRZ/CAN/PIN, the card removed and not presented again, a chip error), 2 on usage or
//! environment errors (no PC/SC service, no such reader, no card within `--wait`).

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
#[command(group(clap::ArgGroup::new("secret").required(true).args(["mrz", "can", "pin", "document_number"])))]
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
    /// The full MRZ, lines separated by newlines.
    #[arg(long, value_name = "LINES")]
    mrz: Option<String>,
    /// The card access number (PACE).
    #[arg(long, value_name = "CAN")]
    can: Option<String>,
    /// The holder's PIN (PACE; eID cards).
    #[arg(long, value_name = "PIN")]
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
pub fn read(_: &ReadArgs) -> Result<(), Failure> {
    Err(Failure::Usage(NO_PCSC.into()))
}

#[cfg(feature = "pcsc")]
pub use with_pcsc::{read, readers};

#[cfg(feature = "pcsc")]
mod with_pcsc {
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
    use passchip::lds::LdsFile;
    use passchip::mrz::{Mrz, MrzKey};
    use passchip::reader::{
        Credentials, DocumentRead, PartialRead, ReadOptions, SessionError, SessionStats, read_document_resuming,
    };
    use passchip::transport::TransportError;
    use passchip::transport::pcsc::{Pcsc, PcscError};
    use serde::Serialize;
    use zeroize::Zeroizing;

    use super::{Failure, ReadArgs, ReadersArgs};
    use crate::summary::{DocumentSummary, FaceSummary, FileSummary};

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
            let card = if r.card_present { format!("card present, ATR {atr}") } else { "no card".into() };
            println!("{}\t{card}", r.name);
        }
        Ok(())
    }

    fn credentials(args: &ReadArgs) -> Result<Credentials, Failure> {
        let usage = |e: &dyn std::fmt::Display| Failure::Usage(e.to_string());
        if let Some(lines) = &args.mrz {
            let lines = Zeroizing::new(lines.replace("\\n", "\n"));
            return Ok(Credentials::Mrz(Mrz::parse(&lines).map_err(|e| usage(&format!("--mrz: {e}")))?.access_key()));
        }
        if let (Some(n), Some(b), Some(e)) = (&args.document_number, &args.birth_date, &args.expiry_date) {
            return Ok(Credentials::Mrz(MrzKey::new(n, b, e).map_err(|e| usage(&e))?));
        }
        if let Some(can) = &args.can {
            return Ok(Credentials::Can { can: Zeroizing::new(can.clone()), mrz: None });
        }
        if let Some(pin) = &args.pin {
            return Ok(Credentials::Pin(Zeroizing::new(pin.clone())));
        }
        Err(Failure::Usage("give --mrz, --can, --pin or the three MRZ fields".into()))
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

    #[derive(Serialize)]
    struct Report<'a> {
        schema: &'static str,
        reader: &'a str,
        atr: String,
        document: Option<DocumentSummary>,
        face: Option<FaceSummary>,
        access: Access<'a>,
        files: Vec<FileSummary>,
        missing: Vec<String>,
        eac_protected: Vec<String>,
        interruptions: &'a [passchip::reader::Interruption],
        anti_cloning: &'a passchip::reader::AntiCloningRead,
        #[serde(skip_serializing_if = "Option::is_none")]
        stats: Option<Stats>,
    }

    #[derive(Serialize)]
    struct Access<'a> {
        protocol: String,
        secure_messaging: String,
        extended_length: bool,
        pace: Option<&'a passchip::access::pace::PaceOutcome>,
        bac_fallback: Option<&'a str>,
        downgrade: Option<&'a passchip::reader::Downgrade>,
        dg1_differs_from_access_mrz: bool,
    }

    #[derive(Serialize)]
    struct Stats {
        wait_ms: f64,
        connect_ms: f64,
        #[serde(flatten)]
        session: SessionStats,
    }

    pub fn read(args: &ReadArgs) -> Result<(), Failure> {
        let creds = credentials(args)?;
        let pcsc = Pcsc::establish().map_err(env)?;
        let t0 = Instant::now();
        let timeout = Some(Duration::from_secs(args.wait.unwrap_or(0)));
        let reader = pcsc.wait_for_card(args.reader.as_deref(), timeout).map_err(|e| match e {
            PcscError::Timeout(_) if args.wait.is_none() => Failure::Usage(match &args.reader {
                Some(r) => format!("no card in reader {r:?} (use --wait SECS to wait for one)"),
                None => "no card in any reader (use --wait SECS to wait for one)".into(),
            }),
            e => env(e),
        })?;
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
            let result =
                read_document_resuming(&mut tx, &creds, ReadOptions::default(), &mut partial, &mut |p| bars.update(p));
            match result {
                Ok(read) => break read,
                Err(SessionError::Interrupted { during, cause }) if partial.interruptions().len() <= MAX_RESUMES => {
                    drop(tx);
                    drop(card);
                    // Said on stderr even when the bars are hidden (stderr not a terminal).
                    bars.multi.suspend(|| {
                        eprintln!(
                            "passchip read: {cause} during {during}; present it again to resume (waiting up to {} s)",
                            resume_wait.as_secs()
                        );
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
                Err(SessionError::PinResumeNeedsConfirmation) if confirm_pin_resume(&bars) => {
                    partial.allow_pin_on_resume();
                }
                Err(e) => return Err(Failure::Read(e.to_string())),
            }
        };
        let (atr, connected) = first.unwrap_or_default();
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
        let report = report(&reader, atr, &read, stats);
        if args.json {
            let text = serde_json::to_string_pretty(&report).map_err(|e| Failure::Usage(e.to_string()))?;
            println!("{text}");
        } else {
            print_text(&report);
        }
        // What the read itself caught is a failure, whatever a trust store would add.
        let a = &read.anti_cloning;
        let failed: Vec<&str> = [
            ("PACE-CAM", &a.pace_cam.failed()),
            ("Chip Authentication", &a.chip_authentication.failed()),
            ("Active Authentication", &a.active_authentication.failed()),
        ]
        .into_iter()
        .filter(|(_, f)| **f)
        .map(|(n, _)| n)
        .collect();
        if !failed.is_empty() {
            return Err(Failure::Read(format!(
                "the chip failed {}: it is not the original chip",
                failed.join(" and ")
            )));
        }
        if read.dg1_differs_from_access_mrz {
            return Err(Failure::Read("DG1 names another document than the MRZ that opened the chip".into()));
        }
        if let Some(d) = &read.downgrade {
            return Err(Failure::Read(format!(
                "the chip was opened with {} although the document supports {}",
                d.used, d.expected
            )));
        }
        Ok(())
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

    fn report<'a>(reader: &'a str, atr: String, read: &'a DocumentRead, stats: Option<Stats>) -> Report<'a> {
        let document = read.dg1.as_ref().map(|d| DocumentSummary::from_mrz(&d.mrz));
        Report {
            schema: "passchip.read/1",
            reader,
            atr,
            document,
            face: FaceSummary::from_dg2(LdsFile::dg(2).and_then(|f| read.files.get(&f)).map(Vec::as_slice)),
            access: Access {
                protocol: read.access.to_string(),
                secure_messaging: read.suite.to_string(),
                extended_length: read.extended_length,
                pace: read.pace.as_ref(),
                bac_fallback: read.bac_fallback.as_deref(),
                downgrade: read.downgrade.as_ref(),
                dg1_differs_from_access_mrz: read.dg1_differs_from_access_mrz,
            },
            files: FileSummary::of(read),
            missing: read.missing.iter().map(|f| f.name()).collect(),
            eac_protected: read.eac_protected.iter().map(|f| f.name()).collect(),
            interruptions: &read.interruptions,
            anti_cloning: &read.anti_cloning,
            stats,
        }
    }

    fn print_text(r: &Report<'_>) {
        println!("passchip read: {}\n", r.reader);
        if let Some(d) = &r.document {
            println!("  Document      {} ({}), issued by {}", d.kind, d.format, d.issuing_state);
            println!("  Number        {}", d.document_number);
            println!("  Holder        {}, {}", d.primary_identifier, d.secondary_identifier);
            println!("  Nationality   {}", d.nationality);
            println!("  Born          {}", d.date_of_birth);
            println!("  Expires       {}", d.date_of_expiry);
        }
        println!(
            "  Access        {} ({} secure messaging, {})",
            r.access.protocol,
            r.access.secure_messaging,
            if r.access.extended_length { "extended length" } else { "short APDUs" }
        );
        if let Some(f) = r.access.bac_fallback {
            println!("  NOTE          {f}");
        }
        if let Some(d) = r.access.downgrade {
            println!(
                "  WARNING       opened with {} although the document supports {}: {}",
                d.used, d.expected, d.reason
            );
        }
        if r.access.dg1_differs_from_access_mrz {
            println!("  WARNING       DG1 names another document than the MRZ that opened the chip (a substitution)");
        }
        crate::summary::print_contents(&r.files, r.face.as_ref(), &r.missing, &r.eac_protected);
        for i in r.interruptions {
            println!("  Resumed       the card left during {i}; the read went on where it stopped");
        }
        let a = r.anti_cloning;
        println!(
            "  Anti-cloning  PACE-CAM {}, CA {}, AA {} (authenticity of the keys: passchip verify)",
            a.pace_cam.status(),
            a.chip_authentication.status(),
            a.active_authentication.status()
        );
        if let Some(s) = &r.stats {
            let p = &s.session.phases;
            println!(
                "  Link          {} APDUs ({} READ BINARY), {} bytes sent, {} received",
                s.session.apdus, s.session.read_binary, s.session.bytes_sent, s.session.bytes_received
            );
            println!(
                "  Time          wait {:.0} ms, connect {:.0} ms, access {:.0} ms ({} APDUs), read {:.0} ms ({} APDUs), anti-cloning {:.0} ms ({} APDUs)",
                s.wait_ms,
                s.connect_ms,
                p.access.elapsed.as_secs_f64() * 1000.0,
                p.access.apdus,
                p.read.elapsed.as_secs_f64() * 1000.0,
                p.read.apdus,
                p.anti_cloning.elapsed.as_secs_f64() * 1000.0,
                p.anti_cloning.apdus
            );
        }
    }
}
