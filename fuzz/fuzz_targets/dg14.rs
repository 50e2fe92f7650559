//! DG14 parsing, the pairing of Chip Authentication infos with keys, and key decoding:
//! total on any input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg14) = passchip::lds::Dg14::parse(data) {
        for option in dg14.infos.chip_authentication() {
            let _ = passchip::low_level::chip_auth::ChipPublicKey::from_spki(&option.public_key);
        }
        let _ = dg14.infos.active_authentication_hash();
    }
});
