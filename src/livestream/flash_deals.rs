//! Flash deals: a live-only price on one variant of a show's lineup, with
//! units taken from stock and held for the show, a per-buyer limit and an
//! end time. Staff of the show's cooperative (or an admin) open and close
//! them; the timer (a sweeper, safe with several processes) and the end of
//! the show close them too. Whichever comes first closes a deal, exactly
//! once, and gives back to stock what it still holds.
//!
//! How the units move — held, claimed by orders, given back — lives with
//! the rest of the stock code in [`crate::orders::deals`]; this module
//! holds the rules. Why a deal is split this way (every path a unit of
//! stock can take stays in one module, with one lock order) is written at
//! the top of [`crate::orders::deals`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use entity::{flash_deal, livestream, livestream_product, product, product_variant};

use crate::auth::Viewer;
use crate::catalog::ProductStatus;
use crate::db::{Db, WriteTxn};
use crate::error::{AppError, AppResult, constraint_violation};
use crate::events::{Event, EventBus};
use crate::ids::{FlashDealId, LivestreamId, UserId, VariantId};
use crate::livestream::service::for_write;
use crate::livestream::{FlashDealCloseReason, LivestreamStatus};
use crate::orders::deals;
use crate::values::Vnd;

/// The most units one deal may hold.
pub const MAX_DEAL_QUANTITY: i32 = 100_000;
/// The most units a per-buyer limit may be (the most of one variant in an order).
pub const MAX_PER_BUYER_LIMIT: i32 = crate::values::MAX_UNITS;
/// The longest a deal may run: a day.
pub const MAX_DURATION_SECS: i32 = 86_400;
/// The longest the sweeper sleeps between looks, when it knows of no deal
/// ending sooner (deals opened by another process wake it no later).
pub const SWEEP_BACKSTOP: std::time::Duration = std::time::Duration::from_secs(5);

/// The terms of a new deal, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DealTerms {
    pub price: Vnd,
    pub quantity: i32,
    pub per_buyer_limit: i32,
    pub duration: chrono::Duration,
}

impl DealTerms {
    /// Parses the numbers of `openFlashDeal`, naming the field at fault
    /// (`input.priceVnd`, `input.quantity`, `input.perBuyerLimit`,
    /// `input.durationSeconds`).
    pub fn parse(
        price_vnd: i64,
        quantity: i32,
        per_buyer_limit: i32,
        duration_seconds: i32,
    ) -> AppResult<Self> {
        let price = Vnd::parse(price_vnd, "input.priceVnd")?;
        if !(1..=MAX_DEAL_QUANTITY).contains(&quantity) {
            return Err(AppError::invalid(
                "input.quantity",
                format!("must be between 1 and {MAX_DEAL_QUANTITY} units"),
            ));
        }
        if !(1..=MAX_PER_BUYER_LIMIT).contains(&per_buyer_limit) {
            return Err(AppError::invalid(
                "input.perBuyerLimit",
                format!("must be between 1 and {MAX_PER_BUYER_LIMIT} units per buyer"),
            ));
        }
        if !(1..=MAX_DURATION_SECS).contains(&duration_seconds) {
            return Err(AppError::invalid(
                "input.durationSeconds",
                format!("must be between 1 and {MAX_DURATION_SECS} seconds (a day)"),
            ));
        }
        Ok(Self {
            price,
            quantity,
            per_buyer_limit,
            duration: chrono::Duration::seconds(i64::from(duration_seconds)),
        })
    }
}

/// A deal to open, parsed.
pub struct NewFlashDeal {
    pub livestream: LivestreamId,
    pub variant: VariantId,
    pub terms: DealTerms,
}

/// The deal with this id.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: FlashDealId,
) -> AppResult<Option<flash_deal::Model>> {
    Ok(flash_deal::Entity::find_by_id(id.uuid()).one(conn).await?)
}

/// Whether shoppers can buy at the deal's price at `now`.
pub fn is_open(deal: &flash_deal::Model, now: DateTime<Utc>) -> bool {
    deal.closed_at.is_none() && deal.ends_at > now
}

fn opened_event(deal: &flash_deal::Model) -> Event {
    Event::FlashDealOpened {
        deal_id: FlashDealId::from(deal.id),
        livestream_id: LivestreamId::from(deal.livestream_id),
        variant_id: crate::ids::VariantId::from(deal.variant_id),
        price_vnd: deal.price_vnd,
        remaining: deal.remaining,
        ends_at: deal.ends_at,
    }
}

/// Opens a deal in a live show, taking its units from the variant's stock;
/// staff of the show's cooperative or an admin. Returns the deal and the
/// events to publish (a stale deal on the same variant that had run out of
/// time is closed first).
///
/// The checks before the transaction give a friendly answer; the ones that
/// keep the rules (the show is live, the product in its lineup, the stock
/// enough, one open deal per variant) are made again inside it, in
/// [`open_in_show`].
pub async fn open(
    db: &Db,
    viewer: &Viewer,
    new: NewFlashDeal,
) -> AppResult<(flash_deal::Model, Vec<Event>)> {
    let user = viewer.require_user()?;
    let show = for_write(db, viewer, new.livestream).await?;
    if show.status != LivestreamStatus::Live {
        return Err(AppError::Conflict(format!(
            "flash deals can be opened only while the livestream is LIVE; this one is {}",
            show.status
        )));
    }
    let (variant, product) = offered(db, &show, new.variant, new.terms).await?;
    let now = Utc::now();
    // A deal on this variant whose time ran out but that the sweeper has
    // not closed yet makes way for the new one, its units back in stock.
    let stale = flash_deal::Entity::find()
        .filter(flash_deal::Column::LivestreamId.eq(show.id))
        .filter(flash_deal::Column::VariantId.eq(variant.id))
        .filter(flash_deal::Column::ClosedAt.is_null())
        .filter(flash_deal::Column::EndsAt.lte(now))
        .all(db.conn())
        .await?;
    let available = variant.stock + stale.iter().map(|d| d.remaining).sum::<i32>();
    let short = || {
        AppError::invalid(
            "input.quantity",
            format!(
                "is more than the {available} units of {} ({}) in stock",
                product.name, variant.name
            ),
        )
    };
    if new.terms.quantity > available {
        return Err(short());
    }
    let stale: Vec<Uuid> = stale.iter().map(|d| d.id).collect();
    let deal = new_deal(&show, &product, &variant, new.terms, user, now);
    let mut events = db
        .write(async |txn| -> AppResult<_> {
            let closed = open_in_show(txn, &deal, &stale, now).await?;
            deals::hold(&**txn, &deal, Some(user), now)
                .await?
                .ok_or_else(short)?;
            Ok(closed.iter().map(deals::closed_event).collect::<Vec<_>>())
        })
        .await?;
    tracing::info!(
        flash_deal.id = %deal.id,
        livestream.id = %show.id,
        quantity = deal.quantity,
        price_vnd = deal.price_vnd,
        "flash deal opened"
    );
    events.push(opened_event(&deal));
    Ok((deal, events))
}

/// The variant offered and its product, when the show's cooperative sells
/// it, the product is active and the deal's price is below the normal one;
/// otherwise `BAD_USER_INPUT` naming the field.
async fn offered(
    db: &Db,
    show: &livestream::Model,
    variant: VariantId,
    terms: DealTerms,
) -> AppResult<(product_variant::Model, product::Model)> {
    let field = "input.variantId";
    let variant = product_variant::Entity::find_by_id(variant.uuid())
        .one(db.conn())
        .await?
        .filter(|v| v.cooperative_id == show.cooperative_id && v.removed_at.is_none())
        .ok_or_else(|| AppError::invalid(field, "is not a variant of this cooperative on sale"))?;
    let product = product::Entity::find_by_id(variant.product_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::invalid(field, "is not a variant of this cooperative on sale"))?;
    if product.status != ProductStatus::Active {
        return Err(AppError::invalid(
            field,
            "belongs to a product that is not active: shoppers could not buy it",
        ));
    }
    if terms.price.get() >= variant.price_vnd {
        return Err(AppError::invalid(
            "input.priceVnd",
            format!(
                "must be below the normal price of {} đồng",
                variant.price_vnd
            ),
        ));
    }
    Ok((variant, product))
}

/// The row of a deal opened by `user` at `now`.
fn new_deal(
    show: &livestream::Model,
    product: &product::Model,
    variant: &product_variant::Model,
    terms: DealTerms,
    user: UserId,
    now: DateTime<Utc>,
) -> flash_deal::Model {
    flash_deal::Model {
        id: FlashDealId::new().uuid(),
        livestream_id: show.id,
        cooperative_id: show.cooperative_id,
        product_id: product.id,
        variant_id: variant.id,
        price_vnd: terms.price.get(),
        normal_price_vnd: variant.price_vnd,
        quantity: terms.quantity,
        remaining: terms.quantity,
        per_buyer_limit: terms.per_buyer_limit,
        opened_at: now,
        ends_at: now + terms.duration,
        closed_at: None,
        close_reason: None,
        returned_quantity: None,
        opened_by: Some(user.uuid()),
        closed_by: None,
    }
}

/// In the deal's transaction, before its units move: re-checks that the
/// show is live and the product in its lineup (under the show's lock),
/// closes the `stale` deals still open, and stores `deal` (one open deal
/// per variant and show). Returns the deals it closed.
async fn open_in_show(
    txn: &WriteTxn,
    deal: &flash_deal::Model,
    stale: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Vec<flash_deal::Model>> {
    // The show must still be live when this commits: touching its row
    // puts this transaction wholly before or after an endLivestream,
    // whose transaction closes the show's open deals.
    let live = livestream::Entity::update_many()
        .col_expr(livestream::Column::UpdatedAt, Expr::value(now))
        .filter(livestream::Column::Id.eq(deal.livestream_id))
        .filter(livestream::Column::Status.eq(LivestreamStatus::Live))
        .exec(&**txn)
        .await?
        .rows_affected;
    if live == 0 {
        return Err(AppError::Conflict(
            "the livestream is no longer live".into(),
        ));
    }
    // Read under that lock: a removeLineupProduct, which takes the same
    // lock and closes the product's deals, is wholly before or after.
    let in_lineup = livestream_product::Entity::find_by_id((deal.livestream_id, deal.product_id))
        .one(&**txn)
        .await?
        .is_some();
    if !in_lineup {
        return Err(AppError::invalid(
            "input.variantId",
            "belongs to a product that is not in the show's lineup: add it first",
        ));
    }
    // Closes only what is still open: the sweeper may have come meanwhile.
    let closed = deals::close(&**txn, stale, FlashDealCloseReason::Expired, None, now).await?;
    flash_deal::Entity::insert(flash_deal::ActiveModel::from(deal.clone()))
        .exec_without_returning(&**txn)
        .await
        .map_err(|err| {
            if constraint_violation(&err).is_some_and(|v| v.is_on("variantId")) {
                AppError::Conflict(
                    "a flash deal on this variant is already open in this show; close it first"
                        .into(),
                )
            } else {
                err.into()
            }
        })?;
    Ok(closed)
}

/// Closes a deal and gives what it holds back to stock; staff of the
/// show's cooperative or an admin. A deal already closed is a `CONFLICT`.
pub async fn close(
    db: &Db,
    viewer: &Viewer,
    id: FlashDealId,
) -> AppResult<(flash_deal::Model, Event)> {
    let user = viewer.require_user()?;
    let deal = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("flash deal"))?;
    for_write(db, viewer, LivestreamId::from(deal.livestream_id)).await?;
    let already = || AppError::Conflict("this flash deal is already closed".into());
    if deal.closed_at.is_some() {
        return Err(already());
    }
    let now = Utc::now();
    let reason = if deal.ends_at <= now {
        FlashDealCloseReason::Expired
    } else {
        FlashDealCloseReason::ClosedByStaff
    };
    let closed = db
        .write(async |txn| -> AppResult<_> {
            deals::close(&**txn, &[deal.id], reason, Some(user), now).await
        })
        .await?;
    let closed = closed.into_iter().next().ok_or_else(already)?;
    tracing::info!(flash_deal.id = %closed.id, reason = %reason, "flash deal closed");
    let event = deals::closed_event(&closed);
    Ok((closed, event))
}

/// Closes every open deal of `show` inside the caller's transaction (the
/// one ending the show); returns the events to publish after commit.
pub async fn close_for_show(
    conn: &impl ConnectionTrait,
    show: Uuid,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Event>> {
    let open: Vec<Uuid> = flash_deal::Entity::find()
        .filter(flash_deal::Column::LivestreamId.eq(show))
        .filter(flash_deal::Column::ClosedAt.is_null())
        .select_only()
        .column(flash_deal::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let closed = deals::close(
        conn,
        &open,
        FlashDealCloseReason::LivestreamEnded,
        actor,
        now,
    )
    .await?;
    Ok(closed.iter().map(deals::closed_event).collect())
}

/// Closes every open deal whose time ran out by `now`, each in its own
/// transaction, and returns the events to publish. With several processes
/// sweeping at once each deal is closed, and its units returned, once.
pub async fn expire_due(db: &Db, now: DateTime<Utc>) -> AppResult<Vec<Event>> {
    const BATCH: u64 = 100;
    let mut events = Vec::new();
    loop {
        let due: Vec<Uuid> = flash_deal::Entity::find()
            .filter(flash_deal::Column::ClosedAt.is_null())
            .filter(flash_deal::Column::EndsAt.lte(now))
            .order_by_asc(flash_deal::Column::EndsAt)
            .limit(BATCH)
            .select_only()
            .column(flash_deal::Column::Id)
            .into_tuple()
            .all(db.conn())
            .await?;
        for id in &due {
            let closed = db
                .write(async |txn| -> AppResult<_> {
                    deals::close(&**txn, &[*id], FlashDealCloseReason::Expired, None, now).await
                })
                .await?;
            events.extend(closed.iter().map(deals::closed_event));
        }
        if (due.len() as u64) < BATCH {
            break;
        }
    }
    Ok(events)
}

/// When the next open deal ends, if any is open.
async fn next_end(db: &Db) -> AppResult<Option<DateTime<Utc>>> {
    Ok(flash_deal::Entity::find()
        .filter(flash_deal::Column::ClosedAt.is_null())
        .order_by_asc(flash_deal::Column::EndsAt)
        .select_only()
        .column(flash_deal::Column::EndsAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db.conn())
        .await?)
}

/// Resolves when a deal opens (or when events were missed, which may
/// include one); never when the bus is gone.
async fn a_deal_opened(rx: &mut tokio::sync::broadcast::Receiver<Event>) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match rx.recv().await {
            Ok(Event::FlashDealOpened { .. }) | Err(RecvError::Lagged(_)) => return,
            Ok(_) => {}
            Err(RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

/// The deals' timer: closes each deal when its time runs out and publishes
/// the closings, until `shutdown`. It sleeps until the next deal's end
/// (waking early when a deal opens), and at most [`SWEEP_BACKSTOP`].
pub fn spawn_sweeper(
    db: Db,
    bus: EventBus,
    shutdown: tokio_util::sync::CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut opened = bus.subscribe();
        let slack = std::time::Duration::from_millis(10);
        loop {
            let wait = match expire_due(&db, Utc::now()).await {
                Ok(events) => {
                    if !events.is_empty() {
                        tracing::info!(count = events.len(), "flash deals expired");
                    }
                    bus.publish_all(events);
                    match next_end(&db).await {
                        Ok(Some(at)) => (at - Utc::now())
                            .to_std()
                            .unwrap_or_default()
                            .saturating_add(slack)
                            .min(SWEEP_BACKSTOP),
                        Ok(None) => SWEEP_BACKSTOP,
                        Err(err) => {
                            tracing::warn!(error = %err, "reading the next flash deal end failed");
                            SWEEP_BACKSTOP
                        }
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "expiring flash deals failed");
                    SWEEP_BACKSTOP
                }
            };
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
                () = a_deal_opened(&mut opened) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: AppError) -> String {
        match err {
            AppError::Invalid { field, .. } => field,
            other => panic!("expected BAD_USER_INPUT, got {other:?}"),
        }
    }

    #[test]
    fn deal_terms_parse_within_their_bounds() {
        let terms = DealTerms::parse(99_000, 50, 2, 300).expect("valid");
        assert_eq!(terms.price.get(), 99_000);
        assert_eq!(terms.duration, chrono::Duration::minutes(5));
        assert!(
            DealTerms::parse(1, MAX_DEAL_QUANTITY, MAX_PER_BUYER_LIMIT, MAX_DURATION_SECS).is_ok()
        );
    }

    #[test]
    fn bad_deal_terms_name_the_field_at_fault() {
        let cases = [
            ((0, 50, 2, 300), "input.priceVnd"),
            ((-1, 50, 2, 300), "input.priceVnd"),
            ((99_000, 0, 2, 300), "input.quantity"),
            ((99_000, MAX_DEAL_QUANTITY + 1, 2, 300), "input.quantity"),
            ((99_000, 50, 0, 300), "input.perBuyerLimit"),
            ((99_000, 50, -3, 300), "input.perBuyerLimit"),
            (
                (99_000, 50, MAX_PER_BUYER_LIMIT + 1, 300),
                "input.perBuyerLimit",
            ),
            ((99_000, 50, 2, 0), "input.durationSeconds"),
            (
                (99_000, 50, 2, MAX_DURATION_SECS + 1),
                "input.durationSeconds",
            ),
        ];
        for ((price, quantity, limit, secs), field) in cases {
            let err = DealTerms::parse(price, quantity, limit, secs).expect_err(field);
            assert_eq!(field_of(err), field);
        }
    }
}
