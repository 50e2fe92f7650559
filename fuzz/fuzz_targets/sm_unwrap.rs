//! Secure-messaging response unwrap: any byte string is rejected with a typed error
//! (a forged response cannot pass the MAC check).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = passchip::internal::fuzz_sm_unwrap(data);
});
