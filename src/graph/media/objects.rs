//! GraphQL types of media.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::config::MediaConfig;
use crate::error::AppError;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::load_one;
use crate::graph::media::{GalleryLoader, MediaAssetLoader, MediaPurpose, MediaStatus};
use crate::ids::{CooperativeId, MediaAssetId};
use crate::media::MediaType;
use crate::media::attachments::Gallery;
use crate::media::service;
use crate::storage::Storage;

/// The widest thumbnail that may be asked for, in pixels.
const MAX_THUMBNAIL_WIDTH: i32 = 10_000;

/// A photo, video or document in storage, owned by one cooperative.
pub struct MediaAsset(pub entity::media_asset::Model);

impl MediaAsset {
    fn ready(&self) -> ApiResult<bool> {
        Ok(self.0.status == crate::media::MediaStatus::Ready)
    }
}

/// A photo, video or document in storage, owned by one cooperative.
#[Object]
impl MediaAsset {
    /// The asset's public id.
    pub async fn id(&self) -> ID {
        MediaAssetId::from(self.0.id).to_gql()
    }

    /// The cooperative it belongs to; it can be attached to that cooperative's things only.
    async fn cooperative_id(&self) -> ID {
        CooperativeId::from(self.0.cooperative_id).to_gql()
    }

    /// What it is for.
    async fn purpose(&self) -> ApiResult<MediaPurpose> {
        Ok(self.0.purpose.into())
    }

    /// Its MIME type, e.g. `image/jpeg`.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// Its size in bytes (videos may exceed 32 bits).
    async fn byte_size(&self) -> i64 {
        self.0.byte_size
    }

    /// Width in pixels of an image, upright; null for other media and until confirmed.
    async fn width(&self) -> Option<i32> {
        self.0.width
    }

    /// Height in pixels of an image, upright; null for other media and until confirmed.
    async fn height(&self) -> Option<i32> {
        self.0.height
    }

    /// Where it is in its life; only `READY` assets are shown or attached.
    async fn status(&self) -> ApiResult<MediaStatus> {
        Ok(self.0.status.into())
    }

    /// Where to download it: a presigned URL valid for a limited time (or a
    /// plain URL when the server is configured with a public base URL).
    /// Null until the asset is ready.
    async fn url(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        if !self.ready()? {
            return Ok(None);
        }
        let url = service::url_for(
            ctx.data_unchecked::<Storage>(),
            ctx.data_unchecked::<MediaConfig>(),
            &self.0.object_key,
        )
        .await?;
        Ok(Some(url))
    }

    /// An image at least `width` pixels wide, as small as there is: the
    /// narrowest WebP rendition (320 or 1024 px wide) that wide, else the
    /// original. Null for videos and documents other than images, and until
    /// the asset is ready.
    async fn thumbnail_url(&self, ctx: &Context<'_>, width: i32) -> ApiResult<Option<String>> {
        if !(1..=MAX_THUMBNAIL_WIDTH).contains(&width) {
            return Err(AppError::invalid(
                "width",
                format!("must be between 1 and {MAX_THUMBNAIL_WIDTH} pixels"),
            )
            .into());
        }
        let is_image = MediaType::from_mime(&self.0.content_type).is_some_and(MediaType::is_image);
        if !self.ready()? || !is_image {
            return Ok(None);
        }
        let width = u32::try_from(width).map_err(AppError::internal)?;
        let url = service::url_for(
            ctx.data_unchecked::<Storage>(),
            ctx.data_unchecked::<MediaConfig>(),
            &service::thumbnail_key(&self.0, width),
        )
        .await?;
        Ok(Some(url))
    }

    /// When the upload was asked for.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the upload was confirmed.
    async fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.0.confirmed_at
    }
}

/// A header an upload must carry.
#[derive(SimpleObject)]
pub struct HttpHeader {
    /// Header name, lower case.
    pub name: String,
    /// Its exact value.
    pub value: String,
}

/// An upload ready to send: PUT the bytes to `uploadUrl` with
/// `requiredHeaders`, then call `confirmUpload`.
pub struct Upload(pub service::Upload);

/// An upload ready to send: PUT the bytes to `uploadUrl` with
/// `requiredHeaders`, then call `confirmUpload`.
#[Object]
impl Upload {
    /// The pending asset.
    async fn asset(&self) -> MediaAsset {
        MediaAsset(self.0.asset.clone())
    }

    /// A presigned URL to PUT the bytes to. Storage refuses a body of another
    /// size or type than declared.
    async fn upload_url(&self) -> &str {
        &self.0.url
    }

    /// Headers the PUT must carry exactly as given (they are signed), among
    /// them `content-type` and `content-length`.
    async fn required_headers(&self) -> Vec<HttpHeader> {
        self.0
            .headers
            .iter()
            .map(|(name, value)| HttpHeader {
                name: name.clone(),
                value: value.clone(),
            })
            .collect()
    }

    /// When `uploadUrl` stops working (at most 15 minutes away).
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
}

/// A file a cooperative is about to upload.
#[derive(InputObject)]
pub struct CreateUploadInput {
    /// What it is for; decides the types and size accepted.
    pub purpose: MediaPurpose,
    /// Its MIME type: `image/jpeg`, `image/png` or `image/webp` for photos;
    /// `video/mp4` or `video/webm` for videos; `application/pdf`, `image/jpeg`
    /// or `image/png` for certificates.
    pub content_type: String,
    /// Its exact size in bytes (photos up to 10 MiB, videos 2 GiB, documents
    /// 20 MiB by default; may exceed 32 bits).
    pub byte_size: i64,
    /// SHA-256 of the bytes (hex or base64), checked by storage and at confirmation.
    pub checksum_sha256: Option<String>,
    /// The cooperative it is for; the caller must be its staff.
    pub cooperative_id: ID,
}

/// An asset in a gallery, with its place and alt text.
pub struct MediaAttachment(pub crate::media::attachments::Attached);

impl MediaAttachment {
    /// True when the attached asset is a picture (not a video or document).
    pub fn is_image(&self) -> bool {
        MediaType::from_mime(&self.0.1.content_type).is_some_and(MediaType::is_image)
    }
}

/// An asset in a gallery, with its place and alt text.
#[Object]
impl MediaAttachment {
    /// The asset.
    async fn asset(&self) -> MediaAsset {
        MediaAsset(self.0.1.clone())
    }

    /// Its place in the gallery, from 0.
    async fn position(&self) -> i32 {
        self.0.0.position
    }

    /// What the picture shows, for screen readers and slow networks.
    async fn alt_text(&self) -> Option<&str> {
        self.0.0.alt_text.as_deref()
    }
}

/// An asset to place in a gallery.
#[derive(InputObject)]
pub struct MediaItemInput {
    /// A ready asset of the cooperative, of a purpose the gallery takes.
    pub asset_id: ID,
    /// What it shows (up to 300 characters).
    pub alt_text: Option<String>,
}

impl MediaItemInput {
    /// Parses a list of items, naming the one at fault.
    pub fn parse_all(
        items: Vec<Self>,
    ) -> crate::error::AppResult<Vec<crate::media::attachments::GalleryItem>> {
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                Ok(crate::media::attachments::GalleryItem {
                    asset: MediaAssetId::parse(&item.asset_id, &format!("items.{i}.assetId"))?,
                    alt_text: item.alt_text,
                })
            })
            .collect()
    }
}

/// A ready media asset by id, through the request's loader.
pub async fn ready_asset(
    ctx: &Context<'_>,
    id: Option<uuid::Uuid>,
) -> ApiResult<Option<MediaAsset>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let asset = load_one::<MediaAssetLoader, _>(ctx, MediaAssetId::from(id)).await?;
    Ok(asset
        .filter(|a| a.status == crate::media::MediaStatus::Ready)
        .map(MediaAsset))
}

/// A gallery through the request's loader.
pub async fn gallery(
    ctx: &Context<'_>,
    gallery: Gallery,
    target: uuid::Uuid,
) -> ApiResult<Vec<MediaAttachment>> {
    let items = load_one::<GalleryLoader, _>(ctx, (gallery, target)).await?;
    Ok(items
        .unwrap_or_default()
        .into_iter()
        .map(MediaAttachment)
        .collect())
}
