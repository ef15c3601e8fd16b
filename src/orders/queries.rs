//! Batched reads of what an order list reaches (items, history, the
//! variants and shows they name), for the graph layer's loaders: one
//! `WHERE … IN (…)` query per batch.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::{order_event, order_item, product_variant};

use crate::db::Db;
use crate::ids::{OrderId, VariantId};

/// The items of `orders`, in the order they were added; an order without
/// items has no entry.
pub async fn items_by_order(
    db: &Db,
    orders: &[OrderId],
) -> Result<HashMap<OrderId, Vec<order_item::Model>>, DbErr> {
    let rows = order_item::Entity::find()
        .filter(order_item::Column::OrderId.is_in(orders.iter().map(|k| k.uuid())))
        .order_by_asc(order_item::Column::Id)
        .all(db.conn())
        .await?;
    let mut out: HashMap<OrderId, Vec<order_item::Model>> = HashMap::new();
    for row in rows {
        out.entry(OrderId::from(row.order_id))
            .or_default()
            .push(row);
    }
    Ok(out)
}

/// The history of `orders`, oldest change first; an order without history
/// has no entry.
pub async fn history_by_order(
    db: &Db,
    orders: &[OrderId],
) -> Result<HashMap<OrderId, Vec<order_event::Model>>, DbErr> {
    let rows = order_event::Entity::find()
        .filter(order_event::Column::OrderId.is_in(orders.iter().map(|k| k.uuid())))
        .order_by_asc(order_event::Column::Id)
        .all(db.conn())
        .await?;
    let mut out: HashMap<OrderId, Vec<order_event::Model>> = HashMap::new();
    for row in rows {
        out.entry(OrderId::from(row.order_id))
            .or_default()
            .push(row);
    }
    Ok(out)
}

/// Variants by id, removed ones too (an order or a cart line still names
/// them); an unknown id has no entry.
pub async fn variants_by_id(
    db: &Db,
    ids: &[VariantId],
) -> Result<HashMap<VariantId, product_variant::Model>, DbErr> {
    Ok(product_variant::Entity::find()
        .filter(product_variant::Column::Id.is_in(ids.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|v| (VariantId::from(v.id), v))
        .collect())
}
