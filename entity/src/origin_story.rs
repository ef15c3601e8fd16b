//! Where a product comes from: farm, grower, place, practice, story.

use sea_orm::entity::prelude::*;

/// A row of `origin_stories`; one per product.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "origin_stories")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: Uuid,
    pub farm_name: String,
    pub grower_name: Option<String>,
    pub province: String,
    pub commune: Option<String>,
    pub area: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub altitude_m: Option<i32>,
    pub cultivation_practice: Option<String>,
    pub harvest_season: Option<String>,
    pub story: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
