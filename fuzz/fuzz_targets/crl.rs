//! Certificate revocation lists (DER and PEM).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(crl) = passchip::pki::Crl::from_der(data) {
        let _ = (crl.len(), crl.this_update(), crl.next_update(), crl.is_revoked(&[1]));
    }
});
