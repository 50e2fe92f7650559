//! The reader against a chip the fuzzer plays: BAC runs with our virtual chip, then every
//! plaintext answer (data ‖ SW1 SW2) comes from the input, protected with the session keys,
//! so the fuzzer reaches everything behind secure messaging: file reads, chunking, EF.COM,
//! EF.SOD and the read plan, Chip and Active Authentication. Input: answers, each a
//! big-endian u16 length and that many bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use passchip::emulator::{Hostile, VirtualChip, VirtualDocument};
use passchip::reader::{AccessPolicy, Credentials, ReadOptions, read_document};
use passchip::transport::InProcess;
use std::sync::OnceLock;

fn document() -> &'static VirtualDocument {
    static DOC: OnceLock<VirtualDocument> = OnceLock::new();
    DOC.get_or_init(VirtualDocument::specimen)
}

fuzz_target!(|data: &[u8]| {
    let mut script = std::collections::VecDeque::new();
    let mut rest = data;
    while let [hi, lo, tail @ ..] = rest {
        let n = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (answer, next) = tail.split_at(n);
        script.push_back(answer.to_vec());
        rest = next;
    }
    let doc = document();
    let chip = VirtualChip::new(doc.clone()).hostile(Hostile::Scripted(script));
    let options = ReadOptions::default().with_access(AccessPolicy::BacOnly).with_max_file_size(64 * 1024);
    let _ = read_document(InProcess::new(chip), &Credentials::Mrz(doc.mrz_key()), options);
});
