//! Every slug a cooperative or product has had, so that old links resolve.

use sea_orm::entity::prelude::*;

/// A row of `slug_history`; (kind, slug) is the key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "slug_history")]
pub struct Model {
    /// `cooperative` or `product`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub slug: String,
    pub target_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
