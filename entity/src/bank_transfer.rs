//! A transfer notice from the bank webhook and what became of it.

use sea_orm::entity::prelude::*;

/// A row of `bank_transfers`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bank_transfers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The bank's id of the transaction; a repeat changes nothing.
    #[sea_orm(unique)]
    pub transaction_id: String,
    pub account_number: String,
    pub amount_vnd: i64,
    pub memo: String,
    pub occurred_at: DateTimeUtc,
    pub received_at: DateTimeUtc,
    /// The order it was matched or assigned to.
    pub order_id: Option<Uuid>,
    /// `PAID`, `UNDERPAID`, `OVERPAID`, `REVIEW`, `UNMATCHED`, `ASSIGNED`.
    pub outcome: crate::enums::TransferOutcome,
    pub assigned_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
