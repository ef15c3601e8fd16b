//! A participant's place in a course: enrolled, waitlisted or withdrawn.

use sea_orm::entity::prelude::*;

/// A row of `enrolments`; (course, participant) is the key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub participant_id: Uuid,
    /// `ENROLLED`, `WAITLISTED` or `WITHDRAWN`.
    pub status: String,
    /// Order of enrolment within the course: the waitlist moves up by it.
    pub seq: i64,
    pub enrolled_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
