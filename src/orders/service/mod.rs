//! Placing orders (stock, idempotency, totals), moving them through their
//! states with a history, expiring unpaid holds, and listing them.
//!
//! Stock is taken with a conditional update in the placing transaction
//! (`stock = stock - q WHERE stock >= q`), and the database's
//! `CHECK (stock >= 0)` backs it, so no interleaving can oversell. An order
//! placed from a show takes what it can from the show's open flash deals
//! first, at the deal price, in the same transaction ([`crate::orders::deals`]),
//! and the rest at the normal price from stock. Status
//! changes are conditional updates too (`WHERE status = <from>`): of two
//! processes racing to change one order, exactly one wins.
//!
//! The work is split by what it does: [`placement`] (placing orders and
//! taking stock), [`lifecycle`] (status changes, payments, expiring holds),
//! [`reading`] (what a viewer may see, pages of orders) and [`shipping`]
//! (shipping fees).

mod lifecycle;
mod placement;
mod reading;
mod shipping;

pub use lifecycle::*;
pub use placement::*;
pub use reading::*;
pub use shipping::*;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use entity::{checkout, order, order_event};

use crate::ids::{OrderId, UserId};

use crate::error::AppResult;
use crate::orders::{OrderStatus, PaymentMethod};

/// How long an unpaid VietQR order holds its stock, and how often the
/// sweeper looks for expired holds.
#[derive(Clone, Copy, Debug)]
pub struct HoldPolicy {
    pub hold: std::time::Duration,
    pub sweep_interval: std::time::Duration,
}

/// A checkout and the orders it made, one per cooperative.
#[derive(Clone, Debug)]
pub struct Placed {
    pub checkout: checkout::Model,
    pub orders: Vec<order::Model>,
}

async fn record_history(
    conn: &impl ConnectionTrait,
    order: Uuid,
    from: Option<OrderStatus>,
    to: OrderStatus,
    actor: Option<UserId>,
    note: Option<String>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    order_event::Entity::insert(order_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order),
        from_status: Set(from),
        to_status: Set(to),
        actor_id: Set(actor.map(|a| a.uuid())),
        note: Set(note),
        created_at: Set(at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The order with this id.
pub async fn find(conn: &impl ConnectionTrait, id: OrderId) -> AppResult<Option<order::Model>> {
    Ok(order::Entity::find_by_id(id.uuid()).one(conn).await?)
}

fn status_of(order: &order::Model) -> AppResult<OrderStatus> {
    Ok(order.status)
}

fn method_of(order: &order::Model) -> AppResult<PaymentMethod> {
    Ok(order.payment_method)
}
