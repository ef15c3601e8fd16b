//! Moving orders through their states, with a history: back-office
//! steps, cancellations, payments, and expiring unpaid holds.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, UpdateMany,
};
use uuid::Uuid;

use entity::{order, order_item};

use super::{find, is_back_office, method_of, owner_key, record_history, return_stock, status_of};
use crate::auth::Viewer;
use crate::catalog::service::products::record_order_movement;
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventBus};
use crate::ids::{CooperativeId, OrderId, UserId, VariantId};
use crate::orders::deals;
use crate::orders::{OrderStatus, PaymentMethod};

/// Who asks for a status change.
#[derive(Clone, Copy, Debug)]
pub enum ChangedBy {
    /// The signed-in shopper who placed the order.
    Shopper(UserId),
    /// The guest who placed the order, known by its phone.
    Guest,
    /// Staff of the order's cooperative (or an admin).
    Staff(UserId),
    /// The system: the payment webhook, the hold sweeper.
    System,
}

impl ChangedBy {
    fn user(self) -> Option<UserId> {
        match self {
            Self::Shopper(u) | Self::Staff(u) => Some(u),
            Self::Guest | Self::System => None,
        }
    }
}

/// A status change to apply.
pub struct Change {
    pub to: OrderStatus,
    pub by: ChangedBy,
    pub note: Option<String>,
    /// The ledger kind of stock given back, when the change gives some.
    pub stock_kind: &'static str,
    /// More columns to set with the status.
    pub also: fn(UpdateMany<order::Entity>, DateTime<Utc>) -> UpdateMany<order::Entity>,
}

impl Change {
    /// A change setting nothing but the status.
    pub fn to(to: OrderStatus, by: ChangedBy, note: Option<String>) -> Self {
        Self {
            to,
            by,
            note,
            stock_kind: "CANCEL",
            also: |u, _| u,
        }
    }
}

fn list_of(statuses: &[OrderStatus]) -> String {
    if statuses.is_empty() {
        "none (it is final)".into()
    } else {
        statuses
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Applies `change` to `order` inside the caller's transaction: checks the
/// transition, claims it with a conditional update (so it happens once
/// however many processes try), gives stock back when a cancellation
/// does, and writes the history. Returns the order after and its event.
/// A change that may cancel should use [`apply_change_all`], which also
/// returns the flash-deal events of units given back to a deal.
pub async fn apply_change(
    conn: &impl ConnectionTrait,
    order: &order::Model,
    change: Change,
) -> AppResult<(order::Model, Event)> {
    let (after, status_changed, _) = apply_change_all(conn, order, change).await?;
    Ok((after, status_changed))
}

/// [`apply_change`], also returning the events of flash-deal units a
/// cancellation gave back to a deal still open.
///
/// Units of a line bought at a flash-deal price go back to that deal while
/// it is open (its viewers can buy them again, and the buyer's allowance
/// grows back); once the deal has closed they go back to stock like any
/// other (the deal already gave back what it held).
pub async fn apply_change_all(
    conn: &impl ConnectionTrait,
    order: &order::Model,
    change: Change,
) -> AppResult<(order::Model, Event, Vec<Event>)> {
    let from = status_of(order)?;
    if !from.next().contains(&change.to) {
        return Err(AppError::Conflict(format!(
            "order {} is {} and cannot become {}; allowed from {}: {}",
            order.number,
            from,
            change.to,
            from,
            list_of(from.next())
        )));
    }
    let now = Utc::now();
    let update = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(change.to))
        .col_expr(order::Column::UpdatedAt, Expr::value(now));
    let claimed = (change.also)(update, now)
        .filter(order::Column::Id.eq(order.id))
        .filter(order::Column::Status.eq(from))
        .exec(conn)
        .await?
        .rows_affected;
    if claimed == 0 {
        return Err(AppError::Conflict(format!(
            "order {} changed meanwhile; reload it and try again",
            order.number
        )));
    }
    let gives_back = matches!(
        change.to,
        OrderStatus::Cancelled | OrderStatus::RefundPending
    ) && from.before_shipping();
    let mut deal_events = Vec::new();
    if gives_back {
        let items = order_item::Entity::find()
            .filter(order_item::Column::OrderId.eq(order.id))
            .order_by_asc(order_item::Column::VariantId)
            .all(conn)
            .await?;
        // Deal rows before variant rows (the lock order of `orders::deals`).
        let buyer = owner_key(
            order.buyer_id.map(UserId::from),
            order.guest_phone.as_deref().unwrap_or(&order.phone),
        );
        let mut to_stock = Vec::with_capacity(items.len());
        for item in items {
            let back_in_deal = match item.flash_deal_id {
                Some(deal) => deals::give_back(conn, deal, &buyer, item.quantity).await?,
                None => None,
            };
            match back_in_deal {
                Some(event) => deal_events.push(event),
                None => to_stock.push(item),
            }
        }
        for item in to_stock {
            let after = return_stock(conn, item.variant_id, item.quantity, now).await?;
            record_order_movement(
                conn,
                VariantId::from(item.variant_id),
                item.quantity,
                after,
                change.stock_kind,
                change.note.clone(),
                change.by.user(),
                Some(order.id),
            )
            .await?;
        }
    }
    record_history(
        conn,
        order.id,
        Some(from),
        change.to,
        change.by.user(),
        change.note,
        now,
    )
    .await?;
    let after = find(conn, OrderId::from(order.id))
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    let event = Event::OrderStatusChanged {
        order_id: crate::ids::OrderId::from(order.id),
        cooperative_id: crate::ids::CooperativeId::from(order.cooperative_id),
        buyer_id: order.buyer_id.map(crate::ids::UserId::from),
        from: from.to_string(),
        to: change.to.to_string(),
    };
    tracing::info!(order.id = %order.id, from = from.to_string(), to = change.to.to_string(), "order status changed");
    Ok((after, event, deal_events))
}

/// Applies `change` in its own transaction and publishes it after commit.
async fn change(
    db: &Db,
    bus: &EventBus,
    order: &order::Model,
    change: Change,
) -> AppResult<order::Model> {
    let (after, event, deal_events) = db
        .write(async |txn| -> AppResult<_> { apply_change_all(&**txn, order, change).await })
        .await?;
    bus.publish(event);
    bus.publish_all(deal_events);
    Ok(after)
}

/// Loads an order for a back-office action by the viewer: signed in
/// (`UNAUTHENTICATED`), the order exists (`NOT_FOUND`), and the viewer is
/// staff of its cooperative or an admin (`FORBIDDEN`).
async fn for_staff(db: &Db, viewer: &Viewer, id: OrderId) -> AppResult<(order::Model, UserId)> {
    let user = viewer.require_user()?;
    let order = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    match require_member(
        db,
        viewer,
        CooperativeId::from(order.cooperative_id),
        MemberRole::Staff,
    )
    .await
    {
        Ok(actor) => Ok((order, actor.user)),
        // Someone who may not even read the order learns nothing of it, as
        // from `order(id)`; its buyer may, and is told why not.
        Err(AppError::Forbidden(_)) if order.buyer_id != Some(user.uuid()) => {
            Err(AppError::not_found("order"))
        }
        Err(err) => Err(err),
    }
}

/// The status a cancellation leads to: money taken must go back first.
fn cancelled_status(order: &order::Model) -> OrderStatus {
    if order.paid_at.is_some() {
        OrderStatus::RefundPending
    } else {
        OrderStatus::Cancelled
    }
}

/// Packs a paid (VietQR) or confirmed (COD) order.
pub async fn mark_packed(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    id: OrderId,
) -> AppResult<order::Model> {
    let (order, user) = for_staff(db, viewer, id).await?;
    change(
        db,
        bus,
        &order,
        Change::to(OrderStatus::Packed, ChangedBy::Staff(user), None),
    )
    .await
}

/// Hands a packed order to a carrier, with its tracking number.
pub async fn ship(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    id: OrderId,
    carrier: String,
    tracking: String,
) -> AppResult<order::Model> {
    let (order, user) = for_staff(db, viewer, id).await?;
    let note = format!("{carrier} {tracking}");
    let (after, event) = db
        .write(async |txn| -> AppResult<_> {
            let (_, event) = apply_change(
                &**txn,
                &order,
                Change::to(OrderStatus::Shipped, ChangedBy::Staff(user), Some(note)),
            )
            .await?;
            order::Entity::update_many()
                .col_expr(order::Column::Carrier, Expr::value(carrier))
                .col_expr(order::Column::TrackingNumber, Expr::value(tracking))
                .filter(order::Column::Id.eq(order.id))
                .exec(&**txn)
                .await?;
            let after = find(&**txn, id)
                .await?
                .ok_or_else(|| AppError::not_found("order"))?;
            Ok((after, event))
        })
        .await?;
    bus.publish(event);
    Ok(after)
}

/// Records that a shipped order arrived.
pub async fn mark_delivered(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    id: OrderId,
) -> AppResult<order::Model> {
    let (order, user) = for_staff(db, viewer, id).await?;
    change(
        db,
        bus,
        &order,
        Change::to(OrderStatus::Delivered, ChangedBy::Staff(user), None),
    )
    .await
}

/// Cancels an order and gives its stock back: the shopper who placed it
/// (a guest by giving the order's phone) may until it is packed, its
/// cooperative's staff until it is shipped. A paid order becomes
/// `REFUND_PENDING`.
pub async fn cancel(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    id: OrderId,
    reason: String,
    guest_phone: Option<crate::values::PhoneNumber>,
) -> AppResult<order::Model> {
    let user = viewer.user()?;
    if user.is_none() && guest_phone.is_none() {
        return Err(AppError::Unauthenticated(
            "sign in, or give the phone the order was placed with (guestPhone)".into(),
        ));
    }
    let order = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    let shopper = match (user, &guest_phone) {
        (Some(user), _) => (order.buyer_id == Some(user.uuid())
            && !is_back_office(db, &order, user).await?)
            .then_some(ChangedBy::Shopper(user)),
        (None, Some(phone)) => {
            if order.buyer_id.is_none() && order.guest_phone.as_deref() == Some(phone.as_str()) {
                Some(ChangedBy::Guest)
            } else {
                return Err(AppError::not_found("order"));
            }
        }
        (None, None) => None,
    };
    let by = match shopper {
        Some(by) => {
            let status = status_of(&order)?;
            if !matches!(
                status,
                OrderStatus::PendingPayment | OrderStatus::Paid | OrderStatus::Confirmed
            ) {
                return Err(AppError::Conflict(format!(
                    "order {} is {}: a shopper can cancel only before it is packed; ask the cooperative",
                    order.number, status
                )));
            }
            by
        }
        None => {
            let (_, staff) = for_staff(db, viewer, id).await?;
            ChangedBy::Staff(staff)
        }
    };
    let to = cancelled_status(&order);
    let reason_kept = reason.clone();
    let (after, event, deal_events) = db
        .write(async |txn| -> AppResult<_> {
            let (_, event, deal_events) =
                apply_change_all(&**txn, &order, Change::to(to, by, Some(reason))).await?;
            order::Entity::update_many()
                .col_expr(order::Column::CancelReason, Expr::value(reason_kept))
                .filter(order::Column::Id.eq(order.id))
                .exec(&**txn)
                .await?;
            let after = find(&**txn, id)
                .await?
                .ok_or_else(|| AppError::not_found("order"))?;
            Ok((after, event, deal_events))
        })
        .await?;
    bus.publish(event);
    bus.publish_all(deal_events);
    Ok(after)
}

/// Records the cash a carrier collected for a cash-on-delivery order: it
/// must be shipped or delivered and not yet paid; a shipped one becomes
/// delivered.
pub async fn confirm_cash_payment(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    id: OrderId,
) -> AppResult<order::Model> {
    let (order, user) = for_staff(db, viewer, id).await?;
    if method_of(&order)? != PaymentMethod::Cod {
        return Err(AppError::Conflict(format!(
            "order {} is paid by VietQR transfer, not cash",
            order.number
        )));
    }
    if order.paid_at.is_some() {
        return Err(AppError::Conflict(format!(
            "the cash for order {} is already recorded",
            order.number
        )));
    }
    let status = status_of(&order)?;
    let (after, event) = db
        .write(async |txn| -> AppResult<_> {
            let paid = order::Entity::update_many()
                .col_expr(order::Column::PaidAt, Expr::value(Utc::now()))
                .filter(order::Column::Id.eq(order.id))
                .filter(order::Column::PaidAt.is_null())
                .filter(order::Column::Status.is_in([
                    OrderStatus::Shipped.to_string(),
                    OrderStatus::Delivered.to_string(),
                ]))
                .exec(&**txn)
                .await?
                .rows_affected;
            if paid == 0 {
                return Err(AppError::Conflict(format!(
                    "order {} is {}: cash is recorded once it is SHIPPED or DELIVERED",
                    order.number, status
                )));
            }
            let note = Some("cash received".to_owned());
            if status == OrderStatus::Shipped {
                let (after, event) = apply_change(
                    &**txn,
                    &order,
                    Change::to(OrderStatus::Delivered, ChangedBy::Staff(user), note),
                )
                .await?;
                Ok((after, Some(event)))
            } else {
                record_history(
                    &**txn,
                    order.id,
                    Some(status),
                    status,
                    Some(user),
                    note,
                    Utc::now(),
                )
                .await?;
                let after = find(&**txn, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("order"))?;
                Ok((after, None))
            }
        })
        .await?;
    bus.publish_all(event);
    Ok(after)
}

/// Records that the money of a cancelled paid order went back.
pub async fn record_refund(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    id: OrderId,
    note: Option<String>,
) -> AppResult<order::Model> {
    let (order, user) = for_staff(db, viewer, id).await?;
    change(
        db,
        bus,
        &order,
        Change {
            also: |u, now| u.col_expr(order::Column::RefundedAt, Expr::value(now)),
            ..Change::to(OrderStatus::Refunded, ChangedBy::Staff(user), note)
        },
    )
    .await
}

/// Marks a VietQR order paid inside the caller's transaction (the payment
/// webhook's); the caller publishes the event after commit.
pub async fn mark_paid(
    conn: &impl ConnectionTrait,
    order: &order::Model,
    by: ChangedBy,
    note: String,
) -> AppResult<(order::Model, Event)> {
    apply_change(
        conn,
        order,
        Change {
            also: |u, now| {
                u.col_expr(order::Column::PaidAt, Expr::value(now))
                    .col_expr(
                        order::Column::PaymentDueAt,
                        Expr::value(None::<DateTime<Utc>>),
                    )
            },
            ..Change::to(OrderStatus::Paid, by, Some(note))
        },
    )
    .await
}

/// Flags an order for staff review (a transfer that did not fit it).
pub async fn flag_for_review(
    conn: &impl ConnectionTrait,
    order: Uuid,
    note: String,
) -> AppResult<()> {
    order::Entity::update_many()
        .col_expr(order::Column::NeedsReview, Expr::value(true))
        .col_expr(order::Column::ReviewNote, Expr::value(note))
        .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(order::Column::Id.eq(order))
        .exec(conn)
        .await?;
    Ok(())
}

/// Cancels every unpaid VietQR order whose hold ran out before `now` and
/// gives its stock back (ledger kind `RETURN`). Each order is claimed with
/// a conditional update, so with several processes sweeping at once each
/// order is cancelled, and its stock returned, exactly once. Returns the
/// events to publish.
pub async fn expire_unpaid(db: &Db, now: DateTime<Utc>) -> AppResult<Vec<Event>> {
    let mut events = Vec::new();
    loop {
        let due = order::Entity::find()
            .filter(order::Column::Status.eq(OrderStatus::PendingPayment))
            .filter(order::Column::PaymentDueAt.lt(now))
            .order_by_asc(order::Column::PaymentDueAt)
            .limit(100)
            .all(db.conn())
            .await?;
        if due.is_empty() {
            break;
        }
        let mut claimed_any = false;
        for order in &due {
            let expired = db
                .write(async |txn| -> AppResult<_> {
                    apply_change_all(
                        &**txn,
                        order,
                        Change {
                            stock_kind: "RETURN",
                            also: |u, _| {
                                u.col_expr(
                                    order::Column::CancelReason,
                                    Expr::value("payment not received in time"),
                                )
                            },
                            ..Change::to(
                                OrderStatus::Cancelled,
                                ChangedBy::System,
                                Some("payment not received in time".into()),
                            )
                        },
                    )
                    .await
                })
                .await;
            match expired {
                Ok((_, event, deal_events)) => {
                    claimed_any = true;
                    events.push(event);
                    events.extend(deal_events);
                }
                // Paid or cancelled meanwhile, or another process won.
                Err(AppError::Conflict(_)) => {}
                Err(err) => return Err(err),
            }
        }
        if !claimed_any || due.len() < 100 {
            break;
        }
    }
    Ok(events)
}

/// Every `interval`, cancels unpaid orders past their hold and publishes
/// the changes, until `shutdown`.
pub fn spawn_hold_sweeper(
    db: Db,
    bus: EventBus,
    interval: std::time::Duration,
    shutdown: tokio_util::sync::CancellationToken,
) -> tokio::task::JoinHandle<()> {
    crate::tasks::every_publishing(
        interval,
        shutdown,
        bus,
        ("unpaid orders expired", "expiring unpaid orders failed"),
        move || {
            let db = db.clone();
            async move { expire_unpaid(&db, Utc::now()).await }
        },
    )
}

/// The order whose transfer memo is `memo`, locked until the transaction
/// ends on PostgreSQL (SQLite's write gate already serialises writers), so
/// that what a payment decides from it still holds when it writes.
pub async fn lock_by_memo(
    conn: &impl ConnectionTrait,
    memo: &str,
) -> AppResult<Option<order::Model>> {
    let mut query = order::Entity::find().filter(order::Column::PaymentMemo.eq(memo));
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    Ok(query.one(conn).await?)
}
