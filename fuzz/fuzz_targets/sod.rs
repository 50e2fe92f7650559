//! EF.SOD and CMS SignedData parsing, BER normalisation, and the signer checks: total
//! on any input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(der) = passchip::low_level::tlv::ber::to_der(data) {
        // Normalising twice changes nothing.
        let again = passchip::low_level::tlv::ber::to_der(&der).map(|d| d.into_owned());
        assert_eq!(again.as_deref().ok(), Some(der.as_ref()));
    }
    if let Ok(sd) = passchip::lds::cms::SignedData::parse(data) {
        let _ = passchip::pki::verify_signed_data(&sd);
    }
    if let Ok(sod) = passchip::lds::Sod::parse(data) {
        let _ = passchip::pki::verify_signed_data(&sod.signed_data);
    }
});
