//! EF.CardSecurity parsing and its keys: total on any input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cs) = passchip::lds::CardSecurity::parse(data) {
        for (_, spki) in cs.infos.chip_authentication_keys() {
            let _ = passchip::low_level::chip_auth::ChipPublicKey::from_spki(spki);
        }
    }
});
