//! The bank webhook: a transfer notice signed with HMAC-SHA256 over the raw
//! body. A notice whose memo names an order awaiting exactly its amount
//! pays it; a wrong amount or a late transfer is kept and the order flagged
//! for staff; an unknown memo is kept unmatched; a repeated transaction id
//! changes nothing, and one repeated with another amount, memo or account
//! is refused (nothing stored) for staff to look at.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use sha2::Sha256;

use entity::{bank_transfer, order};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::EventBus;
use crate::ids::TransferId;
use crate::orders::inputs::memos_in;
use crate::orders::service::{ChangedBy, flag_for_review, lock_by_memo, mark_paid};
use crate::orders::{OrderStatus, PaymentMethod};
use crate::payments::TransferOutcome;

/// The largest notice body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// True when `signature_hex` is the HMAC-SHA256 of `body` under `secret`
/// (compared in constant time).
pub fn signature_is_valid(secret: &[u8], body: &[u8], signature_hex: &str) -> bool {
    let Ok(given) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// The HMAC-SHA256 of `body` under `secret`, in hex: what a bank (or a
/// test) puts in `X-Signature`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A transfer notice as the bank sends it (other fields are ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferNotice {
    pub transaction_id: String,
    pub account_number: String,
    pub amount_vnd: i64,
    pub memo: String,
    pub occurred_at: DateTime<Utc>,
}

/// The largest single transfer a notice may report: 100 billion đồng, far
/// above any order, so that sums of transfers cannot overflow.
pub const MAX_TRANSFER_VND: i64 = 100_000_000_000;

impl TransferNotice {
    /// Checks the fields' shapes, naming the first one at fault. Text with a
    /// NUL byte or another control character is refused here (PostgreSQL
    /// would refuse to store it), so that the bank is told 400, not 500.
    pub fn check(&self) -> AppResult<()> {
        let id = self.transaction_id.trim();
        if id.is_empty() || id.len() > 100 || has_control(id) {
            return Err(AppError::invalid(
                "transactionId",
                "must be 1 to 100 characters, without control characters",
            ));
        }
        let account = self.account_number.trim();
        if account.is_empty() || self.account_number.len() > 32 || has_control(account) {
            return Err(AppError::invalid(
                "accountNumber",
                "must be 1 to 32 characters, without control characters",
            ));
        }
        if !(1..=MAX_TRANSFER_VND).contains(&self.amount_vnd) {
            return Err(AppError::invalid(
                "amountVnd",
                "must be positive and at most 100,000,000,000 đồng",
            ));
        }
        if self.memo.len() > 500 {
            return Err(AppError::invalid("memo", "must be at most 500 bytes"));
        }
        if has_control(&self.memo) {
            return Err(AppError::invalid(
                "memo",
                "must not contain control characters",
            ));
        }
        if !crate::values::year_allowed(chrono::Datelike::year(&self.occurred_at)) {
            return Err(AppError::invalid(
                "occurredAt",
                "must be in the years 2000 to 2100",
            ));
        }
        Ok(())
    }
}

/// True when `s` holds a control character (a NUL byte among them).
fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// What became of a notice's transaction id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The first notice of this transaction: stored and applied.
    New,
    /// The same notice again (same amount, memo and account): nothing changed.
    Repeated,
    /// A known transaction id with another amount, memo or account:
    /// refused, nothing stored; staff should look at it.
    Mismatched,
}

/// What a notice did: the stored transfer (for a mismatch, the one stored
/// first under its transaction id) and how it was delivered.
pub struct Received {
    pub transfer: bank_transfer::Model,
    pub delivery: Delivery,
}

/// How many times a notice's transaction is tried when PostgreSQL gives
/// up on it (a deadlock or serialisation failure) before the error stands.
const ATTEMPTS: usize = 3;

/// Records a (verified) notice and applies it to its order, in one
/// transaction; publishes the order's change after commit. Whatever it
/// races (the same notice again, another transfer for the same order, the
/// buyer cancelling, the hold expiring), the notice is stored once with
/// its outcome: the transaction id is claimed first (`ON CONFLICT DO
/// NOTHING`), then the order is locked and read, and an order that is no
/// longer awaiting payment makes the transfer `REVIEW`.
pub async fn receive(db: &Db, bus: &EventBus, notice: TransferNotice) -> AppResult<Received> {
    notice.check()?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = db.write(async |txn| record(txn, &notice).await).await;
        match result {
            Ok((received, event)) => {
                if received.delivery == Delivery::New {
                    tracing::info!(
                        transfer.id = %received.transfer.id,
                        order.id = ?received.transfer.order_id,
                        outcome = %received.transfer.outcome,
                        "bank transfer received"
                    );
                }
                bus.publish_all(event);
                return Ok(received);
            }
            Err(err) if attempt < ATTEMPTS && is_transient(&err) => {
                tracing::warn!(error = %err, attempt, "bank transfer notice retried");
            }
            Err(err) => return Err(err),
        }
    }
}

/// True for the errors PostgreSQL gives a transaction it chose to abort
/// (serialisation failure `40001`, deadlock `40P01`): trying again is right.
fn is_transient(err: &AppError) -> bool {
    let AppError::Internal(cause) = err else {
        return false;
    };
    let Some(
        sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(sqlx_err))
        | sea_orm::DbErr::Query(sea_orm::RuntimeErr::SqlxError(sqlx_err)),
    ) = cause.downcast_ref::<sea_orm::DbErr>()
    else {
        return false;
    };
    let sqlx::Error::Database(db) = &**sqlx_err else {
        return false;
    };
    matches!(db.code().as_deref(), Some("40001" | "40P01"))
}

/// The order a transfer's memo names, locked until the transaction ends
/// (PostgreSQL; SQLite's write gate already serialises writers).
async fn order_of(
    txn: &sea_orm::DatabaseTransaction,
    memo: &str,
) -> AppResult<Option<order::Model>> {
    for memo in memos_in(memo) {
        if let Some(found) = lock_by_memo(txn, &memo).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// What a transfer does to `order`, and the note for staff when it does
/// not pay it.
fn outcome_for(
    order: &order::Model,
    notice: &TransferNotice,
    transaction_id: &str,
) -> (TransferOutcome, String) {
    let awaiting = order.status == OrderStatus::PendingPayment
        && order.payment_method == PaymentMethod::Vietqr;
    let account_ok = order.bank_account_number.as_deref() == Some(notice.account_number.trim());
    if !account_ok {
        (
            TransferOutcome::Review,
            format!(
                "transfer {transaction_id} of {} đồng went to account {}, not the order's",
                notice.amount_vnd, notice.account_number
            ),
        )
    } else if !awaiting {
        (
            TransferOutcome::Review,
            format!(
                "transfer {transaction_id} of {} đồng arrived while the order was {}",
                notice.amount_vnd, order.status
            ),
        )
    } else if notice.amount_vnd < order.total_vnd {
        (
            TransferOutcome::Underpaid,
            format!(
                "transfer {transaction_id} paid {} of {} đồng",
                notice.amount_vnd, order.total_vnd
            ),
        )
    } else if notice.amount_vnd > order.total_vnd {
        (
            TransferOutcome::Overpaid,
            format!(
                "transfer {transaction_id} paid {} for {} đồng",
                notice.amount_vnd, order.total_vnd
            ),
        )
    } else {
        (TransferOutcome::Paid, String::new())
    }
}

/// One try at [`receive`]'s transaction: claim the transaction id (a
/// repeat or a mismatch stops there), find the order the memo names, settle
/// it, and store what the transfer did. Every step runs in `txn`, so the
/// rules of [`receive`] hold whatever races it.
async fn record(
    txn: &sea_orm::DatabaseTransaction,
    notice: &TransferNotice,
) -> AppResult<(Received, Option<crate::events::Event>)> {
    let mut transfer = new_transfer(notice);
    if let Some(earlier) = claim(txn, &transfer).await? {
        return Ok((earlier, None));
    }
    let mut event = None;
    if let Some(order) = order_of(txn, &notice.memo).await? {
        let (outcome, changed) = settle(txn, &order, notice, &transfer.transaction_id).await?;
        event = changed;
        transfer.order_id = Some(order.id);
        transfer.outcome = outcome;
        attach(txn, &transfer).await?;
    }
    Ok((
        Received {
            transfer,
            delivery: Delivery::New,
        },
        event,
    ))
}

/// The row a notice stores, before it is matched to an order.
fn new_transfer(notice: &TransferNotice) -> bank_transfer::Model {
    bank_transfer::Model {
        id: TransferId::new().uuid(),
        transaction_id: notice.transaction_id.trim().to_owned(),
        account_number: notice.account_number.trim().to_owned(),
        amount_vnd: notice.amount_vnd,
        memo: notice.memo.clone(),
        occurred_at: notice.occurred_at,
        received_at: Utc::now(),
        order_id: None,
        outcome: TransferOutcome::Unmatched,
        assigned_by: None,
    }
}

/// Stores `transfer` unless its transaction id is known (`ON CONFLICT DO
/// NOTHING`): `None` when this call stored it, otherwise the transfer
/// stored first and whether this notice repeats it or contradicts it. Of
/// notices racing with one id, one goes on; the others wait here for it to
/// commit, then find its row.
async fn claim(
    txn: &sea_orm::DatabaseTransaction,
    transfer: &bank_transfer::Model,
) -> AppResult<Option<Received>> {
    let claimed = bank_transfer::Entity::insert(bank_transfer::ActiveModel::from(transfer.clone()))
        .on_conflict(
            OnConflict::column(bank_transfer::Column::TransactionId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    if claimed != 0 {
        return Ok(None);
    }
    let stored = bank_transfer::Entity::find()
        .filter(bank_transfer::Column::TransactionId.eq(&transfer.transaction_id))
        .one(txn)
        .await?
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "a transaction id that conflicted is missing"
            ))
        })?;
    let same = stored.amount_vnd == transfer.amount_vnd
        && stored.memo == transfer.memo
        && stored.account_number == transfer.account_number;
    let delivery = if same {
        Delivery::Repeated
    } else {
        Delivery::Mismatched
    };
    Ok(Some(Received {
        transfer: stored,
        delivery,
    }))
}

/// Applies a transfer to its (locked) order: pays it when it is awaiting
/// exactly this amount on this account, otherwise flags it for staff.
/// Returns what the transfer did and the order's change to publish.
async fn settle(
    txn: &sea_orm::DatabaseTransaction,
    order: &order::Model,
    notice: &TransferNotice,
    transaction_id: &str,
) -> AppResult<(TransferOutcome, Option<crate::events::Event>)> {
    let (mut outcome, mut note) = outcome_for(order, notice, transaction_id);
    let mut event = None;
    if outcome == TransferOutcome::Paid {
        match mark_paid(
            txn,
            order,
            ChangedBy::System,
            format!("bank transfer {transaction_id}"),
        )
        .await
        {
            Ok((_, changed)) => event = Some(changed),
            // The order changed although it was locked (it cannot on
            // either database; kept so that it degrades, not fails).
            Err(AppError::Conflict(_)) => {
                outcome = TransferOutcome::Review;
                note = format!(
                    "transfer {transaction_id} of {} đồng arrived while the order changed",
                    notice.amount_vnd
                );
            }
            Err(err) => return Err(err),
        }
    }
    if outcome != TransferOutcome::Paid {
        flag_for_review(txn, order.id, note).await?;
    }
    Ok((outcome, event))
}

/// Stores the order a claimed transfer was matched to and its outcome.
async fn attach(
    txn: &sea_orm::DatabaseTransaction,
    transfer: &bank_transfer::Model,
) -> AppResult<()> {
    bank_transfer::Entity::update_many()
        .col_expr(
            bank_transfer::Column::OrderId,
            Expr::value(transfer.order_id),
        )
        .col_expr(
            bank_transfer::Column::Outcome,
            Expr::value(transfer.outcome),
        )
        .filter(bank_transfer::Column::Id.eq(transfer.id))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_against_the_raw_body() {
        let secret = b"webhook-secret";
        let body = br#"{"transactionId":"T1"}"#;
        let signature = sign(secret, body);
        assert_eq!(signature.len(), 64);
        assert!(signature_is_valid(secret, body, &signature));
        assert!(!signature_is_valid(secret, b"{}", &signature));
        assert!(!signature_is_valid(b"other", body, &signature));
        assert!(!signature_is_valid(secret, body, "not hex"));
        assert!(!signature_is_valid(secret, body, ""));
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
