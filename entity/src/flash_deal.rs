//! A flash deal: a live-only price on one variant during a show, with its
//! units held out of the variant's stock until the deal closes.

use sea_orm::entity::prelude::*;

/// A row of `flash_deals`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "flash_deals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub livestream_id: Uuid,
    /// Copied from the show, for the back office's checks.
    pub cooperative_id: Uuid,
    pub product_id: Uuid,
    pub variant_id: Uuid,
    /// The deal price, whole đồng; below `normal_price_vnd`.
    pub price_vnd: i64,
    /// The variant's price when the deal opened.
    pub normal_price_vnd: i64,
    /// Units taken from stock for the deal.
    pub quantity: i32,
    /// Units the deal still holds (0 once closed); never below 0.
    pub remaining: i32,
    pub per_buyer_limit: i32,
    pub opened_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Set once, by whichever of staff, the timer or the show's end closes it.
    pub closed_at: Option<DateTimeUtc>,
    /// `CLOSED_BY_STAFF`, `EXPIRED` or `LIVESTREAM_ENDED`.
    pub close_reason: Option<crate::enums::FlashDealCloseReason>,
    /// Units given back to stock when it closed.
    pub returned_quantity: Option<i32>,
    pub opened_by: Option<Uuid>,
    pub closed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
