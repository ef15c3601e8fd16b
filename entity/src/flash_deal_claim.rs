//! How many units of a flash deal one buyer holds (an account, or a guest
//! by phone), checked against the deal's per-buyer limit in the database.

use sea_orm::entity::prelude::*;

/// A row of `flash_deal_claims`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "flash_deal_claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub deal_id: Uuid,
    /// `user:<id>` or `phone:<number>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub buyer_key: String,
    /// Units of the deal in the buyer's orders (cancelled ones given back).
    pub quantity: i32,
    /// Copied from the deal, so that `quantity <= per_buyer_limit` is a CHECK.
    pub per_buyer_limit: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
