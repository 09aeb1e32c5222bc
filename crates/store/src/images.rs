//! Uploaded images, made safe: the type comes from the magic bytes (never the name or the
//! client's content type), size and pixel count are checked before decoding, and the image is
//! decoded and encoded anew — which drops EXIF, GPS and every other piece of metadata.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The most an upload may weigh.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most pixels an image may have (a 50,000 × 50,000 PNG is refused before it is unpacked).
pub const MAX_PIXELS: u64 = 40_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("not a JPEG or PNG image")]
    NotAnImage,
    #[error("file too large")]
    TooLarge,
    #[error("too many pixels")]
    TooManyPixels,
    #[error("the image cannot be read")]
    Corrupt,
}

impl ImageError {
    pub fn code(self) -> &'static str {
        match self {
            ImageError::NotAnImage => "not_image",
            ImageError::TooLarge => "too_large",
            ImageError::TooManyPixels => "too_many_pixels",
            ImageError::Corrupt => "corrupt_image",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CleanImage {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut r = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    r.limits(limits);
    r
}

/// Checks and re-encodes an uploaded image. CPU-bound: call it off the async runtime.
pub fn clean(bytes: &[u8]) -> Result<CleanImage, ImageError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImageError::TooLarge);
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png)) => f,
        _ => return Err(ImageError::NotAnImage),
    };
    let (w, h) = reader(bytes, format).into_dimensions().map_err(|_| ImageError::Corrupt)?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels);
    }
    let img = reader(bytes, format).decode().map_err(|_| ImageError::Corrupt)?;
    let mut out = Cursor::new(Vec::new());
    let content_type = match format {
        ImageFormat::Png => {
            img.write_to(&mut out, ImageFormat::Png).map_err(|_| ImageError::Corrupt)?;
            "image/png"
        }
        _ => {
            let rgb = image::DynamicImage::ImageRgb8(img.to_rgb8());
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
            rgb.write_with_encoder(enc).map_err(|_| ImageError::Corrupt)?;
            "image/jpeg"
        }
    };
    Ok(CleanImage { bytes: out.into_inner(), content_type, width: w, height: h })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn jpeg_with_exif(marker: &str) -> Vec<u8> {
        let img = image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 8, y as u8 * 10, 128]));
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img).write_to(&mut out, ImageFormat::Jpeg).unwrap();
        let jpeg = out.into_inner();
        // An APP1 (Exif) segment right after SOI, as a camera writes it.
        let payload = format!("Exif\0\0{marker} GPS 35.49N 112.85E");
        let len = (payload.len() + 2) as u16;
        let mut with = vec![0xFF, 0xD8, 0xFF, 0xE1];
        with.extend_from_slice(&len.to_be_bytes());
        with.extend_from_slice(payload.as_bytes());
        with.extend_from_slice(&jpeg[2..]);
        with
    }

    #[test]
    fn metadata_is_gone_after_cleaning() {
        let dirty = jpeg_with_exif("CANARY-CAM");
        assert!(dirty.windows(10).any(|w| w == b"CANARY-CAM"));
        let c = clean(&dirty).unwrap();
        assert_eq!((c.content_type, c.width, c.height), ("image/jpeg", 32, 24));
        assert!(!c.bytes.windows(10).any(|w| w == b"CANARY-CAM"));
        assert!(!c.bytes.windows(3).any(|w| w == b"GPS"));
    }

    #[test]
    fn what_is_not_an_image_or_too_big_is_refused() {
        assert_eq!(clean(b"%PDF-1.7 not an image").unwrap_err(), ImageError::NotAnImage);
        assert_eq!(clean(b"GIF89a......").unwrap_err(), ImageError::NotAnImage);
        assert_eq!(clean(&vec![0u8; MAX_BYTES + 1]).unwrap_err(), ImageError::TooLarge);
        // A PNG header claiming 50,000 × 50,000 pixels, refused before any pixel is unpacked.
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(b"IHDR");
        ihdr.extend_from_slice(&50_000u32.to_be_bytes());
        ihdr.extend_from_slice(&50_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        let e = clean(&png).unwrap_err();
        assert!(matches!(e, ImageError::TooManyPixels | ImageError::Corrupt), "{e:?}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }
}
