//! Bank transfers as the API shows them.

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graph::GqlId;
use crate::graph::orders::Order;
use crate::graph::payments::TransferOutcome;
use crate::ids::{OrderId, TransferId};

/// A transfer notice the bank sent, and what became of it.
pub struct BankTransfer(pub entity::bank_transfer::Model);

/// A transfer notice the bank sent, and what became of it: matched to an
/// order by its memo, kept for review, or waiting for staff to assign it.
#[Object]
impl BankTransfer {
    /// The transfer's id.
    async fn id(&self) -> ID {
        TransferId::from(self.0.id).to_gql()
    }
    /// The bank's id of the transaction.
    async fn transaction_id(&self) -> &str {
        &self.0.transaction_id
    }
    /// The account that received it.
    async fn account_number(&self) -> &str {
        &self.0.account_number
    }
    /// The amount, in whole đồng.
    async fn amount_vnd(&self) -> i64 {
        self.0.amount_vnd
    }
    /// The memo as the bank delivered it.
    async fn memo(&self) -> &str {
        &self.0.memo
    }
    /// When the bank says it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// When the notice arrived here.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
    /// What became of it.
    async fn outcome(&self) -> Option<TransferOutcome> {
        Some(self.0.outcome.into())
    }
    /// The order it was matched or assigned to.
    async fn order_id(&self) -> Option<ID> {
        self.0.order_id.map(|id| OrderId::from(id).to_gql())
    }
}

/// The result of `assignTransfer`: a transfer assigned to an order, and the
/// order now paid.
#[derive(SimpleObject)]
pub struct AssignTransferPayload {
    /// The transfer, now `ASSIGNED`; `null` when `userErrors` says why not.
    pub transfer: Option<BankTransfer>,
    /// The order, now `PAID`; `null` when `userErrors` says why not.
    pub order: Option<Order>,
    /// What was wrong with the input or the state it met; empty on success.
    pub user_errors: Vec<crate::graph::UserError>,
}

impl crate::graph::Payload for AssignTransferPayload {
    type Value = (BankTransfer, Order);

    fn done((transfer, order): (BankTransfer, Order)) -> Self {
        Self {
            transfer: Some(transfer),
            order: Some(order),
            user_errors: Vec::new(),
        }
    }

    fn failed(errors: Vec<crate::graph::UserError>) -> Self {
        Self {
            transfer: None,
            order: None,
            user_errors: errors,
        }
    }
}
