//! The stock ledger: one row per change of a variant's stock.

use sea_orm::entity::prelude::*;

/// A row of `stock_movements`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_movements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub variant_id: Uuid,
    /// Units added (positive) or taken (negative).
    pub delta: i32,
    /// Stock right after the change.
    pub stock_after: i32,
    /// `ADJUSTMENT`, `ORDER`, `CANCEL`, `RETURN`, `DEAL_HOLD`, `DEAL_RELEASE`, `INITIAL`.
    pub kind: String,
    pub reason: Option<String>,
    pub actor_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
