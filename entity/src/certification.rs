//! A certificate (VietGAP, GlobalGAP, organic, OCOP…) of a cooperative,
//! product or lot, valid for a window of dates.

use sea_orm::entity::prelude::*;

/// A row of `certifications`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cooperative_id: Uuid,
    /// `VIETGAP`, `GLOBALGAP`, `ORGANIC`, `OCOP`, `OTHER`.
    pub kind: crate::enums::CertificationKind,
    /// OCOP stars, 3 to 5.
    pub stars: Option<i32>,
    pub issuer: String,
    pub number: String,
    pub valid_from: Date,
    pub valid_until: Date,
    /// `COOPERATIVE`, `PRODUCT` or `LOT`.
    pub scope: crate::enums::CertificationScope,
    pub product_id: Option<Uuid>,
    pub lot_id: Option<Uuid>,
    pub document_asset_id: Option<Uuid>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
