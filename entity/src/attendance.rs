//! A participant's attendance at one session.

use sea_orm::entity::prelude::*;

/// A row of `attendance`; (session, participant) is the key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub participant_id: Uuid,
    /// `PRESENT`, `LATE`, `EXCUSED` or `ABSENT`.
    pub status: crate::enums::AttendanceStatus,
    /// The organiser who recorded it; none for a self check-in.
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
