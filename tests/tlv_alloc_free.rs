//! TLV parsing allocates nothing: a full walk of a ~17 KB DG2 is measured with a
//! counting allocator (`allocation-counter`, linked into this test binary only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(feature = "emulator")]

use passchip::low_level::tlv::{Tag, Tlv, validate};

fn walk(t: Tlv<'_>) -> usize {
    let mut n = 1;
    if t.tag.is_constructed() {
        for c in t.children() {
            n += walk(c.unwrap());
        }
    }
    n
}

#[test]
fn parsing_a_dg2_does_not_allocate() {
    let doc = passchip::emulator::VirtualDocument::specimen();
    let dg2 = doc.file(passchip::lds::LdsFile::dg(2).unwrap()).unwrap().to_vec();
    let mut objects = 0;
    let mut validated = 0;
    let mut image_len = 0;
    let info = allocation_counter::measure(|| {
        let root = Tlv::parse_exact(&dg2).unwrap();
        objects = walk(root);
        validated = validate(&dg2).unwrap();
        image_len = root.require(Tag::new(0x7F61)).unwrap().value.len();
    });
    assert_eq!(info.count_total, 0, "TLV parsing allocated");
    assert_eq!(objects, validated);
    assert!(objects >= 10);
    assert!(image_len > 15_000);
}

#[test]
fn the_counter_does_count() {
    // Guards the test above against a counter that always says 0.
    let info = allocation_counter::measure(|| {
        std::hint::black_box(vec![1u8; 100]);
    });
    assert!(info.count_total >= 1);
}
