//! A certificate of completion of a course.

use sea_orm::entity::prelude::*;

/// A row of `training_certificates`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Public, unique, e.g. `CC-2026-7K3M-Q9XD`.
    #[sea_orm(unique)]
    pub number: String,
    pub course_id: Uuid,
    pub participant_id: Uuid,
    pub issued_on: Date,
    /// The name it was issued to, as the course had it then.
    pub participant_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
