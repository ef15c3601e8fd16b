//! A training course run by organisers of a provincial trade office.

use sea_orm::entity::prelude::*;

/// A row of `courses`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "courses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub topic: String,
    pub host_organisation: String,
    pub area: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// Seats; enrolments beyond it wait.
    pub capacity: i32,
    /// Participants holding a seat; the schema keeps it `<= capacity`.
    pub enrolled_count: i32,
    /// Completion rule: the least share of held sessions attended.
    pub min_attendance_percent: i32,
    /// `DRAFT`, `PUBLISHED`, `CANCELLED` or `COMPLETED`.
    pub status: crate::enums::CourseStatus,
    pub created_by: Uuid,
    pub completed_at: Option<DateTimeUtc>,
    /// Who the public may contact about the course, as its organisers
    /// chose to publish it (never an organiser's sign-in details).
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
