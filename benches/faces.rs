//! Face data: DG2 parsed to the image slice (no copy of the image), and a portrait
//! decoded and exported as PNG (what a kiosk shows). Run: `cargo bench --bench faces`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use passchip::emulator::face::{FACE_JPEG, ImageType, dg2, dg2_39794, face_block_39794, face_record_2011};
use passchip::lds::face::Dg2;

const BSI_DG2: &str = "fixtures/external/icao-9303/bsi-tr03105-5-referencedataset/Datagroup2.bin";

fn parse(c: &mut Criterion) {
    let Ok(bsi) = std::fs::read(BSI_DG2) else { return };
    let v2011 = dg2(&face_record_2011(FACE_JPEG, ImageType::Jpeg, 240, 320, 1));
    let v39794 = dg2_39794(&face_block_39794(FACE_JPEG, 0, 240, 320));
    let mut g = c.benchmark_group("dg2_parse");
    for (name, bytes) in [("iso19794_2005_bsi_15k", &bsi), ("iso19794_2011_17k", &v2011), ("iso39794_17k", &v39794)] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(Dg2::parse(black_box(bytes)).ok().and_then(|d| d.portrait().map(|f| f.data.len()))))
        });
    }
    g.finish();
}

fn export(c: &mut Criterion) {
    let Ok(bsi) = std::fs::read(BSI_DG2) else { return };
    let Ok(dg2) = Dg2::parse(&bsi) else { return };
    let Some(jp2) = dg2.portrait().map(|f| f.data) else { return };
    let mut g = c.benchmark_group("portrait_png");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.bench_function("jpeg_240x320", |b| b.iter(|| black_box(passchip::lds::portrait::to_png(black_box(FACE_JPEG)))));
    g.bench_function("jpeg2000_413x531_bsi", |b| b.iter(|| black_box(passchip::lds::portrait::to_png(black_box(jp2)))));
    g.bench_function("jpeg2000_decode_only", |b| b.iter(|| black_box(passchip::lds::portrait::decode(black_box(jp2)))));
    g.finish();
}

criterion_group!(benches, parse, export);
criterion_main!(benches);
