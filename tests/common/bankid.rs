//! A BankID collect answer (status `complete`) for a person, as the bank's relying-party
//! code would hand it to passchip: the identity side of the tests' holder matches.
#![allow(dead_code)] // each test file uses what it needs

use std::path::{Path, PathBuf};

/// The JSON of a completed BankID collect for `pnr` named `given surname`.
pub fn collect(pnr: &str, given: &str, surname: &str) -> String {
    format!(
        r#"{{"orderRef":"a","status":"complete","completionData":{{"user":{{"personalNumber":"{pnr}","name":"{given} {surname}","givenName":"{given}","surname":"{surname}"}},"device":{{"ipAddress":"192.0.2.1"}}}}}}"#
    )
}

/// [`collect`] written to `path`.
pub fn write(path: &Path, pnr: &str, given: &str, surname: &str) -> PathBuf {
    std::fs::write(path, collect(pnr, given, surname)).expect("the BankID answer is written");
    path.to_path_buf()
}
