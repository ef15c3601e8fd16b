//! Livestreams as the API shows them.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use crate::error::AppError;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::catalog::{Product, ProductLoader, Variant, VariantsByProduct};
use crate::graph::cooperatives::{Cooperative, CooperativeLoader};
use crate::graph::livestream::{FlashDealCloseReason, FlashDealStatus, LivestreamStatus, Platform};
use crate::graph::livestream::{
    FlashDealsByLivestream, LineupLoader, LivestreamLoader, SalesByShow,
};
use crate::graph::media::MediaAsset;
use crate::graph::media::ready_asset;
use crate::graph::{load_many, load_one};
use crate::ids::{CooperativeId, FlashDealId, LivestreamId, ProductId, VariantId};
use crate::livestream::flash_deals::is_open;

/// The show `id`, through the request's loader (a show is never deleted).
pub(crate) async fn show_of(ctx: &Context<'_>, id: LivestreamId) -> ApiResult<Livestream> {
    let show = load_one::<LivestreamLoader, _>(ctx, id)
        .await?
        .ok_or_else(|| AppError::not_found("livestream"))?;
    Ok(Livestream(show))
}

/// A cooperative's selling show.
pub struct Livestream(pub entity::livestream::Model);

#[Object]
impl Livestream {
    /// The show's id.
    pub async fn id(&self) -> ID {
        LivestreamId::from(self.0.id).to_gql()
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
        self.0.platform.into()
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
        self.0.status.into()
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
        let coop =
            load_one::<CooperativeLoader, _>(ctx, CooperativeId::from(self.0.cooperative_id))
                .await?
                .ok_or_else(|| AppError::not_found("cooperative"))?;
        Ok(Cooperative(coop))
    }
    /// The products it will show, in order (published ones, for shoppers).
    async fn lineup(&self, ctx: &Context<'_>) -> ApiResult<Vec<Product>> {
        let ids = load_one::<LineupLoader, _>(ctx, LivestreamId::from(self.0.id))
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
        Ok(load_one::<ProductLoader, _>(ctx, ProductId::from(id))
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
    /// What the show sold (cancelled and refunded orders excluded); for its
    /// cooperative's staff and admins, `null` for anyone else.
    async fn stats(&self, ctx: &Context<'_>) -> ApiResult<Option<LivestreamStats>> {
        match crate::graph::cooperatives::require_role(
            ctx,
            CooperativeId::from(self.0.cooperative_id),
            crate::cooperatives::MemberRole::Staff,
        )
        .await
        {
            Ok(()) => {}
            Err(AppError::Forbidden(_) | AppError::Unauthenticated(_)) => return Ok(None),
            Err(other) => return Err(other.into()),
        }
        let mut sales = load_one::<SalesByShow, _>(ctx, LivestreamId::from(self.0.id))
            .await?
            .unwrap_or_default();
        sales.peak_viewers = i64::from(self.0.peak_viewers);
        Ok(Some(LivestreamStats(sales)))
    }
    /// Viewers subscribed to its events now (on this server).
    async fn viewers(&self, ctx: &Context<'_>) -> i32 {
        ctx.data_opt::<std::sync::Arc<crate::livestream::viewers::Viewers>>()
            .map(|v| v.of(self.0.id))
            .unwrap_or(0)
    }
    /// Every flash deal of the show, newest first.
    async fn flash_deals(&self, ctx: &Context<'_>) -> ApiResult<Vec<FlashDeal>> {
        Ok(
            load_one::<FlashDealsByLivestream, _>(ctx, LivestreamId::from(self.0.id))
                .await?
                .unwrap_or_default()
                .into_iter()
                .map(FlashDeal)
                .collect(),
        )
    }
    /// The flash deals shoppers can buy at now (open and within their
    /// time; some may have no units left), newest first.
    async fn active_flash_deals(&self, ctx: &Context<'_>) -> ApiResult<Vec<FlashDeal>> {
        let now = Utc::now();
        Ok(
            load_one::<FlashDealsByLivestream, _>(ctx, LivestreamId::from(self.0.id))
                .await?
                .unwrap_or_default()
                .into_iter()
                .filter(|d| is_open(d, now))
                .map(FlashDeal)
                .collect(),
        )
    }
}

/// A live-only price on one variant during a show, with units held for it.
pub struct FlashDeal(pub entity::flash_deal::Model);

#[Object]
impl FlashDeal {
    /// The deal's id.
    async fn id(&self) -> ID {
        FlashDealId::from(self.0.id).to_gql()
    }
    /// The show it belongs to.
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.0.livestream_id)).await
    }
    /// The product on deal.
    async fn product(&self, ctx: &Context<'_>) -> ApiResult<Product> {
        let p = load_one::<ProductLoader, _>(ctx, ProductId::from(self.0.product_id))
            .await?
            .ok_or_else(|| AppError::not_found("product"))?;
        Ok(Product(p))
    }
    /// The variant on deal (null once the variant is removed).
    async fn variant(&self, ctx: &Context<'_>) -> ApiResult<Option<Variant>> {
        Ok(
            load_one::<VariantsByProduct, _>(ctx, ProductId::from(self.0.product_id))
                .await?
                .unwrap_or_default()
                .into_iter()
                .find(|v| v.id == self.0.variant_id)
                .map(Variant),
        )
    }
    /// The variant on deal's id.
    async fn variant_id(&self) -> ID {
        VariantId::from(self.0.variant_id).to_gql()
    }
    /// The deal price of one unit, in whole đồng.
    async fn price_vnd(&self) -> i64 {
        self.0.price_vnd
    }
    /// The variant's normal price when the deal opened, in whole đồng.
    async fn normal_price_vnd(&self) -> i64 {
        self.0.normal_price_vnd
    }
    /// Units taken from stock for the deal.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// Units still to be had at the deal price (0 once closed).
    async fn remaining(&self) -> i32 {
        self.0.remaining
    }
    /// The most units one buyer (an account, or a guest's phone) gets at the deal price.
    async fn per_buyer_limit(&self) -> i32 {
        self.0.per_buyer_limit
    }
    /// When it opened.
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.opened_at
    }
    /// When it ends by itself.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// When it closed (staff, its timer or the end of the show).
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Why it closed.
    async fn close_reason(&self) -> Option<FlashDealCloseReason> {
        self.0.close_reason.map(Into::into)
    }
    /// Units it gave back to stock when it closed.
    async fn returned_to_stock(&self) -> Option<i32> {
        self.0.returned_quantity
    }
    /// OPEN while shoppers can buy at its price; CLOSED once closed or past its end.
    async fn status(&self) -> FlashDealStatus {
        if is_open(&self.0, Utc::now()) {
            FlashDealStatus::Open
        } else {
            FlashDealStatus::Closed
        }
    }
}

/// A flash deal to open in a live show.
#[derive(InputObject)]
pub struct OpenFlashDealInput {
    /// The show, which must be LIVE.
    pub livestream_id: ID,
    /// A variant of a product in the show's lineup.
    pub variant_id: ID,
    /// The deal price of one unit in whole đồng: above 0 and below the normal price.
    pub price_vnd: i64,
    /// Units to take from stock and hold for the deal: 1 to 100,000, at most the stock.
    pub quantity: i32,
    /// The most units one account (or guest phone) gets at the deal price: 1 to 1,000.
    pub per_buyer_limit: i32,
    /// How long the deal runs: 1 to 86,400 seconds.
    pub duration_seconds: i32,
}

/// A show to schedule.
#[derive(InputObject)]
pub struct ScheduleLivestreamInput {
    /// The cooperative running the show; its staff only.
    pub cooperative_id: ID,
    /// 1 to 200 characters.
    pub title: String,
    /// What the show is about: at most 5,000 characters (empty by default).
    #[graphql(default)]
    pub description: String,
    /// Where it is streamed.
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
    /// A new title: 1 to 200 characters.
    pub title: Option<String>,
    /// A new description: at most 5,000 characters.
    pub description: Option<String>,
    /// Where it is streamed now.
    pub platform: Option<Platform>,
    /// A new http(s) URL where it streams; `null` removes it.
    #[graphql(default)]
    pub stream_url: async_graphql::MaybeUndefined<String>,
    /// A new start: from a day ago to five years ahead.
    pub scheduled_start_at: Option<DateTime<Utc>>,
    /// Who presents it now.
    pub host_name: Option<String>,
}

/// Filters of the livestream list.
#[derive(InputObject, Default)]
pub struct LivestreamFilterInput {
    /// Shows in this status.
    pub status: Option<LivestreamStatus>,
    /// Shows of this cooperative.
    pub cooperative_id: Option<ID>,
    /// Shows streamed there.
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
