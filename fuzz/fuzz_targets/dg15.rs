//! DG15 parsing and Active Authentication verification of an arbitrary answer: total on
//! any input (the file's first bytes play the signature).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg15) = passchip::lds::Dg15::parse(data) {
        let sig = data.get(..data.len().min(256)).unwrap_or_default().to_vec();
        let e = passchip::low_level::active_auth::AaEvidence::new(
            vec![0; 8],
            sig,
            dg15.public_key,
            Some(passchip::low_level::crypto::hash::HashAlg::Sha256),
        );
        let _ = e.verify();
    }
});
