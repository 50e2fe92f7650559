//! DG2 face records (ISO/IEC 19794-5 2005 and 2011, ISO/IEC 39794-5) and DG5/DG7 images:
//! the BSI reference data set, our emulator's builders, and broken records.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::emulator::face::{
    FACE_JPEG, ImageType, dg2, dg2_39794, displayed_image, face_block_39794, face_record, face_record_2011,
};
use passchip::lds::face::{Dg2, DisplayedImages, FaceStandard, ImageFormat, PoseAngle, Quality};

const BSI_DG2: &str = "fixtures/external/icao-9303/bsi-tr03105-5-referencedataset/Datagroup2.bin";

#[test]
fn bsi_reference_dg2_is_a_2005_record_with_a_jpeg2000_face() {
    let bytes = std::fs::read(BSI_DG2).unwrap();
    let dg2 = Dg2::parse(&bytes).unwrap();
    assert_eq!(dg2.instances.len(), 1);
    let (header, faces) = &dg2.instances[0];
    assert_eq!((header.biometric_type, header.format_owner, header.format_type), (Some(2), Some(0x0101), Some(8)));
    assert_eq!(faces.len(), 1);
    let face = &faces[0];
    assert_eq!(face.standard, FaceStandard::Iso19794_5_2005);
    assert_eq!(face.format, ImageFormat::Jp2);
    assert_eq!(face.declared_format, Some(1));
    // The image runs to the end of the data group, and is a slice of it (no copy).
    assert!(face.data.starts_with(&[0, 0, 0, 0x0C, b'j', b'P']));
    assert_eq!(face.data.as_ptr_range().end, bytes.as_ptr_range().end);
    assert!(face.width.unwrap() > 0 && face.height.unwrap() > 0);
}

#[test]
fn every_record_standard_from_the_emulator() {
    let jp2 = [0, 0, 0, 0x0C, b'j', b'P', b' ', b' ', 0x0D, 0x0A, 0x87, 0x0A, 1, 2, 3];
    // 2005, JPEG.
    let bytes = dg2(&face_record(FACE_JPEG, ImageType::Jpeg, 240, 320, 2));
    let dg = Dg2::parse(&bytes).unwrap();
    let face = dg.portrait().unwrap();
    assert_eq!((face.standard, face.format, face.data), (FaceStandard::Iso19794_5_2005, ImageFormat::Jpeg, FACE_JPEG));
    assert_eq!((face.width, face.height, face.gender, face.face_image_type), (Some(240), Some(320), Some(2), Some(1)));
    assert_eq!(face.source_type, Some(2));
    // 2011, JPEG 2000, with its capture date, quality block and pose.
    let bytes = dg2(&face_record_2011(&jp2, ImageType::Jpeg2000, 413, 531, 1));
    let dg = Dg2::parse(&bytes).unwrap();
    let face = dg.portrait().unwrap();
    assert_eq!((face.standard, face.format, face.data), (FaceStandard::Iso19794_5_2011, ImageFormat::Jp2, &jp2[..]));
    assert_eq!((face.width, face.height, face.gender), (Some(413), Some(531), Some(1)));
    assert_eq!(face.capture_date.as_deref(), Some("2024-05-17"));
    assert_eq!(face.quality, [Quality { score: 87, vendor: Some(0x0101), algorithm: Some(2) }]);
    assert_eq!(face.pose, Some(PoseAngle { yaw: Some(0), pitch: Some(0), roll: Some(0) }));
    // 39794-5, JPEG.
    let bytes = dg2_39794(&face_block_39794(FACE_JPEG, 0, 240, 320));
    let dg = Dg2::parse(&bytes).unwrap();
    assert_eq!(dg.instances[0].0.format_type, Some(0x40));
    let face = dg.portrait().unwrap();
    assert_eq!(face.standard, FaceStandard::Iso39794_5 { generation: 3, year: 2019 });
    assert_eq!((face.format, face.data, face.declared_format), (ImageFormat::Jpeg, FACE_JPEG, Some(0)));
    assert_eq!((face.width, face.height), (Some(240), Some(320)));
    assert_eq!(face.capture_date.as_deref(), Some("2024-05-17"));
    // Debug shows no image bytes.
    assert!(!format!("{face:?}").contains("255"), "{face:?}");
}

#[test]
fn a_record_length_the_chip_got_wrong_falls_back_to_the_data_block() {
    // New Zealand chips state the facial block 8 bytes short: the image still ends where
    // the data block ends.
    let mut record = face_record(FACE_JPEG, ImageType::Jpeg, 240, 320, 0);
    let block_len = u32::from_be_bytes(record[14..18].try_into().unwrap());
    record[14..18].copy_from_slice(&(block_len + 8).to_be_bytes());
    let bytes = dg2(&record);
    assert_eq!(Dg2::parse(&bytes).unwrap().portrait().unwrap().data, FACE_JPEG);
    // A length smaller than the fixed header is also ignored, not underflowed.
    record[14..18].copy_from_slice(&3u32.to_be_bytes());
    assert_eq!(Dg2::parse(&dg2(&record)).unwrap().portrait().unwrap().data, FACE_JPEG);
}

#[test]
fn broken_records_are_typed_errors() {
    let record = face_record(FACE_JPEG, ImageType::Jpeg, 240, 320, 0);
    // Every truncation of the record's fixed part.
    for cut in 0..46 {
        let bytes = dg2(&record[..cut]);
        assert!(Dg2::parse(&bytes).is_err(), "cut at {cut}");
    }
    let mut wrong_version = record.clone();
    wrong_version[4..8].copy_from_slice(b"020\0");
    assert!(Dg2::parse(&dg2(&wrong_version)).is_err());
    // Feature points claiming far more than the record holds.
    let mut points = record.clone();
    points[18..20].copy_from_slice(&0xFFFFu16.to_be_bytes());
    assert!(Dg2::parse(&dg2(&points)).is_err());
    assert!(Dg2::parse(&[0x75, 0x00]).is_err());
    assert!(Dg2::parse(&[0x61, 0x00]).is_err());
    let block = face_block_39794(FACE_JPEG, 0, 1, 1);
    assert!(Dg2::parse(&dg2_39794(&block[..block.len() / 2])).is_err());
}

#[test]
fn displayed_portrait_and_signature() {
    let dg5 = displayed_image(5, FACE_JPEG);
    let d = DisplayedImages::parse(&dg5).unwrap();
    assert_eq!((d.dg, d.images.len(), d.images[0]), (5, 1, (ImageFormat::Jpeg, FACE_JPEG)));
    let sig = [0, 0, 0, 0x0C, b'j', b'P', b' ', b' ', 9];
    let dg7 = displayed_image(7, &sig);
    let d = DisplayedImages::parse(&dg7).unwrap();
    assert_eq!((d.dg, d.images[0]), (7, (ImageFormat::Jp2, &sig[..])));
    assert!(DisplayedImages::parse(&dg2(&face_record(FACE_JPEG, ImageType::Jpeg, 1, 1, 0))).is_err());
}

#[cfg(feature = "portrait")]
mod portrait {
    use super::*;
    use passchip::lds::portrait::{Channels, PortraitError, decode, to_png};

    fn png_size(png: &[u8]) -> (u32, u32) {
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let be = |r: std::ops::Range<usize>| u32::from_be_bytes(png[r].try_into().unwrap());
        (be(16..20), be(20..24))
    }

    #[test]
    fn the_bsi_jpeg2000_portrait_decodes_and_exports() {
        let bytes = std::fs::read(BSI_DG2).unwrap();
        let dg2 = Dg2::parse(&bytes).unwrap();
        let face = dg2.portrait().unwrap();
        let pixels = decode(face.data).unwrap();
        // The image is 413 × 531 (its JP2 header and codestream agree); the face record
        // states 337 × 449. Display trusts the image, the metadata reports the record.
        assert_eq!((pixels.width, pixels.height), (413, 531));
        assert_eq!((face.width, face.height), (Some(337), Some(449)));
        assert_eq!(pixels.channels, Channels::Rgb);
        // Not a flat image: a face has many distinct values.
        let distinct: std::collections::BTreeSet<u8> = pixels.data.iter().copied().collect();
        assert!(distinct.len() > 100, "{}", distinct.len());
        assert_eq!(png_size(&to_png(face.data).unwrap()), (pixels.width, pixels.height));
    }

    #[test]
    fn the_emulator_jpeg_portrait_decodes_and_exports() {
        let pixels = decode(FACE_JPEG).unwrap();
        assert_eq!((pixels.width, pixels.height, pixels.channels), (240, 320, Channels::Rgb));
        assert_eq!(pixels.data.len(), 240 * 320 * 3);
        assert_eq!(png_size(&to_png(FACE_JPEG).unwrap()), (240, 320));
    }

    #[test]
    fn broken_or_unsupported_images_are_errors_not_crashes() {
        assert!(matches!(decode(b"GIF89a"), Err(PortraitError::Unsupported(ImageFormat::Unknown))));
        let bsi = std::fs::read(BSI_DG2).unwrap();
        let jp2 = Dg2::parse(&bsi).unwrap().portrait().unwrap().data.to_vec();
        for data in [FACE_JPEG, &jp2[..]] {
            // Cut inside the headers: refused.
            for cut in [8, 20, 100] {
                assert!(decode(&data[..cut]).is_err(), "cut at {cut}");
            }
            // Cut later: a decoder may fill in what is missing, but the size is the image's
            // and the samples fill it exactly, or it is refused.
            for cut in [data.len() / 3, data.len() / 2, data.len() - 10] {
                if let Ok(p) = decode(&data[..cut]) {
                    assert_eq!(p.data.len(), p.width as usize * p.height as usize * 3, "cut at {cut}");
                }
            }
            let mut flipped = data.to_vec();
            for i in (200..flipped.len()).step_by(97) {
                flipped[i] ^= 0x5A;
            }
            if let Ok(p) = decode(&flipped) {
                assert!(p.width <= passchip::lds::portrait::MAX_SIDE && p.height <= passchip::lds::portrait::MAX_SIDE);
            }
        }
        // A JPEG whose frame header claims 60000 × 60000 pixels is refused before decoding.
        let mut huge = FACE_JPEG.to_vec();
        let sof = huge.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline SOF0");
        huge[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        assert!(decode(&huge).is_err());
    }
}

#[test]
fn bsi_reference_dg3_and_dg4_templates_parse() {
    use passchip::lds::face::biometric_templates;
    let dir = "fixtures/external/icao-9303/bsi-tr03105-5-referencedataset";
    for (file, kind, magic) in [("Datagroup3.bin", 8, b"FIR\0"), ("Datagroup4.bin", 16, b"IIR\0")] {
        let bytes = std::fs::read(format!("{dir}/{file}")).unwrap();
        let templates = biometric_templates(&bytes).unwrap();
        assert_eq!(templates.len(), 2, "{file}");
        for t in &templates {
            assert_eq!(t.header.biometric_type, Some(kind), "{file}");
            assert!(t.data.starts_with(magic) && !t.tagged_format, "{file}");
        }
        // The finger/iris records are not faces: DG2's parser refuses the file.
        assert!(Dg2::parse(&bytes).is_err());
    }
    assert!(biometric_templates(&[0x61, 0x03, 0x7F, 0x61, 0x00]).is_err());
}
