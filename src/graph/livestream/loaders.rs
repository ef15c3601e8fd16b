//! DataLoaders of livestream relations, over `livestream::queries`.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use entity::{flash_deal, livestream};

use crate::db::Db;
use crate::ids::{CooperativeId, FlashDealId, LivestreamId, ProductId};
use crate::livestream::{LivestreamStatus, queries};

/// Shows by id.
pub struct LivestreamLoader(pub Db);

impl Loader<LivestreamId> for LivestreamLoader {
    type Value = livestream::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[LivestreamId],
    ) -> Result<HashMap<LivestreamId, Self::Value>, Self::Error> {
        Ok(queries::livestreams_by_id(&self.0, keys).await?)
    }
}

/// The lineups of shows, in order.
pub struct LineupLoader(pub Db);

impl Loader<LivestreamId> for LineupLoader {
    type Value = Vec<ProductId>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[LivestreamId],
    ) -> Result<HashMap<LivestreamId, Self::Value>, Self::Error> {
        Ok(queries::lineups(&self.0, keys).await?)
    }
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
        Ok(queries::current_shows_by_product(&self.0, keys).await?)
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
        Ok(queries::current_shows_by_cooperative(&self.0, keys).await?)
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
        Ok(queries::flash_deals_by_show(&self.0, keys).await?)
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
        Ok(queries::flash_deals_by_id(&self.0, keys).await?)
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
        Ok(queries::sales_by_show(&self.0, keys).await?)
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
        Ok(queries::first_show_pages(&self.0, keys).await?)
    }
}
