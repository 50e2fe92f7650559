//! Decoding a portrait (JPEG or JPEG 2000) to pixels and exporting it as PNG, for a kiosk
//! that shows the chip's face beside the camera image (feature `portrait`).
//!
//! Both decoders are pure Rust: `zune-jpeg` for JPEG and `hayro-jpeg2000` for JPEG 2000
//! (chosen after decoding the BSI, JMRTD and our own JPEG 2000 portraits; see docs/performance.md).
//! The image comes from the chip, so it is treated as hostile: its stated size is checked
//! against [`MAX_SIDE`] before any pixel buffer is allocated, and a decoder that panics on
//! a malformed image is caught and reported as [`PortraitError::Decoder`], never passed on.

use super::face::ImageFormat;
use zeroize::Zeroizing;

/// The largest width or height decoded (pixels). eMRTD portraits are around 400 × 500;
/// this bounds a decoded image to 64 MiB (RGBA).
pub const MAX_SIDE: u32 = 4096;

/// Why a portrait could not be decoded or exported. The image (so the chip) is at fault,
/// except for [`PortraitError::Unsupported`], which names what this build cannot do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PortraitError {
    /// Not an image format we decode (raw bytes can still be saved).
    #[error("{0:?} images are not supported for display")]
    Unsupported(ImageFormat),
    /// The image states a size beyond [`MAX_SIDE`].
    #[error("the image is {width} x {height} pixels, more than the {MAX_SIDE} per side we decode")]
    TooLarge {
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
    },
    /// A colour space we do not convert (CMYK, more than four channels).
    #[error("the image's colour space is not supported: {0}")]
    ColourSpace(&'static str),
    /// The decoder rejected the image.
    #[error("the image does not decode: {0}")]
    Decoder(String),
    /// The PNG encoder failed.
    #[error("PNG export failed: {0}")]
    Png(String),
}

/// Samples per pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Channels {
    /// 8-bit grey.
    Grey,
    /// 8-bit grey and alpha.
    GreyAlpha,
    /// 8-bit RGB.
    Rgb,
    /// 8-bit RGB and alpha.
    Rgba,
}

impl Channels {
    fn count(self) -> usize {
        match self {
            Self::Grey => 1,
            Self::GreyAlpha => 2,
            Self::Rgb => 3,
            Self::Rgba => 4,
        }
    }
}

/// A decoded image: interleaved 8-bit samples, row by row.
#[derive(Clone, PartialEq, Eq)]
pub struct Pixels {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Samples per pixel.
    pub channels: Channels,
    /// `width × height × channels` samples.
    pub data: Vec<u8>,
}

impl Drop for Pixels {
    /// A face is personal data: the decoded samples are wiped.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

impl core::fmt::Debug for Pixels {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Pixels({} x {}, {:?})", self.width, self.height, self.channels)
    }
}

fn check_size(width: u32, height: u32) -> Result<(), PortraitError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PortraitError::TooLarge { width, height });
    }
    Ok(())
}

/// Runs a third-party decoder, turning a panic on a malformed image into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T, PortraitError>) -> Result<T, PortraitError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(PortraitError::Decoder("the decoder failed on a malformed image".into())))
}

/// Decodes a JPEG or JPEG 2000 portrait.
///
/// # Errors
/// [`PortraitError`].
pub fn decode(image: &[u8]) -> Result<Pixels, PortraitError> {
    match ImageFormat::sniff(image) {
        ImageFormat::Jpeg => guarded(|| decode_jpeg(image)),
        ImageFormat::Jp2 | ImageFormat::J2k => guarded(|| decode_jpeg2000(image)),
        other => Err(PortraitError::Unsupported(other)),
    }
}

fn decode_jpeg(image: &[u8]) -> Result<Pixels, PortraitError> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let side = MAX_SIDE as usize;
    let options =
        DecoderOptions::default().set_max_width(side).set_max_height(side).jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(image), options);
    decoder.decode_headers().map_err(|e| PortraitError::Decoder(e.to_string()))?;
    let (w, h) = decoder.dimensions().ok_or(PortraitError::Decoder("no frame header".into()))?;
    let (width, height) = (u32::try_from(w).unwrap_or(u32::MAX), u32::try_from(h).unwrap_or(u32::MAX));
    check_size(width, height)?;
    let data = decoder.decode().map_err(|e| PortraitError::Decoder(e.to_string()))?;
    let channels = match decoder.output_colorspace() {
        Some(ColorSpace::Luma) => Channels::Grey,
        Some(ColorSpace::RGBA) => Channels::Rgba,
        _ => Channels::Rgb,
    };
    finish(width, height, channels, data)
}

fn decode_jpeg2000(image: &[u8]) -> Result<Pixels, PortraitError> {
    use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext, Image};
    let decoder_error = |e: hayro_jpeg2000::DecodeError| PortraitError::Decoder(e.to_string());
    let parsed = Image::new(image, &DecodeSettings::default()).map_err(decoder_error)?;
    let (width, height) = (parsed.width(), parsed.height());
    check_size(width, height)?;
    let colour = match (parsed.color_space(), parsed.has_alpha()) {
        (ColorSpace::Gray, false) => Channels::Grey,
        (ColorSpace::Gray, true) => Channels::GreyAlpha,
        (ColorSpace::RGB, false) => Channels::Rgb,
        (ColorSpace::RGB, true) => Channels::Rgba,
        (ColorSpace::Icc { num_channels: 1, .. } | ColorSpace::Unknown { num_channels: 1 }, a) => {
            if a {
                Channels::GreyAlpha
            } else {
                Channels::Grey
            }
        }
        (ColorSpace::Icc { num_channels: 3, .. } | ColorSpace::Unknown { num_channels: 3 }, a) => {
            if a {
                Channels::Rgba
            } else {
                Channels::Rgb
            }
        }
        (ColorSpace::CMYK, _) => return Err(PortraitError::ColourSpace("CMYK")),
        _ => return Err(PortraitError::ColourSpace("more than three colour channels")),
    };
    let mut context = DecoderContext::default();
    let decoded = parsed.decode(&mut context).map_err(decoder_error)?;
    let data = decoded.data_u8();
    finish(width, height, colour, data)
}

fn finish(width: u32, height: u32, channels: Channels, data: Vec<u8>) -> Result<Pixels, PortraitError> {
    let expected = (width as usize).saturating_mul(height as usize).saturating_mul(channels.count());
    if data.len() != expected {
        return Err(PortraitError::Decoder(format!("{} samples for a {width} x {height} image", data.len())));
    }
    Ok(Pixels { width, height, channels, data })
}

/// Encodes decoded pixels as PNG.
///
/// # Errors
/// [`PortraitError::Png`].
pub fn encode_png(pixels: &Pixels) -> Result<Zeroizing<Vec<u8>>, PortraitError> {
    let png_error = |e: png::EncodingError| PortraitError::Png(e.to_string());
    // Sized for the raw samples plus DEFLATE's worst case, and wiped as it grows anyway:
    // the PNG is the face.
    let raw = pixels.data.len();
    let mut out = WipingWriter(Zeroizing::new(Vec::with_capacity(raw + raw / 64 + 4096)));
    let mut encoder = png::Encoder::new(&mut out, pixels.width, pixels.height);
    encoder.set_color(match pixels.channels {
        Channels::Grey => png::ColorType::Grayscale,
        Channels::GreyAlpha => png::ColorType::GrayscaleAlpha,
        Channels::Rgb => png::ColorType::Rgb,
        Channels::Rgba => png::ColorType::Rgba,
    });
    encoder.set_depth(png::BitDepth::Eight);
    // A portrait is shown, not archived (the original bytes are the archive): the fast
    // DEFLATE takes a tenth of the default level's time for a slightly larger file.
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&pixels.data).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out.0)
}

/// A `Vec` writer whose old buffers are wiped when it grows.
struct WipingWriter(Zeroizing<Vec<u8>>);

impl std::io::Write for WipingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let buffer: &mut Vec<u8> = &mut self.0;
        if buffer.len() + buf.len() > buffer.capacity() {
            let mut grown = Vec::with_capacity((buffer.len() + buf.len()).max(buffer.capacity() * 2));
            grown.extend_from_slice(buffer);
            zeroize::Zeroize::zeroize(buffer);
            *buffer = grown;
        }
        buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decodes a portrait and exports it as PNG: what a kiosk shows, whatever the chip holds.
///
/// # Errors
/// [`PortraitError`].
pub fn to_png(image: &[u8]) -> Result<Zeroizing<Vec<u8>>, PortraitError> {
    encode_png(&decode(image)?)
}
