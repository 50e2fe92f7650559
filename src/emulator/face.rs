//! DG2 for the virtual document: one ISO/IEC 19794-5:2005 face record inside the
//! biometric information template group (ICAO 9303-10 §4.7.2, ISO/IEC 7816-11):
//!
//! ```text
//! 75 L                               DG2
//!   7F61 L                           biometric information group template
//!     02 01 01                       number of instances
//!     7F60 L                         biometric information template
//!       A1 L                         biometric header template
//!         80 02 0101                 ICAO header version
//!         81 01 02                   biometric type: facial features
//!         87 02 0101                 format owner: ISO/IEC JTC 1/SC 37
//!         88 02 0008                 format type: face image (19794-5)
//!       5F2E L                       biometric data block: the face record
//! ```

use crate::tlv::{Tag, encode, encode_to_vec};

/// The virtual passport's portrait: a synthetic face drawn by us
/// (`fixtures/emulator/make_face.py`), 240×320 JPEG.
pub const FACE_JPEG: &[u8] = include_bytes!("../../fixtures/emulator/face.jpg");

/// Image data type in the face record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    /// JPEG (ISO/IEC 10918).
    Jpeg,
    /// JPEG 2000.
    Jpeg2000,
}

/// Builds the ISO 19794-5:2005 facial record (`FAC\0`, version `010\0`).
#[must_use]
pub fn face_record(image: &[u8], image_type: ImageType, width: u16, height: u16, gender: u8) -> Vec<u8> {
    const INFO_LEN: usize = 20;
    const IMAGE_INFO_LEN: usize = 12;
    let block_len = INFO_LEN + IMAGE_INFO_LEN + image.len();
    let record_len = 14 + block_len;
    let mut r = Vec::with_capacity(record_len);
    r.extend_from_slice(b"FAC\x00010\x00");
    r.extend_from_slice(&(record_len as u32).to_be_bytes());
    r.extend_from_slice(&1u16.to_be_bytes()); // number of facial images
    // Facial information block.
    r.extend_from_slice(&(block_len as u32).to_be_bytes());
    r.extend_from_slice(&0u16.to_be_bytes()); // feature points
    r.push(gender); // 0 unspecified, 1 male, 2 female
    r.push(0); // eye colour unspecified
    r.push(0); // hair colour unspecified
    r.extend_from_slice(&[0, 0, 0]); // feature mask
    r.extend_from_slice(&[0, 0]); // expression unspecified
    r.extend_from_slice(&[0, 0, 0]); // pose angle yaw/pitch/roll
    r.extend_from_slice(&[0, 0, 0]); // pose angle uncertainty
    // Image information.
    r.push(1); // face image type: full frontal
    r.push(match image_type {
        ImageType::Jpeg => 0,
        ImageType::Jpeg2000 => 1,
    });
    r.extend_from_slice(&width.to_be_bytes());
    r.extend_from_slice(&height.to_be_bytes());
    r.push(1); // colour space: 24-bit RGB
    r.push(2); // source type: static photo, digital still camera
    r.extend_from_slice(&[0, 0]); // device type
    r.extend_from_slice(&[0, 0]); // quality
    r.extend_from_slice(image);
    r
}

/// Builds DG2 around a face record.
#[must_use]
pub fn dg2(record: &[u8]) -> Vec<u8> {
    let mut header = Vec::new();
    encode(Tag::new(0x80), &[0x01, 0x01], &mut header);
    encode(Tag::new(0x81), &[0x02], &mut header);
    encode(Tag::new(0x87), &[0x01, 0x01], &mut header);
    encode(Tag::new(0x88), &[0x00, 0x08], &mut header);
    let mut bit = Vec::new();
    encode(Tag::new(0xA1), &header, &mut bit);
    encode(Tag::new(0x5F2E), record, &mut bit);
    let mut group = Vec::new();
    encode(Tag::new(0x02), &[0x01], &mut group);
    encode(Tag::new(0x7F60), &bit, &mut group);
    encode_to_vec(Tag::new(0x75), &encode_to_vec(Tag::new(0x7F61), &group))
}
