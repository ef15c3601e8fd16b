//! An asset placed in a gallery: a product's, an origin story's or a lot's.

use sea_orm::entity::prelude::*;

/// A row of `media_attachments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media_attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cooperative_id: Uuid,
    /// `PRODUCT`, `ORIGIN_STORY` or `LOT`.
    pub target_kind: crate::enums::Gallery,
    pub target_id: Uuid,
    pub asset_id: Uuid,
    pub position: i32,
    /// Text describing the picture for screen readers and slow networks.
    pub alt_text: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
