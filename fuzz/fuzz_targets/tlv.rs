//! BER-TLV: validation, iteration and header parsing must be total on any input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use passchip::low_level::tlv::{self, Header, Tlv};

fuzz_target!(|data: &[u8]| {
    let _ = tlv::validate(data);
    let _ = Header::parse(data);
    for t in tlv::iter(data).flatten() {
        assert!(t.raw.len() >= t.value.len());
        if let Ok(h) = Header::parse(t.raw) {
            assert_eq!(h.total_len(), Some(t.raw.len()));
        }
        let _ = t.children().count();
    }
    if let Ok(t) = Tlv::parse_exact(data) {
        // Re-encoding a parsed object reproduces a well-formed object with the same value.
        let again = tlv::encode_to_vec(t.tag, t.value);
        assert_eq!(Tlv::parse_exact(&again).map(|x| x.value), Ok(t.value));
        // DER is the one encoding: re-encoding an object `is_der` accepts gives its bytes.
        if tlv::is_der(&t) {
            assert_eq!(again, t.raw);
        }
    }
});
