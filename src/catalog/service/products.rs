//! Products, variants, stock and origin stories.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use entity::{origin_story, product, product_variant, stock_movement};

use crate::auth::{PlatformRole, Viewer};
use crate::catalog::inputs::variant_count;
use crate::catalog::{Category, ProductStatus, Unit};
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::{
    Actor, claim_new_slug, claim_slug, require_member, resolve_slug,
};
use crate::db::Db;
use crate::error::{AppError, AppResult, constraint_violation};
use crate::ids::{CooperativeId, ProductId, UserId, VariantId};
use crate::text::fold;
use crate::values::{Measure, Name, Sku, Slug, Tags, Vnd};

/// The `slug_history.kind` of products.
pub const SLUG_KIND: &str = "product";

/// A variant to create, parsed.
pub struct NewVariant {
    pub name: Name,
    pub sku: Sku,
    pub unit: Unit,
    pub net_quantity: Measure,
    pub price: Vnd,
    pub compare_at: Option<Vnd>,
    pub stock: i32,
}

/// A product to create with its first variants, parsed.
pub struct NewProduct {
    pub cooperative: CooperativeId,
    pub name: Name,
    pub slug: Option<Slug>,
    pub description: String,
    pub category: Category,
    pub status: ProductStatus,
    pub harvest_months: Vec<i32>,
    pub tags: Tags,
    pub variants: Vec<NewVariant>,
}

/// Changes to a product; `None` leaves a field as it is.
#[derive(Default)]
pub struct ProductChanges {
    pub name: Option<Name>,
    pub slug: Option<Slug>,
    pub description: Option<String>,
    pub category: Option<Category>,
    pub harvest_months: Option<Vec<i32>>,
    pub tags: Option<Tags>,
}

/// Changes to a variant; `None` leaves a field as it is.
#[derive(Default)]
pub struct VariantChanges {
    pub name: Option<Name>,
    pub sku: Option<Sku>,
    pub unit: Option<Unit>,
    pub net_quantity: Option<Measure>,
    pub price: Option<Vnd>,
    pub compare_at: Option<Option<Vnd>>,
}

/// The origin story of a product, parsed.
pub struct OriginStoryInput {
    pub farm_name: String,
    pub grower_name: Option<String>,
    pub province: String,
    pub commune: Option<String>,
    pub area: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub altitude_m: Option<i32>,
    pub cultivation_practice: Option<String>,
    pub harvest_season: Option<String>,
    pub story: String,
}

fn check_compare_at(price: Vnd, compare_at: Option<Vnd>, field: &str) -> AppResult<()> {
    if compare_at.is_some_and(|c| c <= price) {
        return Err(AppError::invalid(
            field,
            "must be higher than the price (it is the price before a discount)",
        ));
    }
    Ok(())
}

/// The product with this id, whatever its status.
pub async fn find(conn: &impl ConnectionTrait, id: ProductId) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find_by_id(id.uuid()).one(conn).await?)
}

/// True when `viewer` may see a product of `coop` that is not active.
pub async fn can_see_unpublished(db: &Db, viewer: &Viewer, coop: CooperativeId) -> AppResult<bool> {
    let Some(user) = viewer.user()? else {
        return Ok(false);
    };
    if crate::cooperatives::service::role_of(db.conn(), coop, user)
        .await?
        .is_some()
    {
        return Ok(true);
    }
    crate::auth::service::has_role(db, user, PlatformRole::Admin).await
}

/// A product as the viewer may see it: active ones for everyone, others
/// for their cooperative's members; anything else is `NOT_FOUND`.
pub async fn visible(
    db: &Db,
    viewer: &Viewer,
    found: Option<product::Model>,
) -> AppResult<product::Model> {
    let product = found.ok_or_else(|| AppError::not_found("product"))?;
    if product.status == ProductStatus::Active
        || can_see_unpublished(db, viewer, CooperativeId::from(product.cooperative_id)).await?
    {
        Ok(product)
    } else {
        Err(AppError::not_found("product"))
    }
}

/// The product a slug points at now or pointed at before.
pub async fn find_by_slug(db: &Db, slug: &str) -> AppResult<Option<product::Model>> {
    match resolve_slug(db, SLUG_KIND, slug).await? {
        Some(id) => find(db.conn(), ProductId::from(id)).await,
        None => Ok(None),
    }
}

/// Loads a product for a write by the viewer: the product must exist and
/// the viewer must be staff (or more) of its cooperative.
async fn for_write(
    db: &Db,
    viewer: &Viewer,
    id: ProductId,
    needed: MemberRole,
) -> AppResult<(product::Model, Actor)> {
    viewer.require_user()?;
    let product = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    let actor = require_member(
        db,
        viewer,
        CooperativeId::from(product.cooperative_id),
        needed,
    )
    .await?;
    Ok((product, actor))
}

/// The product, locked until the caller's transaction ends (`FOR UPDATE`
/// on PostgreSQL; SQLite's write gate keeps other writers out). Every change
/// to a product, its variants or its origin story takes this lock first and
/// reads after it, so rules over several rows (an active product keeps a
/// variant) and what is derived from them (lowest price, search text) see
/// what concurrent changes committed. Lock order: product, then variants.
async fn lock_product(conn: &impl ConnectionTrait, id: ProductId) -> AppResult<product::Model> {
    product::Entity::find_by_id(id.uuid())
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("product"))
}

/// Recomputes what a product keeps about its variants and origin: the lowest
/// live price and the folded search text.
async fn refresh_summary(conn: &impl ConnectionTrait, id: ProductId) -> AppResult<product::Model> {
    let product = find(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    let variants = product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.eq(id.uuid()))
        .filter(product_variant::Column::RemovedAt.is_null())
        .all(conn)
        .await?;
    let origin = origin_story::Entity::find_by_id(id.uuid())
        .one(conn)
        .await?;
    let places = origin
        .map(|o| {
            format!(
                "{} {} {} {}",
                o.farm_name,
                o.province,
                o.commune.unwrap_or_default(),
                o.area.unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let search_text = fold(&format!(
        "{} {} {}",
        product.name,
        product.tags.0.join(" "),
        places
    ));
    let mut model: product::ActiveModel = product.into();
    model.min_price_vnd = Set(variants.iter().map(|v| v.price_vnd).min());
    model.search_text = Set(search_text);
    Ok(model.update(conn).await?)
}

async fn insert_variant(
    conn: &impl ConnectionTrait,
    product: &product::Model,
    variant: NewVariant,
    position: i32,
    actor: UserId,
    field: &str,
) -> AppResult<product_variant::Model> {
    check_compare_at(
        variant.price,
        variant.compare_at,
        &format!("{field}.compareAtPriceVnd"),
    )?;
    let now = Utc::now();
    let id = VariantId::new();
    let inserted = product_variant::Entity::insert(product_variant::ActiveModel {
        id: Set(id.uuid()),
        product_id: Set(product.id),
        cooperative_id: Set(product.cooperative_id),
        name: Set(variant.name.as_str().to_owned()),
        sku: Set(variant.sku.as_str().to_owned()),
        unit: Set(variant.unit),
        net_quantity: Set(variant.net_quantity.get()),
        price_vnd: Set(variant.price.get()),
        compare_at_price_vnd: Set(variant.compare_at.map(Vnd::get)),
        stock: Set(variant.stock),
        position: Set(position),
        removed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(conn)
    .await;
    let row = match inserted {
        Ok(row) => row,
        Err(err) => {
            return Err(match constraint_violation(&err) {
                Some(clash) if clash.is_on("sku") => clash.to_error(
                    &format!("{field}."),
                    format!(
                        "the SKU {} is already used in this cooperative",
                        variant.sku.as_str()
                    ),
                ),
                _ => err.into(),
            });
        }
    };
    if variant.stock > 0 {
        record_movement(
            conn,
            id,
            variant.stock,
            variant.stock,
            "INITIAL",
            None,
            Some(actor),
        )
        .await?;
    }
    Ok(row)
}

/// Writes one row of the stock ledger.
pub async fn record_movement(
    conn: &impl ConnectionTrait,
    variant: VariantId,
    delta: i32,
    stock_after: i32,
    kind: &str,
    reason: Option<String>,
    actor: Option<UserId>,
) -> AppResult<()> {
    record_order_movement(conn, variant, delta, stock_after, kind, reason, actor, None).await
}

/// Writes one row of the stock ledger that an order caused (`ORDER`,
/// `CANCEL`, `RETURN`), naming the order.
#[expect(clippy::too_many_arguments, reason = "one ledger row's columns")]
pub async fn record_order_movement(
    conn: &impl ConnectionTrait,
    variant: VariantId,
    delta: i32,
    stock_after: i32,
    kind: &str,
    reason: Option<String>,
    actor: Option<UserId>,
    order: Option<uuid::Uuid>,
) -> AppResult<()> {
    stock_movement::Entity::insert(stock_movement::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        variant_id: Set(variant.uuid()),
        delta: Set(delta),
        stock_after: Set(stock_after),
        kind: Set(kind.to_owned()),
        reason: Set(reason),
        actor_id: Set(actor.map(|a| a.uuid())),
        order_id: Set(order),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Creates a product and its first variants in one transaction; staff of
/// its cooperative only. A product is active only with at least one variant.
pub async fn create(db: &Db, viewer: &Viewer, new: NewProduct) -> AppResult<product::Model> {
    let actor = require_member(db, viewer, new.cooperative, MemberRole::Staff).await?;
    if new.status == ProductStatus::Active && new.variants.is_empty() {
        return Err(AppError::invalid(
            "input.variants",
            "an active product needs at least one variant",
        ));
    }
    let id = ProductId::new();
    let now = Utc::now();
    let product = db
        .write(async |txn| -> AppResult<_> {
            let slug = claim_new_slug(
                &**txn,
                SLUG_KIND,
                new.slug,
                new.name.as_str(),
                "san-pham",
                id.uuid(),
            )
            .await?;
            let product = product::Entity::insert(product::ActiveModel {
                id: Set(id.uuid()),
                cooperative_id: Set(new.cooperative.uuid()),
                name: Set(new.name.as_str().to_owned()),
                slug: Set(slug.as_str().to_owned()),
                description: Set(new.description),
                category: Set(new.category),
                status: Set(new.status),
                harvest_months: Set(product::MonthList(new.harvest_months)),
                tags: Set(product::TagList(new.tags.into_inner())),
                search_name: Set(fold(new.name.as_str())),
                search_text: Set(String::new()),
                min_price_vnd: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(&**txn)
            .await?;
            for (i, variant) in new.variants.into_iter().enumerate() {
                let position = i32::try_from(i).unwrap_or(i32::MAX);
                insert_variant(
                    &**txn,
                    &product,
                    variant,
                    position,
                    actor.user,
                    &format!("input.variants.{i}"),
                )
                .await?;
            }
            let product = refresh_summary(&**txn, id).await?;
            Ok(product)
        })
        .await?;
    tracing::info!(product.id = %id, cooperative.id = %new.cooperative, "product created");
    Ok(product)
}

/// Changes a product's fields. Its slug changes only when a new one is
/// given; the old one keeps resolving.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: ProductId,
    changes: ProductChanges,
) -> AppResult<product::Model> {
    for_write(db, viewer, id, MemberRole::Staff).await?;
    db.write(async |txn| {
        let mut model: product::ActiveModel = lock_product(&**txn, id).await?.into();
        if let Some(slug) = &changes.slug {
            claim_slug(&**txn, SLUG_KIND, slug, id.uuid()).await?;
            model.slug = Set(slug.as_str().to_owned());
        }
        if let Some(name) = changes.name {
            model.search_name = Set(fold(name.as_str()));
            model.name = Set(name.as_str().to_owned());
        }
        if let Some(d) = changes.description {
            model.description = Set(d);
        }
        if let Some(c) = changes.category {
            model.category = Set(c);
        }
        if let Some(m) = changes.harvest_months {
            model.harvest_months = Set(product::MonthList(m));
        }
        if let Some(t) = changes.tags {
            model.tags = Set(product::TagList(t.into_inner()));
        }
        model.updated_at = Set(Utc::now());
        model.update(&**txn).await?;
        refresh_summary(&**txn, id).await
    })
    .await
}

/// Moves a product between draft, active and archived. Activating needs a
/// live variant.
pub async fn set_status(
    db: &Db,
    viewer: &Viewer,
    id: ProductId,
    status: ProductStatus,
) -> AppResult<product::Model> {
    for_write(db, viewer, id, MemberRole::Staff).await?;
    db.write(async |txn| {
        // Under the product's lock, so a variant removed at the same moment
        // is either gone here (and activation refused) or refused there.
        lock_product(&**txn, id).await?;
        if status == ProductStatus::Active && live_variants(&**txn, id).await? == 0 {
            return Err(AppError::Conflict(
                "add a variant before making the product active".into(),
            ));
        }
        product::Entity::update_many()
            .col_expr(product::Column::Status, Expr::value(status))
            .col_expr(product::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(product::Column::Id.eq(id.uuid()))
            .exec_with_returning(&**txn)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("product"))
    })
    .await
}

/// How many variants of a product are on sale.
async fn live_variants(conn: &impl ConnectionTrait, id: ProductId) -> AppResult<u64> {
    Ok(product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.eq(id.uuid()))
        .filter(product_variant::Column::RemovedAt.is_null())
        .count(conn)
        .await?)
}

/// The live variants of a product, in order.
pub async fn variants(db: &Db, id: ProductId) -> AppResult<Vec<product_variant::Model>> {
    Ok(product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.eq(id.uuid()))
        .filter(product_variant::Column::RemovedAt.is_null())
        .order_by_asc(product_variant::Column::Position)
        .all(db.conn())
        .await?)
}

/// Adds a variant to a product, after its others: the position is read
/// under the product's lock, so variants added at once get their own.
pub async fn add_variant(
    db: &Db,
    viewer: &Viewer,
    id: ProductId,
    variant: NewVariant,
) -> AppResult<product_variant::Model> {
    let (_, actor) = for_write(db, viewer, id, MemberRole::Staff).await?;
    db.write(async |txn| {
        // Counted under the product's lock, so that two additions at once
        // cannot both find room for one more.
        let product = lock_product(&**txn, id).await?;
        let live = product_variant::Entity::find()
            .filter(product_variant::Column::ProductId.eq(id.uuid()))
            .filter(product_variant::Column::RemovedAt.is_null())
            .count(&**txn)
            .await?;
        variant_count(
            usize::try_from(live)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
            "productId",
        )?;
        let last: Option<i32> = product_variant::Entity::find()
            .filter(product_variant::Column::ProductId.eq(id.uuid()))
            .select_only()
            .column_as(product_variant::Column::Position.max(), "last")
            .into_tuple()
            .one(&**txn)
            .await?
            .flatten();
        let position = last.map_or(0, |p| p.saturating_add(1));
        let row = insert_variant(&**txn, &product, variant, position, actor.user, "input").await?;
        refresh_summary(&**txn, id).await?;
        Ok(row)
    })
    .await
}

/// A live variant and its product, for a write by the viewer.
async fn variant_for_write(
    db: &Db,
    viewer: &Viewer,
    id: VariantId,
) -> AppResult<(product_variant::Model, Actor)> {
    viewer.require_user()?;
    let variant = product_variant::Entity::find_by_id(id.uuid())
        .one(db.conn())
        .await?
        .filter(|v| v.removed_at.is_none())
        .ok_or_else(|| AppError::not_found("variant"))?;
    let actor = require_member(
        db,
        viewer,
        CooperativeId::from(variant.cooperative_id),
        MemberRole::Staff,
    )
    .await?;
    Ok((variant, actor))
}

/// Changes a variant's fields (not its stock: see [`adjust_stock`]). The
/// product and then the variant are locked before the variant is read, so
/// two edits at once each keep the other's fields, the price rule is
/// checked on what is stored, and the product's lowest price is right.
pub async fn update_variant(
    db: &Db,
    viewer: &Viewer,
    id: VariantId,
    changes: VariantChanges,
) -> AppResult<product_variant::Model> {
    let (seen, _) = variant_for_write(db, viewer, id).await?;
    let product_id = ProductId::from(seen.product_id);
    db.write(async |txn| {
        lock_product(&**txn, product_id).await?;
        let current = product_variant::Entity::find_by_id(id.uuid())
            .lock_exclusive()
            .one(&**txn)
            .await?
            .filter(|v| v.removed_at.is_none())
            .ok_or_else(|| AppError::not_found("variant"))?;
        let price = changes.price.map_or(current.price_vnd, Vnd::get);
        let compare_at = match changes.compare_at {
            Some(c) => c.map(Vnd::get),
            None => current.compare_at_price_vnd,
        };
        if compare_at.is_some_and(|c| c <= price) {
            return Err(AppError::invalid(
                "input.compareAtPriceVnd",
                "must be higher than the price",
            ));
        }
        let sku = changes.sku.clone();
        let mut model: product_variant::ActiveModel = current.into();
        if let Some(name) = changes.name {
            model.name = Set(name.as_str().to_owned());
        }
        if let Some(sku) = changes.sku {
            model.sku = Set(sku.into_inner());
        }
        if let Some(unit) = changes.unit {
            model.unit = Set(unit);
        }
        if let Some(q) = changes.net_quantity {
            model.net_quantity = Set(q.get());
        }
        model.price_vnd = Set(price);
        model.compare_at_price_vnd = Set(compare_at);
        model.updated_at = Set(Utc::now());
        let row = match model.update(&**txn).await {
            Ok(row) => row,
            Err(err) => {
                return Err(match constraint_violation(&err) {
                    Some(clash) if clash.is_on("sku") => clash.to_error(
                        "input.",
                        format!(
                            "the SKU {} is already used in this cooperative",
                            sku.as_ref().map(Sku::as_str).unwrap_or_default()
                        ),
                    ),
                    _ => err.into(),
                });
            }
        };
        refresh_summary(&**txn, product_id).await?;
        Ok(row)
    })
    .await
}

/// Removes a variant from sale. Its row stays for the orders that name it.
/// An active product keeps at least one variant: counted under the
/// product's lock, so two removals at once cannot both take the last two.
pub async fn remove_variant(db: &Db, viewer: &Viewer, id: VariantId) -> AppResult<product::Model> {
    let (variant, _) = variant_for_write(db, viewer, id).await?;
    let product_id = ProductId::from(variant.product_id);
    db.write(async |txn| {
        let product = lock_product(&**txn, product_id).await?;
        if product.status == ProductStatus::Active && live_variants(&**txn, product_id).await? <= 1
        {
            return Err(AppError::Conflict(
                "an active product must keep one variant: archive the product instead".into(),
            ));
        }
        let removed = product_variant::Entity::update_many()
            .col_expr(product_variant::Column::RemovedAt, Expr::value(Utc::now()))
            .filter(product_variant::Column::Id.eq(id.uuid()))
            .filter(product_variant::Column::RemovedAt.is_null())
            .exec(&**txn)
            .await?
            .rows_affected;
        if removed == 0 {
            return Err(AppError::not_found("variant"));
        }
        refresh_summary(&**txn, product_id).await
    })
    .await
}

/// Adds `delta` units to a variant's stock (negative takes), recording who
/// and why. Stock never goes below zero: the update is conditional and the
/// database checks it too.
pub async fn adjust_stock(
    db: &Db,
    viewer: &Viewer,
    id: VariantId,
    delta: i32,
    reason: String,
) -> AppResult<product_variant::Model> {
    let (_, actor) = variant_for_write(db, viewer, id).await?;
    if delta == 0 {
        return Err(AppError::invalid("delta", "must not be zero"));
    }
    if !(-1_000_000..=1_000_000).contains(&delta) {
        return Err(AppError::invalid(
            "delta",
            "must be between -1,000,000 and 1,000,000",
        ));
    }
    let row = db
        .write(async |txn| -> AppResult<_> {
            let changed = product_variant::Entity::update_many()
                .col_expr(
                    product_variant::Column::Stock,
                    Expr::col(product_variant::Column::Stock).add(delta),
                )
                .col_expr(product_variant::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(product_variant::Column::Id.eq(id.uuid()))
                .filter(Expr::col(product_variant::Column::Stock).add(delta).gte(0))
                .filter(
                    Expr::col(product_variant::Column::Stock)
                        .add(delta)
                        .lte(1_000_000),
                )
                .exec(&**txn)
                .await?
                .rows_affected;
            let row = product_variant::Entity::find_by_id(id.uuid())
                .one(&**txn)
                .await?
                .ok_or_else(|| AppError::not_found("variant"))?;
            if changed == 0 {
                return Err(AppError::invalid(
                    "delta",
                    format!("would take stock out of range: {} on hand", row.stock),
                ));
            }
            record_movement(
                &**txn,
                id,
                delta,
                row.stock,
                "ADJUSTMENT",
                Some(reason),
                Some(actor.user),
            )
            .await?;
            Ok(row)
        })
        .await?;
    tracing::info!(variant.id = %id, delta, stock = row.stock, "stock adjusted");
    Ok(row)
}

/// Sets (or replaces) a product's origin story: one upsert under the
/// product's lock, so two at once both answer and the later one stays.
pub async fn set_origin_story(
    db: &Db,
    viewer: &Viewer,
    id: ProductId,
    input: OriginStoryInput,
) -> AppResult<origin_story::Model> {
    for_write(db, viewer, id, MemberRole::Staff).await?;
    db.write(async |txn| {
        lock_product(&**txn, id).await?;
        let story = origin_story::ActiveModel {
            product_id: Set(id.uuid()),
            farm_name: Set(input.farm_name),
            grower_name: Set(input.grower_name),
            province: Set(input.province),
            commune: Set(input.commune),
            area: Set(input.area),
            latitude: Set(input.latitude),
            longitude: Set(input.longitude),
            altitude_m: Set(input.altitude_m),
            cultivation_practice: Set(input.cultivation_practice),
            harvest_season: Set(input.harvest_season),
            story: Set(input.story),
            updated_at: Set(Utc::now()),
        };
        let story = origin_story::Entity::insert(story)
            .on_conflict(
                OnConflict::column(origin_story::Column::ProductId)
                    .update_columns([
                        origin_story::Column::FarmName,
                        origin_story::Column::GrowerName,
                        origin_story::Column::Province,
                        origin_story::Column::Commune,
                        origin_story::Column::Area,
                        origin_story::Column::Latitude,
                        origin_story::Column::Longitude,
                        origin_story::Column::AltitudeM,
                        origin_story::Column::CultivationPractice,
                        origin_story::Column::HarvestSeason,
                        origin_story::Column::Story,
                        origin_story::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_with_returning(&**txn)
            .await?;
        refresh_summary(&**txn, id).await?;
        Ok(story)
    })
    .await
}

/// The newest `newest` stock movements of each of `variants`, newest
/// first, in one query whatever their number (no authorisation: see
/// `graph::cooperatives::require_role`).
pub async fn newest_movements(
    db: &Db,
    variants: &[VariantId],
    newest: u64,
) -> Result<std::collections::HashMap<VariantId, Vec<stock_movement::Model>>, sea_orm::DbErr> {
    let mut out: std::collections::HashMap<VariantId, Vec<stock_movement::Model>> =
        variants.iter().map(|v| (*v, Vec::new())).collect();
    if variants.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; variants.len()].join(", ");
    let mut values: Vec<sea_orm::Value> = variants.iter().map(|v| v.uuid().into()).collect();
    values.push(i64::try_from(newest).unwrap_or(i64::MAX).into());
    let sql = crate::db::first_per_group(
        "stock_movements",
        "variant_id",
        "created_at DESC, id DESC",
        &format!("variant_id IN ({marks})"),
    );
    for row in db.conn().query_all_raw(db.statement(&sql, values)).await? {
        let movement = stock_movement::Model::from_query_result(&row, "")?;
        out.entry(VariantId::from(movement.variant_id))
            .or_default()
            .push(movement);
    }
    Ok(out)
}

/// Replaces a product's gallery (photos and videos); its cooperative's staff only.
pub async fn set_media(
    db: &Db,
    viewer: &Viewer,
    id: ProductId,
    items: Vec<crate::media::attachments::GalleryItem>,
) -> AppResult<Vec<crate::media::attachments::Attached>> {
    let (product, _) = for_write(db, viewer, id, MemberRole::Staff).await?;
    crate::media::attachments::set_gallery(
        db,
        crate::media::attachments::Gallery::Product,
        product.id,
        CooperativeId::from(product.cooperative_id),
        items,
    )
    .await
}

/// Replaces the photos of a product's origin story; the story must exist.
pub async fn set_origin_story_media(
    db: &Db,
    viewer: &Viewer,
    id: ProductId,
    items: Vec<crate::media::attachments::GalleryItem>,
) -> AppResult<Vec<crate::media::attachments::Attached>> {
    let (product, _) = for_write(db, viewer, id, MemberRole::Staff).await?;
    if origin_story::Entity::find_by_id(product.id)
        .one(db.conn())
        .await?
        .is_none()
    {
        return Err(AppError::invalid(
            "productId",
            "this product has no origin story yet: set it first",
        ));
    }
    crate::media::attachments::set_gallery(
        db,
        crate::media::attachments::Gallery::OriginStory,
        product.id,
        CooperativeId::from(product.cooperative_id),
        items,
    )
    .await
}
