//! Batched loads of what an order list reaches: items, history, and the
//! variants and shows its lines and orders name.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use entity::{order_event, order_item, product_variant};

use crate::db::Db;
use crate::ids::{OrderId, VariantId};
use crate::orders::queries;

/// The items of orders, by order id.
pub struct ItemsByOrder(pub Db);

impl Loader<OrderId> for ItemsByOrder {
    type Value = Vec<order_item::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[OrderId]) -> Result<HashMap<OrderId, Self::Value>, Self::Error> {
        queries::items_by_order(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}

/// The history of orders, oldest change first, by order id.
pub struct HistoryByOrder(pub Db);

impl Loader<OrderId> for HistoryByOrder {
    type Value = Vec<order_event::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[OrderId]) -> Result<HashMap<OrderId, Self::Value>, Self::Error> {
        queries::history_by_order(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Variants by id, removed ones too (what an order item or cart line names).
pub struct VariantById(pub Db);

impl Loader<VariantId> for VariantById {
    type Value = product_variant::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[VariantId],
    ) -> Result<HashMap<VariantId, Self::Value>, Self::Error> {
        queries::variants_by_id(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}
