//! Batched loads of media assets, for the domains that show them
//! (a cooperative's logo, a product's gallery).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use entity::media_asset;

use crate::db::Db;
use crate::media::MediaAssetId;

/// Media assets by id, one query per batch.
pub struct MediaAssetLoader(pub Db);

impl Loader<MediaAssetId> for MediaAssetLoader {
    type Value = media_asset::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[MediaAssetId],
    ) -> Result<HashMap<MediaAssetId, Self::Value>, Self::Error> {
        let rows = media_asset::Entity::find()
            .filter(media_asset::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|a| (MediaAssetId(a.id), a)).collect())
    }
}
