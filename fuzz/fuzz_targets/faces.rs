//! DG2 (ISO/IEC 19794-5 2005/2011, ISO/IEC 39794-5), DG3/DG4 templates and DG5/DG6/DG7
//! parsing: total on any
//! input, and every image is a slice of the input (nothing copied, nothing invented).
#![no_main]
use libfuzzer_sys::fuzz_target;

fn inside(data: &[u8], part: &[u8]) -> bool {
    let (outer, inner) = (data.as_ptr_range(), part.as_ptr_range());
    part.is_empty() || (outer.start <= inner.start && inner.end <= outer.end)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(dg2) = passchip::lds::face::Dg2::parse(data) {
        for face in dg2.faces() {
            assert!(inside(data, face.data));
            assert_eq!(face.format, passchip::lds::face::ImageFormat::sniff(face.data));
        }
    }
    if let Ok(templates) = passchip::lds::face::biometric_templates(data) {
        assert!(templates.iter().all(|t| inside(data, t.data)));
    }
    if let Ok(images) = passchip::lds::face::DisplayedImages::parse(data) {
        assert!(images.images.iter().all(|(_, image)| inside(data, image)));
    }
});
