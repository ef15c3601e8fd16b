//! A product a cooperative sells; what is bought is one of its variants.

use sea_orm::FromJsonQueryResult;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A product's tags, stored as a JSON array of strings (`["vietgap"]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct TagList(pub Vec<String>);

/// The months (1–12) a product is harvested in, stored as a JSON array of
/// integers (`[5,6,7]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct MonthList(pub Vec<i32>);

/// A row of `products`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cooperative_id: Uuid,
    pub name: String,
    #[sea_orm(unique)]
    pub slug: String,
    pub description: String,
    /// e.g. `FRUIT`, `TEA`.
    pub category: crate::enums::Category,
    /// `DRAFT`, `ACTIVE` or `ARCHIVED`.
    pub status: crate::enums::ProductStatus,
    /// Harvest months, numbers 1–12, sorted (e.g. `[5,6,7]`).
    #[sea_orm(column_type = "JsonBinary")]
    pub harvest_months: MonthList,
    /// Tags, lower case, distinct.
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: TagList,
    /// Folded product name, for ranking name matches first.
    pub search_name: String,
    /// Folded name, tags, cooperative name and places.
    pub search_text: String,
    /// Lowest price of the live variants, for sorting and price filters.
    pub min_price_vnd: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
