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
    pub status: crate::enums::EnrolmentStatus,
    /// Order of enrolment within the course: the waitlist moves up by it.
    pub seq: i64,
    pub enrolled_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    /// The details given to this course (by its organiser or by the person
    /// enrolling themselves): what the course shows, exports and reports,
    /// whatever other courses were told.
    pub full_name: String,
    pub email: Option<String>,
    pub cooperative_id: Option<Uuid>,
    pub role_in_cooperative: Option<String>,
    pub commune: String,
    pub area: String,
    /// `FEMALE`, `MALE` or `OTHER`.
    pub gender: Option<crate::enums::Gender>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
