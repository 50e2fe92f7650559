//! The text data groups and EF.COM: DG1, DG11, DG12, DG16 and EF.COM parsing, total on
//! any input (DG2/DG5–DG7 have the `faces` target, DG14/DG15 their own).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = passchip::lds::EfCom::parse(data);
    let _ = passchip::lds::Dg1::parse(data);
    let _ = passchip::lds::Dg11::parse(data);
    let _ = passchip::lds::Dg12::parse(data);
    // The integrity check `passchip read` runs on every group, under each number.
    if let Some(n) = data.first().and_then(|b| passchip::lds::DgNumber::new(b % 16 + 1)) {
        let _ = passchip::lds::check_data_group(n, data.get(1..).unwrap_or_default());
    }
    if let Ok(dg16) = passchip::lds::Dg16::parse(data) {
        assert!(dg16.persons.len() <= data.len());
    }
});
