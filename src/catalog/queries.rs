//! Batched reads of catalogue relations, for the graph layer's DataLoaders:
//! one `WHERE … IN (…)` query per relation per batch, whatever the page
//! size. They hold no authorisation.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

use entity::{certification, lot, origin_story, product, product_variant};

use crate::catalog::CertificationScope;
use crate::catalog::service::browse::{ProductPage, ProductSort, first_pages};
use crate::catalog::service::certifications::valid_on;
use crate::db::Db;
use crate::ids::{CooperativeId, ProductId, VariantId};

/// Products by id.
pub async fn products_by_id(
    db: &Db,
    keys: &[ProductId],
) -> Result<HashMap<ProductId, product::Model>, sea_orm::DbErr> {
    let rows = product::Entity::find()
        .filter(product::Column::Id.is_in(keys.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|p| (ProductId::from(p.id), p))
        .collect())
}

/// The live variants of products, in their order.
pub async fn variants_by_product(
    db: &Db,
    keys: &[ProductId],
) -> Result<HashMap<ProductId, Vec<product_variant::Model>>, sea_orm::DbErr> {
    let rows = product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.is_in(keys.iter().map(|k| k.uuid())))
        .filter(product_variant::Column::RemovedAt.is_null())
        .order_by_asc(product_variant::Column::Position)
        .all(db.conn())
        .await?;
    let mut out: HashMap<ProductId, Vec<product_variant::Model>> = HashMap::new();
    for v in rows {
        out.entry(ProductId::from(v.product_id))
            .or_default()
            .push(v);
    }
    Ok(out)
}

/// The origin story of products.
pub async fn origin_stories_by_product(
    db: &Db,
    keys: &[ProductId],
) -> Result<HashMap<ProductId, origin_story::Model>, sea_orm::DbErr> {
    let rows = origin_story::Entity::find()
        .filter(origin_story::Column::ProductId.is_in(keys.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|o| (ProductId::from(o.product_id), o))
        .collect())
}

/// The lots of products, newest harvest first.
pub async fn lots_by_product(
    db: &Db,
    keys: &[ProductId],
) -> Result<HashMap<ProductId, Vec<lot::Model>>, sea_orm::DbErr> {
    let rows = lot::Entity::find()
        .filter(lot::Column::ProductId.is_in(keys.iter().map(|k| k.uuid())))
        .order_by_desc(lot::Column::HarvestedOn)
        .all(db.conn())
        .await?;
    let mut out: HashMap<ProductId, Vec<lot::Model>> = HashMap::new();
    for l in rows {
        out.entry(ProductId::from(l.product_id))
            .or_default()
            .push(l);
    }
    Ok(out)
}

/// Badges of products: certificates valid today of the product itself.
/// Its cooperative's badges come from [`BadgesByCooperative`].
pub async fn badges_by_product(
    db: &Db,
    keys: &[ProductId],
) -> Result<HashMap<ProductId, Vec<certification::Model>>, sea_orm::DbErr> {
    let today = Utc::now().date_naive();
    let rows = certification::Entity::find()
        .filter(certification::Column::ProductId.is_in(keys.iter().map(|k| k.uuid())))
        .filter(certification::Column::Scope.eq(CertificationScope::Product))
        .filter(certification::Column::RevokedAt.is_null())
        .filter(certification::Column::ValidFrom.lte(today))
        .filter(certification::Column::ValidUntil.gte(today))
        .order_by_asc(certification::Column::Kind)
        .all(db.conn())
        .await?;
    let mut out: HashMap<ProductId, Vec<certification::Model>> = HashMap::new();
    for c in rows.into_iter().filter(|c| valid_on(c, today)) {
        if let Some(p) = c.product_id {
            out.entry(ProductId::from(p)).or_default().push(c);
        }
    }
    Ok(out)
}

/// Badges of cooperatives: their cooperative-wide certificates valid today.
pub async fn badges_by_cooperative(
    db: &Db,
    keys: &[CooperativeId],
) -> Result<HashMap<CooperativeId, Vec<certification::Model>>, sea_orm::DbErr> {
    let today = Utc::now().date_naive();
    let rows = certification::Entity::find()
        .filter(
            Condition::all()
                .add(certification::Column::CooperativeId.is_in(keys.iter().map(|k| k.uuid())))
                .add(certification::Column::Scope.eq(CertificationScope::Cooperative))
                .add(certification::Column::RevokedAt.is_null())
                .add(certification::Column::ValidFrom.lte(today))
                .add(certification::Column::ValidUntil.gte(today)),
        )
        .order_by_asc(certification::Column::Kind)
        .all(db.conn())
        .await?;
    let mut out: HashMap<CooperativeId, Vec<certification::Model>> = HashMap::new();
    for c in rows {
        out.entry(CooperativeId::from(c.cooperative_id))
            .or_default()
            .push(c);
    }
    Ok(out)
}

/// The first page of cooperatives' published products, keyed by
/// (cooperative, sort, page size): one windowed query per sort and size.
pub async fn first_product_pages(
    db: &Db,
    keys: &[(CooperativeId, ProductSort, u64)],
) -> Result<HashMap<(CooperativeId, ProductSort, u64), ProductPage>, sea_orm::DbErr> {
    let mut asked: HashMap<(ProductSort, u64), Vec<CooperativeId>> = HashMap::new();
    for (coop, sort, first) in keys {
        asked.entry((*sort, *first)).or_default().push(*coop);
    }
    let mut out = HashMap::new();
    for ((sort, first), coops) in asked {
        for (coop, page) in first_pages(db, &coops, sort, first).await? {
            out.insert((coop, sort, first), page);
        }
    }
    Ok(out)
}

/// The newest stock movements of variants, keyed by (variant, how many).
pub async fn newest_movements_by_variant(
    db: &Db,
    keys: &[(VariantId, u64)],
) -> Result<HashMap<(VariantId, u64), Vec<entity::stock_movement::Model>>, sea_orm::DbErr> {
    let mut asked: HashMap<u64, Vec<VariantId>> = HashMap::new();
    for (variant, newest) in keys {
        asked.entry(*newest).or_default().push(*variant);
    }
    let mut out = HashMap::new();
    for (newest, variants) in asked {
        let found =
            crate::catalog::service::products::newest_movements(db, &variants, newest).await?;
        for (variant, rows) in found {
            out.insert((variant, newest), rows);
        }
    }
    Ok(out)
}
