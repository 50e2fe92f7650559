//! Reading strategies on a modelled ISO/IEC 14443 link (424 kbit/s plus a fixed
//! turnaround per command): ours (extended length when the chip takes it, else the
//! short-read ladder) against fixed 223-byte and 160-byte short reads, on the same
//! virtual passport. The times are modelled, not measured, so they are exact; the bench
//! prints the table of docs/performance.md and reports each modelled read time through criterion.
//! Run: `cargo bench --bench link`.
#![allow(clippy::panic)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use passchip::emulator::{ChipProfile, VirtualChip, VirtualDocument};
use passchip::reader::{Credentials, DocumentRead, ReadOptions, read_document};
use passchip::transport::InProcess;
use passchip::transport::model::{LinkModel, Modelled};

fn chips() -> [(&'static str, ChipProfile); 3] {
    [
        ("extended length", ChipProfile::modern()),
        ("short APDUs only", ChipProfile::no_extended_length()),
        ("short, Le ≤ 160", ChipProfile::legacy_le160()),
    ]
}

fn strategies() -> [(&'static str, ReadOptions); 3] {
    [
        ("passchip", ReadOptions::default()),
        ("fixed 223", ReadOptions::default().short_only().with_short_chunk(223)),
        ("fixed 160", ReadOptions::default().short_only().with_short_chunk(160)),
    ]
}

fn read(profile: &ChipProfile, options: &ReadOptions, model: LinkModel) -> (DocumentRead, Duration) {
    let doc = VirtualDocument::specimen();
    let creds = Credentials::Can { can: "123456".to_string().into(), mrz: None };
    let mut link = Modelled::new(InProcess::new(VirtualChip::with_profile(doc, profile.clone())), model);
    let read = read_document(&mut link, &creds, options.clone()).unwrap_or_else(|e| panic!("{e}"));
    (read, link.elapsed())
}

fn table() {
    let fast = LinkModel::iso14443_424(Duration::from_millis(5));
    let slow = LinkModel::iso14443_424(Duration::from_millis(15));
    println!(
        "| Chip | Strategy | APDUs | READ BINARY | Bytes on air | 5 ms turnaround | ratio | 15 ms turnaround | ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (chip, profile) in chips() {
        let mut ours = None;
        for (name, options) in strategies() {
            let (r, t5) = read(&profile, &options, fast);
            let (_, t15) = read(&profile, &options, slow);
            let (b5, b15) = *ours.get_or_insert((t5, t15));
            let s = r.stats;
            println!(
                "| {chip} | {name} | {} | {} | {} | {:.0} ms | {:.2}× | {:.0} ms | {:.2}× |",
                s.apdus,
                s.read_binary,
                s.bytes_sent + s.bytes_received,
                t5.as_secs_f64() * 1000.0,
                t5.as_secs_f64() / b5.as_secs_f64(),
                t15.as_secs_f64() * 1000.0,
                t15.as_secs_f64() / b15.as_secs_f64(),
            );
        }
    }
}

fn link(c: &mut Criterion) {
    table();
    let model = LinkModel::iso14443_424(Duration::from_millis(5));
    let mut g = c.benchmark_group("modelled_read");
    g.sample_size(10);
    for (chip, profile) in chips() {
        for (name, options) in strategies() {
            g.bench_function(format!("{chip} / {name}"), |b| {
                b.iter_custom(|iters| (0..iters).map(|_| read(&profile, &options, model).1).sum())
            });
        }
    }
    g.finish();
}

criterion_group!(benches, link);
criterion_main!(benches);
