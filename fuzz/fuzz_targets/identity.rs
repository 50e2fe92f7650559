//! Bank e-ID identity parsers (BankID, Smart-ID, Mobile-ID, plain JSON), national ID
//! validators and name comparison: total on any input; matching never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use passchip::date::Date;
use passchip::identity::{asserted, names, national_id};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let _ = asserted::from_json(text, None);
    let today = Date { year: 2025, month: 1, day: 1 };
    for c in [national_id::IdCountry::Se, national_id::IdCountry::No, national_id::IdCountry::Ee, national_id::IdCountry::Lv, national_id::IdCountry::Fi] {
        let _ = national_id::parse(c, text, today);
    }
    // Split on a character boundary: half the text is the bank name, half the document's.
    let mid = text.char_indices().map(|(i, _)| i).nth(text.chars().count() / 2).unwrap_or(text.len());
    let (a, b) = text.split_at(mid);
    let bank = names::bank_tokens(a);
    let mrz = names::mrz_tokens(b);
    let _ = names::compare_with_mrz(&bank, &mrz, true, true);
    let _ = names::compare_with_full_name(&bank, &names::bank_tokens(b), true);
});
