//! What uploaded bytes really are: the type their first bytes announce, an
//! image's pixel size, and its WebP renditions. Pure functions; the service
//! runs the heavy ones on the blocking pool.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::media::MediaType;

/// How many leading bytes [`sniff`] needs.
pub const SNIFF_BYTES: usize = 16;

/// The widest or tallest image accepted, in pixels: more is a decompression
/// bomb rather than a product photo.
pub const MAX_IMAGE_SIDE: u32 = 12_000;

/// The type the first bytes of a file announce, if it is one media accepts.
pub fn sniff(head: &[u8]) -> Option<MediaType> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(MediaType::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(MediaType::Png)
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        Some(MediaType::Webp)
    } else if head.starts_with(b"%PDF-") {
        Some(MediaType::Pdf)
    } else if head.len() >= 8 && &head[4..8] == b"ftyp" {
        Some(MediaType::Mp4)
    } else if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(MediaType::Webm)
    } else {
        None
    }
}

/// A decoded image, turned upright by its EXIF orientation.
pub struct Picture {
    image: DynamicImage,
}

impl Picture {
    /// Decodes `bytes` as `media_type`, refusing absurd pixel sizes.
    pub fn decode(bytes: &[u8], media_type: MediaType) -> Result<Self, String> {
        let format = match media_type {
            MediaType::Jpeg => ImageFormat::Jpeg,
            MediaType::Png => ImageFormat::Png,
            MediaType::Webp => ImageFormat::WebP,
            other => return Err(format!("{} is not an image", other.mime())),
        };
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_IMAGE_SIDE);
        limits.max_image_height = Some(MAX_IMAGE_SIDE);
        reader.limits(limits);
        let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
        let orientation = decoder.orientation().map_err(|e| e.to_string())?;
        let mut image = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
        image.apply_orientation(orientation);
        Ok(Self { image })
    }

    /// Width in pixels, upright.
    pub fn width(&self) -> u32 {
        self.image.width()
    }

    /// Height in pixels, upright.
    pub fn height(&self) -> u32 {
        self.image.height()
    }

    /// The image scaled to `width` pixels wide (height in proportion) as
    /// lossless WebP, the only WebP encoder the `image` crate has.
    pub fn webp_rendition(&self, width: u32) -> Result<Vec<u8>, String> {
        let height = (u64::from(self.height()) * u64::from(width))
            .div_ceil(u64::from(self.width()).max(1))
            .max(1);
        let height = u32::try_from(height).map_err(|e| e.to_string())?;
        let scaled = self
            .image
            .resize_exact(width, height, FilterType::CatmullRom);
        let scaled = if scaled.color().has_alpha() {
            DynamicImage::ImageRgba8(scaled.to_rgba8())
        } else {
            DynamicImage::ImageRgb8(scaled.to_rgb8())
        };
        let mut out = Vec::new();
        scaled
            .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out))
            .map_err(|e| e.to_string())?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).expect("png");
        out.into_inner()
    }

    #[test]
    fn first_bytes_tell_the_real_type() {
        assert_eq!(sniff(&png(2, 2)), Some(MediaType::Png));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8L"), Some(MediaType::Webp));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(sniff(b"\0\0\0\x20ftypisom\0\0"), Some(MediaType::Mp4));
        assert_eq!(
            sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F]),
            Some(MediaType::Webm)
        );
        assert_eq!(sniff(b"<!DOCTYPE html><html>"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_picture_reports_its_size_and_scales_to_webp() {
        let picture = Picture::decode(&png(640, 480), MediaType::Png).expect("decodes");
        assert_eq!((picture.width(), picture.height()), (640, 480));
        let webp = picture.webp_rendition(320).expect("encodes");
        assert_eq!(sniff(&webp), Some(MediaType::Webp));
        let back = image::load_from_memory_with_format(&webp, ImageFormat::WebP).expect("webp");
        assert_eq!((back.width(), back.height()), (320, 240));
    }

    #[test]
    fn bytes_that_are_not_the_declared_image_are_refused() {
        assert!(Picture::decode(b"<html>not a photo</html>", MediaType::Jpeg).is_err());
        assert!(Picture::decode(&png(4, 4), MediaType::Pdf).is_err());
    }
}
