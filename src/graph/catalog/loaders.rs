//! DataLoaders of catalogue relations, over `catalog::queries`.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use entity::{certification, lot, origin_story, product, product_variant};

use crate::catalog::queries;
use crate::catalog::service::browse::{ProductPage, ProductSort};
use crate::catalog::service::certifications::LotOnHarvest;
use crate::db::Db;
use crate::ids::{CooperativeId, ProductId, VariantId};

/// Products by id.
pub struct ProductLoader(pub Db);

impl Loader<ProductId> for ProductLoader {
    type Value = product::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Self::Value>, Self::Error> {
        Ok(queries::products_by_id(&self.0, keys).await?)
    }
}

/// The live variants of products, in their order.
pub struct VariantsByProduct(pub Db);

impl Loader<ProductId> for VariantsByProduct {
    type Value = Vec<product_variant::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Self::Value>, Self::Error> {
        Ok(queries::variants_by_product(&self.0, keys).await?)
    }
}

/// The origin story of products.
pub struct OriginStoryByProduct(pub Db);

impl Loader<ProductId> for OriginStoryByProduct {
    type Value = origin_story::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Self::Value>, Self::Error> {
        Ok(queries::origin_stories_by_product(&self.0, keys).await?)
    }
}

/// The lots of products, newest harvest first.
pub struct LotsByProduct(pub Db);

impl Loader<ProductId> for LotsByProduct {
    type Value = Vec<lot::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Self::Value>, Self::Error> {
        Ok(queries::lots_by_product(&self.0, keys).await?)
    }
}

/// Badges of products: certificates valid today of the product itself.
/// Its cooperative's badges come from [`BadgesByCooperative`].
pub struct BadgesByProduct(pub Db);

impl Loader<ProductId> for BadgesByProduct {
    type Value = Vec<certification::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Self::Value>, Self::Error> {
        Ok(queries::badges_by_product(&self.0, keys).await?)
    }
}

/// Badges of cooperatives: their cooperative-wide certificates valid today.
pub struct BadgesByCooperative(pub Db);

impl Loader<CooperativeId> for BadgesByCooperative {
    type Value = Vec<certification::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[CooperativeId],
    ) -> Result<HashMap<CooperativeId, Self::Value>, Self::Error> {
        Ok(queries::badges_by_cooperative(&self.0, keys).await?)
    }
}

/// Certificates of lots valid on their harvest dates: each lot's own, its
/// product's and its cooperative's.
pub struct CertificationsOfLot(pub Db);

impl Loader<LotOnHarvest> for CertificationsOfLot {
    type Value = Vec<certification::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[LotOnHarvest],
    ) -> Result<HashMap<LotOnHarvest, Self::Value>, Self::Error> {
        Ok(crate::catalog::service::certifications::for_lots_on_harvest(&self.0, keys).await?)
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
    ) -> Result<HashMap<(CooperativeId, ProductSort, u64), Self::Value>, Self::Error> {
        Ok(queries::first_product_pages(&self.0, keys).await?)
    }
}

/// The newest stock movements of variants, keyed by (variant, how many).
pub struct MovementsByVariant(pub Db);

impl Loader<(VariantId, u64)> for MovementsByVariant {
    type Value = Vec<entity::stock_movement::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[(VariantId, u64)],
    ) -> Result<HashMap<(VariantId, u64), Self::Value>, Self::Error> {
        Ok(queries::newest_movements_by_variant(&self.0, keys).await?)
    }
}
