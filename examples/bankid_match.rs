//! A BankID `/collect` response and a chip read in, one verdict out.
//!
//! ```sh
//! cargo run --example bankid_match                   # built-in sample response
//! cargo run --example bankid_match -- collect.json   # your own response
//! ```
//!
//! The chip here is the built-in virtual passport; with a PC/SC reader the read is the
//! same `Session` flow over another transport.

use passchip::date::Date;
use passchip::emulator::{VirtualChip, VirtualDocument};
use passchip::identity::asserted::from_json;
use passchip::identity::verification::{AccessInfo, DocumentEvidence, Verification, VerificationPolicy, verify_read};
use passchip::pki::{PaOptions, TrustSource, TrustStore};
use passchip::reader::{Credentials, ReadOptions, read_document};
use passchip::transport::InProcess;

const SAMPLE: &str = r#"{"orderRef":"131daac9-16c6-4618-beb0-365768f37288","status":"complete",
  "completionData":{"user":{"personalNumber":"198504122386","name":"Åsa Öberg","givenName":"Åsa","surname":"Öberg"},
  "device":{"ipAddress":"192.0.2.1"},"bankIdIssueDate":"2020-01-01"}}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Who logged in: what BankID returned.
    let text = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path)?,
        None => SAMPLE.to_string(),
    };
    let identity = from_json(&text, None)?;

    // 2. The chip: opened with the MRZ (PACE, as the chip offers it), every file read.
    let doc = VirtualDocument::specimen();
    let credentials = Credentials::Mrz(doc.mrz_key());
    let read = read_document(InProcess::new(VirtualChip::new(doc.clone())), &credentials, ReadOptions::default())?;

    // 3. Is it genuine? Passive authentication against the CSCAs we trust.
    let mut store = TrustStore::new();
    if let Some(pki) = doc.pki() {
        store.add(pki.csca().clone(), TrustSource::File { path: "virtual CSCA".into() });
    }
    let today = Date::today();
    // Passive authentication, and Chip Authentication (run during the read) with its key
    // (DG14) trusted through the SOD.
    let (pa, chip) = verify_read(&read, &store, &PaOptions::at(today));

    // 4. One verdict: genuine, original chip, same person.
    let mrz = &read.dg1.as_ref().ok_or("no DG1")?.mrz;
    let evidence = DocumentEvidence {
        access: Some(&AccessInfo::of(&read)),
        passive_authentication: Some(&pa),
        mrz,
        has_dg11: false,
        chip: Some(&chip),
    };
    let verdict = Verification::decide(&identity, evidence, today, &VerificationPolicy::default());
    println!("decision: {:?}", verdict.decision());
    if let Some(holder) = verdict.holder_match() {
        println!("holder:   {:?} {:?}", holder.outcome(), holder.reasons());
    }
    println!("reasons:  {:?}", verdict.reasons());
    Ok(())
}
