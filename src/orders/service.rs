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

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, UpdateMany,
};
use uuid::Uuid;

use entity::{
    checkout, cooperative, flash_deal, order, order_event, order_item, product, product_variant,
};

use crate::auth::{PlatformRole, UserId, Viewer};
use crate::catalog::service::products::record_order_movement;
use crate::catalog::{ProductStatus, VariantId};
use crate::cooperatives::service::{require_member, role_of};
use crate::cooperatives::{CooperativeId, MemberRole};
use crate::db::{Db, WriteTxn};
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventBus};
use crate::graphql::pagination::Page;
use crate::orders::deals;
use crate::orders::inputs::{PlaceOrder, memo_of, new_order_number, normalise_order_number};
use crate::orders::{CheckoutId, LivestreamId, OrderId, OrderStatus, PaymentMethod};

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

/// Runs `work` in a write transaction: commits what it returns, rolls back
/// (before the next writer may start) on an error.
pub async fn in_write_txn<T>(
    db: &Db,
    work: impl AsyncFnOnce(&WriteTxn) -> AppResult<T>,
) -> AppResult<T> {
    let txn = db.begin_write().await?;
    match work(&txn).await {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "rolling back failed");
            }
            Err(err)
        }
    }
}

fn owner_key(user: Option<UserId>, phone: &str) -> String {
    match user {
        Some(user) => format!("user:{user}"),
        None => format!("phone:{phone}"),
    }
}

/// The checkout an earlier request with this key made, if any: the same
/// request gets it back, a different one is a `CONFLICT`.
async fn replay(
    conn: &impl ConnectionTrait,
    owner: &str,
    req: &PlaceOrder,
    hash: &str,
) -> AppResult<Option<Placed>> {
    let Some(found) = checkout::Entity::find()
        .filter(checkout::Column::OwnerKey.eq(owner))
        .filter(checkout::Column::IdempotencyKey.eq(req.idempotency_key.as_str()))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if found.request_hash != hash {
        return Err(AppError::Conflict(
            "this idempotencyKey was already used for a different order request; use a new key for a new order".into(),
        ));
    }
    let orders = order::Entity::find()
        .filter(order::Column::CheckoutId.eq(found.id))
        .order_by_asc(order::Column::Id)
        .all(conn)
        .await?;
    Ok(Some(Placed {
        checkout: found,
        orders,
    }))
}

/// The checkout an earlier request with the same key made, if any (the
/// same request gets it back, a different one is a `CONFLICT`).
pub async fn previous(db: &Db, viewer: &Viewer, req: &PlaceOrder) -> AppResult<Option<Placed>> {
    let owner = owner_key(viewer.user()?, req.address.phone.as_str());
    replay(db.conn(), &owner, req, &req.canonical_hash()).await
}

/// One line ready to be written: the request and what it refers to.
struct Line {
    variant: product_variant::Model,
    product: product::Model,
    quantity: i32,
    /// The show's open flash deal on this variant, if the order comes
    /// from a show that has one.
    deal: Option<flash_deal::Model>,
}

/// The lines of one cooperative's order.
struct Group {
    cooperative: cooperative::Model,
    lines: Vec<Line>,
}

/// Units of a line at one price: the deal's, or the normal one.
struct Priced<'a> {
    line: &'a Line,
    quantity: i32,
    unit_price_vnd: i64,
    deal: Option<Uuid>,
}

/// The shipping fee of a cooperative's order with `subtotal`.
pub fn shipping_fee(coop: &cooperative::Model, subtotal: i64) -> i64 {
    match coop.shipping_free_above_vnd {
        Some(free_above) if subtotal >= free_above => 0,
        _ => coop.shipping_flat_fee_vnd,
    }
}

/// Reads and checks what the request refers to, grouping it by cooperative.
async fn resolve_lines(db: &Db, req: &PlaceOrder) -> AppResult<Vec<Group>> {
    let conn = db.conn();
    let variant_ids: Vec<Uuid> = req.items.iter().map(|i| i.variant.0).collect();
    let variants: HashMap<Uuid, product_variant::Model> = product_variant::Entity::find()
        .filter(product_variant::Column::Id.is_in(variant_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let product_ids: Vec<Uuid> = variants.values().map(|v| v.product_id).collect();
    let products: HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(product_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let coop_ids: Vec<Uuid> = variants.values().map(|v| v.cooperative_id).collect();
    let coops: HashMap<Uuid, cooperative::Model> = cooperative::Entity::find()
        .filter(cooperative::Column::Id.is_in(coop_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut open_deals = match req.livestream {
        Some(show) => {
            let ids: Vec<Uuid> = variants.keys().copied().collect();
            deals::open_deals(conn, show.0, &ids, Utc::now()).await?
        }
        None => HashMap::new(),
    };

    let mut groups: Vec<Group> = Vec::new();
    for item in &req.items {
        let field = format!("input.items[{}].variantId", item.index);
        let on_sale = variants.get(&item.variant.0).and_then(|v| {
            let p = products.get(&v.product_id)?;
            (v.removed_at.is_none() && p.status == ProductStatus::Active.as_str())
                .then(|| (v.clone(), p.clone()))
        });
        let Some((variant, product)) = on_sale else {
            return Err(AppError::invalid(field, "is not a variant on sale"));
        };
        let coop = coops
            .get(&variant.cooperative_id)
            .ok_or_else(|| AppError::invalid(&field, "is not a variant on sale"))?;
        if req.payment_method == PaymentMethod::Vietqr
            && (coop.bank_bin.is_none() || coop.bank_account_number.is_none())
        {
            return Err(AppError::invalid(
                "input.paymentMethod",
                format!(
                    "{} has no bank account for VietQR yet; choose COD",
                    coop.name
                ),
            ));
        }
        // Refused before queueing for the write transaction: stock (and
        // the most a deal could give this buyer) seen short now is short (a
        // committed read), and under a burst most callers are the ones
        // refused. The conditional updates decide the rest.
        let deal = open_deals.remove(&variant.id);
        let from_deal = deal
            .as_ref()
            .map_or(0, |d| std::cmp::min(d.remaining, d.per_buyer_limit));
        if variant.stock + from_deal < item.quantity.get() {
            return Err(AppError::OutOfStock(format!(
                "not enough stock of {} ({}): {} left, {} wanted",
                product.name,
                variant.name,
                variant.stock + from_deal,
                item.quantity.get()
            )));
        }
        let line = Line {
            quantity: item.quantity.get(),
            variant,
            product,
            deal,
        };
        match groups.iter_mut().find(|g| g.cooperative.id == coop.id) {
            Some(group) => group.lines.push(line),
            None => groups.push(Group {
                cooperative: coop.clone(),
                lines: vec![line],
            }),
        }
    }
    Ok(groups)
}

/// Takes `quantity` units of `variant`, or fails with `OUT_OF_STOCK`;
/// returns the stock left. One conditional update that says what it left.
async fn take_stock(
    conn: &impl ConnectionTrait,
    variant: &product_variant::Model,
    product: &product::Model,
    quantity: i32,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    let taken = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            "UPDATE product_variants SET stock = stock - ?, updated_at = ? \
             WHERE id = ? AND stock >= ? AND removed_at IS NULL RETURNING stock",
            vec![
                quantity.into(),
                now.into(),
                variant.id.into(),
                quantity.into(),
            ],
        ))
        .await?;
    if let Some(row) = taken {
        return Ok(row.try_get("", "stock")?);
    }
    let left = product_variant::Entity::find_by_id(variant.id)
        .select_only()
        .column(product_variant::Column::Stock)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .unwrap_or(0);
    Err(AppError::OutOfStock(format!(
        "not enough stock of {} ({}): {left} left, {quantity} wanted",
        product.name, variant.name
    )))
}

/// Adds `quantity` units back to a variant (removed variants too: the
/// units exist); returns the stock after.
pub(crate) async fn return_stock(
    conn: &impl ConnectionTrait,
    variant: Uuid,
    quantity: i32,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    product_variant::Entity::update_many()
        .col_expr(
            product_variant::Column::Stock,
            Expr::col(product_variant::Column::Stock).add(quantity),
        )
        .col_expr(product_variant::Column::UpdatedAt, Expr::value(now))
        .filter(product_variant::Column::Id.eq(variant))
        .exec(conn)
        .await?;
    Ok(product_variant::Entity::find_by_id(variant)
        .select_only()
        .column(product_variant::Column::Stock)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .unwrap_or(0))
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
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        actor_id: Set(actor.map(|a| a.0)),
        note: Set(note),
        created_at: Set(at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Inserts `order` under a new random number (and memo), drawing again
/// should the number be taken: one statement in the usual case.
async fn insert_with_fresh_number(
    conn: &impl ConnectionTrait,
    order: &mut order::Model,
) -> AppResult<()> {
    for _ in 0..8 {
        order.number = new_order_number();
        order.payment_memo = memo_of(&order.number);
        let inserted = order::Entity::insert(order::ActiveModel::from(order.clone()))
            .on_conflict(
                OnConflict::column(order::Column::Number)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
        if inserted == 1 {
            return Ok(());
        }
    }
    Err(AppError::internal(anyhow::anyhow!(
        "no free order number after 8 tries"
    )))
}

/// Writes the checkout and its orders and takes their units — from the
/// show's flash deals first, then from stock; the caller commits. Returns
/// the checkout and the deal events to publish after commit, or `None`
/// (having written nothing) when the idempotency key is already used.
#[expect(clippy::too_many_arguments, reason = "the parts of one placement")]
async fn write_checkout(
    conn: &impl ConnectionTrait,
    req: &PlaceOrder,
    groups: &[Group],
    owner: &str,
    hash: &str,
    user: Option<UserId>,
    hold: std::time::Duration,
    now: DateTime<Utc>,
) -> AppResult<Option<(Placed, Vec<Event>)>> {
    let checkout = checkout::Model {
        id: CheckoutId::new().0,
        owner_key: owner.to_owned(),
        idempotency_key: req.idempotency_key.as_str().to_owned(),
        request_hash: hash.to_owned(),
        buyer_id: user.map(|u| u.0),
        guest_phone: user
            .is_none()
            .then(|| req.address.phone.as_str().to_owned()),
        created_at: now,
    };
    // First, so that a concurrent twin with the same key waits on the
    // unique index and then writes nothing, rather than taking stock too.
    let inserted = checkout::Entity::insert(checkout::ActiveModel::from(checkout.clone()))
        .on_conflict(
            OnConflict::columns([checkout::Column::OwnerKey, checkout::Column::IdempotencyKey])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }

    // Deal units first, deal rows in variant order, before any variant row
    // (the lock order of `orders::deals`). The buyer is the account, or
    // the guest's phone: the same owner the idempotency key belongs to.
    let mut with_deal: Vec<&Line> = groups
        .iter()
        .flat_map(|g| &g.lines)
        .filter(|l| l.deal.is_some())
        .collect();
    with_deal.sort_by_key(|l| l.variant.id);
    let mut from_deal: HashMap<Uuid, i32> = HashMap::new();
    let mut events = Vec::new();
    for line in with_deal {
        let Some(deal) = &line.deal else { continue };
        let claimed = deals::claim(conn, deal, owner, line.quantity, now).await?;
        if claimed.taken > 0 {
            from_deal.insert(line.variant.id, claimed.taken);
            events.push(Event::FlashDealUpdated {
                deal_id: deal.id,
                livestream_id: deal.livestream_id,
                remaining: claimed.remaining,
            });
        }
    }

    // Each line at the deal price for what the deal gave (never above the
    // normal price, should that have dropped meanwhile), the rest at the
    // normal price.
    let priced: Vec<Vec<Priced>> = groups
        .iter()
        .map(|group| {
            let mut items = Vec::with_capacity(group.lines.len());
            for line in &group.lines {
                let deal_units = from_deal.get(&line.variant.id).copied().unwrap_or(0);
                if let (Some(deal), true) = (&line.deal, deal_units > 0) {
                    items.push(Priced {
                        line,
                        quantity: deal_units,
                        unit_price_vnd: std::cmp::min(deal.price_vnd, line.variant.price_vnd),
                        deal: Some(deal.id),
                    });
                }
                if line.quantity > deal_units {
                    items.push(Priced {
                        line,
                        quantity: line.quantity - deal_units,
                        unit_price_vnd: line.variant.price_vnd,
                        deal: None,
                    });
                }
            }
            items
        })
        .collect();
    let order_ids: Vec<OrderId> = groups.iter().map(|_| OrderId::new()).collect();

    // Stock for the rest, in variant order, so that two checkouts never
    // wait on each other's rows in opposite orders (a deadlock on
    // PostgreSQL). Before any order is written: under a burst most
    // requests fail here, and they should fail cheaply.
    let mut takes: Vec<(&Priced, OrderId)> = priced
        .iter()
        .zip(&order_ids)
        .flat_map(|(items, id)| items.iter().map(move |p| (p, *id)))
        .filter(|(p, _)| p.deal.is_none())
        .collect();
    takes.sort_by_key(|(p, _)| p.line.variant.id);
    let mut taken = Vec::with_capacity(takes.len());
    for (item, order_id) in takes {
        let line = item.line;
        let left = take_stock(conn, &line.variant, &line.product, item.quantity, now).await?;
        taken.push((line.variant.id, item.quantity, left, order_id));
    }

    let mut orders = Vec::with_capacity(groups.len());
    let status = req.payment_method.first_status();
    let due = (req.payment_method == PaymentMethod::Vietqr)
        .then(|| now + chrono::Duration::from_std(hold).unwrap_or(chrono::Duration::MAX));
    for ((group, items), id) in groups.iter().zip(&priced).zip(&order_ids) {
        let coop = &group.cooperative;
        let subtotal: i64 = items
            .iter()
            .map(|p| p.unit_price_vnd * i64::from(p.quantity))
            .sum();
        let shipping = shipping_fee(coop, subtotal);
        let mut model = order::Model {
            id: id.0,
            payment_memo: String::new(),
            number: String::new(),
            checkout_id: checkout.id,
            cooperative_id: coop.id,
            buyer_id: user.map(|u| u.0),
            guest_phone: checkout.guest_phone.clone(),
            status: status.as_str().to_owned(),
            payment_method: req.payment_method.as_str().to_owned(),
            subtotal_vnd: subtotal,
            shipping_fee_vnd: shipping,
            total_vnd: subtotal + shipping,
            recipient_name: req.address.recipient_name.clone(),
            phone: req.address.phone.as_str().to_owned(),
            province: req.address.province.name().to_owned(),
            ward: req.address.ward.clone(),
            street: req.address.street.clone(),
            note: req.note.clone(),
            livestream_id: req.livestream.map(|l| l.0),
            bank_bin: coop.bank_bin.clone(),
            bank_account_number: coop.bank_account_number.clone(),
            bank_account_name: coop.bank_account_name.clone(),
            payment_due_at: due,
            paid_at: None,
            refunded_at: None,
            needs_review: false,
            review_note: None,
            carrier: None,
            tracking_number: None,
            cancel_reason: None,
            placed_at: now,
            updated_at: now,
        };
        insert_with_fresh_number(conn, &mut model).await?;
        let rows: Vec<order_item::ActiveModel> = items
            .iter()
            .map(|p| {
                order_item::ActiveModel::from(order_item::Model {
                    id: Uuid::now_v7(),
                    order_id: id.0,
                    variant_id: p.line.variant.id,
                    product_id: p.line.product.id,
                    product_name: p.line.product.name.clone(),
                    variant_name: p.line.variant.name.clone(),
                    unit_price_vnd: p.unit_price_vnd,
                    quantity: p.quantity,
                    line_total_vnd: p.unit_price_vnd * i64::from(p.quantity),
                    flash_deal_id: p.deal,
                })
            })
            .collect();
        order_item::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
        record_history(conn, id.0, None, status, user, None, now).await?;
        orders.push(model);
    }
    for (variant, quantity, left, order_id) in taken {
        record_order_movement(
            conn,
            VariantId(variant),
            -quantity,
            left,
            "ORDER",
            None,
            user,
            Some(order_id.0),
        )
        .await?;
    }
    Ok(Some((Placed { checkout, orders }, events)))
}

/// Places an order request: one order per cooperative, prices and bank
/// details copied, stock taken, all in one transaction. The same
/// idempotency key from the same shopper (or guest phone) gives back the
/// same checkout; with a different request it is a `CONFLICT`. `clear`
/// names a cart emptied in the same transaction.
pub async fn place_order(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    req: &PlaceOrder,
    hold: std::time::Duration,
    clear: Option<Uuid>,
) -> AppResult<Placed> {
    let user = viewer.user()?;
    let owner = owner_key(user, req.address.phone.as_str());
    let hash = req.canonical_hash();
    // A retry of a request that was placed gets its checkout back, even
    // once what it asked for is sold out or off sale: refusals look first.
    let groups = match resolve_lines(db, req).await {
        Ok(groups) => groups,
        Err(refused) => {
            return match replay(db.conn(), &owner, req, &hash).await? {
                Some(done) => Ok(done),
                None => Err(refused),
            };
        }
    };
    let now = Utc::now();
    let written = in_write_txn(db, async |txn| {
        let Some(placed) =
            write_checkout(&**txn, req, &groups, &owner, &hash, user, hold, now).await?
        else {
            return Ok(None);
        };
        if let Some(cart) = clear {
            crate::orders::cart::clear(&**txn, cart).await?;
        }
        Ok(Some(placed))
    })
    .await?;
    let Some((placed, deal_events)) = written else {
        // The key was used (a retry, or a twin that committed first).
        return replay(db.conn(), &owner, req, &hash).await?.ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("an idempotency key without its checkout"))
        });
    };
    for order in &placed.orders {
        tracing::info!(
            order.id = %order.id,
            cooperative.id = %order.cooperative_id,
            total_vnd = order.total_vnd,
            "order placed"
        );
        bus.publish(Event::OrderPlaced {
            order_id: order.id,
            cooperative_id: order.cooperative_id,
            livestream_id: order.livestream_id,
        });
    }
    bus.publish_all(deal_events);
    Ok(placed)
}

/// The order with this id.
pub async fn find(conn: &impl ConnectionTrait, id: OrderId) -> AppResult<Option<order::Model>> {
    Ok(order::Entity::find_by_id(id.0).one(conn).await?)
}

fn status_of(order: &order::Model) -> AppResult<OrderStatus> {
    OrderStatus::from_db(&order.status).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "order {} has status {}",
            order.id,
            order.status
        ))
    })
}

fn method_of(order: &order::Model) -> AppResult<PaymentMethod> {
    PaymentMethod::from_db(&order.payment_method).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "order {} has payment method {}",
            order.id,
            order.payment_method
        ))
    })
}

/// True when `user` is a member of the order's cooperative or an admin.
async fn is_back_office(db: &Db, order: &order::Model, user: UserId) -> AppResult<bool> {
    Ok(
        role_of(db.conn(), CooperativeId(order.cooperative_id), user)
            .await?
            .is_some()
            || crate::auth::service::has_role(db, user, PlatformRole::Admin).await?,
    )
}

/// An order as a signed-in viewer may see it: their own, or one of a
/// cooperative they work for; anything else is `NOT_FOUND`.
pub async fn for_viewer(db: &Db, viewer: &Viewer, id: OrderId) -> AppResult<order::Model> {
    let user = viewer.require_user()?;
    let order = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    if order.buyer_id == Some(user.0) || is_back_office(db, &order, user).await? {
        Ok(order)
    } else {
        Err(AppError::not_found("order"))
    }
}

/// A guest's order, by its number and the phone it was placed with;
/// a wrong pair is `NOT_FOUND`, whichever half is wrong.
pub async fn by_number(db: &Db, number: &str, phone: &str) -> AppResult<order::Model> {
    let not_found = || AppError::not_found("order");
    let number = normalise_order_number(number).ok_or_else(not_found)?;
    let phone = crate::auth::inputs::PhoneNumber::parse(phone, "phone")?;
    let order = order::Entity::find()
        .filter(order::Column::Number.eq(number))
        .one(db.conn())
        .await?
        .ok_or_else(not_found)?;
    if order.phone == phone.as_str() || order.guest_phone.as_deref() == Some(phone.as_str()) {
        Ok(order)
    } else {
        Err(not_found())
    }
}

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
            .map(|s| s.as_str())
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
            from.as_str(),
            change.to.as_str(),
            from.as_str(),
            list_of(from.next())
        )));
    }
    let now = Utc::now();
    let update = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(change.to.as_str()))
        .col_expr(order::Column::UpdatedAt, Expr::value(now));
    let claimed = (change.also)(update, now)
        .filter(order::Column::Id.eq(order.id))
        .filter(order::Column::Status.eq(from.as_str()))
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
            order.buyer_id.map(UserId),
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
                VariantId(item.variant_id),
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
    let after = find(conn, OrderId(order.id))
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    let event = Event::OrderStatusChanged {
        order_id: order.id,
        cooperative_id: order.cooperative_id,
        from: from.as_str().to_owned(),
        to: change.to.as_str().to_owned(),
    };
    tracing::info!(order.id = %order.id, from = from.as_str(), to = change.to.as_str(), "order status changed");
    Ok((after, event, deal_events))
}

/// Applies `change` in its own transaction and publishes it after commit.
async fn change(
    db: &Db,
    bus: &EventBus,
    order: &order::Model,
    change: Change,
) -> AppResult<order::Model> {
    let (after, event, deal_events) = in_write_txn(db, async |txn| {
        apply_change_all(&**txn, order, change).await
    })
    .await?;
    bus.publish(event);
    bus.publish_all(deal_events);
    Ok(after)
}

/// Loads an order for a back-office action by the viewer: signed in
/// (`UNAUTHENTICATED`), the order exists (`NOT_FOUND`), and the viewer is
/// staff of its cooperative or an admin (`FORBIDDEN`).
async fn for_staff(db: &Db, viewer: &Viewer, id: OrderId) -> AppResult<(order::Model, UserId)> {
    viewer.require_user()?;
    let order = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    let actor = require_member(
        db,
        viewer,
        CooperativeId(order.cooperative_id),
        MemberRole::Staff,
    )
    .await?;
    Ok((order, actor.user))
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
    let (after, event) = in_write_txn(db, async |txn| {
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
    guest_phone: Option<crate::auth::inputs::PhoneNumber>,
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
        (Some(user), _) => (order.buyer_id == Some(user.0)
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
                    order.number,
                    status.as_str()
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
    let (after, event, deal_events) = in_write_txn(db, async |txn| {
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
    let (after, event) = in_write_txn(db, async |txn| {
        let paid = order::Entity::update_many()
            .col_expr(order::Column::PaidAt, Expr::value(Utc::now()))
            .filter(order::Column::Id.eq(order.id))
            .filter(order::Column::PaidAt.is_null())
            .filter(order::Column::Status.is_in([
                OrderStatus::Shipped.as_str(),
                OrderStatus::Delivered.as_str(),
            ]))
            .exec(&**txn)
            .await?
            .rows_affected;
        if paid == 0 {
            return Err(AppError::Conflict(format!(
                "order {} is {}: cash is recorded once it is SHIPPED or DELIVERED",
                order.number,
                status.as_str()
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

/// The order whose transfer memo is `memo` (e.g. `FS7K3M9Q`).
pub async fn find_by_memo(
    conn: &impl ConnectionTrait,
    memo: &str,
) -> AppResult<Option<order::Model>> {
    Ok(order::Entity::find()
        .filter(order::Column::PaymentMemo.eq(memo))
        .one(conn)
        .await?)
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
            .filter(order::Column::Status.eq(OrderStatus::PendingPayment.as_str()))
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
            let expired = in_write_txn(db, async |txn| {
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
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            match expire_unpaid(&db, Utc::now()).await {
                Ok(events) => {
                    if !events.is_empty() {
                        tracing::info!(count = events.len(), "unpaid orders expired");
                    }
                    bus.publish_all(events);
                }
                Err(err) => tracing::warn!(error = %err, "expiring unpaid orders failed"),
            }
        }
    })
}

/// What the back office filters a cooperative's orders by.
#[derive(Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub livestream: Option<LivestreamId>,
    pub placed_from: Option<DateTime<Utc>>,
    pub placed_to: Option<DateTime<Utc>>,
}

type OrderPage = (Vec<order::Model>, bool, u64);

async fn page_of(
    db: &Db,
    mut query: sea_orm::Select<order::Entity>,
    page: &Page<Uuid>,
) -> AppResult<OrderPage> {
    let total = query.clone().count(db.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(order::Column::Id.lt(after));
    }
    let mut rows = query
        .order_by_desc(order::Column::Id)
        .limit(page.first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok((rows, has_next, total))
}

/// A page of a cooperative's orders, newest first; its staff only.
pub async fn cooperative_orders(
    db: &Db,
    viewer: &Viewer,
    coop: CooperativeId,
    filter: &OrderFilter,
    page: &Page<Uuid>,
) -> AppResult<OrderPage> {
    require_member(db, viewer, coop, MemberRole::Staff).await?;
    let mut query = order::Entity::find().filter(order::Column::CooperativeId.eq(coop.0));
    if let Some(status) = filter.status {
        query = query.filter(order::Column::Status.eq(status.as_str()));
    }
    if let Some(stream) = filter.livestream {
        query = query.filter(order::Column::LivestreamId.eq(stream.0));
    }
    if let Some(from) = filter.placed_from {
        query = query.filter(order::Column::PlacedAt.gte(from));
    }
    if let Some(to) = filter.placed_to {
        query = query.filter(order::Column::PlacedAt.lt(to));
    }
    page_of(db, query, page).await
}

/// A page of the signed-in shopper's orders, newest first.
pub async fn my_orders(db: &Db, viewer: &Viewer, page: &Page<Uuid>) -> AppResult<OrderPage> {
    let user = viewer.require_user()?;
    page_of(
        db,
        order::Entity::find().filter(order::Column::BuyerId.eq(user.0)),
        page,
    )
    .await
}

/// The most a flat shipping fee or free-shipping threshold may be.
pub const MAX_SHIPPING_VND: i64 = 100_000_000;

/// Sets a cooperative's shipping policy: a flat fee per order, waived at or
/// above `free_above`; managers and owners only.
pub async fn set_shipping_policy(
    db: &Db,
    viewer: &Viewer,
    coop: CooperativeId,
    flat_fee: i64,
    free_above: Option<i64>,
) -> AppResult<cooperative::Model> {
    require_member(db, viewer, coop, MemberRole::Manager).await?;
    if !(0..=MAX_SHIPPING_VND).contains(&flat_fee) {
        return Err(AppError::invalid(
            "flatFeeVnd",
            "must be between 0 and 100,000,000 đồng",
        ));
    }
    if free_above.is_some_and(|f| !(1..=MAX_SHIPPING_VND).contains(&f)) {
        return Err(AppError::invalid(
            "freeAboveVnd",
            "must be between 1 and 100,000,000 đồng (or null: never free)",
        ));
    }
    in_write_txn(db, async |txn| {
        cooperative::Entity::update_many()
            .col_expr(
                cooperative::Column::ShippingFlatFeeVnd,
                Expr::value(flat_fee),
            )
            .col_expr(
                cooperative::Column::ShippingFreeAboveVnd,
                Expr::value(free_above),
            )
            .col_expr(cooperative::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(cooperative::Column::Id.eq(coop.0))
            .exec(&**txn)
            .await?;
        Ok(())
    })
    .await?;
    crate::cooperatives::service::find(db, coop)
        .await?
        .ok_or_else(|| AppError::not_found("cooperative"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coop(flat: i64, free_above: Option<i64>) -> cooperative::Model {
        let now = Utc::now();
        cooperative::Model {
            id: Uuid::nil(),
            name: "HTX".into(),
            slug: "htx".into(),
            province: "Sơn La".into(),
            ward: "Xã".into(),
            street: None,
            area: None,
            description: String::new(),
            phone: None,
            email: None,
            bank_bin: None,
            bank_account_number: None,
            bank_account_name: None,
            logo_asset_id: None,
            cover_asset_id: None,
            verified_at: None,
            verified_by: None,
            search_text: String::new(),
            shipping_flat_fee_vnd: flat,
            shipping_free_above_vnd: free_above,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn shipping_is_flat_until_the_free_threshold() {
        assert_eq!(shipping_fee(&coop(30_000, None), 10_000_000), 30_000);
        assert_eq!(shipping_fee(&coop(30_000, Some(500_000)), 499_999), 30_000);
        assert_eq!(shipping_fee(&coop(30_000, Some(500_000)), 500_000), 0);
        assert_eq!(shipping_fee(&coop(0, None), 1), 0);
    }
}
