//! Batched loads of what an order list reaches: items and history.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{order_event, order_item};

use crate::db::Db;
use crate::orders::OrderId;

/// The items of orders, by order id.
pub struct ItemsByOrder(pub Db);

impl Loader<OrderId> for ItemsByOrder {
    type Value = Vec<order_item::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[OrderId]) -> Result<HashMap<OrderId, Self::Value>, Self::Error> {
        let rows = order_item::Entity::find()
            .filter(order_item::Column::OrderId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(order_item::Column::Id)
            .all(self.0.conn())
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<OrderId, Self::Value> = HashMap::new();
        for row in rows {
            out.entry(OrderId(row.order_id)).or_default().push(row);
        }
        Ok(out)
    }
}

/// The history of orders, oldest change first, by order id.
pub struct HistoryByOrder(pub Db);

impl Loader<OrderId> for HistoryByOrder {
    type Value = Vec<order_event::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[OrderId]) -> Result<HashMap<OrderId, Self::Value>, Self::Error> {
        let rows = order_event::Entity::find()
            .filter(order_event::Column::OrderId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(order_event::Column::Id)
            .all(self.0.conn())
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<OrderId, Self::Value> = HashMap::new();
        for row in rows {
            out.entry(OrderId(row.order_id)).or_default().push(row);
        }
        Ok(out)
    }
}
