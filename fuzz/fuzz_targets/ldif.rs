//! ICAO PKD LDIF downloads (RFC 2849) as `trust import` reads them, and the name
//! canonicalisation (RFC 5280 §7.1) run on whatever a record's value parses as.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = passchip::pki::ldif::looks_like_ldif(data);
    if let Ok(records) = passchip::pki::ldif::parse(data) {
        for r in &records {
            for (_, value) in &r.attributes {
                // Every value byte came from the input: nothing grows beyond it.
                assert!(value.len() <= data.len());
                let _ = passchip::pki::name::canonical_der(value);
            }
        }
    }
    let _ = passchip::pki::name::canonical_der(data);
});
