//! Upload inputs parsed into domain types: a content type allowed for the
//! purpose, a size within its limit, a SHA-256 checksum.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::config::MediaConfig;
use crate::error::{AppError, AppResult};
use crate::media::{MediaPurpose, MediaType, PurposeRules};

/// Parses a declared content type (`image/jpeg`, parameters ignored) and
/// checks that `purpose` accepts it.
pub fn parse_content_type(raw: &str, purpose: MediaPurpose, field: &str) -> AppResult<MediaType> {
    let allowed = || {
        purpose
            .allowed_types()
            .iter()
            .map(|t| t.mime())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let parsed: mime::Mime = raw
        .trim()
        .parse()
        .map_err(|_| AppError::invalid(field, format!("`{raw}` is not a MIME type")))?;
    let essence = parsed.essence_str().to_ascii_lowercase();
    MediaType::from_mime(&essence)
        .filter(|t| purpose.allowed_types().contains(t))
        .ok_or_else(|| {
            AppError::invalid(
                field,
                format!(
                    "{essence} is not accepted for {}; use one of {}",
                    purpose,
                    allowed()
                ),
            )
        })
}

/// Checks a declared size: more than zero, at most the purpose's limit.
pub fn parse_byte_size(
    raw: i64,
    purpose: MediaPurpose,
    config: &MediaConfig,
    field: &str,
) -> AppResult<u64> {
    let max = purpose.max_bytes(config);
    match u64::try_from(raw) {
        Ok(0) | Err(_) => Err(AppError::invalid(
            field,
            "must be the file's size in bytes, more than 0",
        )),
        Ok(n) if n > max => Err(AppError::invalid(
            field,
            format!("{n} bytes is over the {max}-byte limit for {}", purpose),
        )),
        Ok(n) => Ok(n),
    }
}

/// A SHA-256 digest, given as 64 hex digits or as base64 (the form S3 uses);
/// kept as base64.
pub fn parse_checksum_sha256(raw: &str, field: &str) -> AppResult<String> {
    let raw = raw.trim();
    let bytes = if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(raw).ok()
    } else {
        BASE64.decode(raw).ok()
    };
    match bytes {
        Some(bytes) if bytes.len() == 32 => Ok(BASE64.encode(bytes)),
        _ => Err(AppError::invalid(
            field,
            "must be a SHA-256 digest: 64 hex digits or 44 base64 characters",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MAX_UPLOAD_URL_TTL;
    use std::time::Duration;

    fn config() -> MediaConfig {
        MediaConfig {
            max_image_bytes: 100,
            max_video_bytes: 1000,
            max_document_bytes: 200,
            upload_url_ttl: MAX_UPLOAD_URL_TTL,
            url_ttl: Duration::from_secs(60),
            public_base_url: None,
            pending_ttl: Duration::from_secs(60),
            sweep_interval: Duration::from_secs(60),
            max_pixels: 1_000_000,
            max_concurrent_decodes: 1,
        }
    }

    #[test]
    fn a_content_type_must_suit_the_purpose() {
        let jpeg = parse_content_type("Image/JPEG; q=1", MediaPurpose::ProductImage, "f");
        assert_eq!(jpeg.ok(), Some(MediaType::Jpeg));
        let err = parse_content_type("application/pdf", MediaPurpose::ProductImage, "f")
            .expect_err("pdf is no photo");
        assert!(
            err.to_string()
                .contains("image/jpeg, image/png, image/webp")
        );
        assert!(parse_content_type("video/mp4", MediaPurpose::LivestreamReplay, "f").is_ok());
        assert!(parse_content_type("text/html", MediaPurpose::CertificateDocument, "f").is_err());
        assert!(parse_content_type("not a type", MediaPurpose::LotImage, "f").is_err());
    }

    #[test]
    fn a_size_must_be_positive_and_within_the_limit() {
        let c = config();
        assert_eq!(
            parse_byte_size(100, MediaPurpose::LotImage, &c, "f").ok(),
            Some(100)
        );
        assert!(parse_byte_size(101, MediaPurpose::LotImage, &c, "f").is_err());
        assert!(parse_byte_size(0, MediaPurpose::LotImage, &c, "f").is_err());
        assert!(parse_byte_size(-5, MediaPurpose::LotImage, &c, "f").is_err());
        assert!(parse_byte_size(1000, MediaPurpose::ProductVideo, &c, "f").is_ok());
        assert!(parse_byte_size(201, MediaPurpose::CertificateDocument, &c, "f").is_err());
    }

    #[test]
    fn a_checksum_is_taken_in_hex_or_base64() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let b64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        assert_eq!(parse_checksum_sha256(hex, "f").ok().as_deref(), Some(b64));
        assert_eq!(parse_checksum_sha256(b64, "f").ok().as_deref(), Some(b64));
        assert!(parse_checksum_sha256("abc", "f").is_err());
        assert!(parse_checksum_sha256(&hex[..62], "f").is_err());
    }
}
