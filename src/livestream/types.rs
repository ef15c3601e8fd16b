//! Livestreams as the API shows them.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use crate::catalog::ProductId;
use crate::catalog::loaders::ProductLoader;
use crate::catalog::types::cooperative::{Cooperative, ready_asset};
use crate::catalog::types::product::Product;
use crate::cooperatives::CooperativeId;
use crate::cooperatives::loaders::CooperativeLoader;
use crate::error::{ApiResult, AppError};
use crate::graphql::{load_many, load_one};
use crate::livestream::loaders::LineupLoader;
use crate::livestream::{LivestreamId, LivestreamStatus, Platform};
use crate::media::types::MediaAsset;

/// A cooperative's selling show.
pub struct Livestream(pub entity::livestream::Model);

#[Object]
impl Livestream {
    /// The show's id.
    async fn id(&self) -> ID {
        LivestreamId(self.0.id).to_gql()
    }
    /// Its title, e.g. "Xoài Yên Châu chín cây — giá tại vườn".
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What the show is about.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Where it is streamed.
    async fn platform(&self) -> Platform {
        Platform::from_db(&self.0.platform).unwrap_or(Platform::InApp)
    }
    /// Where to watch it (or its recording, once ended).
    async fn stream_url(&self) -> Option<&str> {
        self.0.stream_url.as_deref()
    }
    /// Who presents it.
    async fn host_name(&self) -> &str {
        &self.0.host_name
    }
    /// When it is meant to start.
    async fn scheduled_start_at(&self) -> DateTime<Utc> {
        self.0.scheduled_start_at
    }
    /// Scheduled, live, ended or cancelled.
    async fn status(&self) -> LivestreamStatus {
        LivestreamStatus::from_db(&self.0.status).unwrap_or(LivestreamStatus::Cancelled)
    }
    /// When it went live.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it ended.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at
    }
    /// The cooperative running it.
    async fn cooperative(&self, ctx: &Context<'_>) -> ApiResult<Cooperative> {
        let coop = load_one::<CooperativeLoader, _>(ctx, CooperativeId(self.0.cooperative_id))
            .await?
            .ok_or_else(|| AppError::not_found("cooperative"))?;
        Ok(Cooperative(coop))
    }
    /// The products it will show, in order (published ones, for shoppers).
    async fn lineup(&self, ctx: &Context<'_>) -> ApiResult<Vec<Product>> {
        let ids = load_one::<LineupLoader, _>(ctx, LivestreamId(self.0.id))
            .await?
            .unwrap_or_default();
        let mut found = load_many::<ProductLoader, _>(ctx, ids.iter().copied()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .map(Product)
            .collect())
    }
    /// The product pinned now, while live.
    async fn pinned_product(&self, ctx: &Context<'_>) -> ApiResult<Option<Product>> {
        let Some(id) = self.0.pinned_product_id else {
            return Ok(None);
        };
        Ok(load_one::<ProductLoader, _>(ctx, ProductId(id))
            .await?
            .map(Product))
    }
    /// The recording, once ended and uploaded.
    async fn replay(&self, ctx: &Context<'_>) -> ApiResult<Option<MediaAsset>> {
        ready_asset(ctx, self.0.replay_asset_id).await
    }
    /// Where the platform keeps the recording.
    async fn replay_url(&self) -> Option<&str> {
        self.0.replay_url.as_deref()
    }
    /// The most viewers at once.
    async fn peak_viewers(&self) -> i32 {
        self.0.peak_viewers
    }
    /// What the show sold (cancelled and refunded orders excluded); its
    /// cooperative's staff only.
    async fn stats(&self, ctx: &Context<'_>) -> ApiResult<LivestreamStats> {
        let sales = crate::livestream::stats::for_show(
            ctx.data_unchecked::<crate::db::Db>(),
            crate::auth::viewer(ctx),
            LivestreamId(self.0.id),
        )
        .await?;
        Ok(LivestreamStats(sales))
    }
    /// Viewers subscribed to its events now (on this server).
    async fn viewers(&self, ctx: &Context<'_>) -> i32 {
        crate::livestream::realtime::viewers_now(ctx, self.0.id)
    }
}

/// A show to schedule.
#[derive(InputObject)]
pub struct ScheduleLivestreamInput {
    pub cooperative_id: ID,
    /// 1 to 200 characters.
    pub title: String,
    #[graphql(default)]
    pub description: String,
    pub platform: Platform,
    /// An http(s) URL where it streams.
    pub stream_url: Option<String>,
    /// When it starts (may be now).
    pub scheduled_start_at: DateTime<Utc>,
    /// Who presents it.
    pub host_name: String,
    /// The lineup, in order: the cooperative's own products.
    #[graphql(default)]
    pub product_ids: Vec<ID>,
}

/// Changes to a show; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateLivestreamInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub platform: Option<Platform>,
    #[graphql(default)]
    pub stream_url: async_graphql::MaybeUndefined<String>,
    pub scheduled_start_at: Option<DateTime<Utc>>,
    pub host_name: Option<String>,
}

/// Filters of the livestream list.
#[derive(InputObject, Default)]
pub struct LivestreamFilterInput {
    pub status: Option<LivestreamStatus>,
    pub cooperative_id: Option<ID>,
    pub platform: Option<Platform>,
    /// Shows whose lineup holds this product.
    pub product_id: Option<ID>,
    /// Scheduled to start at or after.
    pub from: Option<DateTime<Utc>>,
    /// Scheduled to start before.
    pub to: Option<DateTime<Utc>>,
}

/// Sales of one show, or of a cooperative's shows over a period.
pub struct LivestreamStats(pub crate::livestream::stats::Sales);

#[Object]
impl LivestreamStats {
    /// Orders placed from the show(s).
    async fn orders(&self) -> i64 {
        self.0.orders
    }
    /// Units sold.
    async fn units_sold(&self) -> i64 {
        self.0.units
    }
    /// Revenue in đồng, goods only (shipping excluded).
    async fn revenue_vnd(&self) -> i64 {
        self.0.revenue_vnd
    }
    /// The most viewers at once (summed over shows for a period).
    async fn peak_viewers(&self) -> i64 {
        self.0.peak_viewers
    }
    /// Orders per peak viewer.
    async fn conversion_rate(&self) -> f64 {
        self.0.conversion_rate()
    }
    /// Sales per product, best first.
    async fn by_product(&self) -> Vec<ProductSalesView> {
        self.0
            .by_product
            .iter()
            .cloned()
            .map(ProductSalesView)
            .collect()
    }
}

/// What one product sold.
pub struct ProductSalesView(pub crate::livestream::stats::ProductSales);

#[Object]
impl ProductSalesView {
    /// The product.
    async fn product(&self, ctx: &Context<'_>) -> ApiResult<Option<Product>> {
        Ok(load_one::<ProductLoader, _>(ctx, self.0.product)
            .await?
            .map(Product))
    }
    /// Units sold.
    async fn units_sold(&self) -> i64 {
        self.0.units
    }
    /// Revenue in đồng.
    async fn revenue_vnd(&self) -> i64 {
        self.0.revenue_vnd
    }
}
