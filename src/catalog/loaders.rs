//! Batched loads of catalogue relations: one `WHERE … IN (…)` query per
//! relation per batch, whatever the page size. Loaders hold no authorisation.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

use entity::{certification, lot, origin_story, product, product_variant};

use crate::catalog::service::browse::{ProductPage, ProductSort, first_pages};
use crate::catalog::service::certifications::{LotOnHarvest, for_lots_on_harvest, valid_on};
use crate::catalog::{CertificationScope, ProductId, VariantId};
use crate::cooperatives::CooperativeId;
use crate::db::Db;

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<sea_orm::DbErr>>;

/// Products by id.
pub struct ProductLoader(pub Db);

impl Loader<ProductId> for ProductLoader {
    type Value = product::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[ProductId]) -> LoadResult<ProductId, Self::Value> {
        let rows = product::Entity::find()
            .filter(product::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await?;
        Ok(rows.into_iter().map(|p| (ProductId(p.id), p)).collect())
    }
}

/// The live variants of products, in their order.
pub struct VariantsByProduct(pub Db);

impl Loader<ProductId> for VariantsByProduct {
    type Value = Vec<product_variant::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[ProductId]) -> LoadResult<ProductId, Self::Value> {
        let rows = product_variant::Entity::find()
            .filter(product_variant::Column::ProductId.is_in(keys.iter().map(|k| k.0)))
            .filter(product_variant::Column::RemovedAt.is_null())
            .order_by_asc(product_variant::Column::Position)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<ProductId, Self::Value> = HashMap::new();
        for v in rows {
            out.entry(ProductId(v.product_id)).or_default().push(v);
        }
        Ok(out)
    }
}

/// The origin story of products.
pub struct OriginStoryByProduct(pub Db);

impl Loader<ProductId> for OriginStoryByProduct {
    type Value = origin_story::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[ProductId]) -> LoadResult<ProductId, Self::Value> {
        let rows = origin_story::Entity::find()
            .filter(origin_story::Column::ProductId.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await?;
        Ok(rows
            .into_iter()
            .map(|o| (ProductId(o.product_id), o))
            .collect())
    }
}

/// The lots of products, newest harvest first.
pub struct LotsByProduct(pub Db);

impl Loader<ProductId> for LotsByProduct {
    type Value = Vec<lot::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[ProductId]) -> LoadResult<ProductId, Self::Value> {
        let rows = lot::Entity::find()
            .filter(lot::Column::ProductId.is_in(keys.iter().map(|k| k.0)))
            .order_by_desc(lot::Column::HarvestedOn)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<ProductId, Self::Value> = HashMap::new();
        for l in rows {
            out.entry(ProductId(l.product_id)).or_default().push(l);
        }
        Ok(out)
    }
}

/// Badges of products: certificates valid today of the product itself.
/// Its cooperative's badges come from [`BadgesByCooperative`].
pub struct BadgesByProduct(pub Db);

impl Loader<ProductId> for BadgesByProduct {
    type Value = Vec<certification::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[ProductId]) -> LoadResult<ProductId, Self::Value> {
        let today = Utc::now().date_naive();
        let rows = certification::Entity::find()
            .filter(certification::Column::ProductId.is_in(keys.iter().map(|k| k.0)))
            .filter(certification::Column::Scope.eq(CertificationScope::Product.as_str()))
            .filter(certification::Column::RevokedAt.is_null())
            .filter(certification::Column::ValidFrom.lte(today))
            .filter(certification::Column::ValidUntil.gte(today))
            .order_by_asc(certification::Column::Kind)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<ProductId, Self::Value> = HashMap::new();
        for c in rows.into_iter().filter(|c| valid_on(c, today)) {
            if let Some(p) = c.product_id {
                out.entry(ProductId(p)).or_default().push(c);
            }
        }
        Ok(out)
    }
}

/// Badges of cooperatives: their cooperative-wide certificates valid today.
pub struct BadgesByCooperative(pub Db);

impl Loader<CooperativeId> for BadgesByCooperative {
    type Value = Vec<certification::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[CooperativeId]) -> LoadResult<CooperativeId, Self::Value> {
        let today = Utc::now().date_naive();
        let rows = certification::Entity::find()
            .filter(
                Condition::all()
                    .add(certification::Column::CooperativeId.is_in(keys.iter().map(|k| k.0)))
                    .add(certification::Column::Scope.eq(CertificationScope::Cooperative.as_str()))
                    .add(certification::Column::RevokedAt.is_null())
                    .add(certification::Column::ValidFrom.lte(today))
                    .add(certification::Column::ValidUntil.gte(today)),
            )
            .order_by_asc(certification::Column::Kind)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<CooperativeId, Self::Value> = HashMap::new();
        for c in rows {
            out.entry(CooperativeId(c.cooperative_id))
                .or_default()
                .push(c);
        }
        Ok(out)
    }
}

/// Certificates of lots valid on their harvest dates: each lot's own, its
/// product's and its cooperative's.
pub struct CertificationsOfLot(pub Db);

impl Loader<LotOnHarvest> for CertificationsOfLot {
    type Value = Vec<certification::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[LotOnHarvest]) -> LoadResult<LotOnHarvest, Self::Value> {
        Ok(for_lots_on_harvest(&self.0, keys).await?)
    }
}

/// The first page of cooperatives' published products, keyed by
/// (cooperative, sort, page size): one windowed query per sort and size.
pub struct FirstProductsByCooperative(pub Db);

impl Loader<(CooperativeId, ProductSort, u64)> for FirstProductsByCooperative {
    type Value = ProductPage;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[(CooperativeId, ProductSort, u64)],
    ) -> LoadResult<(CooperativeId, ProductSort, u64), Self::Value> {
        let mut asked: HashMap<(ProductSort, u64), Vec<CooperativeId>> = HashMap::new();
        for (coop, sort, first) in keys {
            asked.entry((*sort, *first)).or_default().push(*coop);
        }
        let mut out = HashMap::new();
        for ((sort, first), coops) in asked {
            for (coop, page) in first_pages(&self.0, &coops, sort, first).await? {
                out.insert((coop, sort, first), page);
            }
        }
        Ok(out)
    }
}

/// The newest stock movements of variants, keyed by (variant, how many).
pub struct MovementsByVariant(pub Db);

impl Loader<(VariantId, u64)> for MovementsByVariant {
    type Value = Vec<entity::stock_movement::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[(VariantId, u64)]) -> LoadResult<(VariantId, u64), Self::Value> {
        let mut asked: HashMap<u64, Vec<VariantId>> = HashMap::new();
        for (variant, newest) in keys {
            asked.entry(*newest).or_default().push(*variant);
        }
        let mut out = HashMap::new();
        for (newest, variants) in asked {
            let found =
                crate::catalog::service::products::newest_movements(&self.0, &variants, newest)
                    .await?;
            for (variant, rows) in found {
                out.insert((variant, newest), rows);
            }
        }
        Ok(out)
    }
}
