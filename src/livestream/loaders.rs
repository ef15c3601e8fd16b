//! Batched loads of livestream relations.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::livestream_product;

use crate::catalog::ProductId;
use crate::db::Db;
use crate::livestream::LivestreamId;

/// The lineups of shows, in order.
pub struct LineupLoader(pub Db);

impl Loader<LivestreamId> for LineupLoader {
    type Value = Vec<ProductId>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[LivestreamId],
    ) -> Result<HashMap<LivestreamId, Self::Value>, Self::Error> {
        let rows = livestream_product::Entity::find()
            .filter(livestream_product::Column::LivestreamId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(livestream_product::Column::Position)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<LivestreamId, Self::Value> = HashMap::new();
        for r in rows {
            out.entry(LivestreamId(r.livestream_id))
                .or_default()
                .push(ProductId(r.product_id));
        }
        Ok(out)
    }
}
