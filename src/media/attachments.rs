//! Galleries: ordered assets with alt text, shown with a product, its
//! origin story or a lot. The domain that owns the thing checks who may
//! change it; this module checks the assets (ready, right purpose, same
//! cooperative) and replaces the gallery in one transaction.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

use entity::{media_asset, media_attachment};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CooperativeId, MediaAssetId};
use crate::media::MediaPurpose;
use crate::media::service::check_attachable;

/// The most items a gallery holds.
pub const MAX_GALLERY_ITEMS: usize = 30;

pub use crate::media::Gallery;

/// The purposes an asset may have to go in `gallery`.
pub fn purposes(gallery: Gallery) -> &'static [MediaPurpose] {
    match gallery {
        Gallery::Product => &[MediaPurpose::ProductImage, MediaPurpose::ProductVideo],
        Gallery::OriginStory => &[MediaPurpose::OriginStoryImage],
        Gallery::Lot => &[MediaPurpose::LotImage],
    }
}

/// One item of a gallery to set.
pub struct GalleryItem {
    pub asset: MediaAssetId,
    pub alt_text: Option<String>,
}

/// An asset in a gallery, in order.
pub type Attached = (media_attachment::Model, media_asset::Model);

/// Replaces the gallery of `target` (owned by `cooperative`) with `items`, in
/// order. Each asset must be ready, of a purpose the gallery takes, and the
/// cooperative's own; nothing changes when one is not.
pub async fn set_gallery(
    db: &Db,
    gallery: Gallery,
    target: uuid::Uuid,
    cooperative: CooperativeId,
    items: Vec<GalleryItem>,
) -> AppResult<Vec<Attached>> {
    if items.len() > MAX_GALLERY_ITEMS {
        return Err(AppError::invalid(
            "items",
            format!("at most {MAX_GALLERY_ITEMS} items"),
        ));
    }
    let mut seen = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if seen.contains(&item.asset) {
            return Err(AppError::invalid(
                format!("items.{i}.assetId"),
                "appears twice",
            ));
        }
        seen.push(item.asset);
        if item
            .alt_text
            .as_deref()
            .is_some_and(|t| t.chars().count() > 300)
        {
            return Err(AppError::invalid(
                format!("items.{i}.altText"),
                "is longer than 300 characters",
            ));
        }
    }
    let now = Utc::now();
    let out = db
        .write(async |txn| -> AppResult<_> {
            media_attachment::Entity::delete_many()
                .filter(media_attachment::Column::TargetKind.eq(gallery))
                .filter(media_attachment::Column::TargetId.eq(target))
                .exec(&**txn)
                .await?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let asset = check_attachable(&**txn, item.asset, cooperative, purposes(gallery))
                    .await
                    .map_err(|e| match e {
                        AppError::Invalid { message, .. } => {
                            AppError::invalid(format!("items.{i}.assetId"), message)
                        }
                        other => other,
                    })?;
                let row = media_attachment::Entity::insert(media_attachment::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    cooperative_id: Set(cooperative.uuid()),
                    target_kind: Set(gallery),
                    target_id: Set(target),
                    asset_id: Set(asset.id),
                    position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                    alt_text: Set(item
                        .alt_text
                        .map(|t| t.trim().to_owned())
                        .filter(|t| !t.is_empty())),
                    created_at: Set(now),
                })
                .exec_with_returning(&**txn)
                .await?;
                out.push((row, asset));
            }
            Ok(out)
        })
        .await?;
    Ok(out)
}

/// The galleries of things, keyed by (gallery, target id): two queries per batch.
pub async fn galleries_of(
    db: &Db,
    keys: &[(Gallery, uuid::Uuid)],
) -> Result<HashMap<(Gallery, uuid::Uuid), Vec<Attached>>, sea_orm::DbErr> {
    let mut cond = Condition::any();
    for gallery in [Gallery::Product, Gallery::OriginStory, Gallery::Lot] {
        let ids: Vec<uuid::Uuid> = keys
            .iter()
            .filter(|(g, _)| *g == gallery)
            .map(|(_, id)| *id)
            .collect();
        if !ids.is_empty() {
            cond = cond.add(
                Condition::all()
                    .add(media_attachment::Column::TargetKind.eq(gallery))
                    .add(media_attachment::Column::TargetId.is_in(ids)),
            );
        }
    }
    let rows = media_attachment::Entity::find()
        .filter(cond)
        .order_by_asc(media_attachment::Column::Position)
        .all(db.conn())
        .await?;
    let assets: HashMap<uuid::Uuid, media_asset::Model> = media_asset::Entity::find()
        .filter(media_asset::Column::Id.is_in(rows.iter().map(|r| r.asset_id)))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut out: HashMap<(Gallery, uuid::Uuid), Vec<Attached>> = HashMap::new();
    for row in rows {
        let gallery = row.target_kind;
        if let Some(asset) = assets.get(&row.asset_id) {
            out.entry((gallery, row.target_id))
                .or_default()
                .push((row, asset.clone()));
        }
    }
    Ok(out)
}
