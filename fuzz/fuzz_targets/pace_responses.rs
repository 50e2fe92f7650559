//! PACE's terminal side against a chip that answers with arbitrary bytes: every
//! GENERAL AUTHENTICATE response parser and every received-key check must be total.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = passchip::internal::fuzz_pace_responses(data);
});
