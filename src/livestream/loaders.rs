//! Batched loads of livestream relations: lineups and flash deals.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{flash_deal, livestream_product};

use crate::catalog::ProductId;
use crate::db::Db;
use crate::livestream::{FlashDealId, LivestreamId};

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

/// The flash deals of shows, newest first.
pub struct FlashDealsByLivestream(pub Db);

impl Loader<LivestreamId> for FlashDealsByLivestream {
    type Value = Vec<flash_deal::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[LivestreamId],
    ) -> Result<HashMap<LivestreamId, Self::Value>, Self::Error> {
        let rows = flash_deal::Entity::find()
            .filter(flash_deal::Column::LivestreamId.is_in(keys.iter().map(|k| k.0)))
            .order_by_desc(flash_deal::Column::OpenedAt)
            .order_by_desc(flash_deal::Column::Id)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<LivestreamId, Self::Value> = HashMap::new();
        for deal in rows {
            out.entry(LivestreamId(deal.livestream_id))
                .or_default()
                .push(deal);
        }
        Ok(out)
    }
}

/// Flash deals by id.
pub struct FlashDealLoader(pub Db);

impl Loader<FlashDealId> for FlashDealLoader {
    type Value = flash_deal::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[FlashDealId],
    ) -> Result<HashMap<FlashDealId, Self::Value>, Self::Error> {
        let rows = flash_deal::Entity::find()
            .filter(flash_deal::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await?;
        Ok(rows.into_iter().map(|d| (FlashDealId(d.id), d)).collect())
    }
}
