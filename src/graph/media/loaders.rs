//! DataLoaders of media assets and galleries, for the types that show them
//! (a cooperative's logo, a product's gallery).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use entity::media_asset;

use crate::db::Db;
use crate::ids::MediaAssetId;
use crate::media::attachments::{self, Attached, Gallery};
use crate::media::queries;

/// Media assets by id, one query per batch.
pub struct MediaAssetLoader(pub Db);

impl Loader<MediaAssetId> for MediaAssetLoader {
    type Value = media_asset::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[MediaAssetId],
    ) -> Result<HashMap<MediaAssetId, Self::Value>, Self::Error> {
        Ok(queries::assets_by_id(&self.0, keys).await?)
    }
}

/// The galleries of things, keyed by (gallery, target id): two queries per batch.
pub struct GalleryLoader(pub Db);

impl Loader<(Gallery, uuid::Uuid)> for GalleryLoader {
    type Value = Vec<Attached>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[(Gallery, uuid::Uuid)],
    ) -> Result<HashMap<(Gallery, uuid::Uuid), Self::Value>, Self::Error> {
        Ok(attachments::galleries_of(&self.0, keys).await?)
    }
}
