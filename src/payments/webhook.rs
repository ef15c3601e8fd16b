//! The bank webhook: a transfer notice signed with HMAC-SHA256 over the raw
//! body. A notice whose memo names an order awaiting exactly its amount
//! pays it; a wrong amount or a late transfer is kept and the order flagged
//! for staff; an unknown memo is kept unmatched; a repeated transaction id
//! changes nothing.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use sha2::Sha256;

use entity::bank_transfer;

use crate::db::Db;
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::events::EventBus;
use crate::orders::inputs::memos_in;
use crate::orders::service::{ChangedBy, find_by_memo, flag_for_review, in_write_txn, mark_paid};
use crate::orders::{OrderStatus, PaymentMethod};
use crate::payments::{TransferId, TransferOutcome};

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

/// What a notice did: the stored transfer, and whether it was a repeat.
pub struct Received {
    pub transfer: bank_transfer::Model,
    pub repeated: bool,
}

async fn by_transaction(db: &Db, id: &str) -> AppResult<Option<bank_transfer::Model>> {
    Ok(bank_transfer::Entity::find()
        .filter(bank_transfer::Column::TransactionId.eq(id))
        .one(db.conn())
        .await?)
}

/// Records a (verified) notice and applies it to its order, in one
/// transaction; publishes the order's change after commit.
pub async fn receive(db: &Db, bus: &EventBus, notice: TransferNotice) -> AppResult<Received> {
    notice.check()?;
    let transaction_id = notice.transaction_id.trim().to_owned();
    if let Some(transfer) = by_transaction(db, &transaction_id).await? {
        return Ok(Received {
            transfer,
            repeated: true,
        });
    }
    let result = in_write_txn(db, async |txn| {
        let txn: &sea_orm::DatabaseTransaction = txn;
        if let Some(transfer) = bank_transfer::Entity::find()
            .filter(bank_transfer::Column::TransactionId.eq(&transaction_id))
            .one(txn)
            .await?
        {
            return Ok((transfer, None, true));
        }
        let mut order = None;
        for memo in memos_in(&notice.memo) {
            if let Some(found) = find_by_memo(txn, &memo).await? {
                order = Some(found);
                break;
            }
        }
        let mut event = None;
        let outcome = match &order {
            None => TransferOutcome::Unmatched,
            Some(order) => {
                let awaiting = order.status == OrderStatus::PendingPayment.as_str()
                    && order.payment_method == PaymentMethod::Vietqr.as_str();
                let account_ok = order.bank_account_number.as_deref()
                    == Some(notice.account_number.trim());
                let (outcome, note) = if !account_ok {
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
                };
                if outcome == TransferOutcome::Paid {
                    let (_, changed) = mark_paid(
                        txn,
                        order,
                        ChangedBy::System,
                        format!("bank transfer {transaction_id}"),
                    )
                    .await?;
                    event = Some(changed);
                } else {
                    flag_for_review(txn, order.id, note).await?;
                }
                outcome
            }
        };
        let transfer = bank_transfer::Model {
            id: TransferId::new().0,
            transaction_id: transaction_id.clone(),
            account_number: notice.account_number.trim().to_owned(),
            amount_vnd: notice.amount_vnd,
            memo: notice.memo.clone(),
            occurred_at: notice.occurred_at,
            received_at: Utc::now(),
            order_id: order.as_ref().map(|o| o.id),
            outcome: outcome.as_str().to_owned(),
            assigned_by: None,
        };
        bank_transfer::Entity::insert(bank_transfer::ActiveModel::from(transfer.clone()))
            .exec_without_returning(txn)
            .await?;
        Ok((transfer, event, false))
    })
    .await;
    match result {
        Ok((transfer, event, repeated)) => {
            tracing::info!(
                transfer.id = %transfer.id,
                order.id = ?transfer.order_id,
                outcome = %transfer.outcome,
                "bank transfer received"
            );
            bus.publish_all(event);
            Ok(Received { transfer, repeated })
        }
        // The same notice delivered twice at once: the other one won.
        Err(AppError::Internal(cause))
            if cause
                .downcast_ref::<sea_orm::DbErr>()
                .is_some_and(is_unique_violation) =>
        {
            let transfer = by_transaction(db, &transaction_id)
                .await?
                .ok_or_else(|| AppError::internal(cause))?;
            Ok(Received {
                transfer,
                repeated: true,
            })
        }
        Err(err) => Err(err),
    }
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
