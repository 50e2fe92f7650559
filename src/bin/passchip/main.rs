//! `passchip`: read and verify e-passport and ID card chips.
//!
//! Exit status: 0 on success, 1 when the operation ran and failed (for example the
//! chip could not be read), 2 on usage errors.

#![forbid(unsafe_code)]

mod dates;
mod demo;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("passchip: {e}");
            ExitCode::from(1)
        }
    }
}
