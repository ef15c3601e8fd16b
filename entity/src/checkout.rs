//! One `placeOrder` (or cart checkout): the orders it made share it, and it
//! keeps the idempotency key and a hash of the request that made it.

use sea_orm::entity::prelude::*;

/// A row of `checkouts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `user:<uuid>` or `phone:<national number>`: whose key this is.
    pub owner_key: String,
    pub idempotency_key: String,
    /// SHA-256 (hex) of the canonical request.
    pub request_hash: String,
    pub buyer_id: Option<Uuid>,
    pub guest_phone: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
