//! Response and command APDU parsing; a parsed command re-encodes to itself. The chip's
//! ATR (its historical bytes and card capabilities) and EF.ATR/INFO are parsed from the
//! same input, and the chunk a stated response limit allows fits it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use passchip::low_level::apdu::{Command, Le, ParsedCommand, Response};

fuzz_target!(|data: &[u8]| {
    if let Some(h) = passchip::transport::atr::historical_bytes(data) {
        assert!(h.len() <= 15 && h.len() < data.len());
    }
    let _ = passchip::transport::atr::extended_length(data);
    if let Ok(info) = passchip::transport::atr::AtrInfo::parse(data)
        && let Some(r) = info.max_response
    {
        let n = passchip::low_level::sm::max_plaintext_in(r as usize);
        assert!(n == 0 || passchip::low_level::sm::protected_response_len(n, 16) <= r as usize);
    }
    if let Ok((body, sw)) = Response::split(data) {
        assert_eq!(body.len() + 2, data.len());
        assert_eq!(u16::from_be_bytes([data[data.len() - 2], data[data.len() - 1]]), sw.code());
    }
    let _ = Response::from_raw(data.to_vec());
    if let Ok(p) = ParsedCommand::parse(data) {
        let cmd = Command {
            le: if p.ne == 0 { Le::None } else { Le::Ne(p.ne) },
            force_extended: p.extended,
            ..Command::new(p.cla, p.ins, p.p1, p.p2).with_data(p.data)
        };
        assert_eq!(cmd.to_vec().ok().as_deref(), Some(data));
    }
});
