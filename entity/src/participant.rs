//! A person trained: one record across courses, matched by phone number.

use sea_orm::entity::prelude::*;

/// A row of `participants`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub full_name: String,
    /// National form, e.g. `0912345678`; unique.
    #[sea_orm(unique)]
    pub phone: String,
    pub email: Option<String>,
    /// The account of this person, when they have one.
    pub user_id: Option<Uuid>,
    pub cooperative_id: Option<Uuid>,
    pub role_in_cooperative: Option<String>,
    pub commune: String,
    pub area: String,
    /// `FEMALE`, `MALE` or `OTHER`.
    pub gender: Option<crate::enums::Gender>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
