//! What training queries and mutations take.

use async_graphql::{ID, InputObject, MaybeUndefined};
use chrono::{DateTime, NaiveDate, Utc};

use crate::graph::training::{AttendanceStatus, CourseStatus, Gender};

/// The completion rule of a new course.
#[derive(InputObject)]
pub struct CompletionRuleInput {
    /// 0 to 100: the least share of held sessions to attend.
    pub min_attendance_percent: i32,
}

/// A course to create.
#[derive(InputObject)]
pub struct CreateCourseInput {
    /// 1 to 200 characters.
    pub title: String,
    /// Up to 5000 characters.
    pub description: Option<String>,
    /// e.g. "livestream".
    pub topic: String,
    /// e.g. "Sở Công Thương Sơn La".
    pub host_organisation: String,
    /// e.g. "Mộc Châu".
    pub area: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day, not before the first.
    pub ends_on: NaiveDate,
    /// Seats, 1 to 10000.
    pub capacity: i32,
    /// How participants complete it.
    pub completion_rule: CompletionRuleInput,
    /// Who the public may contact about it (shown to anyone).
    pub contact: Option<CourseContactInput>,
}

/// Who the public may contact about a course: a name and a phone or an
/// e-mail given for the course (not necessarily an organiser's own).
#[derive(InputObject)]
pub struct CourseContactInput {
    /// 1 to 100 characters, e.g. "Phòng Quản lý Thương mại".
    pub name: String,
    /// A Vietnamese phone number.
    pub phone: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
}

/// Changes to a course; fields left out stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateCourseInput {
    /// 1 to 200 characters.
    pub title: Option<String>,
    /// Up to 5000 characters; empty clears it.
    pub description: Option<String>,
    /// e.g. "livestream".
    pub topic: Option<String>,
    /// e.g. "Sở Công Thương Sơn La".
    pub host_organisation: Option<String>,
    /// e.g. "Mộc Châu".
    pub area: Option<String>,
    /// First day; every scheduled session must stay within the dates.
    pub starts_on: Option<NaiveDate>,
    /// Last day, not before the first.
    pub ends_on: Option<NaiveDate>,
    /// Not below the seats already taken; new seats go to the waitlist.
    pub capacity: Option<i32>,
    /// A new completion rule (applies when the course is completed).
    pub completion_rule: Option<CompletionRuleInput>,
    /// A new public contact; null removes it.
    pub contact: MaybeUndefined<CourseContactInput>,
}

/// A session to schedule.
#[derive(InputObject)]
pub struct ScheduleSessionInput {
    /// 1 to 200 characters, e.g. "Buổi 1: Dựng kênh bán hàng".
    pub title: String,
    /// Within the course's dates.
    pub starts_at: DateTime<Utc>,
    /// After `startsAt`, at most 24 hours later.
    pub ends_at: DateTime<Utc>,
    /// Where, if in person.
    pub location: Option<String>,
    /// A link, if online.
    pub online_url: Option<String>,
}

/// Changes to a session; fields left out stay as they are, null clears.
#[derive(InputObject, Default)]
pub struct UpdateSessionInput {
    /// 1 to 200 characters.
    pub title: Option<String>,
    /// Within the course's dates.
    pub starts_at: Option<DateTime<Utc>>,
    /// After `startsAt`, at most 24 hours later.
    pub ends_at: Option<DateTime<Utc>>,
    /// Where, if in person; null clears it.
    pub location: MaybeUndefined<String>,
    /// A link, if online; null clears it.
    pub online_url: MaybeUndefined<String>,
}

/// A person to enrol.
#[derive(InputObject)]
pub struct ParticipantInput {
    /// Their full name.
    pub full_name: String,
    /// A Vietnamese phone number; a person is matched across courses by it.
    pub phone: String,
    /// Their e-mail, if any.
    pub email: Option<String>,
    /// The cooperative they belong to.
    pub cooperative_id: Option<ID>,
    /// e.g. "xã viên", "kế toán".
    pub role_in_cooperative: Option<String>,
    /// The commune or ward they live in.
    pub commune: String,
    /// The area they come from, e.g. "Yên Châu" (reported by area).
    pub area: String,
    /// Their gender, if they give it (reported by gender).
    pub gender: Option<Gender>,
}

/// The details of a user enrolling themselves; name and phone default to
/// their account's.
#[derive(InputObject)]
pub struct SelfEnrolmentInput {
    /// Defaults to the account's display name.
    pub full_name: Option<String>,
    /// Defaults to the account's phone; required when it has none.
    pub phone: Option<String>,
    /// The cooperative they belong to.
    pub cooperative_id: Option<ID>,
    /// e.g. "xã viên", "kế toán".
    pub role_in_cooperative: Option<String>,
    /// The commune or ward they live in.
    pub commune: String,
    /// The area they come from.
    pub area: String,
    /// Their gender, if they give it.
    pub gender: Option<Gender>,
}

/// One attendance mark to record.
#[derive(InputObject)]
pub struct AttendanceEntryInput {
    /// A participant enrolled in the course.
    pub participant_id: ID,
    /// The mark.
    pub status: AttendanceStatus,
}

/// Filters of the course list.
#[derive(InputObject, Default)]
pub struct CourseFilterInput {
    /// Courses in this area (exact).
    pub area: Option<String>,
    /// Courses on this topic (exact).
    pub topic: Option<String>,
    /// Courses still running on or after this day.
    pub from: Option<NaiveDate>,
    /// Courses starting on or before this day.
    pub to: Option<NaiveDate>,
    /// Courses in this state.
    pub status: Option<CourseStatus>,
}
