//! Placing orders: idempotency, prices and totals, flash deals, stock.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use entity::{
    checkout, cooperative, flash_deal, livestream, order, order_item, product, product_variant,
};

use super::{Placed, record_history, shipping_fee};
use crate::auth::Viewer;
use crate::catalog::ProductStatus;
use crate::catalog::service::products::record_order_movement;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventBus};
use crate::ids::{CheckoutId, LivestreamId, OrderId, UserId, VariantId};
use crate::orders::inputs::{ItemRequest, PlaceOrder, memo_of, new_order_number};
use crate::orders::{OrderStatus, PaymentMethod, cart, deals};

pub(super) fn owner_key(user: Option<UserId>, phone: &str) -> String {
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
    /// Where the line first appeared in the request, for error fields.
    index: usize,
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

/// Reads and checks what the request refers to, grouping it by cooperative.
async fn resolve_lines(conn: &impl ConnectionTrait, req: &PlaceOrder) -> AppResult<Vec<Group>> {
    let variant_ids: Vec<Uuid> = req.items.iter().map(|i| i.variant.uuid()).collect();
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
            deals::open_deals(conn, show.uuid(), &ids, Utc::now()).await?
        }
        None => HashMap::new(),
    };

    let mut groups: Vec<Group> = Vec::new();
    for item in &req.items {
        let field = format!("input.items[{}].variantId", item.index);
        let on_sale = variants.get(&item.variant.uuid()).and_then(|v| {
            let p = products.get(&v.product_id)?;
            (v.removed_at.is_none() && p.status == ProductStatus::Active)
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
            return Err(AppError::OutOfStock {
                message: format!(
                    "not enough stock of {} ({}): {} left, {} wanted",
                    product.name,
                    variant.name,
                    variant.stock + from_deal,
                    item.quantity.get()
                ),
                variant: VariantId::from(variant.id),
                available: variant.stock + from_deal,
            });
        }
        let line = Line {
            index: item.index,
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

/// How long after its show ends an order may still name it (shoppers who
/// watched to the end check out a little later).
pub const SHOW_ORDER_GRACE: chrono::Duration = chrono::Duration::minutes(30);

/// Checks, inside the placing transaction, that the show an order names
/// exists, belongs to a cooperative the request orders from, and is live
/// (or ended at most [`SHOW_ORDER_GRACE`] ago); returns its cooperative,
/// the one whose order carries the show. Otherwise `BAD_USER_INPUT` on
/// `input.livestreamId`. No lock is needed: a show that ends after this
/// read and before the order commits had the order first, and the grace
/// covers it anyway.
async fn check_show(
    conn: &impl ConnectionTrait,
    show: LivestreamId,
    groups: &[Group],
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    const FIELD: &str = "input.livestreamId";
    let Some(found) = livestream::Entity::find_by_id(show.uuid())
        .one(conn)
        .await?
    else {
        return Err(AppError::invalid(FIELD, "is not a show"));
    };
    if !groups
        .iter()
        .any(|g| g.cooperative.id == found.cooperative_id)
    {
        return Err(AppError::invalid(
            FIELD,
            "is a show of a cooperative this order buys nothing from",
        ));
    }
    // The livestream domain's `LIVE` and `ENDED` (it sits a floor above).
    let live = match found.status {
        entity::enums::LivestreamStatus::Live => true,
        entity::enums::LivestreamStatus::Ended => found
            .ended_at
            .is_some_and(|ended| now - ended <= SHOW_ORDER_GRACE),
        _ => false,
    };
    if !live {
        return Err(AppError::invalid(
            FIELD,
            format!(
                "is not live: an order can name a show while it is live and up to {} minutes after it ends",
                SHOW_ORDER_GRACE.num_minutes()
            ),
        ));
    }
    Ok(found.cooperative_id)
}

/// Takes `quantity` units of a line's variant while it and its product
/// are on sale, in one conditional update (what was read before the
/// transaction may be stale: the rule is checked in the statement), or
/// fails with `OUT_OF_STOCK` (or `BAD_USER_INPUT` when it went off sale);
/// returns the stock left.
async fn take_stock(
    conn: &impl ConnectionTrait,
    line: &Line,
    quantity: i32,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    let (variant, product) = (&line.variant, &line.product);
    let taken = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            "UPDATE product_variants SET stock = stock - ?, updated_at = ? \
             WHERE id = ? AND stock >= ? AND removed_at IS NULL AND EXISTS \
             (SELECT 1 FROM products WHERE products.id = product_variants.product_id \
             AND products.status = ?) RETURNING stock",
            vec![
                quantity.into(),
                now.into(),
                variant.id.into(),
                quantity.into(),
                ProductStatus::Active.into(),
            ],
        ))
        .await?;
    if let Some(row) = taken {
        return Ok(row.try_get("", "stock")?);
    }
    // Why not, in one read: gone off sale, or short.
    let found = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            "SELECT product_variants.stock AS stock, \
             (product_variants.removed_at IS NULL AND products.status = ?) AS on_sale \
             FROM product_variants JOIN products ON products.id = product_variants.product_id \
             WHERE product_variants.id = ?",
            vec![ProductStatus::Active.into(), variant.id.into()],
        ))
        .await?;
    let (left, on_sale) = match found {
        Some(row) => (
            row.try_get::<i32>("", "stock")?,
            row.try_get::<bool>("", "on_sale")?,
        ),
        None => (0, false),
    };
    if !on_sale {
        return Err(AppError::invalid(
            format!("input.items[{}].variantId", line.index),
            "is not a variant on sale",
        ));
    }
    Err(AppError::OutOfStock {
        message: format!(
            "not enough stock of {} ({}): {left} left, {quantity} wanted",
            product.name, variant.name
        ),
        variant: VariantId::from(variant.id),
        available: left,
    })
}

/// Takes `quantity` units of a variant on sale if it has them, in one
/// conditional update (`stock >= quantity`) that says what it left;
/// `None` when the stock is short (nothing taken).
pub(crate) async fn take_units(
    conn: &impl ConnectionTrait,
    variant: Uuid,
    quantity: i32,
    now: DateTime<Utc>,
) -> AppResult<Option<i32>> {
    let row = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            "UPDATE product_variants SET stock = stock - ?, updated_at = ? \
             WHERE id = ? AND stock >= ? AND removed_at IS NULL RETURNING stock",
            vec![quantity.into(), now.into(), variant.into(), quantity.into()],
        ))
        .await?;
    Ok(row.map(|r| r.try_get("", "stock")).transpose()?)
}

/// Adds `quantity` units back to a variant (removed variants too: the
/// units exist); returns the stock after.
pub(crate) async fn return_stock(
    conn: &impl ConnectionTrait,
    variant: Uuid,
    quantity: i32,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    let row = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            "UPDATE product_variants SET stock = stock + ?, updated_at = ? WHERE id = ? RETURNING stock",
            vec![quantity.into(), now.into(), variant.into()],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get("", "stock"))
        .transpose()?
        .unwrap_or(0))
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
///
/// The steps run in this order, all in the caller's transaction: the
/// checkout row, the deal units (deal rows in variant order), the stock
/// (variant rows in variant order), the show, then the orders, their
/// items and history, and last the stock movements.
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
    let Some(checkout) = insert_checkout(conn, req, owner, hash, user, now).await? else {
        return Ok(None);
    };
    let (from_deal, events) = claim_deal_units(conn, groups, owner, now).await?;
    let priced = price_lines(groups, &from_deal);
    let order_ids: Vec<OrderId> = groups.iter().map(|_| OrderId::new()).collect();
    let taken = take_rest_from_stock(conn, &priced, &order_ids, now).await?;

    // After the stock: under a burst most placements fail above, and
    // they should fail without this query.
    let show_cooperative = match req.livestream {
        Some(show) => Some(check_show(conn, show, groups, now).await?),
        None => None,
    };

    let terms = Terms {
        req,
        checkout: &checkout,
        user,
        status: req.payment_method.first_status(),
        due: (req.payment_method == PaymentMethod::Vietqr)
            .then(|| now + chrono::Duration::from_std(hold).unwrap_or(chrono::Duration::MAX)),
        show_cooperative,
        now,
    };
    let mut orders = Vec::with_capacity(groups.len());
    for ((group, items), id) in groups.iter().zip(&priced).zip(&order_ids) {
        orders.push(write_order(conn, &terms, &group.cooperative, items, *id).await?);
    }
    record_taken(conn, taken, user).await?;
    Ok(Some((Placed { checkout, orders }, events)))
}

/// Inserts the checkout row, or returns `None` (having written nothing)
/// when the owner already used the idempotency key.
async fn insert_checkout(
    conn: &impl ConnectionTrait,
    req: &PlaceOrder,
    owner: &str,
    hash: &str,
    user: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<Option<checkout::Model>> {
    let checkout = checkout::Model {
        id: CheckoutId::new().uuid(),
        owner_key: owner.to_owned(),
        idempotency_key: req.idempotency_key.as_str().to_owned(),
        request_hash: hash.to_owned(),
        buyer_id: user.map(|u| u.uuid()),
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
    Ok((inserted != 0).then_some(checkout))
}

/// Claims the lines' flash-deal units for `owner`; returns the units each
/// variant got from its deal and the deal events to publish after commit.
async fn claim_deal_units(
    conn: &impl ConnectionTrait,
    groups: &[Group],
    owner: &str,
    now: DateTime<Utc>,
) -> AppResult<(HashMap<Uuid, i32>, Vec<Event>)> {
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
                deal_id: crate::ids::FlashDealId::from(deal.id),
                livestream_id: crate::ids::LivestreamId::from(deal.livestream_id),
                remaining: claimed.remaining,
            });
        }
    }
    Ok((from_deal, events))
}

/// Prices each group's lines: at the deal price for what the deal gave
/// (never above the normal price, should that have dropped meanwhile),
/// the rest at the normal price.
fn price_lines<'a>(groups: &'a [Group], from_deal: &HashMap<Uuid, i32>) -> Vec<Vec<Priced<'a>>> {
    groups
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
        .collect()
}

/// Units taken from a variant's stock for an order, to be recorded as a
/// stock movement once the order exists.
struct Taken {
    variant: Uuid,
    quantity: i32,
    left: i32,
    order: OrderId,
}

/// Takes from stock what the deals did not give, in variant order.
async fn take_rest_from_stock(
    conn: &impl ConnectionTrait,
    priced: &[Vec<Priced<'_>>],
    order_ids: &[OrderId],
    now: DateTime<Utc>,
) -> AppResult<Vec<Taken>> {
    // Stock for the rest, in variant order, so that two checkouts never
    // wait on each other's rows in opposite orders (a deadlock on
    // PostgreSQL). Before any order is written: under a burst most
    // requests fail here, and they should fail cheaply.
    let mut takes: Vec<(&Priced, OrderId)> = priced
        .iter()
        .zip(order_ids)
        .flat_map(|(items, id)| items.iter().map(move |p| (p, *id)))
        .filter(|(p, _)| p.deal.is_none())
        .collect();
    takes.sort_by_key(|(p, _)| p.line.variant.id);
    let mut taken = Vec::with_capacity(takes.len());
    for (item, order) in takes {
        let line = item.line;
        let left = take_stock(conn, line, item.quantity, now).await?;
        taken.push(Taken {
            variant: line.variant.id,
            quantity: item.quantity,
            left,
            order,
        });
    }
    Ok(taken)
}

/// What every order of one checkout shares.
struct Terms<'a> {
    req: &'a PlaceOrder,
    checkout: &'a checkout::Model,
    user: Option<UserId>,
    status: OrderStatus,
    due: Option<DateTime<Utc>>,
    /// The show's cooperative, when the request came from a show.
    show_cooperative: Option<Uuid>,
    now: DateTime<Utc>,
}

/// Writes one cooperative's order, its items and its first history row.
async fn write_order(
    conn: &impl ConnectionTrait,
    terms: &Terms<'_>,
    coop: &cooperative::Model,
    items: &[Priced<'_>],
    id: OrderId,
) -> AppResult<order::Model> {
    let mut model = order_model(terms, coop, items, id);
    insert_with_fresh_number(conn, &mut model).await?;
    let rows: Vec<order_item::ActiveModel> = items
        .iter()
        .map(|p| {
            order_item::ActiveModel::from(order_item::Model {
                id: Uuid::now_v7(),
                order_id: id.uuid(),
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
    record_history(
        conn,
        id.uuid(),
        None,
        terms.status,
        terms.user,
        None,
        terms.now,
    )
    .await?;
    Ok(model)
}

/// One cooperative's order as it is stored (number and memo still blank):
/// totals, shipping, the address and the bank details copied.
fn order_model(
    terms: &Terms<'_>,
    coop: &cooperative::Model,
    items: &[Priced<'_>],
    id: OrderId,
) -> order::Model {
    let req = terms.req;
    let subtotal: i64 = items
        .iter()
        .map(|p| p.unit_price_vnd * i64::from(p.quantity))
        .sum();
    let shipping = shipping_fee(coop, subtotal);
    order::Model {
        id: id.uuid(),
        payment_memo: String::new(),
        number: String::new(),
        checkout_id: terms.checkout.id,
        cooperative_id: coop.id,
        buyer_id: terms.user.map(|u| u.uuid()),
        guest_phone: terms.checkout.guest_phone.clone(),
        status: terms.status,
        payment_method: req.payment_method,
        subtotal_vnd: subtotal,
        shipping_fee_vnd: shipping,
        total_vnd: subtotal + shipping,
        recipient_name: req.address.recipient_name.clone(),
        phone: req.address.phone.as_str().to_owned(),
        province: req.address.province.name().to_owned(),
        ward: req.address.ward.clone(),
        street: req.address.street.clone(),
        note: req.note.clone(),
        // Only the show's own cooperative's order came from it.
        livestream_id: req
            .livestream
            .filter(|_| terms.show_cooperative == Some(coop.id))
            .map(|l| l.uuid()),
        bank_bin: coop.bank_bin.clone(),
        bank_account_number: coop.bank_account_number.clone(),
        bank_account_name: coop.bank_account_name.clone(),
        payment_due_at: terms.due,
        paid_at: None,
        refunded_at: None,
        needs_review: false,
        review_note: None,
        carrier: None,
        tracking_number: None,
        cancel_reason: None,
        placed_at: terms.now,
        updated_at: terms.now,
    }
}

/// Records a stock movement for each take, now that its order exists.
async fn record_taken(
    conn: &impl ConnectionTrait,
    taken: Vec<Taken>,
    user: Option<UserId>,
) -> AppResult<()> {
    for t in taken {
        record_order_movement(
            conn,
            VariantId::from(t.variant),
            -t.quantity,
            t.left,
            "ORDER",
            None,
            user,
            Some(t.order.uuid()),
        )
        .await?;
    }
    Ok(())
}

/// Places an order request: one order per cooperative, prices and bank
/// details copied, stock taken, all in one transaction. The same
/// idempotency key from the same shopper (or guest phone) gives back the
/// same checkout; with a different request it is a `CONFLICT`.
pub async fn place_order(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    req: &PlaceOrder,
    hold: std::time::Duration,
) -> AppResult<Placed> {
    let user = viewer.user()?;
    let owner = owner_key(user, req.address.phone.as_str());
    let hash = req.canonical_hash();
    // A retry of a request that was placed gets its checkout back, even
    // once what it asked for is sold out or off sale: refusals look first.
    let groups = match resolve_lines(db.conn(), req).await {
        Ok(groups) => groups,
        Err(refused) => {
            return match replay(db.conn(), &owner, req, &hash).await? {
                Some(done) => Ok(done),
                None => Err(refused),
            };
        }
    };
    let now = Utc::now();
    let written = db
        .write(async |txn| -> AppResult<_> {
            write_checkout(&**txn, req, &groups, &owner, &hash, user, hold, now).await
        })
        .await?;
    let Some((placed, deal_events)) = written else {
        // The key was used (a retry, or a twin that committed first).
        return replay(db.conn(), &owner, req, &hash).await?.ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("an idempotency key without its checkout"))
        });
    };
    publish_placed(bus, &placed, deal_events);
    Ok(placed)
}

fn publish_placed(bus: &EventBus, placed: &Placed, deal_events: Vec<Event>) {
    for order in &placed.orders {
        tracing::info!(
            order.id = %order.id,
            cooperative.id = %order.cooperative_id,
            total_vnd = order.total_vnd,
            "order placed"
        );
        bus.publish(Event::OrderPlaced {
            order_id: OrderId::from(order.id),
            cooperative_id: crate::ids::CooperativeId::from(order.cooperative_id),
            livestream_id: order.livestream_id.map(LivestreamId::from),
        });
    }
    bus.publish_all(deal_events);
}

/// The cart's lines claimed in `conn`'s transaction, as the request's
/// items; an empty list when the cart is empty.
async fn claimed_items(conn: &impl ConnectionTrait, cart: Uuid) -> AppResult<Vec<ItemRequest>> {
    cart::claim_lines(conn, cart)
        .await?
        .into_iter()
        .enumerate()
        .map(|(index, (variant, quantity))| {
            Ok(ItemRequest {
                index,
                variant: VariantId::from(variant),
                quantity: crate::values::Units::parse(quantity, "input.cartToken")?,
            })
        })
        .collect()
}

/// Checks out the cart `req.cart` names the way [`place_order`] places an
/// order. The cart's lines are claimed (deleted and read in one statement)
/// inside the placing transaction, so a cart is ordered once, whatever
/// runs beside it: a second checkout finds it empty (`BAD_USER_INPUT` on
/// `input.cartToken`, or the first's checkout when it has the same key),
/// and a line added meanwhile is either ordered or left in the cart. A
/// refusal (`OUT_OF_STOCK`, off sale, a bad show) rolls the claim back.
pub async fn checkout_cart(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    req: &PlaceOrder,
    hold: std::time::Duration,
) -> AppResult<Placed> {
    let Some(cart) = req.cart else {
        return Err(AppError::invalid("input.cartToken", "the cart is empty"));
    };
    let user = viewer.user()?;
    let owner = owner_key(user, req.address.phone.as_str());
    let hash = req.canonical_hash();
    let now = Utc::now();
    let attempt = db
        .write(async |txn| -> Result<_, Undone> {
            let items = claimed_items(&**txn, cart).await?;
            if items.is_empty() {
                return Err(Undone::NothingPlaced);
            }
            let req = PlaceOrder {
                items,
                ..req.clone()
            };
            let groups = resolve_lines(&**txn, &req).await?;
            write_checkout(&**txn, &req, &groups, &owner, &hash, user, hold, now)
                .await?
                .ok_or(Undone::NothingPlaced)
        })
        .await;
    match attempt {
        Ok((placed, deal_events)) => {
            publish_placed(bus, &placed, deal_events);
            Ok(placed)
        }
        // Empty, or the key was used: nothing of this attempt stayed.
        Err(Undone::NothingPlaced) => replay(db.conn(), &owner, req, &hash)
            .await?
            .ok_or_else(|| AppError::invalid("input.cartToken", "the cart is empty")),
        Err(Undone::Refused(refused)) => match replay(db.conn(), &owner, req, &hash).await? {
            Some(done) => Ok(done),
            None => Err(refused),
        },
    }
}

/// Why a cart checkout's transaction rolled back.
enum Undone {
    /// The cart was empty, or the idempotency key was used already.
    NothingPlaced,
    /// A refusal or a failure, answered unless a retry finds the checkout.
    Refused(AppError),
}

impl From<AppError> for Undone {
    fn from(err: AppError) -> Self {
        Self::Refused(err)
    }
}

impl From<sea_orm::DbErr> for Undone {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Refused(err.into())
    }
}
