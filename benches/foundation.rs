//! Foundation benchmarks: TLV parsing, secure-messaging unwrap beside the raw cipher
//! and MAC cost of the same bytes, BAC key derivation, and a whole read of the virtual
//! passport. Run: `cargo bench --bench foundation`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use passchip::emulator::{ChipProfile, VirtualChip, VirtualDocument};
use passchip::internal::SmUnwrapBench;
use passchip::lds::LdsFile;
use passchip::low_level::crypto::{retail_mac::RetailMacKey, tdes};
use passchip::low_level::tlv::{Tlv, validate};
use passchip::mrz::MrzKey;
use passchip::reader::{ReadOptions, read_with_bac};
use passchip::transport::InProcess;

fn walk(t: Tlv<'_>) -> usize {
    let mut n = 1;
    if t.tag.is_constructed() {
        for c in t.children().flatten() {
            n += walk(c);
        }
    }
    n
}

fn tlv(c: &mut Criterion) {
    let doc = VirtualDocument::specimen();
    let dg2 = doc.file(LdsFile::dg(2).unwrap_or(LdsFile::Com)).unwrap_or_default().to_vec();
    let mut g = c.benchmark_group("tlv");
    g.throughput(Throughput::Bytes(dg2.len() as u64));
    g.bench_function("walk_dg2", |b| {
        b.iter(|| walk(Tlv::parse_exact(black_box(&dg2)).unwrap_or_else(|_| unreachable!())))
    });
    g.bench_function("validate_dg2", |b| b.iter(|| validate(black_box(&dg2))));
    g.finish();
}

fn sm(c: &mut Criterion) {
    let key = tdes::TdesKey::new([0x97; 16]);
    let cipher = key.cipher();
    let mac = RetailMacKey::new(&key);
    for len in [223usize, 4096] {
        let mut bench = SmUnwrapBench::new(len);
        let mut g = c.benchmark_group(format!("sm_{len}"));
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function("unwrap", |b| b.iter(|| bench.unwrap_once()));
        // The floor: decrypt the same cryptogram and MAC the same bytes, nothing else.
        let ct = bench.ciphertext().to_vec();
        // The MAC covers everything before DO8E (10 bytes) and the status word (2).
        let mac_input_len = bench.response().len() - 12;
        let mac_input = bench.response().get(..mac_input_len).unwrap_or_default().to_vec();
        g.bench_function("raw_3des_cbc_plus_retail_mac", |b| {
            b.iter(|| {
                let mut buf = ct.clone();
                let _ = tdes::cbc_decrypt(&cipher, &[0; 8], &mut buf);
                let tag = mac.mac_padded(&[&[0u8; 8], black_box(&mac_input)]);
                (buf, tag)
            })
        });
        g.finish();
    }
}

fn bac(c: &mut Criterion) {
    c.bench_function("bac_key_derivation", |b| {
        b.iter(|| {
            let k = MrzKey::new(black_box("AA1234567"), "850412", "300101").unwrap_or_else(|_| unreachable!());
            passchip::low_level::access::bac::BacKeys::from_seed(&k.seed())
        })
    });
}

fn read(c: &mut Criterion) {
    let mut g = c.benchmark_group("read_document");
    g.sample_size(20);
    for (name, profile) in [("extended", ChipProfile::modern()), ("short_223", ChipProfile::no_extended_length())] {
        let doc = VirtualDocument::specimen();
        let key = doc.mrz_key();
        g.bench_function(name, |b| {
            b.iter(|| {
                let chip = InProcess::new(VirtualChip::with_profile(doc.clone(), profile.clone()));
                read_with_bac(chip, &key, ReadOptions::default()).map(|r| r.content_bytes())
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2))
}

criterion_group! { name = benches; config = config(); targets = tlv, sm, bac, read }
criterion_main!(benches);
