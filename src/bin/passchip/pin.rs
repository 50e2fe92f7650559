//! `passchip pin unblock`: PACE with the PUK and RESET RETRY COUNTER on an eID card, the
//! PIN optionally replaced (feature `pcsc`). Nothing is retried: a wrong PUK costs one
//! try, and the message says how many are left.
//!
//! Exit status: 0 when the PIN was unblocked, 1 when the card refused (a wrong or blocked
//! PUK, a card without PIN), 2 on usage or environment errors.

use clap::{Args, Subcommand};

use crate::read::Failure;

/// `passchip pin …`.
#[derive(Debug, Subcommand)]
pub enum PinCommand {
    /// Unblock a blocked PIN with the PUK (RESET RETRY COUNTER), optionally setting a new PIN.
    Unblock(UnblockArgs),
}

/// Options of `passchip pin unblock`.
#[derive(Debug, Args)]
pub struct UnblockArgs {
    /// The reader (its full name, or a part only it contains); default: the reader with a
    /// contactless card.
    #[arg(long, value_name = "NAME")]
    reader: Option<String>,
    /// Wait up to SECS for the card.
    #[arg(long, value_name = "SECS")]
    wait: Option<u64>,
    /// The PUK; `-` reads it from standard input (or asks, without echo, on a terminal).
    #[arg(long, value_name = "PUK", env = "PASSCHIP_PUK", hide_env_values = true)]
    puk: String,
    /// A new PIN to set (4 to 6 digits on most cards); `-` reads it from standard input.
    #[arg(long, value_name = "PIN", env = "PASSCHIP_NEW_PIN", hide_env_values = true)]
    new_pin: Option<String>,
}

/// Runs a `pin` command.
#[cfg(not(feature = "pcsc"))]
pub fn run(_: &PinCommand) -> Result<(), Failure> {
    Err(Failure::Usage("this passchip was built without PC/SC support: rebuild with `--features pcsc`".into()))
}

/// Runs a `pin` command.
#[cfg(feature = "pcsc")]
pub fn run(command: &PinCommand) -> Result<(), Failure> {
    use std::time::Duration;

    use passchip::low_level::access::pace::PacePassword;
    use passchip::reader::{ReadOptions, SessionError, unblock_pin};
    use passchip::transport::pcsc::{Pcsc, PcscError};

    let PinCommand::Unblock(args) = command;
    let env = |e: PcscError| Failure::Usage(e.to_string());
    let puk = crate::secret::resolve(&args.puk, "PUK", false).map_err(Failure::Usage)?;
    let new_pin = args
        .new_pin
        .as_deref()
        .map(|p| crate::secret::resolve(p, "new PIN", false))
        .transpose()
        .map_err(Failure::Usage)?;
    let pcsc = Pcsc::establish().map_err(env)?;
    let timeout = Some(Duration::from_secs(args.wait.unwrap_or(0)));
    let chosen = pcsc.wait_for_document(args.reader.as_deref(), timeout).map_err(env)?;
    eprintln!("passchip pin: using {} ({})", chosen.name, chosen.why);
    let mut card = pcsc.connect(&chosen.name).map_err(env)?;
    let mut tx = card.transaction().map_err(env)?;
    let puk = PacePassword::Puk(puk);
    match unblock_pin(&mut tx, &puk, new_pin.as_deref().map(String::as_str), ReadOptions::default()) {
        Ok(()) => {
            match new_pin {
                Some(_) => println!("PIN unblocked and replaced: it has all its tries again."),
                None => println!("PIN unblocked: it has all its tries again."),
            }
            Ok(())
        }
        Err(SessionError::Access(e)) => Err(Failure::Read(e.to_string())),
        Err(e) => Err(Failure::Read(e.to_string())),
    }
}
