//! Batched reads of media assets, for the graph layer's DataLoaders.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use entity::media_asset;

use crate::db::Db;
use crate::ids::MediaAssetId;

/// Media assets by id, one query per batch.
pub async fn assets_by_id(
    db: &Db,
    keys: &[MediaAssetId],
) -> Result<HashMap<MediaAssetId, media_asset::Model>, sea_orm::DbErr> {
    let rows = media_asset::Entity::find()
        .filter(media_asset::Column::Id.is_in(keys.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| (MediaAssetId::from(a.id), a))
        .collect())
}
