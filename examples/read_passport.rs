//! Read a passport or ID card through a PC/SC reader with the library: wait for the card,
//! open it with the MRZ fields (or the CAN), read every file, write a dump folder.
//!
//! ```sh
//! cargo run --example read_passport --features pcsc -- AA1234567 850412 300101 [DIR]
//! cargo run --example read_passport --features pcsc -- --can 123456 [DIR]
//! ```
//! Try it without hardware: `passchip emulate --vpcd 127.0.0.1:35963` behind pcscd (docs/cli.md).

#[cfg(feature = "pcsc")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use std::time::Duration;

    use passchip::mrz::MrzKey;
    use passchip::reader::{Credentials, ReadOptions, read_document};
    use passchip::transport::pcsc::Pcsc;
    use zeroize::Zeroizing;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let (credentials, out) = match args.as_slice() {
        [flag, can, rest @ ..] if flag == "--can" => {
            (Credentials::Can { can: Zeroizing::new(can.clone()), mrz: None }, rest.first())
        }
        [number, birth, expiry, rest @ ..] => (Credentials::Mrz(MrzKey::new(number, birth, expiry)?), rest.first()),
        _ => return Err("usage: read_passport (DOCUMENT_NUMBER YYMMDD YYMMDD | --can CAN) [DIR]".into()),
    };

    let pcsc = Pcsc::establish()?;
    eprintln!("present the document to a reader…");
    let reader = pcsc.wait_for_card(None, Some(Duration::from_secs(60)))?;
    let mut card = pcsc.connect(&reader)?;
    // One PC/SC transaction for the whole read: no other program interleaves APDUs.
    let mut tx = card.transaction()?;
    let read = read_document(&mut tx, &credentials, ReadOptions::default())?;
    drop(tx);

    println!("{reader}: {} with {} secure messaging", read.access, read.suite);
    if let Some(dg1) = &read.dg1 {
        println!("{}, {} ({})", dg1.mrz.primary_identifier, dg1.mrz.secondary_identifier, dg1.mrz.document_number);
    }
    for (file, bytes) in &read.files {
        println!("  {:<7} {:>6} bytes", file.name(), bytes.len());
    }
    println!("chip authentication: {}", read.anti_cloning.chip_authentication.status());
    if let Some(dir) = out {
        read.dump().write(std::path::Path::new(dir), passchip::lds::dump::Overwrite::Refuse)?;
        println!("dump written to {dir}; check it with `passchip verify {dir} --masterlist …`");
    }
    Ok(())
}

#[cfg(not(feature = "pcsc"))]
fn main() {
    eprintln!("this example needs the pcsc feature: cargo run --example read_passport --features pcsc -- …");
    std::process::exit(2);
}
