//! Back-office verification: a dump folder read elsewhere (a phone app, a kiosk) is
//! checked against a CSCA master list, as library code.
//!
//! ```sh
//! cargo run --example verify_dump -- DUMP_DIR MASTER_LIST ROOT_CERT [YYYY-MM-DD]
//! # e.g. with the fixtures:
//! cargo run --example verify_dump -- /tmp/atdump \
//!   fixtures/external/gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml \
//!   fixtures/external/gmrtd/masterlist/DE_ROOT_CA_CSCA07.cer 2025-06-01
//! ```

use std::path::Path;

use passchip::date::Date;
use passchip::lds::Dump;
use passchip::pki::{Cert, PaOptions, PassiveAuthentication, Status, TrustStore, Verdict};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dump_dir, master_list, root, rest @ ..] = args.as_slice() else {
        return Err("usage: verify_dump DUMP_DIR MASTER_LIST ROOT_CERT [YYYY-MM-DD]".into());
    };
    let at = match rest.first() {
        Some(d) => Date::parse(d)?,
        None => Date::today(),
    };

    // Trust: the master list, verified against the root we were given.
    let root = Cert::from_der(&std::fs::read(root)?)?;
    let mut store = TrustStore::new();
    let (added, anchoring) = store.add_master_list(&std::fs::read(master_list)?, &root, master_list, at)?;
    println!("trust store: {added} CSCA certificates ({anchoring:?})");

    // The document as read elsewhere.
    let dump = Dump::read(Path::new(dump_dir))?;
    let sod = dump.sod.as_ref().ok_or("the dump has no EF_SOD.bin")?;
    let report =
        PassiveAuthentication::verify_document(sod, dump.com.as_deref(), &dump.data_groups, &store, &PaOptions::at(at));

    for check in report.checks() {
        let mark = match check.status() {
            Status::Passed => "pass",
            Status::Failed => "FAIL",
            Status::NotPerformed => "n/a",
        };
        println!("{mark:>4}  {:?}  {}", check.name(), check.reason().unwrap_or(""));
    }
    println!("verdict: {:?}", report.verdict());
    if report.verdict() != Verdict::Valid {
        std::process::exit(1);
    }
    Ok(())
}
