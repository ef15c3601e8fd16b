//! What uploaded bytes really are: the type their first bytes announce, an
//! image's pixel size, and its WebP renditions. Pure functions; the service
//! runs the heavy ones on the blocking pool, at most [`DecodeGate`]'s number
//! at once.
//!
//! An image is a decompression bomb when a few hundred kilobytes declare
//! gigabytes of pixels (a 560 KB PNG of 12,000 × 12,000 RGBA decodes to
//! 576 MB). So the header's size is checked against a pixel budget before
//! anything is decoded, the decoder's allocations are bounded, and decodes
//! wait their turn rather than run all at once.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{AppError, AppResult};

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

/// Working memory a decoder may take beyond the decoded pixels (row buffers,
/// colour profiles, metadata), in bytes.
const DECODER_SLACK_BYTES: u64 = 64 * 1024 * 1024;

/// The most bytes decoding an image within `max_pixels` may allocate: the
/// pixels as 8-bit RGBA plus the decoder's working memory.
pub fn max_decode_bytes(max_pixels: u64) -> u64 {
    max_pixels
        .saturating_mul(4)
        .saturating_add(DECODER_SLACK_BYTES)
}

/// Why an image was not decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Its header declares more pixels (or a longer side) than allowed: a
    /// decompression bomb or a photo to be scaled down first.
    TooLarge(String),
    /// It is not a readable image of its type, or decoding it would need
    /// more memory than allowed.
    Unreadable(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge(m) | Self::Unreadable(m) => f.write_str(m),
        }
    }
}

fn unreadable(err: image::ImageError) -> Refusal {
    match err {
        image::ImageError::Limits(_) => Refusal::Unreadable(
            "decoding it needs more memory than allowed; save it with fewer pixels or 8 bits per channel"
                .to_owned(),
        ),
        other => Refusal::Unreadable(other.to_string()),
    }
}

/// Checks the size an image's header declares against the budget.
pub fn check_dimensions(width: u32, height: u32, max_pixels: u64) -> Result<(), Refusal> {
    let pixels = u64::from(width) * u64::from(height);
    let megapixels = |n: u64| n as f64 / 1_000_000.0;
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(Refusal::TooLarge(format!(
            "the image is {width} × {height} pixels; neither side may exceed {MAX_IMAGE_SIDE} pixels"
        )));
    }
    if pixels > max_pixels {
        return Err(Refusal::TooLarge(format!(
            "the image is {width} × {height} pixels ({:.1} megapixels); at most {:.1} megapixels are accepted",
            megapixels(pixels),
            megapixels(max_pixels)
        )));
    }
    Ok(())
}

/// A decoded image, turned upright by its EXIF orientation.
pub struct Picture {
    image: DynamicImage,
}

impl Picture {
    /// Decodes `bytes` as `media_type`, first refusing from the header an
    /// image of more than `max_pixels` pixels, then decoding with its
    /// allocations bounded by [`max_decode_bytes`].
    pub fn decode(bytes: &[u8], media_type: MediaType, max_pixels: u64) -> Result<Self, Refusal> {
        let format = match media_type {
            MediaType::Jpeg => ImageFormat::Jpeg,
            MediaType::Png => ImageFormat::Png,
            MediaType::Webp => ImageFormat::WebP,
            other => {
                return Err(Refusal::Unreadable(format!(
                    "{} is not an image",
                    other.mime()
                )));
            }
        };
        // Only the allocation bound here: the sides and pixels are checked
        // below, from the header, with a message that says which limit.
        let mut limits = Limits::default();
        limits.max_alloc = Some(max_decode_bytes(max_pixels));
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        reader.limits(limits.clone());
        // Making the decoder reads the header only.
        let mut decoder = reader.into_decoder().map_err(unreadable)?;
        let (width, height) = decoder.dimensions();
        check_dimensions(width, height, max_pixels)?;
        // `from_decoder` does not count the pixel buffer against the limits:
        // reserve it, leaving the decoder the rest for its working memory.
        limits.max_image_width = Some(MAX_IMAGE_SIDE);
        limits.max_image_height = Some(MAX_IMAGE_SIDE);
        limits.reserve(decoder.total_bytes()).map_err(unreadable)?;
        decoder.set_limits(limits).map_err(unreadable)?;
        let orientation = decoder.orientation().map_err(unreadable)?;
        let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
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

/// How long a confirmation waits for its turn to decode before giving up.
pub const DECODE_QUEUE_WAIT: Duration = Duration::from_secs(20);

/// Bounds how many images are decoded at once across the process, so that
/// memory follows the number of cores rather than the number of callers.
#[derive(Clone)]
pub struct DecodeGate {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl DecodeGate {
    /// A gate letting `concurrency` decodes run at once; others wait at most
    /// [`DECODE_QUEUE_WAIT`].
    pub fn new(concurrency: usize) -> Self {
        Self::with_wait(concurrency, DECODE_QUEUE_WAIT)
    }

    /// A gate whose callers wait at most `wait` for their turn.
    pub fn with_wait(concurrency: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            wait,
        }
    }

    /// A turn to decode, held until dropped; when every turn stays taken
    /// for the whole wait, a clear "busy" error (nothing is decoded).
    pub async fn enter(&self) -> AppResult<OwnedSemaphorePermit> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(AppError::internal(closed)),
            Err(_) => Err(AppError::Busy(
                "too many images are being processed right now; confirm the upload again in a moment"
                    .to_owned(),
            )),
        }
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

    const BUDGET: u64 = crate::config::DEFAULT_MAX_PIXELS;

    /// A PNG that declares `width`×`height` RGBA pixels and carries only a
    /// scrap of data: what a decoder allocates for it follows the header.
    fn declared_png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        writer
            .write_chunk(png::chunk::IDAT, &[0x78, 0x01, 0x01, 0x00, 0x00])
            .expect("chunk");
        drop(writer);
        out
    }

    #[test]
    fn an_image_over_the_pixel_budget_is_refused_from_its_header() {
        let refused = Picture::decode(&declared_png(12_000, 12_000), MediaType::Png, BUDGET);
        match refused {
            Err(Refusal::TooLarge(message)) => {
                assert!(message.contains("144.0 megapixels"), "{message}");
                assert!(message.contains("at most 40.0 megapixels"), "{message}");
            }
            other => panic!("expected TooLarge, got {:?}", other.err()),
        }
        let side = Picture::decode(&declared_png(40_000, 10), MediaType::Png, BUDGET);
        assert!(matches!(side, Err(Refusal::TooLarge(m)) if m.contains("12000 pixels")));
        // Within the budget it decodes; one pixel over, it does not.
        let photo = png(1000, 500);
        assert!(Picture::decode(&photo, MediaType::Png, 500_000).is_ok());
        assert!(matches!(
            Picture::decode(&photo, MediaType::Png, 499_999),
            Err(Refusal::TooLarge(_))
        ));
    }

    #[test]
    fn decoding_may_allocate_the_budget_as_rgba_and_a_little_more() {
        assert_eq!(max_decode_bytes(40_000_000), 160_000_000 + 64 * 1024 * 1024);
        assert_eq!(max_decode_bytes(u64::MAX), u64::MAX);
    }

    #[tokio::test]
    async fn decodes_past_the_gate_wait_their_turn_then_hear_busy() {
        let gate = DecodeGate::with_wait(1, Duration::from_millis(50));
        let first = gate.enter().await.expect("a free turn");
        let busy = gate.enter().await.expect_err("every turn taken");
        assert_eq!(busy.code(), crate::error::ErrorCode::ServiceUnavailable);
        assert!(busy.to_string().contains("too many images"), "{busy}");
        drop(first);
        let _turn = gate.enter().await.expect("a turn once one is given back");
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
        let picture = Picture::decode(&png(640, 480), MediaType::Png, BUDGET).expect("decodes");
        assert_eq!((picture.width(), picture.height()), (640, 480));
        let webp = picture.webp_rendition(320).expect("encodes");
        assert_eq!(sniff(&webp), Some(MediaType::Webp));
        let back = image::load_from_memory_with_format(&webp, ImageFormat::WebP).expect("webp");
        assert_eq!((back.width(), back.height()), (320, 240));
    }

    #[test]
    fn bytes_that_are_not_the_declared_image_are_refused() {
        assert!(Picture::decode(b"<html>not a photo</html>", MediaType::Jpeg, BUDGET).is_err());
        assert!(Picture::decode(&png(4, 4), MediaType::Pdf, BUDGET).is_err());
    }
}
