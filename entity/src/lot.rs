//! One harvest batch of a product; what a package's QR code points to.

use sea_orm::entity::prelude::*;

/// A row of `lots`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Human-typable code, e.g. `LOT-7K3M-Q9XD`.
    #[sea_orm(unique)]
    pub code: String,
    pub product_id: Uuid,
    pub variant_id: Option<Uuid>,
    pub cooperative_id: Uuid,
    pub harvested_on: Date,
    pub quantity: f64,
    pub unit: crate::enums::Unit,
    pub plot: Option<String>,
    pub notes: Option<String>,
    /// How many times the public trace page was opened.
    pub scan_count: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
