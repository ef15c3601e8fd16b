//! An order's history: one row per status change.

use sea_orm::entity::prelude::*;

/// A row of `order_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    /// `None` for the placement itself.
    pub from_status: Option<crate::enums::OrderStatus>,
    pub to_status: crate::enums::OrderStatus,
    /// Who did it; `None` for the system (payment webhook, hold expiry) or a guest.
    pub actor_id: Option<Uuid>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
