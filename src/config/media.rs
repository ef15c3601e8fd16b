//! Limits and lifetimes of media uploads and links.

use std::time::Duration;

use serde::Deserialize;

use super::source::{bytes, cores, http_url, secs};
use super::{ConfigError, ensure};

/// The default pixel budget of an image: 40 megapixels, more than any phone
/// photo and 160 MiB decoded as RGBA.
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;
/// The largest pixel budget that may be set: 12,000 × 12,000, the widest and
/// tallest image accepted at all.
pub const MAX_PIXELS_LIMIT: u64 = 144_000_000;

/// The longest a presigned upload URL may live.
pub const MAX_UPLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);
/// The longest a SigV4 presigned URL may live (7 days).
pub const MAX_PRESIGNED_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Limits and lifetimes of media uploads and links.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct MediaConfig {
    /// Largest photo (product, logo, cover, origin story, lot), in bytes.
    #[serde(
        rename = "FARMSTREAM_MEDIA_MAX_IMAGE_BYTES",
        deserialize_with = "bytes"
    )]
    pub max_image_bytes: u64,
    /// Largest video (product video, livestream replay), in bytes.
    #[serde(
        rename = "FARMSTREAM_MEDIA_MAX_VIDEO_BYTES",
        deserialize_with = "bytes"
    )]
    pub max_video_bytes: u64,
    /// Largest certificate document, in bytes.
    #[serde(
        rename = "FARMSTREAM_MEDIA_MAX_DOCUMENT_BYTES",
        deserialize_with = "bytes"
    )]
    pub max_document_bytes: u64,
    /// How long a presigned upload URL works (at most 15 minutes).
    #[serde(
        rename = "FARMSTREAM_MEDIA_UPLOAD_URL_TTL_SECS",
        deserialize_with = "secs"
    )]
    pub upload_url_ttl: Duration,
    /// How long a presigned download URL works.
    #[serde(rename = "FARMSTREAM_MEDIA_URL_TTL_SECS", deserialize_with = "secs")]
    pub url_ttl: Duration,
    /// Serve plain URLs under this base (a CDN or public bucket) instead of
    /// presigned ones; no trailing slash.
    #[serde(
        rename = "FARMSTREAM_MEDIA_PUBLIC_BASE_URL",
        deserialize_with = "http_url"
    )]
    pub public_base_url: Option<String>,
    /// An upload still unconfirmed this long after `createUpload` is swept away.
    #[serde(
        rename = "FARMSTREAM_MEDIA_PENDING_TTL_SECS",
        deserialize_with = "secs"
    )]
    pub pending_ttl: Duration,
    /// How often the sweeper looks for such uploads.
    #[serde(
        rename = "FARMSTREAM_MEDIA_SWEEP_INTERVAL_SECS",
        deserialize_with = "secs"
    )]
    pub sweep_interval: Duration,
    /// The most pixels (width × height) an image may declare; larger ones
    /// are refused from their header, before any decoding.
    #[serde(rename = "FARMSTREAM_MEDIA_MAX_PIXELS")]
    pub max_pixels: u64,
    /// How many images are decoded at once; more confirmations wait.
    #[serde(rename = "FARMSTREAM_MEDIA_MAX_CONCURRENT_DECODES")]
    pub max_concurrent_decodes: usize,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            max_image_bytes: 10 * 1024 * 1024,
            max_video_bytes: 2 * 1024 * 1024 * 1024,
            max_document_bytes: 20 * 1024 * 1024,
            upload_url_ttl: MAX_UPLOAD_URL_TTL,
            url_ttl: Duration::from_secs(3600),
            public_base_url: None,
            pending_ttl: Duration::from_secs(24 * 3600),
            sweep_interval: Duration::from_secs(3600),
            max_pixels: DEFAULT_MAX_PIXELS,
            // Decoding is CPU-bound: more decodes than cores only add memory.
            max_concurrent_decodes: cores(2),
        }
    }
}

impl MediaConfig {
    /// Refuses a value outside the bounds its type does not hold.
    pub(super) fn checked(self) -> Result<Self, ConfigError> {
        ensure(
            self.upload_url_ttl <= MAX_UPLOAD_URL_TTL,
            "FARMSTREAM_MEDIA_UPLOAD_URL_TTL_SECS",
            "must be at most 900 seconds (15 minutes)",
        )?;
        ensure(
            self.url_ttl <= MAX_PRESIGNED_URL_TTL,
            "FARMSTREAM_MEDIA_URL_TTL_SECS",
            "must be at most 604800 seconds (7 days, the limit of presigned URLs)",
        )?;
        ensure(
            (1..=MAX_PIXELS_LIMIT).contains(&self.max_pixels),
            "FARMSTREAM_MEDIA_MAX_PIXELS",
            "must be between 1 and 144000000 pixels (12,000 × 12,000)",
        )?;
        ensure(
            self.max_concurrent_decodes >= 1,
            "FARMSTREAM_MEDIA_MAX_CONCURRENT_DECODES",
            "must be at least 1",
        )?;
        Ok(self)
    }
}
