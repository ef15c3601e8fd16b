//! Failed login attempts per e-mail address, known account or not, so that
//! throttling does not reveal whether an account exists.

use sea_orm::entity::prelude::*;

/// A row of `login_throttles`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttles")]
pub struct Model {
    /// The normalised e-mail address the attempts were made for.
    #[sea_orm(primary_key, auto_increment = false)]
    pub email: String,
    /// Consecutive failures since the last success or lock-out.
    pub failures: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
