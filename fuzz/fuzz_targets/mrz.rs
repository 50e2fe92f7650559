//! MRZ text, strict and lenient, and DG1 around it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use passchip::mrz::Mrz;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = core::str::from_utf8(data) {
        if let Ok(m) = Mrz::parse(s) {
            assert!(m.check_digit_failures.is_empty());
            // Whatever parses strictly also parses leniently, to the same result.
            assert_eq!(Mrz::parse_lenient(s).ok(), Some(m.clone()));
            let _ = m.access_key().mrz_information();
        }
        let _ = Mrz::parse_lenient(s);
    }
    let _ = passchip::lds::Dg1::parse(data);
    let _ = passchip::lds::EfCom::parse(data);
});
