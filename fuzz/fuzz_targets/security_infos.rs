//! EF.CardAccess / SecurityInfos parsing and the reader's choice of PACE: total on any input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(infos) = passchip::lds::security_infos::SecurityInfos::parse(data) {
        let _ = infos.pace().count();
        if let Some((protocol, id)) = passchip::reader::choose_pace(&infos) {
            assert!(passchip::access::pace::is_supported(protocol, id));
        }
    }
});
