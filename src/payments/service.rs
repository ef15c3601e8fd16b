//! Transfers staff must sort out: the unmatched list, and assigning one to
//! the order it was meant for.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use entity::{bank_transfer, order};

use crate::auth::{PlatformRole, Viewer};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::EventBus;
use crate::ids::{OrderId, TransferId};
use crate::orders::OrderStatus;
use crate::orders::service::{ChangedBy, mark_paid};
use crate::pagination::Page;
use crate::payments::TransferOutcome;

/// A page of transfers no order matched, newest first; admins only.
pub async fn unmatched(
    db: &Db,
    viewer: &Viewer,
    page: &Page<Uuid>,
) -> AppResult<(Vec<bank_transfer::Model>, bool, u64)> {
    crate::auth::service::require_role(db, viewer, PlatformRole::Admin).await?;
    let mut query = bank_transfer::Entity::find()
        .filter(bank_transfer::Column::Outcome.eq(TransferOutcome::Unmatched));
    let total = query.clone().count(db.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(bank_transfer::Column::Id.lt(after));
    }
    let mut rows = query
        .order_by_desc(bank_transfer::Column::Id)
        .limit(page.first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok((rows, has_next, total))
}

/// Assigns an unmatched transfer to the order it was meant for, paying it:
/// admins only; the order must await a VietQR payment of exactly the
/// transfer's amount (`CONFLICT` otherwise). Happens once, however often
/// it is asked.
pub async fn assign(
    db: &Db,
    bus: &EventBus,
    viewer: &Viewer,
    transfer: TransferId,
    order_id: OrderId,
) -> AppResult<(bank_transfer::Model, order::Model)> {
    let admin = crate::auth::service::require_role(db, viewer, PlatformRole::Admin).await?;
    let found = bank_transfer::Entity::find_by_id(transfer.uuid())
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("transfer"))?;
    let order = crate::orders::service::find(db.conn(), order_id)
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    if found.outcome != TransferOutcome::Unmatched {
        return Err(AppError::Conflict(format!(
            "this transfer is {}, not UNMATCHED",
            found.outcome
        )));
    }
    if order.status != OrderStatus::PendingPayment {
        return Err(AppError::Conflict(format!(
            "order {} is {}, not awaiting a transfer",
            order.number, order.status
        )));
    }
    if found.amount_vnd != order.total_vnd {
        return Err(AppError::Conflict(format!(
            "the transfer is {} đồng but order {} totals {} đồng",
            found.amount_vnd, order.number, order.total_vnd
        )));
    }
    let (transfer, order, event) = db
        .write(async |txn| -> AppResult<_> {
            let txn: &sea_orm::DatabaseTransaction = txn;
            let claimed = bank_transfer::Entity::update_many()
                .col_expr(
                    bank_transfer::Column::Outcome,
                    Expr::value(TransferOutcome::Assigned),
                )
                .col_expr(bank_transfer::Column::OrderId, Expr::value(order.id))
                .col_expr(bank_transfer::Column::AssignedBy, Expr::value(admin.uuid()))
                .filter(bank_transfer::Column::Id.eq(found.id))
                .filter(bank_transfer::Column::Outcome.eq(TransferOutcome::Unmatched))
                .exec(txn)
                .await?
                .rows_affected;
            if claimed == 0 {
                return Err(AppError::Conflict(
                    "this transfer was assigned meanwhile".into(),
                ));
            }
            let (order, event) = mark_paid(
                txn,
                &order,
                ChangedBy::Staff(admin),
                format!("bank transfer {} assigned by staff", found.transaction_id),
            )
            .await?;
            let transfer = bank_transfer::Entity::find_by_id(found.id)
                .one(txn)
                .await?
                .ok_or_else(|| AppError::not_found("transfer"))?;
            Ok((transfer, order, event))
        })
        .await?;
    bus.publish(event);
    Ok((transfer, order))
}
