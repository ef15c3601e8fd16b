//! A farming cooperative (hợp tác xã) selling on the platform.

use sea_orm::entity::prelude::*;

/// A row of `cooperatives`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cooperatives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// Current slug; earlier ones stay in `cooperative_slugs`.
    #[sea_orm(unique)]
    pub slug: String,
    /// Official name of one of the 34 provinces and centrally-run cities.
    pub province: String,
    /// Commune or ward.
    pub ward: String,
    pub street: Option<String>,
    /// The name people know the growing region by (e.g. Mộc Châu).
    pub area: Option<String>,
    pub description: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// VietQR bank identification number (6 digits).
    pub bank_bin: Option<String>,
    pub bank_account_number: Option<String>,
    pub bank_account_name: Option<String>,
    pub logo_asset_id: Option<Uuid>,
    pub cover_asset_id: Option<Uuid>,
    pub verified_at: Option<DateTimeUtc>,
    pub verified_by: Option<Uuid>,
    /// Folded (no tone marks, lower case) name, area and places, for search.
    pub search_text: String,
    /// Shipping fee charged on each order, whole đồng.
    pub shipping_flat_fee_vnd: i64,
    /// Orders whose subtotal reaches this ship free; `None`: never free.
    pub shipping_free_above_vnd: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
