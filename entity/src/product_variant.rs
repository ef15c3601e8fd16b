//! What is actually sold: a pack size of a product, with price and stock.

use sea_orm::entity::prelude::*;

/// A row of `product_variants`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "product_variants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Uuid,
    /// Copied from the product, for SKU uniqueness per cooperative.
    pub cooperative_id: Uuid,
    pub name: String,
    pub sku: String,
    /// e.g. `KG`, `BOX`.
    pub unit: crate::enums::Unit,
    pub net_quantity: f64,
    /// Whole đồng, > 0.
    pub price_vnd: i64,
    pub compare_at_price_vnd: Option<i64>,
    /// Units on hand; the database refuses a negative value.
    pub stock: i32,
    pub position: i32,
    /// Set when removed; the row stays for orders that reference it.
    pub removed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
