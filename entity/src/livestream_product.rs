//! A product in a livestream's lineup.

use sea_orm::entity::prelude::*;

/// A row of `livestream_products`; (livestream, product) is the key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "livestream_products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub livestream_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: Uuid,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
