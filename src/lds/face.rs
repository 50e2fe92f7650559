//! DG2, the encoded face (ICAO 9303-10 §4.7.2), and the displayed images of DG5/DG6
//! (portrait) and DG7 (signature or usual mark, §4.7.5–4.7.7).
//!
//! ```text
//! 75 L                                DG2
//!   7F61 L                            biometric information group template (ISO/IEC 7816-11)
//!     02 01 n                         number of instances
//!     7F60 L                          biometric information template, n times
//!       A1 L                          biometric header template: 80 version, 81 type,
//!                                     82 subtype, 83 creation date, 85 validity, 86 creator,
//!                                     87 format owner, 88 format type
//!       5F2E L                        biometric data block: an ISO/IEC 19794-5 record
//!       | 7F2E L                      … or an ISO/IEC 39794-5 one (DER, tagged)
//!
//! 65 | 66 | 67 L                      DG5 | DG6 | DG7
//!   02 01 n                           number of images
//!   5F40 | 5F43 L                     the image itself (JPEG or JPEG 2000), n times
//! ```
//!
//! Every image is a slice of the file it was parsed from: parsing copies nothing (see
//! `benches/faces.rs`). ISO/IEC 19794-5 comes in two versions on real chips, 2005 (`010`,
//! with JPEG or JPEG 2000) and 2011 (`030`); both are parsed here, with their metadata.
//! Lengths inside the record are cross-checked against the data block and, where a chip
//! gets them wrong (New Zealand's facial header length is 8 short), the data block wins.

use super::{LdsError, tlv_err};
use crate::tlv::{Tag, Tlv};

const DG2: &str = "DG2";

/// Image formats found in eMRTD portraits, identified by their bytes (the record's own
/// declaration is kept beside it: some chips declare one and carry the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ImageFormat {
    /// JPEG (ISO/IEC 10918-1), `FF D8 FF`.
    Jpeg,
    /// JPEG 2000 in a JP2 container (ISO/IEC 15444-1 annex I).
    Jp2,
    /// A raw JPEG 2000 codestream, `FF 4F FF 51`.
    J2k,
    /// PNG (ISO/IEC 39794-5 allows it).
    Png,
    /// None of the above.
    Unknown,
}

impl ImageFormat {
    /// The format of `data`, from its first bytes.
    #[must_use]
    pub fn sniff(data: &[u8]) -> Self {
        if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Self::Jpeg
        } else if data.starts_with(&[0, 0, 0, 0x0C, b'j', b'P', b' ', b' ']) {
            Self::Jp2
        } else if data.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
            Self::J2k
        } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
            Self::Png
        } else {
            Self::Unknown
        }
    }

    /// The usual file extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Jp2 => "jp2",
            Self::J2k => "j2k",
            Self::Png => "png",
            Self::Unknown => "bin",
        }
    }

    /// Whether this is one of the JPEG 2000 forms.
    #[must_use]
    pub fn is_jpeg2000(self) -> bool {
        matches!(self, Self::Jp2 | Self::J2k)
    }
}

/// Which face record standard a biometric data block follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FaceStandard {
    /// ISO/IEC 19794-5:2005 (record version `010`).
    Iso19794_5_2005,
    /// ISO/IEC 19794-5:2011 (record version `030`).
    Iso19794_5_2011,
    /// ISO/IEC 39794-5 (the tagged, extensible format ICAO 9303-10 adopted in 2021),
    /// with the version block's generation and year.
    Iso39794_5 {
        /// Version generation.
        generation: u32,
        /// Version year.
        year: u32,
    },
}

impl core::fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Jpeg => "JPEG",
            Self::Jp2 => "JPEG 2000",
            Self::J2k => "JPEG 2000 codestream",
            Self::Png => "PNG",
            Self::Unknown => "unknown format",
        })
    }
}

impl core::fmt::Display for FaceStandard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Iso19794_5_2005 => f.write_str("ISO/IEC 19794-5:2005"),
            Self::Iso19794_5_2011 => f.write_str("ISO/IEC 19794-5:2011"),
            Self::Iso39794_5 { generation, year } => write!(f, "ISO/IEC 39794-5 (generation {generation}, {year})"),
        }
    }
}

/// A head pose in degrees, each angle −180..=180 where stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PoseAngle {
    /// Yaw.
    pub yaw: Option<i16>,
    /// Pitch.
    pub pitch: Option<i16>,
    /// Roll.
    pub roll: Option<i16>,
}

impl PoseAngle {
    /// ISO/IEC 19794-5 encodes an angle `a` as `(a + 180) / 2 + 1` (1..=181); 0 is
    /// "unspecified".
    fn from_19794(b: [u8; 3]) -> Option<Self> {
        let angle = |v: u8| (1..=181).contains(&v).then(|| (i16::from(v) - 1) * 2 - 180);
        let p = Self { yaw: angle(b[0]), pitch: angle(b[1]), roll: angle(b[2]) };
        (p != Self::default()).then_some(p)
    }
}

/// A quality score with, where the record names them, the algorithm that computed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Quality {
    /// The score, 0–100 (255: failed to compute).
    pub score: u8,
    /// The algorithm vendor's registered ID.
    pub vendor: Option<u16>,
    /// The vendor's algorithm ID.
    pub algorithm: Option<u16>,
}

/// One face image and what its record says about it. Codes are the record's own
/// (ISO/IEC 19794-5 tables), kept as numbers where the standard's list is long.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct FaceImage<'a> {
    /// The record standard.
    pub standard: FaceStandard,
    /// The image bytes, a slice of the data group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub data: &'a [u8],
    /// The format the bytes are in.
    pub format: ImageFormat,
    /// The record's image data type code (19794-5: 0 JPEG, 1 JPEG 2000; 39794-5:
    /// its ImageDataFormat code).
    pub declared_format: Option<u32>,
    /// Width in pixels, as the record states it.
    pub width: Option<u32>,
    /// Height in pixels, as the record states it.
    pub height: Option<u32>,
    /// Face image type (19794-5:2005: 0 basic, 1 full frontal, 2 token frontal).
    pub face_image_type: Option<u8>,
    /// Source type (0 unspecified, 1 static photo from an unknown source, 2 digital
    /// still camera, 3 scanner, 4–6 video, 7 unknown).
    pub source_type: Option<u8>,
    /// Colour space (0 unspecified, 1 24-bit RGB, 2 YUV422, 3 8-bit greyscale, 4 other).
    pub colour_space: Option<u8>,
    /// Gender as recorded (0 unspecified, 1 male, 2 female, 255 unknown).
    pub gender: Option<u8>,
    /// Eye colour code.
    pub eye_colour: Option<u8>,
    /// Hair colour code.
    pub hair_colour: Option<u8>,
    /// Expression code.
    pub expression: Option<u16>,
    /// Head pose, when stated.
    pub pose: Option<PoseAngle>,
    /// Quality scores.
    pub quality: Vec<Quality>,
    /// Capture date (19794-5:2011, 39794-5), ISO 8601 as far as stated.
    pub capture_date: Option<String>,
    /// Number of landmark (feature) points recorded.
    pub landmark_points: u16,
}

impl core::fmt::Debug for FaceImage<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // A portrait is personal data: its size and format only.
        write!(f, "FaceImage({:?}, {:?}, {} bytes)", self.standard, self.format, self.data.len())
    }
}

impl<'a> FaceImage<'a> {
    fn new(standard: FaceStandard, data: &'a [u8]) -> Self {
        Self {
            standard,
            data,
            format: ImageFormat::sniff(data),
            declared_format: None,
            width: None,
            height: None,
            face_image_type: None,
            source_type: None,
            colour_space: None,
            gender: None,
            eye_colour: None,
            hair_colour: None,
            expression: None,
            pose: None,
            quality: Vec::new(),
            capture_date: None,
            landmark_points: 0,
        }
    }
}

/// The biometric header template (ISO/IEC 7816-11 table 7) of one instance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BiometricHeader {
    /// Biometric type (2: facial features, 8: finger, 16: iris).
    pub biometric_type: Option<u32>,
    /// Biometric subtype.
    pub subtype: Option<u8>,
    /// Format owner (0x0101: ISO/IEC JTC 1/SC 37).
    pub format_owner: Option<u16>,
    /// Format type (0x0008: ISO/IEC 19794-5 face image).
    pub format_type: Option<u16>,
}

/// DG2: every face the chip holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dg2<'a> {
    /// One entry per biometric information template, in file order.
    pub instances: Vec<(BiometricHeader, Vec<FaceImage<'a>>)>,
}

/// One biometric information template (`7F60`) of DG2, DG3 or DG4: its header and its
/// biometric data block, unparsed (`5F2E`, or `7F2E` for the ISO/IEC 39794 formats).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BiometricTemplate<'a> {
    /// The biometric header template.
    pub header: BiometricHeader,
    /// Whether the data block is the tagged (ISO/IEC 39794, `7F2E`) kind.
    pub tagged_format: bool,
    /// The data block (a slice of the file), e.g. an ISO/IEC 19794-4 finger record
    /// (`FIR\0`) or 19794-6 iris record (`IIR\0`).
    pub data: &'a [u8],
}

impl core::fmt::Debug for BiometricTemplate<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "BiometricTemplate({:?}, {} bytes)", self.header, self.data.len())
    }
}

/// The biometric information templates of DG2 (`75`), DG3 (`63`, fingerprints) or DG4
/// (`76`, iris), in file order (ISO/IEC 7816-11 group template `7F61`). DG3 and DG4 are
/// only readable after Extended Access Control; this parses them when a dump has them.
///
/// # Errors
/// [`LdsError`] for another file or a broken structure.
pub fn biometric_templates(bytes: &[u8]) -> Result<Vec<BiometricTemplate<'_>>, LdsError> {
    let file = match bytes.first() {
        Some(0x75) => "DG2",
        Some(0x63) => "DG3",
        Some(0x76) => "DG4",
        _ => return Err(invalid("not DG2, DG3 or DG4")),
    };
    let bad = |reason: &'static str| LdsError::Invalid { file, reason };
    let outer = Tlv::parse(bytes).map_err(tlv_err(file))?.0;
    let group = outer.find(Tag::new(0x7F61)).map_err(tlv_err(file))?.ok_or(bad("no 7F61 group template"))?;
    let mut out = Vec::new();
    for child in group.children() {
        let bit = child.map_err(tlv_err(file))?;
        if bit.tag != Tag::new(0x7F60) {
            continue;
        }
        let mut header = BiometricHeader::default();
        let mut block = None;
        for item in bit.children() {
            let item = item.map_err(tlv_err(file))?;
            match item.tag.value() {
                0xA1 => header = biometric_header(&item, file)?,
                0x5F2E => block = Some((false, item.value)),
                0x7F2E => block = Some((true, item.value)),
                _ => {}
            }
        }
        let (tagged_format, data) = block.ok_or(bad("a template without a biometric data block"))?;
        out.push(BiometricTemplate { header, tagged_format, data });
    }
    if out.is_empty() {
        return Err(bad("no biometric information template"));
    }
    Ok(out)
}

impl<'a> Dg2<'a> {
    /// Parses DG2.
    ///
    /// # Errors
    /// [`LdsError`] when the templates are broken or a face record is malformed.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LdsError> {
        if bytes.first() != Some(&0x75) {
            return Err(invalid("not DG2"));
        }
        let mut instances = Vec::new();
        for t in biometric_templates(bytes)? {
            let faces = if t.tagged_format { iso39794(t.data)? } else { iso19794(t.data)? };
            instances.push((t.header, faces));
        }
        Ok(Self { instances })
    }

    /// Every face image, in file order.
    pub fn faces(&self) -> impl Iterator<Item = &FaceImage<'a>> {
        self.instances.iter().flat_map(|(_, f)| f.iter())
    }

    /// The first face image: the portrait to show.
    #[must_use]
    pub fn portrait(&self) -> Option<&FaceImage<'a>> {
        self.faces().next()
    }
}

/// DG5 (displayed portrait), DG6 (reserved, same layout) or DG7 (displayed signature or
/// usual mark): the images, each a slice of the file.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisplayedImages<'a> {
    /// The data group (5, 6 or 7).
    pub dg: u8,
    /// The images, in file order.
    pub images: Vec<(ImageFormat, &'a [u8])>,
}

impl core::fmt::Debug for DisplayedImages<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let formats: Vec<_> = self.images.iter().map(|(k, d)| (k, d.len())).collect();
        write!(f, "DisplayedImages(DG{}, {formats:?})", self.dg)
    }
}

impl<'a> DisplayedImages<'a> {
    /// Parses DG5, DG6 or DG7 (the outer tag says which).
    ///
    /// # Errors
    /// [`LdsError`] for another data group or a broken structure.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LdsError> {
        const FILE: &str = "DG5/DG6/DG7";
        let (outer, _) = Tlv::parse(bytes).map_err(tlv_err(FILE))?;
        let (dg, image_tag) = match outer.tag.value() {
            0x65 => (5, 0x5F40),
            0x66 => (6, 0x5F40),
            0x67 => (7, 0x5F43),
            _ => return Err(LdsError::Invalid { file: FILE, reason: "not DG5, DG6 or DG7" }),
        };
        let mut images = Vec::new();
        for child in outer.children() {
            let child = child.map_err(tlv_err(FILE))?;
            if child.tag == Tag::new(image_tag) {
                images.push((ImageFormat::sniff(child.value), child.value));
            }
        }
        Ok(Self { dg, images })
    }
}

fn invalid(reason: &'static str) -> LdsError {
    LdsError::Invalid { file: DG2, reason }
}

fn biometric_header(bht: &Tlv<'_>, file: &'static str) -> Result<BiometricHeader, LdsError> {
    let mut h = BiometricHeader::default();
    for item in bht.children() {
        let item = item.map_err(tlv_err(file))?;
        let number = item.value.iter().take(4).fold(0u32, |a, &b| (a << 8) | u32::from(b));
        match item.tag.value() {
            0x81 => h.biometric_type = Some(number),
            0x82 => h.subtype = item.value.first().copied(),
            0x87 => h.format_owner = u16::try_from(number).ok(),
            0x88 => h.format_type = u16::try_from(number).ok(),
            _ => {}
        }
    }
    Ok(h)
}

/// A cursor over big-endian fields of a 19794 record; running out is a typed error.
struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], LdsError> {
        let end = self.pos.checked_add(n).ok_or(invalid("face record length overflow"))?;
        let out = self.data.get(self.pos..end).ok_or(invalid("face record truncated"))?;
        self.pos = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, LdsError> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }

    fn u16(&mut self) -> Result<u16, LdsError> {
        let b = self.take(2)?;
        Ok(b.iter().fold(0u16, |a, &x| (a << 8) | u16::from(x)))
    }

    fn u32(&mut self) -> Result<u32, LdsError> {
        let b = self.take(4)?;
        Ok(b.iter().fold(0u32, |a, &x| (a << 8) | u32::from(x)))
    }

    fn array3(&mut self) -> Result<[u8; 3], LdsError> {
        let b = self.take(3)?;
        Ok([b.first().copied().unwrap_or(0), b.get(1).copied().unwrap_or(0), b.get(2).copied().unwrap_or(0)])
    }
}

/// An ISO/IEC 19794-5 facial record (`FAC\0`), 2005 or 2011.
fn iso19794(block: &[u8]) -> Result<Vec<FaceImage<'_>>, LdsError> {
    let mut f = Fields { data: block, pos: 0 };
    if f.take(4)? != b"FAC\0" {
        return Err(invalid("the biometric data block is not an ISO/IEC 19794-5 record"));
    }
    let version = f.take(4)?;
    let _record_length = f.u32()?;
    let count = f.u16()?;
    match version {
        b"010\0" => {
            let mut faces = Vec::new();
            for _ in 0..count {
                faces.push(face_2005(&mut f)?);
            }
            Ok(faces)
        }
        b"030\0" => {
            let _certification = f.u8()?;
            let _temporal_semantics = f.u16()?;
            let mut faces = Vec::new();
            for _ in 0..count {
                faces.push(face_2011(&mut f)?);
            }
            Ok(faces)
        }
        _ => Err(invalid("unknown ISO/IEC 19794-5 record version")),
    }
}

/// The image bytes after a fixed header: `declared` total bytes from `start`, or what
/// the data block holds when the chip's length is wrong (seen short by 8 on NZ chips).
fn image_slice<'a>(f: &mut Fields<'a>, start: usize, declared: u32) -> Result<&'a [u8], LdsError> {
    let header = f.pos.checked_sub(start).ok_or(invalid("face record length overflow"))?;
    let declared = usize::try_from(declared).unwrap_or(usize::MAX);
    let remaining = f.data.len().saturating_sub(f.pos);
    let len = declared.checked_sub(header).filter(|&n| n <= remaining).unwrap_or(remaining);
    f.take(len)
}

/// The facial information block both 19794-5 versions share (2011 adds the subject's
/// height), then the landmark points it announces.
struct Facial {
    points: u16,
    gender: u8,
    eye: u8,
    hair: u8,
    expression: u16,
    pose: [u8; 3],
}

impl Facial {
    fn read(f: &mut Fields<'_>, with_subject_height: bool) -> Result<Self, LdsError> {
        let points = f.u16()?;
        let (gender, eye, hair) = (f.u8()?, f.u8()?, f.u8()?);
        if with_subject_height {
            f.take(1)?;
        }
        let _feature_mask = f.take(3)?;
        let expression = f.u16()?;
        let pose = f.array3()?;
        let _pose_uncertainty = f.take(3)?;
        f.take(usize::from(points) * 8)?;
        Ok(Self { points, gender, eye, hair, expression, pose })
    }
}

/// The image information fields both versions share.
struct ImageInfo {
    face_type: u8,
    data_type: u8,
    width: u16,
    height: u16,
}

impl ImageInfo {
    fn read(f: &mut Fields<'_>) -> Result<Self, LdsError> {
        Ok(Self { face_type: f.u8()?, data_type: f.u8()?, width: f.u16()?, height: f.u16()? })
    }
}

fn face_19794<'a>(standard: FaceStandard, data: &'a [u8], facial: &Facial, info: &ImageInfo) -> FaceImage<'a> {
    let mut face = FaceImage::new(standard, data);
    face.declared_format = Some(u32::from(info.data_type));
    face.width = Some(u32::from(info.width));
    face.height = Some(u32::from(info.height));
    face.face_image_type = Some(info.face_type);
    face.gender = Some(facial.gender);
    face.eye_colour = Some(facial.eye);
    face.hair_colour = Some(facial.hair);
    face.expression = Some(facial.expression);
    face.pose = PoseAngle::from_19794(facial.pose);
    face.landmark_points = facial.points;
    face
}

/// ISO/IEC 19794-5:2005 §5.5–5.7: facial information (20 bytes), feature points (8 each),
/// image information (12 bytes), image data.
fn face_2005<'a>(f: &mut Fields<'a>) -> Result<FaceImage<'a>, LdsError> {
    let start = f.pos;
    let block_length = f.u32()?;
    let facial = Facial::read(f, false)?;
    let info = ImageInfo::read(f)?;
    let colour_space = f.u8()?;
    let source = f.u8()?;
    let _device = f.u16()?;
    let quality = f.u16()?;
    let data = image_slice(f, start, block_length)?;
    let mut face = face_19794(FaceStandard::Iso19794_5_2005, data, &facial, &info);
    face.source_type = Some(source);
    face.colour_space = Some(colour_space);
    if quality != 0 {
        face.quality.push(Quality { score: u8::try_from(quality).unwrap_or(u8::MAX), vendor: None, algorithm: None });
    }
    Ok(face)
}

/// ISO/IEC 19794-5:2011 representation: length, capture date and time (9), capture device
/// (5), quality blocks (5 each), facial information (17), landmark points (8 each), image
/// information (11), image data.
fn face_2011<'a>(f: &mut Fields<'a>) -> Result<FaceImage<'a>, LdsError> {
    let start = f.pos;
    let representation_length = f.u32()?;
    let (year, month, day) = (f.u16()?, f.u8()?, f.u8()?);
    let _time = f.take(5)?;
    let _device = f.take(5)?;
    let quality_blocks = f.u8()?;
    let mut quality = Vec::new();
    for _ in 0..quality_blocks {
        let score = f.u8()?;
        let (vendor, algorithm) = (f.u16()?, f.u16()?);
        quality.push(Quality { score, vendor: Some(vendor), algorithm: Some(algorithm) });
    }
    let facial = Facial::read(f, true)?;
    let info = ImageInfo::read(f)?;
    let _spatial_sampling = f.u8()?;
    let _post_acquisition = f.u16()?;
    let _cross_reference = f.u8()?;
    let colour_space = f.u8()?;
    let data = image_slice(f, start, representation_length)?;
    let mut face = face_19794(FaceStandard::Iso19794_5_2011, data, &facial, &info);
    face.colour_space = Some(colour_space);
    face.quality = quality;
    if year != 0xFFFF && year != 0 {
        face.capture_date = Some(match (month, day) {
            (1..=12, 1..=31) => format!("{year:04}-{month:02}-{day:02}"),
            _ => format!("{year:04}"),
        });
    }
    Ok(face)
}

/// A DER INTEGER's content as an unsigned number (at most 4 bytes).
fn small_uint(value: &[u8]) -> Option<u32> {
    (value.len() <= 5).then(|| value.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)))
}

fn child<'a>(t: &Tlv<'a>, tag: u32) -> Result<Option<Tlv<'a>>, LdsError> {
    t.find(Tag::new(tag)).map_err(tlv_err(DG2))
}

/// ISO/IEC 39794-5 (DER with context tags), as ICAO 9303-10 carries it in `7F2E`:
///
/// ```text
/// A1 { 65 FaceImageDataBlock {                    [APPLICATION 5]
///   A0 versionBlock { 80 generation, 81 year }
///   A1 representationBlocks { 30 RepresentationBlock {
///     80 representationId
///     A1 imageRepresentation { A0 base { A0 imageRepresentation2DBlock {
///       80 representationData2D (the image)
///       A1 imageInformation2DBlock { A0 imageDataFormat { 80 code }, …,
///                                    A7 imageSizeBlock { 80 width, 81 height }, … } } } }
///     A2 captureDateTimeBlock { 80 year, 81 month, 82 day, … }
///     A3 qualityBlocks { 30 { A0 algorithm { 80 organization, 81 id }, 81 score } … }
///   } … } } }
/// ```
///
/// The wrapping `A1` is optional here: some encoders put `65` first.
fn iso39794(block: &[u8]) -> Result<Vec<FaceImage<'_>>, LdsError> {
    let (first, _) = Tlv::parse(block).map_err(tlv_err(DG2))?;
    let data_block = match first.tag.value() {
        0x65 => first,
        0xA1 => child(&first, 0x65)?.ok_or(invalid("39794-5: no FaceImageDataBlock"))?,
        _ => return Err(invalid("39794-5: not a FaceImageDataBlock")),
    };
    let version = child(&data_block, 0xA0)?;
    let number = |t: Option<Tlv<'_>>| t.and_then(|t| small_uint(t.value)).unwrap_or(0);
    let standard = FaceStandard::Iso39794_5 {
        generation: number(version.as_ref().map(|v| child(v, 0x80)).transpose()?.flatten()),
        year: number(version.as_ref().map(|v| child(v, 0x81)).transpose()?.flatten()),
    };
    let blocks = child(&data_block, 0xA1)?.ok_or(invalid("39794-5: no representation blocks"))?;
    let mut faces = Vec::new();
    for rep in blocks.children() {
        let rep = rep.map_err(tlv_err(DG2))?;
        let image_2d = child(&rep, 0xA1)?
            .map(|r| child(&r, 0xA0))
            .transpose()?
            .flatten()
            .map(|b| child(&b, 0xA0))
            .transpose()?
            .flatten()
            .ok_or(invalid("39794-5: no 2D image representation"))?;
        let data = child(&image_2d, 0x80)?.ok_or(invalid("39794-5: no image data"))?.value;
        let mut face = FaceImage::new(standard, data);
        if let Some(info) = child(&image_2d, 0xA1)? {
            face.declared_format =
                child(&info, 0xA0)?.map(|f| child(&f, 0x80)).transpose()?.flatten().and_then(|c| small_uint(c.value));
            face.face_image_type = child(&info, 0xA1)?
                .map(|k| child(&k, 0x80))
                .transpose()?
                .flatten()
                .and_then(|c| c.value.last().copied());
            if let Some(size) = child(&info, 0xA7)? {
                face.width = child(&size, 0x80)?.and_then(|w| small_uint(w.value));
                face.height = child(&size, 0x81)?.and_then(|h| small_uint(h.value));
            }
        }
        if let Some(date) = child(&rep, 0xA2)? {
            let part = |tag: u32| -> Result<Option<u32>, LdsError> {
                Ok(child(&date, tag)?.and_then(|t| small_uint(t.value)))
            };
            face.capture_date = match (part(0x80)?, part(0x81)?, part(0x82)?) {
                (Some(y), Some(m @ 1..=12), Some(d @ 1..=31)) => Some(format!("{y:04}-{m:02}-{d:02}")),
                (Some(y), _, _) => Some(format!("{y:04}")),
                _ => None,
            };
        }
        if let Some(qualities) = child(&rep, 0xA3)? {
            for q in qualities.children() {
                let q = q.map_err(tlv_err(DG2))?;
                let algorithm = child(&q, 0xA0)?;
                let id = |tag: u32| -> Result<Option<u16>, LdsError> {
                    Ok(algorithm
                        .as_ref()
                        .map(|a| child(a, tag))
                        .transpose()?
                        .flatten()
                        .and_then(|t| small_uint(t.value))
                        .and_then(|v| u16::try_from(v).ok()))
                };
                if let Some(score) = child(&q, 0x81)?.and_then(|s| small_uint(s.value)) {
                    let score = u8::try_from(score).unwrap_or(u8::MAX);
                    face.quality.push(Quality { score, vendor: id(0x80)?, algorithm: id(0x81)? });
                }
            }
        }
        faces.push(face);
    }
    Ok(faces)
}
