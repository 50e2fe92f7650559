//! DG11, DG12 and DG16 parsing: total on any input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = passchip::lds::Dg11::parse(data);
    let _ = passchip::lds::Dg12::parse(data);
    if let Ok(dg16) = passchip::lds::Dg16::parse(data) {
        assert!(dg16.persons.len() <= data.len());
    }
});
