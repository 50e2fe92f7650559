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

/// The BSI TR-03105-5 reference data set's DG2 (MIT-licensed copy, see
/// `fixtures/external/icao-9303/PROVENANCE.md`): its portrait is our JPEG 2000 face.
const BSI_DG2: &[u8] =
    include_bytes!("../../fixtures/external/icao-9303/bsi-tr03105-5-referencedataset/Datagroup2.bin");

/// A real JPEG 2000 passport portrait (JP2, 413 × 531): the BSI reference data set's.
#[must_use]
pub fn face_jpeg2000() -> &'static [u8] {
    crate::lds::face::Dg2::parse(BSI_DG2).ok().and_then(|d| d.portrait().map(|f| f.data)).unwrap_or_default()
}

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
    dg2_with(0x5F2E, 0x0008, record)
}

/// DG2 with one biometric information template: a header naming `format_type` (format
/// owner ISO/IEC JTC 1/SC 37) and the data block under `bdb_tag`.
fn dg2_with(bdb_tag: u32, format_type: u16, block: &[u8]) -> Vec<u8> {
    let mut header = Vec::new();
    encode(Tag::new(0x80), &[0x01, 0x01], &mut header);
    encode(Tag::new(0x81), &[0x02], &mut header);
    encode(Tag::new(0x87), &[0x01, 0x01], &mut header);
    encode(Tag::new(0x88), &format_type.to_be_bytes(), &mut header);
    let mut bit = Vec::new();
    encode(Tag::new(0xA1), &header, &mut bit);
    encode(Tag::new(bdb_tag), block, &mut bit);
    let mut group = Vec::new();
    encode(Tag::new(0x02), &[0x01], &mut group);
    encode(Tag::new(0x7F60), &bit, &mut group);
    encode_to_vec(Tag::new(0x75), &encode_to_vec(Tag::new(0x7F61), &group))
}

/// Builds an ISO/IEC 19794-5:2011 facial record (`FAC\0`, version `030\0`) with one
/// representation: capture date 2024-05-17, one quality block (score 87, vendor 0x0101,
/// algorithm 0x0002), no landmark points.
#[must_use]
pub fn face_record_2011(image: &[u8], image_type: ImageType, width: u16, height: u16, gender: u8) -> Vec<u8> {
    let mut rep = Vec::new();
    rep.extend_from_slice(&2024u16.to_be_bytes());
    rep.extend_from_slice(&[5, 17, 10, 30, 0]); // month, day, hour, minute, second
    rep.extend_from_slice(&0u16.to_be_bytes()); // millisecond
    rep.extend_from_slice(&[0, 0, 0, 0, 0]); // capture device technology, vendor, type
    rep.push(1); // quality blocks
    rep.push(87);
    rep.extend_from_slice(&0x0101u16.to_be_bytes());
    rep.extend_from_slice(&0x0002u16.to_be_bytes());
    rep.extend_from_slice(&0u16.to_be_bytes()); // landmark points
    rep.extend_from_slice(&[gender, 0, 0, 0]); // gender, eye, hair, subject height
    rep.extend_from_slice(&[0, 0, 0]); // property mask
    rep.extend_from_slice(&[0, 0]); // expression
    rep.extend_from_slice(&[91, 91, 91]); // pose: 0° each
    rep.extend_from_slice(&[0, 0, 0]); // pose uncertainty
    rep.push(1); // face image type: full frontal
    rep.push(match image_type {
        ImageType::Jpeg => 0,
        ImageType::Jpeg2000 => 1,
    });
    rep.extend_from_slice(&width.to_be_bytes());
    rep.extend_from_slice(&height.to_be_bytes());
    rep.extend_from_slice(&[0, 0, 0, 0]); // spatial sampling, post-acquisition, cross reference
    rep.push(1); // colour space: 24-bit RGB
    let representation_len = 4 + rep.len() + image.len();
    let record_len = 17 + representation_len;
    let mut r = Vec::with_capacity(record_len);
    r.extend_from_slice(b"FAC\x00030\x00");
    r.extend_from_slice(&(record_len as u32).to_be_bytes());
    r.extend_from_slice(&1u16.to_be_bytes()); // representations
    r.push(0); // certification flag
    r.extend_from_slice(&0u16.to_be_bytes()); // temporal semantics
    r.extend_from_slice(&(representation_len as u32).to_be_bytes());
    r.extend_from_slice(&rep);
    r.extend_from_slice(image);
    r
}

/// Builds an ISO/IEC 39794-5 face image data block (generation 3, year 2019) with one 2D
/// representation; `format_code` is its ImageDataFormat code.
#[must_use]
pub fn face_block_39794(image: &[u8], format_code: u8, width: u16, height: u16) -> Vec<u8> {
    let t = |tag: u32, value: &[u8]| encode_to_vec(Tag::new(tag), value);
    let version = t(0xA0, &[t(0x80, &[3]), t(0x81, &[0x07, 0xE3])].concat());
    let size = t(0xA7, &[t(0x80, &width.to_be_bytes()), t(0x81, &height.to_be_bytes())].concat());
    let info = t(0xA1, &[t(0xA0, &t(0x80, &[format_code])), size].concat());
    let image_2d = t(0xA0, &[t(0x80, image), info].concat());
    let representation = t(
        0x30,
        &[
            t(0x80, &[0]),
            t(0xA1, &t(0xA0, &image_2d)),
            t(0xA2, &[t(0x80, &[0x07, 0xE8]), t(0x81, &[5]), t(0x82, &[17])].concat()),
        ]
        .concat(),
    );
    t(0xA1, &t(0x65, &[version, t(0xA1, &representation)].concat()))
}

/// Builds DG2 around an ISO/IEC 39794-5 block (biometric data block tag `7F2E`).
#[must_use]
pub fn dg2_39794(block: &[u8]) -> Vec<u8> {
    dg2_with(0x7F2E, 0x0040, block)
}

/// Builds DG5 (displayed portrait) or DG7 (displayed signature) around one image.
#[must_use]
pub fn displayed_image(dg: u8, image: &[u8]) -> Vec<u8> {
    let (outer, inner) = if dg == 7 { (0x67, 0x5F43) } else { (0x60 + u32::from(dg), 0x5F40) };
    let mut body = Vec::new();
    encode(Tag::new(0x02), &[0x01], &mut body);
    encode(Tag::new(inner), image, &mut body);
    encode_to_vec(Tag::new(outer), &body)
}
