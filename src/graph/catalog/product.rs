//! Products, variants and origin stories as the API shows them.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::catalog::service::browse::{self, ProductFilter, ProductPage, ProductSort};
use crate::cooperatives::MemberRole;
use crate::db::Db;
use crate::error::AppError;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::catalog::{
    BadgesByCooperative, BadgesByProduct, LotsByProduct, MovementsByVariant, OriginStoryByProduct,
    ProductLoader, VariantsByProduct,
};
use crate::graph::catalog::{Category, CertificationKind, ProductStatus, Unit};
use crate::graph::catalog::{Certification, Lot};
use crate::graph::cooperatives::{Cooperative, CooperativeLoader};
use crate::graph::load_one;
use crate::graph::media::MediaAttachment;
use crate::graph::media::gallery;
use crate::graph::{Total, viewer};
use crate::ids::{CooperativeId, ProductId, VariantId};
use crate::media::attachments::Gallery;
use crate::pagination::{Page, encode_cursor};
use async_graphql::connection::{Connection, Edge};

/// Something a cooperative sells; what is bought is one of its variants.
pub struct Product(pub entity::product::Model);

impl Product {
    fn product_id(&self) -> ProductId {
        ProductId::from(self.0.id)
    }
}

/// Something a cooperative sells; what is bought is one of its variants.
#[Object]
impl Product {
    /// The product's id.
    pub async fn id(&self) -> ID {
        self.product_id().to_gql()
    }
    /// Its URL slug; earlier slugs still resolve.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Its name, e.g. "Xoài tròn Yên Châu".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it is and how it tastes.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Its kind of produce.
    async fn category(&self) -> Category {
        self.0.category.into()
    }
    /// Draft, active or archived.
    async fn status(&self) -> ProductStatus {
        self.0.status.into()
    }
    /// Months (1–12) it is harvested in.
    async fn harvest_months(&self) -> Vec<i32> {
        self.0.harvest_months.0.clone()
    }
    /// Tags, lower case.
    async fn tags(&self) -> Vec<String> {
        self.0.tags.0.clone()
    }
    /// The cooperative selling it.
    async fn cooperative(&self, ctx: &Context<'_>) -> ApiResult<Cooperative> {
        let coop =
            load_one::<CooperativeLoader, _>(ctx, CooperativeId::from(self.0.cooperative_id))
                .await?
                .ok_or_else(|| AppError::not_found("cooperative"))?;
        Ok(Cooperative(coop))
    }
    /// The pack sizes on sale, in order.
    async fn variants(&self, ctx: &Context<'_>) -> ApiResult<Vec<Variant>> {
        let rows = load_one::<VariantsByProduct, _>(ctx, self.product_id()).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Variant).collect())
    }
    /// Where it comes from, if told.
    async fn origin_story(&self, ctx: &Context<'_>) -> ApiResult<Option<OriginStory>> {
        Ok(load_one::<OriginStoryByProduct, _>(ctx, self.product_id())
            .await?
            .map(OriginStory))
    }
    /// Its harvest lots, newest first.
    async fn lots(&self, ctx: &Context<'_>) -> ApiResult<Vec<Lot>> {
        let rows = load_one::<LotsByProduct, _>(ctx, self.product_id()).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Lot).collect())
    }
    /// Certificates valid today: the product's own and its cooperative's.
    async fn badges(&self, ctx: &Context<'_>) -> ApiResult<Vec<Certification>> {
        let own = load_one::<BadgesByProduct, _>(ctx, self.product_id())
            .await?
            .unwrap_or_default();
        let coop =
            load_one::<BadgesByCooperative, _>(ctx, CooperativeId::from(self.0.cooperative_id))
                .await?
                .unwrap_or_default();
        Ok(own.into_iter().chain(coop).map(Certification).collect())
    }
    /// Its photos and videos, in order.
    async fn media(&self, ctx: &Context<'_>) -> ApiResult<Vec<MediaAttachment>> {
        gallery(ctx, Gallery::Product, self.0.id).await
    }
    /// The shows it is in that are live now or scheduled: live ones first,
    /// then the soonest. Past shows: `livestreams(filter: {productId})`.
    async fn current_livestreams(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::graph::livestream::Livestream>> {
        let shows =
            load_one::<crate::graph::livestream::CurrentShowsByProduct, _>(ctx, self.product_id())
                .await?;
        Ok(shows
            .unwrap_or_default()
            .into_iter()
            .map(crate::graph::livestream::Livestream)
            .collect())
    }
    /// The lowest price of its variants, in đồng.
    async fn min_price_vnd(&self) -> Option<i64> {
        self.0.min_price_vnd
    }
    /// The lowest and highest prices of its variants on sale; `null` when
    /// it has none.
    async fn price_range(&self, ctx: &Context<'_>) -> ApiResult<Option<PriceRange>> {
        let rows = load_one::<VariantsByProduct, _>(ctx, self.product_id())
            .await?
            .unwrap_or_default();
        let prices = rows.iter().map(|v| v.price_vnd);
        Ok(prices
            .clone()
            .min()
            .zip(prices.max())
            .map(|(min, max)| PriceRange { min, max }))
    }
    /// True when it can be bought now: it is published and one of its
    /// variants is in stock.
    async fn available_for_sale(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        if self.0.status != crate::catalog::ProductStatus::Active {
            return Ok(false);
        }
        let rows = load_one::<VariantsByProduct, _>(ctx, self.product_id())
            .await?
            .unwrap_or_default();
        Ok(rows.iter().any(|v| v.stock > 0))
    }
    /// The first image of its gallery (videos skipped); `null` when it has
    /// none.
    async fn featured_image(&self, ctx: &Context<'_>) -> ApiResult<Option<MediaAttachment>> {
        Ok(gallery(ctx, Gallery::Product, self.0.id)
            .await?
            .into_iter()
            .find(MediaAttachment::is_image))
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The span of a product's prices over its variants on sale, in whole đồng.
#[derive(SimpleObject)]
pub struct PriceRange {
    /// The lowest variant price, in whole đồng.
    pub min: i64,
    /// The highest variant price, in whole đồng.
    pub max: i64,
}

/// A price per kilogram or litre, for comparing pack sizes.
#[derive(SimpleObject)]
pub struct UnitPrice {
    /// Whole đồng per `per`.
    pub amount_vnd: i64,
    /// `KG` or `LITRE`.
    pub per: Unit,
}

/// A pack size of a product, with its price and stock.
pub struct Variant(pub entity::product_variant::Model);

/// A pack size of a product, with its price and stock.
#[Object]
impl Variant {
    /// The variant's id.
    async fn id(&self) -> ID {
        VariantId::from(self.0.id).to_gql()
    }
    /// The product it is a pack size of.
    async fn product(&self, ctx: &Context<'_>) -> ApiResult<Product> {
        let product = load_one::<ProductLoader, _>(ctx, ProductId::from(self.0.product_id))
            .await?
            .ok_or_else(|| AppError::not_found("product"))?;
        Ok(Product(product))
    }
    /// e.g. "Hộp 2 kg".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The cooperative's stock-keeping unit.
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    /// The unit it is sold in.
    async fn unit(&self) -> Unit {
        self.0.unit.into()
    }
    /// How much of the unit one pack holds (e.g. 2 for "2 kg").
    async fn net_quantity(&self) -> f64 {
        self.0.net_quantity
    }
    /// Price in whole đồng.
    async fn price_vnd(&self) -> i64 {
        self.0.price_vnd
    }
    /// The price before a discount, if there is one.
    async fn compare_at_price_vnd(&self) -> Option<i64> {
        self.0.compare_at_price_vnd
    }
    /// Units on hand.
    async fn stock(&self) -> i32 {
        self.0.stock
    }
    /// True while at least one is on hand.
    async fn in_stock(&self) -> bool {
        self.0.stock > 0
    }
    /// Price per kg (units KG and G) or per litre (LITRE), rounded to the đồng.
    async fn unit_price(&self) -> Option<UnitPrice> {
        let unit = Unit::from(self.0.unit);
        let (per, amount) = match unit {
            Unit::Kg => (Unit::Kg, self.0.net_quantity),
            Unit::G => (Unit::Kg, self.0.net_quantity / 1000.0),
            Unit::Litre => (Unit::Litre, self.0.net_quantity),
            _ => return None,
        };
        Some(UnitPrice {
            amount_vnd: crate::values::price_per_unit(self.0.price_vnd, amount)?,
            per,
        })
    }
    /// The stock ledger, newest first: its newest `last` movements (50
    /// unless asked, at most 100); the cooperative's staff only, `null` for
    /// anyone else.
    async fn stock_movements(
        &self,
        ctx: &Context<'_>,
        last: Option<i32>,
    ) -> ApiResult<Option<Vec<StockMovement>>> {
        let last = last.unwrap_or(DEFAULT_LEDGER_ROWS);
        if !(1..=MAX_LEDGER_ROWS).contains(&last) {
            return Err(AppError::invalid(
                "last",
                format!("must be between 1 and {MAX_LEDGER_ROWS}"),
            )
            .into());
        }
        match crate::graph::cooperatives::require_role(
            ctx,
            CooperativeId::from(self.0.cooperative_id),
            MemberRole::Staff,
        )
        .await
        {
            Ok(()) => {}
            Err(AppError::Forbidden(_) | AppError::Unauthenticated(_)) => return Ok(None),
            Err(other) => return Err(other.into()),
        }
        let key = (VariantId::from(self.0.id), u64::try_from(last).unwrap_or(0));
        let rows = load_one::<MovementsByVariant, _>(ctx, key).await?;
        Ok(Some(
            rows.unwrap_or_default()
                .into_iter()
                .map(StockMovement)
                .collect(),
        ))
    }
}

/// Ledger rows a variant shows unless asked for another number.
const DEFAULT_LEDGER_ROWS: i32 = 50;

/// The most ledger rows a variant shows at once.
const MAX_LEDGER_ROWS: i32 = 100;

/// One change of a variant's stock.
pub struct StockMovement(pub entity::stock_movement::Model);

/// One change of a variant's stock, as its ledger keeps it.
#[Object]
impl StockMovement {
    /// Units added (positive) or taken (negative).
    async fn delta(&self) -> i32 {
        self.0.delta
    }
    /// Stock right after.
    async fn stock_after(&self) -> i32 {
        self.0.stock_after
    }
    /// `INITIAL`, `ADJUSTMENT`, `ORDER`, `CANCEL`, `RETURN`, `DEAL_HOLD` or `DEAL_RELEASE`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// Why, as the person said.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// Who made the change, if a person did.
    async fn actor_id(&self) -> Option<ID> {
        self.0
            .actor_id
            .map(|id| crate::ids::UserId::from(id).to_gql())
    }
    /// When.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Where a product comes from.
pub struct OriginStory(pub entity::origin_story::Model);

/// Where a product comes from: the farm, the grower, the place and the
/// story the cooperative tells.
#[Object]
impl OriginStory {
    /// The story's id: a product has one story at most, so it is keyed by
    /// the product (`gid://farmstream/OriginStory/<product uuid>`).
    async fn id(&self) -> ID {
        crate::graph::ids::global_id("OriginStory", self.0.product_id)
    }
    /// The farm's name.
    async fn farm_name(&self) -> &str {
        &self.0.farm_name
    }
    /// The grower, as the cooperative chose to name them.
    async fn grower_name(&self) -> Option<&str> {
        self.0.grower_name.as_deref()
    }
    /// Province.
    async fn province(&self) -> &str {
        &self.0.province
    }
    /// Commune or ward.
    async fn commune(&self) -> Option<&str> {
        self.0.commune.as_deref()
    }
    /// Growing region (e.g. Mộc Châu).
    async fn area(&self) -> Option<&str> {
        self.0.area.as_deref()
    }
    /// Latitude in degrees.
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    /// Longitude in degrees.
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
    /// Altitude in metres.
    async fn altitude_m(&self) -> Option<i32> {
        self.0.altitude_m
    }
    /// How it is grown (e.g. VietGAP, organic, shade-grown).
    async fn cultivation_practice(&self) -> Option<&str> {
        self.0.cultivation_practice.as_deref()
    }
    /// When it is harvested, in words.
    async fn harvest_season(&self) -> Option<&str> {
        self.0.harvest_season.as_deref()
    }
    /// The story itself.
    async fn story(&self) -> &str {
        &self.0.story
    }
    /// Photos telling the story, in order.
    async fn media(&self, ctx: &Context<'_>) -> ApiResult<Vec<MediaAttachment>> {
        gallery(ctx, Gallery::OriginStory, self.0.product_id).await
    }
}

/// A pack size to sell.
#[derive(InputObject)]
pub struct VariantInput {
    /// e.g. "Hộp 2 kg".
    pub name: String,
    /// Unique within the cooperative.
    pub sku: String,
    /// The unit it is sold in.
    pub unit: Unit,
    /// How much of the unit one pack holds.
    pub net_quantity: f64,
    /// Whole đồng, at least 1.
    pub price_vnd: i64,
    /// The price before a discount, higher than `priceVnd`.
    pub compare_at_price_vnd: Option<i64>,
    /// Units on hand to start with.
    #[graphql(default)]
    pub stock: i32,
}

/// A new product and its first variants.
#[derive(InputObject)]
pub struct CreateProductInput {
    /// The cooperative selling it; the caller must be its staff.
    pub cooperative_id: ID,
    /// Its name, up to 200 characters.
    pub name: String,
    /// Derived from the name when not given.
    pub slug: Option<String>,
    /// What it is and how it tastes (up to 20,000 characters).
    #[graphql(default)]
    pub description: String,
    /// Its kind of produce.
    pub category: Category,
    /// `DRAFT` unless said otherwise.
    pub status: Option<ProductStatus>,
    /// Months (1–12) it is harvested in.
    #[graphql(default)]
    pub harvest_months: Vec<i32>,
    /// Tags, stored lower case.
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Its first pack sizes, in order.
    #[graphql(default)]
    pub variants: Vec<VariantInput>,
}

/// Changes to a product; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateProductInput {
    /// A new name; the slug stays.
    pub name: Option<String>,
    /// A new slug; the old one keeps resolving.
    pub slug: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new kind of produce.
    pub category: Option<Category>,
    /// The months (1–12) it is harvested in, replacing the old ones.
    pub harvest_months: Option<Vec<i32>>,
    /// Its tags, replacing the old ones.
    pub tags: Option<Vec<String>>,
}

/// Changes to a variant; omitted fields stay as they are (stock changes go
/// through `adjustStock`).
#[derive(InputObject)]
pub struct UpdateVariantInput {
    /// A new name.
    pub name: Option<String>,
    /// A new SKU, unique within the cooperative.
    pub sku: Option<String>,
    /// A new unit.
    pub unit: Option<Unit>,
    /// How much of the unit one pack holds now.
    pub net_quantity: Option<f64>,
    /// A new price in whole đồng.
    pub price_vnd: Option<i64>,
    /// The price before a discount; `null` removes it.
    #[graphql(default)]
    pub compare_at_price_vnd: async_graphql::MaybeUndefined<i64>,
}

/// An origin story.
#[derive(InputObject)]
pub struct OriginStoryInput {
    /// The farm's name.
    pub farm_name: String,
    /// The grower, as the cooperative chooses to name them.
    pub grower_name: Option<String>,
    /// One of the 34 provinces.
    pub province: String,
    /// Commune or ward.
    pub commune: Option<String>,
    /// Growing region (e.g. Mộc Châu).
    pub area: Option<String>,
    /// Latitude in degrees; given with `longitude`.
    pub latitude: Option<f64>,
    /// Longitude in degrees; given with `latitude`.
    pub longitude: Option<f64>,
    /// Altitude in metres, -100 to 9000.
    pub altitude_m: Option<i32>,
    /// How it is grown (up to 2,000 characters).
    pub cultivation_practice: Option<String>,
    /// When it is harvested, in words.
    pub harvest_season: Option<String>,
    /// The story, in Vietnamese (up to 20,000 characters).
    pub story: String,
}

/// Filters of the product list.
#[derive(InputObject, Default)]
pub struct ProductFilterInput {
    /// Words matched against names, tags, cooperatives and places, with or without tone marks.
    pub search: Option<String>,
    /// Only this kind of produce.
    pub category: Option<Category>,
    /// Only this cooperative's products.
    pub cooperative_id: Option<ID>,
    /// One of the 34 provinces (the cooperative's or the origin's).
    pub province: Option<String>,
    /// A growing region, e.g. "Mộc Châu".
    pub area: Option<String>,
    /// Only products holding this certificate today (theirs or their cooperative's).
    pub certification: Option<CertificationKind>,
    /// Only products whose lowest price is this or more, in đồng.
    pub price_min_vnd: Option<i64>,
    /// Only products whose lowest price is this or less, in đồng.
    pub price_max_vnd: Option<i64>,
    /// Only products with (true) or without (false) a variant in stock.
    pub in_stock: Option<bool>,
    /// Other statuses than `ACTIVE`; needs `cooperativeId` and membership of it.
    pub statuses: Option<Vec<ProductStatus>>,
}

/// Runs a product list and shapes it as a Relay connection.
pub async fn product_connection(
    ctx: &Context<'_>,
    filter: &ProductFilter,
    sort: ProductSort,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<String, Product, Total>> {
    let page = Page::parse(first, after.as_deref())?;
    let had_cursor = page.after.is_some();
    let result = browse::list(ctx.data_unchecked::<Db>(), viewer(ctx), filter, sort, &page).await?;
    Ok(to_connection(result, had_cursor))
}

/// A page of products as a connection.
pub fn to_connection(result: ProductPage, had_cursor: bool) -> Connection<String, Product, Total> {
    let mut conn = Connection::with_additional_fields(
        had_cursor,
        result.has_next,
        Total {
            total_count: result.total,
        },
    );
    conn.edges.extend(
        result
            .rows
            .into_iter()
            .map(|(p, cursor)| Edge::new(encode_cursor(&cursor), Product(p))),
    );
    conn
}
