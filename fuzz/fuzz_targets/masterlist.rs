//! CSCA master lists (without a root: the self-anchoring path parses everything).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = passchip::pki::MasterList::open_unanchored(data, passchip::date::Date::today());
});
