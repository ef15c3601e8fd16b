//! Media rules: who may upload for a cooperative, what an upload must be,
//! confirming it, attaching it, delivering it, deleting it and sweeping
//! uploads never confirmed.
//!
//! Storage and database cannot share a transaction, so every change that
//! touches both goes in an order where a failure leaves a row that says what
//! happened: an asset being deleted is first marked `DELETING` (and detached),
//! and stays `DELETE_FAILED` when storage refuses, for the sweeper to retry.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use entity::{certification, cooperative, media_asset};

use crate::auth::Viewer;
use crate::config::MediaConfig;
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CooperativeId, MediaAssetId};
use crate::media::inspect::{DecodeGate, Picture, Refusal, SNIFF_BYTES, sniff};
use crate::media::{
    MediaPurpose, MediaStatus, MediaType, RENDITION_WIDTHS, final_key, object_key, objects,
    rendition_key,
};
use crate::storage::Storage;

/// A new upload, parsed.
pub struct NewUpload {
    pub cooperative: CooperativeId,
    pub purpose: MediaPurpose,
    pub media_type: MediaType,
    pub byte_size: u64,
    /// Base64 SHA-256 of the bytes, when the client gave one.
    pub checksum_sha256: Option<String>,
}

/// An issued upload: the pending asset and where to PUT its bytes.
pub struct Upload {
    pub asset: media_asset::Model,
    /// The presigned PUT URL.
    pub url: String,
    /// Headers the PUT must carry exactly as given (they are signed).
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

/// Which picture of a cooperative's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CooperativeImage {
    Logo,
    Cover,
}

impl CooperativeImage {
    fn purpose(self) -> MediaPurpose {
        match self {
            Self::Logo => MediaPurpose::CooperativeLogo,
            Self::Cover => MediaPurpose::CooperativeCover,
        }
    }

    fn column(self) -> cooperative::Column {
        match self {
            Self::Logo => cooperative::Column::LogoAssetId,
            Self::Cover => cooperative::Column::CoverAssetId,
        }
    }
}

/// What a sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Assets whose objects and rows were removed.
    pub removed: usize,
    /// Assets whose objects storage would not delete (now `DELETE_FAILED`).
    pub failed: usize,
}

/// The widths of an asset's renditions, narrowest first.
pub fn rendition_widths(asset: &media_asset::Model) -> Vec<u32> {
    let mut widths: Vec<u32> = asset
        .rendition_widths
        .split(',')
        .filter_map(|w| w.trim().parse().ok())
        .collect();
    widths.sort_unstable();
    widths
}

/// The key to show for a thumbnail at least `width` pixels wide: the
/// narrowest rendition that wide, or the original.
pub fn thumbnail_key(asset: &media_asset::Model, width: u32) -> String {
    rendition_widths(asset)
        .into_iter()
        .find(|w| *w >= width)
        .map_or_else(
            || asset.object_key.clone(),
            |w| rendition_key(&asset.object_key, w),
        )
}

/// The URL `key` is delivered at: a plain URL under the public base when one
/// is configured, a presigned GET otherwise.
pub async fn url_for(storage: &Storage, config: &MediaConfig, key: &str) -> AppResult<String> {
    match &config.public_base_url {
        Some(base) => Ok(format!("{base}/{key}")),
        None => objects::presign_get(storage, key, config.url_ttl).await,
    }
}

/// The asset with this id, if any.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: MediaAssetId,
) -> AppResult<Option<media_asset::Model>> {
    Ok(media_asset::Entity::find_by_id(id.uuid()).one(conn).await?)
}

/// Checks that the viewer may see `asset`: anyone may see a ready asset
/// (they are shown on public pages); only its cooperative's members (and
/// admins) see one that is pending or being deleted; others get `NOT_FOUND`.
pub async fn ensure_visible(db: &Db, viewer: &Viewer, asset: &media_asset::Model) -> AppResult<()> {
    if asset.status == MediaStatus::Ready {
        return Ok(());
    }
    match require_member(
        db,
        viewer,
        CooperativeId::from(asset.cooperative_id),
        MemberRole::Staff,
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(AppError::Forbidden(_) | AppError::Unauthenticated(_)) => {
            Err(AppError::not_found("media asset"))
        }
        Err(other) => Err(other),
    }
}

/// Starts an upload: checks the caller may write for the cooperative,
/// records a pending asset and presigns a PUT that signs its type and size.
pub async fn create_upload(
    db: &Db,
    storage: &Storage,
    config: &MediaConfig,
    viewer: &Viewer,
    new: NewUpload,
) -> AppResult<Upload> {
    let actor = require_member(db, viewer, new.cooperative, MemberRole::Staff).await?;
    let id = MediaAssetId::new();
    let key = object_key(new.cooperative, new.purpose, id, new.media_type);
    let presigned = objects::presign_put(
        storage,
        &key,
        new.media_type.mime(),
        new.byte_size,
        new.checksum_sha256.as_deref(),
        config.upload_url_ttl,
    )
    .await?;
    let now = Utc::now();
    let expires_at =
        now + chrono::Duration::from_std(config.upload_url_ttl).map_err(AppError::internal)?;
    let byte_size = i64::try_from(new.byte_size).map_err(AppError::internal)?;
    let asset = db
        .write(async |txn| -> AppResult<_> {
            let asset = media_asset::Entity::insert(media_asset::ActiveModel {
                id: Set(id.uuid()),
                cooperative_id: Set(new.cooperative.uuid()),
                purpose: Set(new.purpose),
                status: Set(MediaStatus::Pending),
                object_key: Set(key),
                content_type: Set(new.media_type.mime().to_owned()),
                byte_size: Set(byte_size),
                checksum_sha256: Set(new.checksum_sha256),
                width: Set(None),
                height: Set(None),
                rendition_widths: Set(String::new()),
                created_by: Set(actor.user.uuid()),
                created_at: Set(now),
                updated_at: Set(now),
                confirmed_at: Set(None),
            })
            .exec_with_returning(&**txn)
            .await?;
            Ok(asset)
        })
        .await?;
    tracing::info!(
        media.id = %id,
        cooperative.id = %new.cooperative,
        media.purpose = %new.purpose,
        media.bytes = new.byte_size,
        "upload URL issued"
    );
    Ok(Upload {
        asset,
        url: presigned.uri().to_owned(),
        headers: presigned
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        expires_at,
    })
}

/// Loads an asset and checks the viewer may change it (staff of its
/// cooperative). Signed-out callers hear `UNAUTHENTICATED` before anything.
async fn find_for_change(
    db: &Db,
    viewer: &Viewer,
    id: MediaAssetId,
) -> AppResult<media_asset::Model> {
    viewer.require_user()?;
    let asset = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("media asset"))?;
    require_member(
        db,
        viewer,
        CooperativeId::from(asset.cooperative_id),
        MemberRole::Staff,
    )
    .await?;
    Ok(asset)
}

/// What confirmation found in an image.
struct Inspected {
    width: u32,
    height: u32,
    renditions: Vec<(u32, Vec<u8>)>,
}

/// The type stored on an asset.
fn type_of(asset: &media_asset::Model) -> AppResult<MediaType> {
    MediaType::from_mime(&asset.content_type).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "media asset {} has unknown type {}",
            asset.id,
            asset.content_type
        ))
    })
}

/// The key the asset's presigned PUT names (its `object_key` while pending).
pub fn upload_key(asset: &media_asset::Model) -> AppResult<String> {
    Ok(object_key(
        CooperativeId::from(asset.cooperative_id),
        asset.purpose,
        MediaAssetId::from(asset.id),
        type_of(asset)?,
    ))
}

/// Refuses an upload whose bytes are not what was declared: the checked
/// copy and the upload are deleted (the asset stays pending, so the client
/// may PUT again while its URL lasts) and the client told why.
async fn refuse(
    storage: &Storage,
    asset: &media_asset::Model,
    copy: &str,
    message: String,
) -> AppError {
    for key in [copy, asset.object_key.as_str()] {
        if let Err(err) = objects::delete(storage, key).await {
            tracing::warn!(media.id = %asset.id, s3.key = %key, error = %err, "could not delete a refused upload; the sweeper will");
        }
    }
    tracing::info!(media.id = %asset.id, reason = %message, "upload refused");
    AppError::invalid("assetId", message)
}

/// Confirms an upload: copies it to a final key of this confirmation's own
/// (no presigned PUT names it), checks the copy's size, type and first
/// bytes (and checksum, when one was given and the bytes are read), reads an
/// image's pixel size (refusing one over the pixel budget from its header),
/// writes its WebP renditions, marks the asset ready with the copy as its
/// object and deletes the upload. Confirming a ready asset again returns it
/// unchanged; a later PUT to the upload URL changes nothing it serves.
pub async fn confirm_upload(
    db: &Db,
    storage: &Storage,
    config: &MediaConfig,
    gate: &DecodeGate,
    viewer: &Viewer,
    id: MediaAssetId,
) -> AppResult<media_asset::Model> {
    let asset = find_for_change(db, viewer, id).await?;
    match asset.status {
        MediaStatus::Pending => {}
        MediaStatus::Ready => return Ok(asset),
        MediaStatus::Deleting | MediaStatus::DeleteFailed => {
            return Err(AppError::Conflict(
                "this media asset is being deleted".into(),
            ));
        }
    }
    let declared = type_of(&asset)?;
    // While pending, `object_key` is the upload key the presigned PUT names.
    let upload = asset.object_key.clone();
    let Some(copy) = copy_upload(storage, &upload).await? else {
        // A confirmation racing this one may have just taken the upload.
        return match find(db.conn(), id).await? {
            Some(row) if row.status == MediaStatus::Ready => Ok(row),
            _ => Err(AppError::invalid(
                "assetId",
                "nothing uploaded yet: PUT the file to uploadUrl first",
            )),
        };
    };
    let inspected = inspect_copy(storage, config, gate, &asset, declared, &copy).await?;
    let written = write_renditions(storage, &copy, inspected.as_ref()).await?;
    let ready = match mark_ready(db, &asset, &upload, &copy, inspected.as_ref()).await? {
        Ok(ready) => ready,
        Err(now_row) => {
            // Our copy and renditions are ours alone: whoever won points at its own.
            delete_quietly(storage, &written).await;
            return match now_row {
                // A concurrent confirmation won.
                Some(row) if row.status == MediaStatus::Ready => Ok(row),
                // Swept or deleted while we looked at it.
                _ => Err(AppError::not_found("media asset")),
            };
        }
    };
    // What is PUT to the upload URL from now on is never read; removing the
    // upload only saves space (a deletion of the asset removes it again).
    if let Err(err) = objects::delete(storage, &upload).await {
        tracing::warn!(media.id = %id, s3.key = %upload, error = %err, "could not delete a confirmed upload's original key");
    }
    tracing::info!(media.id = %id, cooperative.id = %asset.cooperative_id, "upload confirmed");
    Ok(ready)
}

/// Copies the upload to a final key of this confirmation's own and returns
/// that key; `None` when nothing is uploaded (or a racing confirmation
/// took the upload first).
async fn copy_upload(storage: &Storage, upload: &str) -> AppResult<Option<String>> {
    let uploaded = objects::head(storage, upload).await?.is_some();
    // Everything after reads the copy, which only this confirmation writes:
    // a PUT racing it or coming later cannot change what is checked and
    // served.
    let copy = final_key(upload, uuid::Uuid::new_v4());
    if !uploaded || !objects::copy(storage, upload, &copy).await? {
        return Ok(None);
    }
    Ok(Some(copy))
}

/// Checks the copy (see [`check_copy`]); a refused one is deleted with the
/// upload and the client told why, and on an error the copy is deleted.
async fn inspect_copy(
    storage: &Storage,
    config: &MediaConfig,
    gate: &DecodeGate,
    asset: &media_asset::Model,
    declared: MediaType,
    copy: &str,
) -> AppResult<Option<Inspected>> {
    match check_copy(storage, config, gate, asset, declared, copy).await {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(message)) => Err(refuse(storage, asset, copy, message).await),
        Err(err) => {
            delete_quietly(storage, &[copy.to_owned()]).await;
            Err(err)
        }
    }
}

/// Writes an image's WebP renditions beside the copy; returns every key
/// this confirmation wrote (the copy first). On an error, deletes them.
async fn write_renditions(
    storage: &Storage,
    copy: &str,
    inspected: Option<&Inspected>,
) -> AppResult<Vec<String>> {
    let mut written = vec![copy.to_owned()];
    if let Some(found) = inspected {
        for (width, webp) in &found.renditions {
            let key = rendition_key(copy, *width);
            if let Err(err) =
                objects::put(storage, &key, MediaType::Webp.mime(), webp.clone()).await
            {
                delete_quietly(storage, &written).await;
                return Err(err);
            }
            written.push(key);
        }
    }
    Ok(written)
}

/// Marks the asset ready with the copy as its object, in one conditional
/// update (still pending, still on `upload`). `Ok(Err(row))` when another
/// writer moved the row first (nothing written), with the row as it is.
async fn mark_ready(
    db: &Db,
    asset: &media_asset::Model,
    upload: &str,
    copy: &str,
    inspected: Option<&Inspected>,
) -> AppResult<Result<media_asset::Model, Option<media_asset::Model>>> {
    let id = MediaAssetId::from(asset.id);
    let now = Utc::now();
    let widths = inspected
        .map(|f| {
            f.renditions
                .iter()
                .map(|(w, _)| w.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let to_i32 = |n: u32| i32::try_from(n).map_err(AppError::internal);
    let (width, height) = match inspected {
        Some(found) => (Some(to_i32(found.width)?), Some(to_i32(found.height)?)),
        None => (None, None),
    };
    db.write(async |txn| -> AppResult<_> {
        let updated = media_asset::Entity::update_many()
            .col_expr(media_asset::Column::Status, Expr::value(MediaStatus::Ready))
            .col_expr(media_asset::Column::ObjectKey, Expr::value(copy.to_owned()))
            .col_expr(media_asset::Column::Width, Expr::value(width))
            .col_expr(media_asset::Column::Height, Expr::value(height))
            .col_expr(media_asset::Column::RenditionWidths, Expr::value(widths))
            .col_expr(media_asset::Column::ConfirmedAt, Expr::value(Some(now)))
            .col_expr(media_asset::Column::UpdatedAt, Expr::value(now))
            .filter(media_asset::Column::Id.eq(asset.id))
            .filter(media_asset::Column::Status.eq(MediaStatus::Pending))
            .filter(media_asset::Column::ObjectKey.eq(upload))
            .exec(&**txn)
            .await?;
        if updated.rows_affected == 0 {
            // Someone else moved the row first: nothing was written.
            return Ok(Err(find(&**txn, id).await?));
        }
        let ready = find(&**txn, id)
            .await?
            .ok_or_else(|| AppError::not_found("media asset"))?;
        Ok(Ok(ready))
    })
    .await
}

/// Checks the copy of an upload at `copy`: `Ok(Err(reason))` when its bytes
/// are not what was declared, with what an image holds when they are.
async fn check_copy(
    storage: &Storage,
    config: &MediaConfig,
    gate: &DecodeGate,
    asset: &media_asset::Model,
    declared: MediaType,
    copy: &str,
) -> AppResult<Result<Option<Inspected>, String>> {
    let Some(head) = objects::head(storage, copy).await? else {
        return Err(AppError::internal(anyhow::anyhow!(
            "the copy {copy} of media asset {} vanished",
            asset.id
        )));
    };
    if head.content_length != Some(asset.byte_size) {
        let found = head
            .content_length
            .map_or_else(|| "an unknown number of".to_owned(), |n| n.to_string());
        return Ok(Err(format!(
            "the uploaded file has {found} bytes, not the {} declared",
            asset.byte_size
        )));
    }
    let stored_type = head
        .content_type
        .as_deref()
        .and_then(|t| t.parse::<mime::Mime>().ok())
        .map(|m| m.essence_str().to_ascii_lowercase());
    if stored_type.as_deref() != Some(declared.mime()) {
        return Ok(Err(format!(
            "the file was uploaded as {}, not {}",
            stored_type.as_deref().unwrap_or("an unknown type"),
            declared.mime()
        )));
    }

    // Photos and documents are small enough to read whole (for pixels and
    // the checksum); of a video only the first bytes are read.
    let whole = !matches!(declared, MediaType::Mp4 | MediaType::Webm);
    let bytes = objects::get(storage, copy, (!whole).then_some(SNIFF_BYTES)).await?;
    if sniff(&bytes) != Some(declared) {
        return Ok(Err(format!(
            "the file's content is not {}; upload the real file",
            declared.mime()
        )));
    }
    if whole
        && let Some(expected) = &asset.checksum_sha256
        && BASE64.encode(Sha256::digest(&bytes)) != *expected
    {
        return Ok(Err(
            "the file's SHA-256 differs from checksumSha256".to_owned()
        ));
    }
    if !declared.is_image() {
        return Ok(Ok(None));
    }
    // The turn moves into the blocking task: it is given back when the
    // decode ends, even if this request is dropped before.
    let turn = gate.enter().await?;
    let max_pixels = config.max_pixels;
    let result = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        inspect_image(&bytes, declared, max_pixels)
    })
    .await
    .map_err(AppError::internal)?;
    Ok(match result {
        Ok(found) => Ok(Some(found)),
        Err(Refusal::TooLarge(reason)) => {
            tracing::warn!(media.id = %asset.id, reason = %reason, "image refused before decoding: over the pixel budget");
            Err(reason)
        }
        Err(Refusal::Unreadable(reason)) => Err(format!(
            "the file is not a readable {}: {reason}",
            declared.mime()
        )),
    })
}

/// Decodes an image and renders its WebP renditions narrower than it.
fn inspect_image(
    bytes: &[u8],
    media_type: MediaType,
    max_pixels: u64,
) -> Result<Inspected, Refusal> {
    let picture = Picture::decode(bytes, media_type, max_pixels)?;
    let mut renditions = Vec::new();
    for width in RENDITION_WIDTHS {
        // Never upscale: a thumbnail request wider than the photo gets the photo.
        if width < picture.width() {
            let webp = picture.webp_rendition(width).map_err(Refusal::Unreadable)?;
            renditions.push((width, webp));
        }
    }
    Ok(Inspected {
        width: picture.width(),
        height: picture.height(),
        renditions,
    })
}

async fn delete_quietly(storage: &Storage, keys: &[String]) {
    for key in keys {
        if let Err(err) = objects::delete(storage, key).await {
            tracing::warn!(s3.key = %key, error = %err, "could not delete an object");
        }
    }
}

/// Loads an asset for attaching, locking its row on PostgreSQL so that a
/// deletion cannot slip between the check and the write.
pub(crate) async fn check_attachable(
    conn: &impl ConnectionTrait,
    asset_id: MediaAssetId,
    cooperative_id: CooperativeId,
    purposes: &[MediaPurpose],
) -> AppResult<media_asset::Model> {
    let mut query = media_asset::Entity::find_by_id(asset_id.uuid());
    if conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    let asset = query
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("media asset"))?;
    if asset.cooperative_id != cooperative_id.uuid() {
        return Err(AppError::Forbidden(
            "this media asset belongs to another cooperative".into(),
        ));
    }
    if asset.status != MediaStatus::Ready {
        return Err(AppError::invalid(
            "assetId",
            "this media asset is not ready: confirm its upload first",
        ));
    }
    let purpose = asset.purpose;
    if !purposes.contains(&purpose) {
        let wanted = purposes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        return Err(AppError::invalid(
            "assetId",
            format!("this media asset is a {}; it must be a {wanted}", purpose),
        ));
    }
    Ok(asset)
}

/// The asset, when it may be attached to something of `cooperative_id` as
/// one of `purposes`: `NOT_FOUND` when unknown, `FORBIDDEN` when another
/// cooperative's, `BAD_USER_INPUT` when not ready or of another purpose.
/// The caller checks that the viewer may change the thing it attaches to.
pub async fn require_attachable(
    db: &Db,
    asset_id: MediaAssetId,
    cooperative_id: CooperativeId,
    purposes: &[MediaPurpose],
) -> AppResult<media_asset::Model> {
    check_attachable(db.conn(), asset_id, cooperative_id, purposes).await
}

/// Sets (or, with `None`, clears) a cooperative's logo or cover; managers
/// and owners only, like the rest of the profile. Returns the asset set.
pub async fn set_cooperative_image(
    db: &Db,
    viewer: &Viewer,
    cooperative_id: CooperativeId,
    asset_id: Option<MediaAssetId>,
    image: CooperativeImage,
) -> AppResult<Option<media_asset::Model>> {
    require_member(db, viewer, cooperative_id, MemberRole::Manager).await?;
    let asset = db
        .write(async |txn| -> AppResult<_> {
            let asset = match asset_id {
                Some(id) => {
                    Some(check_attachable(&**txn, id, cooperative_id, &[image.purpose()]).await?)
                }
                None => None,
            };
            cooperative::Entity::update_many()
                .col_expr(image.column(), Expr::value(asset.as_ref().map(|a| a.id)))
                .col_expr(cooperative::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(cooperative::Column::Id.eq(cooperative_id.uuid()))
                .exec(&**txn)
                .await?;
            Ok(asset)
        })
        .await?;
    tracing::info!(cooperative.id = %cooperative_id, media.id = ?asset.as_ref().map(|a| a.id), ?image, "cooperative picture set");
    Ok(asset)
}

/// Deletes an asset: detaches it everywhere, removes its object and
/// renditions, then its row. When storage fails the row stays as
/// `DELETE_FAILED` (the sweeper retries) and the caller gets `INTERNAL`.
pub async fn delete_asset(
    db: &Db,
    storage: &Storage,
    viewer: &Viewer,
    id: MediaAssetId,
) -> AppResult<()> {
    let asset = find_for_change(db, viewer, id).await?;
    let now = Utc::now();
    db.write(async |txn| -> AppResult<_> {
        let none = Option::<uuid::Uuid>::None;
        cooperative::Entity::update_many()
            .col_expr(cooperative::Column::LogoAssetId, Expr::value(none))
            .filter(cooperative::Column::LogoAssetId.eq(asset.id))
            .exec(&**txn)
            .await?;
        cooperative::Entity::update_many()
            .col_expr(cooperative::Column::CoverAssetId, Expr::value(none))
            .filter(cooperative::Column::CoverAssetId.eq(asset.id))
            .exec(&**txn)
            .await?;
        certification::Entity::update_many()
            .col_expr(certification::Column::DocumentAssetId, Expr::value(none))
            .filter(certification::Column::DocumentAssetId.eq(asset.id))
            .exec(&**txn)
            .await?;
        entity::media_attachment::Entity::delete_many()
            .filter(entity::media_attachment::Column::AssetId.eq(asset.id))
            .exec(&**txn)
            .await?;
        mark(&**txn, asset.id, MediaStatus::Deleting, now).await?;
        Ok(())
    })
    .await?;
    purge(db, storage, &asset).await?;
    tracing::info!(media.id = %id, cooperative.id = %asset.cooperative_id, "media asset deleted");
    Ok(())
}

async fn mark(
    conn: &impl ConnectionTrait,
    id: uuid::Uuid,
    status: MediaStatus,
    now: DateTime<Utc>,
) -> AppResult<()> {
    media_asset::Entity::update_many()
        .col_expr(media_asset::Column::Status, Expr::value(status))
        .col_expr(media_asset::Column::UpdatedAt, Expr::value(now))
        .filter(media_asset::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Removes an asset (already marked `DELETING`) from storage, then its row;
/// marks it `DELETE_FAILED` when storage fails.
async fn purge(db: &Db, storage: &Storage, asset: &media_asset::Model) -> AppResult<()> {
    let mut keys: Vec<String> = rendition_widths(asset)
        .into_iter()
        .map(|w| rendition_key(&asset.object_key, w))
        .collect();
    keys.push(asset.object_key.clone());
    // A confirmed asset's upload key is not read, but a PUT after confirmation
    // may have left an object there.
    let upload = upload_key(asset)?;
    if upload != asset.object_key {
        keys.push(upload);
    }
    for key in &keys {
        if let Err(err) = objects::delete(storage, key).await {
            db.write(async |txn| -> AppResult<_> {
                mark(&**txn, asset.id, MediaStatus::DeleteFailed, Utc::now()).await?;
                Ok(())
            })
            .await?;
            tracing::warn!(media.id = %asset.id, s3.key = %key, "deleting a media object failed; the asset is DELETE_FAILED");
            return Err(err);
        }
    }
    db.write(async |txn| -> AppResult<_> {
        media_asset::Entity::delete_by_id(asset.id)
            .exec(&**txn)
            .await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// The most assets one sweep handles; the next sweep takes the rest.
const SWEEP_BATCH: u64 = 500;

/// Removes uploads still pending `older_than` after `createUpload` (their
/// objects, if any, and their rows), and retries deletions that failed
/// (`DELETE_FAILED`, or `DELETING` untouched for as long).
pub async fn sweep_pending(
    db: &Db,
    storage: &Storage,
    older_than: Duration,
) -> AppResult<SweepReport> {
    let cutoff = Utc::now() - chrono::Duration::from_std(older_than).map_err(AppError::internal)?;
    let candidates = media_asset::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(media_asset::Column::Status.eq(MediaStatus::Pending))
                        .add(media_asset::Column::CreatedAt.lt(cutoff)),
                )
                .add(
                    Condition::all()
                        .add(media_asset::Column::Status.eq(MediaStatus::Deleting))
                        .add(media_asset::Column::UpdatedAt.lt(cutoff)),
                )
                .add(media_asset::Column::Status.eq(MediaStatus::DeleteFailed)),
        )
        .order_by_asc(media_asset::Column::CreatedAt)
        .limit(SWEEP_BATCH)
        .all(db.conn())
        .await?;
    let mut report = SweepReport::default();
    for asset in candidates {
        // Claim the row: a confirmation or deletion racing us wins, and we skip it.
        let claimed = db
            .write(async |txn| -> AppResult<_> {
                let claimed = media_asset::Entity::update_many()
                    .col_expr(
                        media_asset::Column::Status,
                        Expr::value(MediaStatus::Deleting),
                    )
                    .col_expr(media_asset::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(media_asset::Column::Id.eq(asset.id))
                    .filter(media_asset::Column::Status.eq(asset.status))
                    .filter(media_asset::Column::UpdatedAt.eq(asset.updated_at))
                    .exec(&**txn)
                    .await?;
                Ok(claimed)
            })
            .await?;
        if claimed.rows_affected == 0 {
            continue;
        }
        match purge(db, storage, &asset).await {
            Ok(()) => report.removed += 1,
            Err(err) => {
                tracing::warn!(media.id = %asset.id, error = %err, "sweeping a media asset failed");
                report.failed += 1;
            }
        }
    }
    if report.removed + report.failed > 0 {
        tracing::info!(
            removed = report.removed,
            failed = report.failed,
            "swept unconfirmed media uploads"
        );
    }
    Ok(report)
}

/// Runs [`sweep_pending`] every `config.sweep_interval` until `stop` is
/// cancelled.
pub fn spawn_sweeper(
    db: Db,
    storage: Storage,
    config: MediaConfig,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    crate::tasks::every(config.sweep_interval, stop, move || {
        let (db, storage, ttl) = (db.clone(), storage.clone(), config.pending_ttl);
        async move {
            if let Err(err) = sweep_pending(&db, &storage, ttl).await {
                tracing::warn!(error = %err, "the media sweep failed; it runs again later");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(widths: &str) -> media_asset::Model {
        let now = Utc::now();
        media_asset::Model {
            id: uuid::Uuid::nil(),
            cooperative_id: uuid::Uuid::nil(),
            purpose: MediaPurpose::ProductImage,
            status: MediaStatus::Ready,
            object_key: "c/product_image/a.jpg".into(),
            content_type: "image/jpeg".into(),
            byte_size: 10,
            checksum_sha256: None,
            width: Some(2000),
            height: Some(1000),
            rendition_widths: widths.into(),
            created_by: uuid::Uuid::nil(),
            created_at: now,
            updated_at: now,
            confirmed_at: Some(now),
        }
    }

    #[test]
    fn a_thumbnail_is_the_narrowest_rendition_wide_enough_or_the_original() {
        let a = asset("1024,320");
        assert_eq!(thumbnail_key(&a, 100), "c/product_image/a-w320.webp");
        assert_eq!(thumbnail_key(&a, 320), "c/product_image/a-w320.webp");
        assert_eq!(thumbnail_key(&a, 321), "c/product_image/a-w1024.webp");
        assert_eq!(thumbnail_key(&a, 1500), "c/product_image/a.jpg");
        assert_eq!(thumbnail_key(&asset(""), 10), "c/product_image/a.jpg");
    }
}
