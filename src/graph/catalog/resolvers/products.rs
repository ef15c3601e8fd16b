//! Product queries and mutations.

use crate::graph::respond;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, MaybeUndefined, Object};

use crate::catalog::inputs::{coordinates, harvest_months, quantity, stock, variant_count};
use crate::catalog::service::browse::ProductFilter;
use crate::catalog::service::products::{
    self, NewProduct, NewVariant, OriginStoryInput as OriginStoryData, ProductChanges,
    VariantChanges,
};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::Total;
use crate::graph::catalog::{
    CreateProductInput, OriginStory, OriginStoryInput, Product, ProductFilterInput, ProductSort,
    ProductStatus, UpdateProductInput, UpdateVariantInput, Variant, VariantInput,
    product_connection,
};
use crate::graph::media::{MediaAttachment, MediaItemInput};
use crate::graph::viewer;
use crate::ids::{CooperativeId, ProductId, VariantId};
use crate::places::Province;
use crate::values::{Name, Sku, Slug, Tags, Vnd, line, required_text, text};

fn variant(input: &VariantInput, field: &str) -> AppResult<NewVariant> {
    Ok(NewVariant {
        name: Name::parse(&input.name, &format!("{field}.name"))?,
        sku: Sku::parse(&input.sku, &format!("{field}.sku"))?,
        unit: input.unit.into(),
        net_quantity: quantity(input.net_quantity, &format!("{field}.netQuantity"))?,
        price: Vnd::parse(input.price_vnd, &format!("{field}.priceVnd"))?,
        compare_at: input
            .compare_at_price_vnd
            .map(|p| Vnd::parse(p, &format!("{field}.compareAtPriceVnd")))
            .transpose()?,
        stock: stock(input.stock, &format!("{field}.stock"))?,
    })
}

/// Product queries.
#[derive(Default)]
pub struct ProductQuery;

#[Object]
impl ProductQuery {
    /// A product by id or slug (current or former); `null` when there is
    /// none or the caller may not see it. Drafts and archived products are
    /// found only by their cooperative's members.
    #[graphql(cache_control(max_age = 60))]
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> ApiResult<Option<Product>> {
        let db = ctx.data_unchecked::<Db>();
        let found = match (id, slug) {
            (Some(id), None) => products::find(db.conn(), ProductId::parse(&id, "id")?).await?,
            (None, Some(slug)) => products::find_by_slug(db, &slug).await?,
            _ => return Err(AppError::invalid("id", "give either id or slug").into()),
        };
        match products::visible(db, viewer(ctx), found).await {
            Ok(product) => Ok(Some(Product(product))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// The catalogue: published products, filtered, sorted, 100 at most a page.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(max_age = 60)
    )]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ProductFilterInput>,
        sort: Option<ProductSort>,
    ) -> ApiResult<Connection<String, Product, Total>> {
        let input = filter.unwrap_or_default();
        for (value, field) in [
            (input.price_min_vnd, "filter.priceMinVnd"),
            (input.price_max_vnd, "filter.priceMaxVnd"),
        ] {
            if value.is_some_and(|v| v < 0) {
                return Err(AppError::invalid(field, "must not be negative").into());
            }
        }
        let filter = ProductFilter {
            search: crate::text::search(input.search.as_deref(), "filter.search")?,
            category: input.category.map(Into::into),
            cooperative: input
                .cooperative_id
                .as_ref()
                .map(|id| CooperativeId::parse(id, "filter.cooperativeId"))
                .transpose()?,
            province: input
                .province
                .as_deref()
                .map(|p| Province::parse(p, "filter.province"))
                .transpose()?,
            area: line(input.area.as_deref(), "filter.area", 100)?,
            certification: input.certification.map(Into::into),
            price_min: input.price_min_vnd,
            price_max: input.price_max_vnd,
            in_stock: input.in_stock,
            statuses: input
                .statuses
                .map(|s| s.into_iter().map(Into::into).collect()),
        };
        product_connection(
            ctx,
            &filter,
            sort.map_or_else(Default::default, Into::into),
            first,
            after,
        )
        .await
    }
}

/// Product mutations.
#[derive(Default)]
pub struct ProductMutation;

#[Object]
impl ProductMutation {
    /// Creates a product with its first variants in one go; the cooperative's staff only.
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: CreateProductInput,
    ) -> ApiResult<CreateProductPayload> {
        respond(
            async {
                variant_count(input.variants.len(), "input.variants")?;
                let new = NewProduct {
                    cooperative: CooperativeId::parse(
                        &input.cooperative_id,
                        "input.cooperativeId",
                    )?,
                    name: Name::parse(&input.name, "input.name")?,
                    slug: input
                        .slug
                        .as_deref()
                        .map(|s| Slug::parse(s, "input.slug"))
                        .transpose()?,
                    description: text(Some(&input.description), "input.description", 20_000)?
                        .unwrap_or_default(),
                    category: input.category.into(),
                    status: input.status.unwrap_or(ProductStatus::Draft).into(),
                    harvest_months: harvest_months(&input.harvest_months, "input.harvestMonths")?,
                    tags: Tags::parse(&input.tags, "input.tags")?,
                    variants: input
                        .variants
                        .iter()
                        .enumerate()
                        .map(|(i, v)| variant(v, &format!("input.variants.{i}")))
                        .collect::<AppResult<_>>()?,
                };
                Ok(Product(
                    products::create(ctx.data_unchecked::<Db>(), viewer(ctx), new).await?,
                ))
            }
            .await,
        )
    }

    /// Changes a product; its slug changes only when a new one is given.
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateProductInput,
    ) -> ApiResult<UpdateProductPayload> {
        respond(
            async {
                let id = ProductId::parse(&id, "id")?;
                let changes = ProductChanges {
                    name: input
                        .name
                        .as_deref()
                        .map(|n| Name::parse(n, "input.name"))
                        .transpose()?,
                    slug: input
                        .slug
                        .as_deref()
                        .map(|s| Slug::parse(s, "input.slug"))
                        .transpose()?,
                    description: input
                        .description
                        .as_deref()
                        .map(|d| {
                            text(Some(d), "input.description", 20_000)
                                .map(Option::unwrap_or_default)
                        })
                        .transpose()?,
                    category: input.category.map(Into::into),
                    harvest_months: input
                        .harvest_months
                        .as_deref()
                        .map(|m| harvest_months(m, "input.harvestMonths"))
                        .transpose()?,
                    tags: input
                        .tags
                        .as_deref()
                        .map(|t| Tags::parse(t, "input.tags"))
                        .transpose()?,
                };
                Ok(Product(
                    products::update(ctx.data_unchecked::<Db>(), viewer(ctx), id, changes).await?,
                ))
            }
            .await,
        )
    }

    /// Publishes, unpublishes or archives a product.
    async fn set_product_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ProductStatus,
    ) -> ApiResult<SetProductStatusPayload> {
        respond(
            async {
                let id = ProductId::parse(&id, "id")?;
                Ok(Product(
                    products::set_status(
                        ctx.data_unchecked::<Db>(),
                        viewer(ctx),
                        id,
                        status.into(),
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Adds a variant to a product.
    async fn add_variant(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        input: VariantInput,
    ) -> ApiResult<AddVariantPayload> {
        respond(
            async {
                let id = ProductId::parse(&product_id, "productId")?;
                let new = variant(&input, "input")?;
                Ok(Variant(
                    products::add_variant(ctx.data_unchecked::<Db>(), viewer(ctx), id, new).await?,
                ))
            }
            .await,
        )
    }

    /// Changes a variant (not its stock: see `adjustStock`).
    async fn update_variant(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateVariantInput,
    ) -> ApiResult<UpdateVariantPayload> {
        respond(
            async {
                let id = VariantId::parse(&id, "id")?;
                let changes = VariantChanges {
                    name: input
                        .name
                        .as_deref()
                        .map(|n| Name::parse(n, "input.name"))
                        .transpose()?,
                    sku: input
                        .sku
                        .as_deref()
                        .map(|s| Sku::parse(s, "input.sku"))
                        .transpose()?,
                    unit: input.unit.map(Into::into),
                    net_quantity: input
                        .net_quantity
                        .map(|q| quantity(q, "input.netQuantity"))
                        .transpose()?,
                    price: input
                        .price_vnd
                        .map(|p| Vnd::parse(p, "input.priceVnd"))
                        .transpose()?,
                    compare_at: match input.compare_at_price_vnd {
                        MaybeUndefined::Undefined => None,
                        MaybeUndefined::Null => Some(None),
                        MaybeUndefined::Value(p) => {
                            Some(Some(Vnd::parse(p, "input.compareAtPriceVnd")?))
                        }
                    },
                };
                Ok(Variant(
                    products::update_variant(ctx.data_unchecked::<Db>(), viewer(ctx), id, changes)
                        .await?,
                ))
            }
            .await,
        )
    }

    /// Takes a variant off sale; returns its product.
    async fn remove_variant(&self, ctx: &Context<'_>, id: ID) -> ApiResult<RemoveVariantPayload> {
        respond(
            async {
                let id = VariantId::parse(&id, "id")?;
                Ok(Product(
                    products::remove_variant(ctx.data_unchecked::<Db>(), viewer(ctx), id).await?,
                ))
            }
            .await,
        )
    }

    /// Adds (or with a negative delta takes) stock, saying why; kept in the stock ledger.
    async fn adjust_stock(
        &self,
        ctx: &Context<'_>,
        variant_id: ID,
        delta: i32,
        reason: String,
    ) -> ApiResult<AdjustStockPayload> {
        respond(
            async {
                let id = VariantId::parse(&variant_id, "variantId")?;
                let reason = required_text(&reason, "reason", 500)?;
                Ok(Variant(
                    products::adjust_stock(
                        ctx.data_unchecked::<Db>(),
                        viewer(ctx),
                        id,
                        delta,
                        reason,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Replaces a product's gallery with these ready photos and videos, in order.
    async fn set_product_media(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        items: Vec<MediaItemInput>,
    ) -> ApiResult<SetProductMediaPayload> {
        respond(
            async {
                let id = ProductId::parse(&product_id, "productId")?;
                let items = MediaItemInput::parse_all(items)?;
                let rows =
                    products::set_media(ctx.data_unchecked::<Db>(), viewer(ctx), id, items).await?;
                Ok(rows.into_iter().map(MediaAttachment).collect())
            }
            .await,
        )
    }

    /// Replaces the photos of a product's origin story, in order.
    async fn set_origin_story_media(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        items: Vec<MediaItemInput>,
    ) -> ApiResult<SetOriginStoryMediaPayload> {
        respond(
            async {
                let id = ProductId::parse(&product_id, "productId")?;
                let items = MediaItemInput::parse_all(items)?;
                let rows = products::set_origin_story_media(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    id,
                    items,
                )
                .await?;
                Ok(rows.into_iter().map(MediaAttachment).collect())
            }
            .await,
        )
    }

    /// Sets a product's origin story.
    async fn set_origin_story(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        input: OriginStoryInput,
    ) -> ApiResult<SetOriginStoryPayload> {
        respond(
            async {
                let id = ProductId::parse(&product_id, "productId")?;
                let (latitude, longitude) =
                    coordinates(input.latitude, input.longitude, "input.latitude")?;
                if input
                    .altitude_m
                    .is_some_and(|a| !(-100..=9000).contains(&a))
                {
                    return Err(AppError::invalid(
                        "input.altitudeM",
                        "must be between -100 and 9000 metres",
                    ));
                }
                let data = OriginStoryData {
                    farm_name: crate::text::single_line(&input.farm_name, "input.farmName", 200)?,
                    grower_name: line(input.grower_name.as_deref(), "input.growerName", 200)?,
                    province: Province::parse(&input.province, "input.province")?
                        .name()
                        .to_owned(),
                    commune: line(input.commune.as_deref(), "input.commune", 100)?,
                    area: line(input.area.as_deref(), "input.area", 100)?,
                    latitude,
                    longitude,
                    altitude_m: input.altitude_m,
                    cultivation_practice: text(
                        input.cultivation_practice.as_deref(),
                        "input.cultivationPractice",
                        2000,
                    )?,
                    harvest_season: line(
                        input.harvest_season.as_deref(),
                        "input.harvestSeason",
                        200,
                    )?,
                    story: required_text(&input.story, "input.story", 20_000)?,
                };
                let story =
                    products::set_origin_story(ctx.data_unchecked::<Db>(), viewer(ctx), id, data)
                        .await?;
                Ok(OriginStory(story))
            }
            .await,
        )
    }
}

crate::payload!(
    /// The result of `createProduct`.
    CreateProductPayload,
    product: Product
);

crate::payload!(
    /// The result of `updateProduct`.
    UpdateProductPayload,
    product: Product
);

crate::payload!(
    /// The result of `setProductStatus`.
    SetProductStatusPayload,
    product: Product
);

crate::payload!(
    /// The result of `addVariant`.
    AddVariantPayload,
    variant: Variant
);

crate::payload!(
    /// The result of `updateVariant`.
    UpdateVariantPayload,
    variant: Variant
);

crate::payload!(
    /// The result of `removeVariant`.
    RemoveVariantPayload,
    product: Product
);

crate::payload!(
    /// The result of `adjustStock`.
    AdjustStockPayload,
    variant: Variant
);

crate::payload!(
    /// The result of `setProductMedia`.
    SetProductMediaPayload,
    attachments: Vec<MediaAttachment>
);

crate::payload!(
    /// The result of `setOriginStoryMedia`.
    SetOriginStoryMediaPayload,
    attachments: Vec<MediaAttachment>
);

crate::payload!(
    /// The result of `setOriginStory`.
    SetOriginStoryPayload,
    origin_story: OriginStory
);
