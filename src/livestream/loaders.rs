//! Batched loads of livestream relations: lineups, current shows, flash deals.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{flash_deal, livestream, livestream_product};

use crate::catalog::ProductId;
use crate::cooperatives::CooperativeId;
use crate::db::Db;
use crate::livestream::{FlashDealId, LivestreamId, LivestreamStatus};

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

/// Live first, then soonest: how shows that are on or coming are listed.
fn live_then_soonest(shows: &mut [livestream::Model]) {
    shows.sort_by_key(|s| {
        (
            s.status != LivestreamStatus::Live.as_str(),
            s.scheduled_start_at,
            s.id,
        )
    });
}

fn current(query: sea_orm::Select<livestream::Entity>) -> sea_orm::Select<livestream::Entity> {
    query.filter(livestream::Column::Status.is_in([
        LivestreamStatus::Live.as_str(),
        LivestreamStatus::Scheduled.as_str(),
    ]))
}

/// The shows each product is in that are live now or scheduled.
pub struct CurrentShowsByProduct(pub Db);

impl Loader<ProductId> for CurrentShowsByProduct {
    type Value = Vec<livestream::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Self::Value>, Self::Error> {
        let links = livestream_product::Entity::find()
            .filter(livestream_product::Column::ProductId.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await?;
        if links.is_empty() {
            return Ok(HashMap::new());
        }
        let mut shows = current(livestream::Entity::find())
            .filter(livestream::Column::Id.is_in(links.iter().map(|l| l.livestream_id)))
            .all(self.0.conn())
            .await?;
        live_then_soonest(&mut shows);
        let mut out: HashMap<ProductId, Self::Value> = HashMap::new();
        for show in shows {
            for link in links.iter().filter(|l| l.livestream_id == show.id) {
                out.entry(ProductId(link.product_id))
                    .or_default()
                    .push(show.clone());
            }
        }
        Ok(out)
    }
}

/// Each cooperative's shows that are live now or scheduled.
pub struct CurrentShowsByCooperative(pub Db);

impl Loader<CooperativeId> for CurrentShowsByCooperative {
    type Value = Vec<livestream::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[CooperativeId],
    ) -> Result<HashMap<CooperativeId, Self::Value>, Self::Error> {
        let mut shows = current(livestream::Entity::find())
            .filter(livestream::Column::CooperativeId.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await?;
        live_then_soonest(&mut shows);
        let mut out: HashMap<CooperativeId, Self::Value> = HashMap::new();
        for show in shows {
            out.entry(CooperativeId(show.cooperative_id))
                .or_default()
                .push(show);
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

/// What shows sold (cancelled and refunded orders excluded), without their
/// viewers; shows without sales get empty figures.
pub struct SalesByShow(pub Db);

impl Loader<LivestreamId> for SalesByShow {
    type Value = crate::livestream::stats::Sales;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[LivestreamId],
    ) -> Result<HashMap<LivestreamId, Self::Value>, Self::Error> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|k| k.0).collect();
        let mut found = crate::livestream::stats::sales_by_show(&self.0, &ids).await?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.remove(&k.0).unwrap_or_default()))
            .collect())
    }
}

/// The first page of cooperatives' shows, keyed by (cooperative, status,
/// page size): one windowed query per status and size.
pub struct FirstShowsByCooperative(pub Db);

impl Loader<(CooperativeId, Option<LivestreamStatus>, u64)> for FirstShowsByCooperative {
    type Value = crate::livestream::service::ShowPage;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[(CooperativeId, Option<LivestreamStatus>, u64)],
    ) -> Result<HashMap<(CooperativeId, Option<LivestreamStatus>, u64), Self::Value>, Self::Error>
    {
        let mut asked: HashMap<(Option<LivestreamStatus>, u64), Vec<CooperativeId>> =
            HashMap::new();
        for (coop, status, first) in keys {
            asked.entry((*status, *first)).or_default().push(*coop);
        }
        let mut out = HashMap::new();
        for ((status, first), coops) in asked {
            let pages =
                crate::livestream::service::first_pages(&self.0, &coops, status, first).await?;
            for (coop, page) in pages {
                out.insert((coop, status, first), page);
            }
        }
        Ok(out)
    }
}
