//! Training programmes: provincial trade offices teach cooperative members to
//! sell online. Courses with co-organisers, sessions with QR check-in,
//! participants (one record per person, matched by phone) with a waitlist,
//! attendance, completion with certificates, reports, outcomes and CSV
//! import and export.
//!
//! Dates of courses are local dates in Vietnam (UTC+7); session times are
//! instants, compared with course dates in Vietnamese local time.

pub mod csv_import;
pub mod export;
pub mod inputs;
pub mod outcomes;
pub mod queries;
pub mod service;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

pub use entity::enums::{AttendanceStatus, CourseStatus, EnrolmentStatus, Gender};

/// Settings of the training domain, read once at start-up.
#[derive(Clone, Copy, Debug)]
pub struct TrainingConfig {
    /// How long after a session starts a check-in is still `PRESENT` (and how
    /// long before the start check-in opens); later it is `LATE`.
    pub checkin_grace: chrono::Duration,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            checkin_grace: chrono::Duration::minutes(15),
        }
    }
}

/// Vietnam's offset from UTC (no daylight saving).
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The Vietnamese calendar day of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&vietnam()).date_naive()
}
