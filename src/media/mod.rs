//! Media in S3-compatible storage: photos, videos and documents a cooperative
//! uploads straight to storage with a presigned URL, then confirms.
//!
//! The flow: `createUpload` checks the caller, the type and the size and
//! hands out a presigned PUT of the asset's upload key that signs the content
//! type and length; the client PUTs the bytes; `confirmUpload` copies them to
//! a final key no presigned PUT names, checks the copy (size, type, the first
//! bytes, an image's pixels), writes WebP renditions of images beside it,
//! marks the asset ready and deletes the upload. So nothing sent to an upload
//! URL after confirmation changes what the asset serves, and what was checked
//! is what is served. Object keys are always made here
//! (`{cooperative}/{purpose}/{uuid}.{ext}` to upload,
//! `{cooperative}/{purpose}/{uuid}-{version}.{ext}` once confirmed); no name a
//! user gives reaches one.
//! Domains above attach assets through [`service::require_attachable`].

pub mod attachments;
pub mod inputs;
pub mod inspect;
pub mod objects;
pub mod queries;
pub mod service;

use crate::config::MediaConfig;
use crate::ids::MediaAssetId;

/// The widths, in pixels, of the WebP renditions written for an image.
pub const RENDITION_WIDTHS: [u32; 2] = [320, 1024];

pub use entity::enums::{Gallery, MediaPurpose, MediaStatus};

/// The families of purposes, sharing their accepted types and size limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Document,
}

/// The rules of a purpose: what it accepts and how much.
pub trait PurposeRules {
    /// Its family.
    fn kind(self) -> MediaKind;
    /// The content types accepted for it.
    fn allowed_types(self) -> &'static [MediaType];
    /// The largest upload accepted for it, in bytes.
    fn max_bytes(self, config: &MediaConfig) -> u64;
}

impl PurposeRules for MediaPurpose {
    fn kind(self) -> MediaKind {
        match self {
            Self::ProductImage
            | Self::CooperativeLogo
            | Self::CooperativeCover
            | Self::OriginStoryImage
            | Self::LotImage => MediaKind::Image,
            Self::ProductVideo | Self::LivestreamReplay => MediaKind::Video,
            Self::CertificateDocument => MediaKind::Document,
        }
    }

    fn allowed_types(self) -> &'static [MediaType] {
        match self.kind() {
            MediaKind::Image => &[MediaType::Jpeg, MediaType::Png, MediaType::Webp],
            MediaKind::Video => &[MediaType::Mp4, MediaType::Webm],
            MediaKind::Document => &[MediaType::Pdf, MediaType::Jpeg, MediaType::Png],
        }
    }

    fn max_bytes(self, config: &MediaConfig) -> u64 {
        match self.kind() {
            MediaKind::Image => config.max_image_bytes,
            MediaKind::Video => config.max_video_bytes,
            MediaKind::Document => config.max_document_bytes,
        }
    }
}

/// A content type media accepts at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Mp4,
    Webm,
    Pdf,
}

impl MediaType {
    /// Every type.
    pub const ALL: [Self; 6] = [
        Self::Jpeg,
        Self::Png,
        Self::Webp,
        Self::Mp4,
        Self::Webm,
        Self::Pdf,
    ];

    /// The MIME type, as signed into upload URLs and stored.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Mp4 => "video/mp4",
            Self::Webm => "video/webm",
            Self::Pdf => "application/pdf",
        }
    }

    /// The file extension of object keys.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Mp4 => "mp4",
            Self::Webm => "webm",
            Self::Pdf => "pdf",
        }
    }

    /// True for the pixel formats that get renditions.
    pub fn is_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png | Self::Webp)
    }

    /// The type whose MIME type is `mime` (exactly, as stored).
    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.mime() == mime)
    }
}

/// The upload key of an asset, the only key a presigned PUT ever names:
/// `{cooperative}/{purpose-lowercase}/{uuid}.{ext}`. It is the asset's
/// `object_key` while it is pending (and stays so for assets confirmed
/// before final keys existed).
pub fn object_key(
    cooperative: crate::ids::CooperativeId,
    purpose: MediaPurpose,
    id: MediaAssetId,
    media_type: MediaType,
) -> String {
    format!(
        "{cooperative}/{}/{id}.{}",
        purpose.to_string().to_ascii_lowercase(),
        media_type.extension()
    )
}

/// A final key for the upload at `upload_key`, `{stem}-{version}.{ext}`: a
/// fresh one per confirmation, so that two confirmations racing each write
/// (and check) their own copy and the loser removes only its own.
pub fn final_key(upload_key: &str, version: uuid::Uuid) -> String {
    let (stem, extension) = upload_key.rsplit_once('.').unwrap_or((upload_key, ""));
    format!("{stem}-{}.{extension}", version.simple())
}

/// The key of an asset's rendition `width` pixels wide, beside the original.
pub fn rendition_key(object_key: &str, width: u32) -> String {
    let stem = object_key
        .rsplit_once('.')
        .map_or(object_key, |(stem, _)| stem);
    format!("{stem}-w{width}.webp")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CooperativeId;

    #[test]
    fn keys_are_made_of_ids_and_the_purpose_only() {
        let coop = CooperativeId::from(uuid::Uuid::nil());
        let id = MediaAssetId::from(uuid::Uuid::max());
        let key = object_key(coop, MediaPurpose::ProductImage, id, MediaType::Jpeg);
        assert_eq!(
            key,
            "00000000-0000-0000-0000-000000000000/product_image/ffffffff-ffff-ffff-ffff-ffffffffffff.jpg"
        );
        assert_eq!(
            rendition_key(&key, 320),
            "00000000-0000-0000-0000-000000000000/product_image/ffffffff-ffff-ffff-ffff-ffffffffffff-w320.webp"
        );
        let done = final_key(&key, uuid::Uuid::nil());
        assert_eq!(
            done,
            "00000000-0000-0000-0000-000000000000/product_image/ffffffff-ffff-ffff-ffff-ffffffffffff-00000000000000000000000000000000.jpg"
        );
        assert_ne!(done, key, "no presigned PUT names a final key");
        assert_eq!(
            rendition_key(&done, 320),
            "00000000-0000-0000-0000-000000000000/product_image/ffffffff-ffff-ffff-ffff-ffffffffffff-00000000000000000000000000000000-w320.webp"
        );
    }

    #[test]
    fn each_family_accepts_its_own_types() {
        assert!(
            MediaPurpose::CooperativeLogo
                .allowed_types()
                .contains(&MediaType::Webp)
        );
        assert!(
            !MediaPurpose::ProductImage
                .allowed_types()
                .contains(&MediaType::Pdf)
        );
        assert!(
            MediaPurpose::CertificateDocument
                .allowed_types()
                .contains(&MediaType::Pdf)
        );
        assert!(
            !MediaPurpose::LivestreamReplay
                .allowed_types()
                .contains(&MediaType::Jpeg)
        );
    }
}
