//! X.509 certificates, public keys (RSA, EC named and explicit) and signature algorithms.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = passchip::pki::Cert::from_der(data) {
        let _ = (c.subject(), c.subject_country(), c.subject_key_id(), c.is_ca(), c.key_usage());
        let _ = c.signature_algorithm();
        if let Ok(k) = c.public_key() {
            let _ = c.verify_signed_by(k);
        }
    }
    let _ = passchip::low_level::crypto::sig::PublicKey::from_spki(data);
});
