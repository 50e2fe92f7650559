//! `passchip`: read and verify e-passport and ID card chips.
//!
//! Exit status: 0 on success (for `verify`: a valid verdict), 1 when the operation ran
//! and failed (the chip could not be read; the document is not valid), 2 on usage or I/O
//! errors.

#![forbid(unsafe_code)]

mod bank;
mod challenge;
mod dates;
mod demo;
mod emulate;
mod face;
mod hostile;
mod ledger_cmd;
mod matching;
mod pin;
mod read;
#[cfg(feature = "pcsc")]
mod read_report;
#[cfg(feature = "pcsc")]
mod secret;
mod summary;
mod trust;
mod trust_cmd;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// Read and verify e-passport and national ID card chips (ICAO 9303).
#[derive(Debug, Parser)]
#[command(name = "passchip", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read the built-in virtual passport end to end (BAC, secure messaging, every file)
    /// and print what was read.
    Demo(demo::DemoArgs),
    /// Passive authentication of a dump folder: SOD signature, DSC → CSCA chain, CRLs,
    /// data-group hashes, and stored Active Authentication evidence re-checked. Exit 0
    /// when valid, 1 when not, 2 on usage or I/O errors.
    Verify(verify::VerifyArgs),
    /// Is the document's holder the person a bank e-ID (BankID, Smart-ID, Mobile-ID)
    /// asserted? Exit 0 for a match, 1 for any other outcome, 2 on usage or I/O errors.
    Match(matching::MatchArgs),
    /// List the PC/SC readers and their cards (needs the `pcsc` feature).
    Readers(read::ReadersArgs),
    /// Read a document through a PC/SC reader (needs the `pcsc` feature). Exit 0 on a
    /// complete read, 1 when the chip could not be read, 2 on usage or environment errors.
    Read(read::ReadArgs),
    /// Serve the virtual passport to a real pcscd through vsmartcard's vpcd driver.
    Emulate(emulate::EmulateArgs),
    /// The attempt ledger: whether an identity or a document may try; unblock.
    #[command(subcommand)]
    Attempts(ledger_cmd::AttemptsCommand),
    /// The audit trail of decisions (identities and documents as keyed hashes).
    #[command(subcommand)]
    Audit(ledger_cmd::AuditCommand),
    /// eID card PINs: unblock with the PUK (needs the `pcsc` feature).
    #[command(subcommand)]
    Pin(pin::PinCommand),
    /// The trust store: import master lists, PKD downloads, CSCAs and CRLs; list; audit.
    #[command(subcommand)]
    Trust(trust_cmd::TrustCommand),
}

/// `PASSCHIP_LOG=error|warn|info|debug|trace` prints the library's log events on stderr
/// (never secrets; personal data is not logged by the CLI at any level).
fn init_logging() {
    let Ok(wanted) = std::env::var("PASSCHIP_LOG") else { return };
    let level = match wanted.to_ascii_lowercase().as_str() {
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "info" => tracing::Level::INFO,
        "debug" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => {
            eprintln!("PASSCHIP_LOG: expected error, warn, info, debug or trace; logging stays off");
            return;
        }
    };
    let _ = tracing_subscriber::fmt().with_max_level(level).with_writer(std::io::stderr).with_ansi(false).try_init();
}

fn main() -> ExitCode {
    init_logging();
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match cli.command {
        Command::Demo(args) => match demo::run(&args, &matches.subcommand_matches("demo").cloned().unwrap_or_default())
        {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("passchip: {e}");
                ExitCode::from(1)
            }
        },
        Command::Readers(args) => failure("readers", read::readers(&args)),
        Command::Read(args) => {
            let sub = matches.subcommand_matches("read").cloned().unwrap_or_default();
            failure("read", read::read(&args, &sub))
        }
        Command::Emulate(args) => match emulate::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("passchip emulate: {e}");
                ExitCode::from(1)
            }
        },
        Command::Match(args) => {
            match matching::run(&args, &matches.subcommand_matches("match").cloned().unwrap_or_default()) {
                Ok(passchip::identity::matching::Outcome::Match) => ExitCode::SUCCESS,
                Ok(_) => ExitCode::from(1),
                Err(trust::UsageError(e)) => {
                    eprintln!("passchip match: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Pin(command) => failure("pin", pin::run(&command)),
        Command::Attempts(command) => usage_exit("attempts", ledger_cmd::attempts(&command)),
        Command::Audit(command) => usage_exit("audit", ledger_cmd::audit(&command)),
        Command::Trust(command) => match trust_cmd::run(&command) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(trust::UsageError(e)) => {
                eprintln!("passchip trust: {e}");
                ExitCode::from(2)
            }
        },
        Command::Verify(args) => {
            let sub = matches.subcommand_matches("verify").cloned().unwrap_or_default();
            match verify::run(&args, &sub) {
                Ok(verify::Outcome::Valid) => ExitCode::SUCCESS,
                Ok(_) => ExitCode::from(1),
                Err(trust::UsageError(e)) => {
                    eprintln!("passchip verify: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// How `--out` treats a folder that already holds files: `--force` replaces, never mixes.
fn overwrite(force: bool) -> passchip::lds::dump::Overwrite {
    if force { passchip::lds::dump::Overwrite::Replace } else { passchip::lds::dump::Overwrite::Refuse }
}

/// 0, 1, or 2 with the usage error on stderr.
fn usage_exit(command: &str, r: Result<bool, trust::UsageError>) -> ExitCode {
    match r {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(trust::UsageError(e)) => {
            eprintln!("passchip {command}: {e}");
            ExitCode::from(2)
        }
    }
}

/// The exit status of `readers` and `read`.
fn failure(command: &str, r: Result<(), read::Failure>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(read::Failure::Read(e)) => {
            eprintln!("passchip {command}: {e}");
            ExitCode::from(1)
        }
        Err(read::Failure::Usage(e)) => {
            eprintln!("passchip {command}: {e}");
            ExitCode::from(2)
        }
    }
}
