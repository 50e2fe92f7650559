//! EF.CardAccess / SecurityInfos parsing and the reader's choice of PACE: total on any input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(infos) = passchip::lds::security_infos::SecurityInfos::parse(data) {
        let _ = infos.pace().count();
        match passchip::reader::choose_pace(&infos) {
            // Referenced explicit parameters or a standardized set we implement.
            Some((protocol, Some(id))) => assert!(
                infos.pace_domain_parameters(Some(id)).is_some() || passchip::low_level::access::pace::is_supported(protocol, id)
            ),
            // Unreferenced: only the chip's single set of explicit parameters.
            Some((protocol, None)) => assert!(infos
                .pace_domain_parameters(None)
                .is_some_and(|alg| passchip::low_level::access::pace::explicit_supported(protocol, alg))),
            None => {}
        }
    }
});
