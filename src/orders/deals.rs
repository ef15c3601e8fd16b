//! Flash-deal units as orders see them: the open deals of a show, claiming
//! deal units inside the placing transaction, giving them back when an
//! order is cancelled, and moving a deal's units out of the variant's stock
//! when it opens and back when it closes.
//!
//! The livestream domain (a floor up) owns the rules of a deal — who may
//! open one, when, at what price. This module owns how its units move, next
//! to the rest of the stock code, so every path a unit can take is here:
//!
//! - opening takes the units from stock once (`stock >= q`, conditional);
//! - buyers take from `remaining` with a conditional decrement
//!   (`remaining >= n`), backed by `CHECK (remaining >= 0)`;
//! - each buyer (an account, or a guest's phone) has one claim row per deal,
//!   locked before it is read and backed by
//!   `CHECK (quantity <= per_buyer_limit)`, so one buyer's concurrent
//!   orders are counted one after another;
//! - closing is `UPDATE … SET closed_at = now WHERE closed_at IS NULL`: of
//!   staff, the timer and the show's end, exactly one closes a deal, and
//!   only that one gives `remaining` back to stock.
//!
//! Lock order on PostgreSQL, kept by every path so none can deadlock: deals
//! by variant id, for each the buyer's claim row then the deal row; then
//! variant rows by variant id.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use entity::{flash_deal, flash_deal_claim};

use crate::catalog::service::products::record_order_movement;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::ids::{UserId, VariantId};

/// How often a claim re-reads a deal whose `remaining` fell below what it
/// asked for between its read and its update, before giving up.
const MAX_CLAIM_TRIES: usize = 32;

/// The open deals of `livestream` on `variants` that have not run out of
/// time, by variant id.
pub async fn open_deals(
    conn: &impl ConnectionTrait,
    livestream: Uuid,
    variants: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, flash_deal::Model>> {
    Ok(flash_deal::Entity::find()
        .filter(flash_deal::Column::LivestreamId.eq(livestream))
        .filter(flash_deal::Column::VariantId.is_in(variants.iter().copied()))
        .filter(flash_deal::Column::ClosedAt.is_null())
        .filter(flash_deal::Column::EndsAt.gt(now))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.variant_id, d))
        .collect())
}

/// The one integer a statement with `?` placeholders returns, if a row
/// came back (an `UPDATE … RETURNING` whose conditions held).
async fn one_int(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<Option<i32>> {
    let row = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            sql,
            values,
        ))
        .await?;
    Ok(row.map(|r| r.try_get_by_index::<i32>(0)).transpose()?)
}

/// What a buyer got from a deal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// Units taken at the deal price (0: none).
    pub taken: i32,
    /// Units the deal holds after this claim.
    pub remaining: i32,
}

impl Claimed {
    const NONE: Self = Self {
        taken: 0,
        remaining: 0,
    };
}

/// Takes up to `want` units of `deal` for `buyer` inside the caller's
/// transaction: as many as the deal still holds and the buyer's limit
/// allows. The caller's rollback undoes it.
pub async fn claim(
    conn: &impl ConnectionTrait,
    deal: &flash_deal::Model,
    buyer: &str,
    want: i32,
    now: DateTime<Utc>,
) -> AppResult<Claimed> {
    let still_open = || {
        flash_deal::Entity::find_by_id(deal.id)
            .filter(flash_deal::Column::ClosedAt.is_null())
            .filter(flash_deal::Column::EndsAt.gt(now))
            .select_only()
            .column(flash_deal::Column::Remaining)
            .into_tuple::<i32>()
    };
    // A deal seen empty (or closed) now is: no claim row, no lock.
    if want <= 0 || still_open().one(conn).await?.unwrap_or(0) <= 0 {
        return Ok(Claimed::NONE);
    }
    let this_claim = || {
        flash_deal_claim::Entity::update_many()
            .filter(flash_deal_claim::Column::DealId.eq(deal.id))
            .filter(flash_deal_claim::Column::BuyerKey.eq(buyer))
    };
    flash_deal_claim::Entity::insert(flash_deal_claim::ActiveModel {
        deal_id: Set(deal.id),
        buyer_key: Set(buyer.to_owned()),
        quantity: Set(0),
        per_buyer_limit: Set(deal.per_buyer_limit),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([
        flash_deal_claim::Column::DealId,
        flash_deal_claim::Column::BuyerKey,
    ])
    .exec_without_returning(conn)
    .await?;
    // Touching the row locks it (PostgreSQL) until commit: the same
    // buyer's other orders wait here, then read what this one claimed.
    let used = one_int(
        conn,
        "UPDATE flash_deal_claims SET updated_at = ? WHERE deal_id = ? AND buyer_key = ? \
         RETURNING quantity",
        vec![now.into(), deal.id.into(), buyer.into()],
    )
    .await?
    .unwrap_or(0);
    let want = std::cmp::min(want, deal.per_buyer_limit - used);
    if want <= 0 {
        return Ok(Claimed::NONE);
    }
    for _ in 0..MAX_CLAIM_TRIES {
        let Some(remaining) = still_open().one(conn).await? else {
            return Ok(Claimed::NONE);
        };
        let take = std::cmp::min(want, remaining);
        if take <= 0 {
            return Ok(Claimed::NONE);
        }
        // Taking units locks the deal row until commit, so what it says is
        // left is ours to report.
        let Some(remaining) = one_int(
            conn,
            "UPDATE flash_deals SET remaining = remaining - ? \
             WHERE id = ? AND remaining >= ? AND closed_at IS NULL AND ends_at > ? \
             RETURNING remaining",
            vec![take.into(), deal.id.into(), take.into(), now.into()],
        )
        .await?
        else {
            // Others took units between the read and the update: read again.
            continue;
        };
        let counted = this_claim()
            .col_expr(
                flash_deal_claim::Column::Quantity,
                Expr::col(flash_deal_claim::Column::Quantity).add(take),
            )
            .filter(
                Expr::col(flash_deal_claim::Column::Quantity)
                    .add(take)
                    .lte(Expr::col(flash_deal_claim::Column::PerBuyerLimit)),
            )
            .exec(conn)
            .await?
            .rows_affected;
        if counted == 0 {
            return Err(AppError::internal(anyhow::anyhow!(
                "the claim of deal {} changed while locked",
                deal.id
            )));
        }
        return Ok(Claimed {
            taken: take,
            remaining,
        });
    }
    Err(AppError::Conflict(
        "the flash deal is in very high demand right now; try again".into(),
    ))
}

/// Gives `quantity` units of a cancelled order's line back to its deal while
/// the deal is still open (and lets the buyer claim them again). Returns
/// the event to publish, or `None` when the deal has closed: the caller
/// then returns the units to stock.
pub async fn give_back(
    conn: &impl ConnectionTrait,
    deal: Uuid,
    buyer: &str,
    quantity: i32,
) -> AppResult<Option<Event>> {
    // The claim row before the deal row, as `claim` locks them. Should the
    // deal have closed, the smaller claim no longer matters.
    flash_deal_claim::Entity::update_many()
        .col_expr(
            flash_deal_claim::Column::Quantity,
            Expr::col(flash_deal_claim::Column::Quantity).sub(quantity),
        )
        .filter(flash_deal_claim::Column::DealId.eq(deal))
        .filter(flash_deal_claim::Column::BuyerKey.eq(buyer))
        .filter(flash_deal_claim::Column::Quantity.gte(quantity))
        .exec(conn)
        .await?;
    let returned = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            "UPDATE flash_deals SET remaining = remaining + ? \
             WHERE id = ? AND closed_at IS NULL AND remaining + ? <= quantity \
             RETURNING livestream_id, remaining",
            vec![quantity.into(), deal.into(), quantity.into()],
        ))
        .await?;
    let Some(after) = returned else {
        return Ok(None);
    };
    Ok(Some(Event::FlashDealUpdated {
        deal_id: crate::ids::FlashDealId::from(deal),
        livestream_id: crate::ids::LivestreamId::from(
            after.try_get::<uuid::Uuid>("", "livestream_id")?,
        ),
        remaining: after.try_get("", "remaining")?,
    }))
}

/// Takes a new deal's units out of its variant's stock, with a ledger row
/// (`DEAL_HOLD`). Returns the stock left, or `None` when the stock is short
/// (the caller rolls back).
pub async fn hold(
    conn: &impl ConnectionTrait,
    deal: &flash_deal::Model,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<Option<i32>> {
    let Some(left) =
        crate::orders::service::take_units(conn, deal.variant_id, deal.quantity, now).await?
    else {
        return Ok(None);
    };
    record_order_movement(
        conn,
        VariantId::from(deal.variant_id),
        -deal.quantity,
        left,
        "DEAL_HOLD",
        Some(format!(
            "flash deal held: {} units for deal {}",
            deal.quantity, deal.id
        )),
        actor,
        None,
    )
    .await?;
    Ok(Some(left))
}

/// Closes whichever of `deals` are still open, for `reason`, and gives
/// what each still held back to stock with a ledger row (`DEAL_RELEASE`).
/// Returns the deals this call closed, as closed; a deal someone else
/// closed first is left out, so its units go back once.
pub async fn close(
    conn: &impl ConnectionTrait,
    deals: &[Uuid],
    reason: entity::enums::FlashDealCloseReason,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<Vec<flash_deal::Model>> {
    let candidates = flash_deal::Entity::find()
        .filter(flash_deal::Column::Id.is_in(deals.iter().copied()))
        .filter(flash_deal::Column::ClosedAt.is_null())
        .order_by_asc(flash_deal::Column::VariantId)
        .all(conn)
        .await?;
    // Every deal row first, then every variant row (see the module comment).
    let mut closed = Vec::with_capacity(candidates.len());
    for deal in candidates {
        // `returned_quantity = remaining` reads the row as it was before
        // this update, like every right-hand side.
        let won = conn
            .query_one_raw(crate::db::statement(
                conn.get_database_backend(),
                "UPDATE flash_deals SET closed_at = ?, close_reason = ?, closed_by = ?, \
                 returned_quantity = remaining, remaining = 0 \
                 WHERE id = ? AND closed_at IS NULL RETURNING *",
                vec![
                    now.into(),
                    reason.into(),
                    actor.map(|a| a.uuid()).into(),
                    deal.id.into(),
                ],
            ))
            .await?;
        if let Some(row) = won {
            closed.push(flash_deal::Model::from_query_result(&row, "")?);
        }
    }
    for deal in &closed {
        let back = deal.returned_quantity.unwrap_or(0);
        if back == 0 {
            continue;
        }
        let after = crate::orders::service::return_stock(conn, deal.variant_id, back, now).await?;
        record_order_movement(
            conn,
            VariantId::from(deal.variant_id),
            back,
            after,
            "DEAL_RELEASE",
            Some(format!(
                "flash deal closed ({reason}): {back} units back to stock from deal {}",
                deal.id
            )),
            actor,
            None,
        )
        .await?;
    }
    Ok(closed)
}

/// The event telling a show's viewers that `deal` closed.
pub fn closed_event(deal: &flash_deal::Model) -> Event {
    Event::FlashDealClosed {
        deal_id: crate::ids::FlashDealId::from(deal.id),
        livestream_id: crate::ids::LivestreamId::from(deal.livestream_id),
        reason: deal.close_reason.map(|r| r.to_string()).unwrap_or_default(),
        returned: deal.returned_quantity.unwrap_or(0),
    }
}
