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

/// Declares an enum stored as its SCREAMING_CASE name.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $db:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// As stored in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $db),+
                }
            }

            /// The value stored as `raw`.
            pub fn from_db(raw: &str) -> Option<Self> {
                match raw {
                    $($db => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

stored_enum!(
    /// Where a course stands.
    CourseStatus {
        /// Being prepared; only its organisers see it.
        Draft => "DRAFT",
        /// Open: anyone sees it and signed-in users may enrol themselves.
        Published => "PUBLISHED",
        /// Called off; kept for the record.
        Cancelled => "CANCELLED",
        /// Closed by `completeCourse`; certificates issued.
        Completed => "COMPLETED",
    }
);

stored_enum!(
    /// A participant's place in a course.
    EnrolmentStatus {
        /// Holds a seat.
        Enrolled => "ENROLLED",
        /// Waits for a seat, in order of enrolment.
        Waitlisted => "WAITLISTED",
        /// Left the course.
        Withdrawn => "WITHDRAWN",
    }
);

stored_enum!(
    /// Attendance at one session.
    AttendanceStatus {
        /// Came on time (counts towards completion).
        Present => "PRESENT",
        /// Came after the grace period (counts towards completion).
        Late => "LATE",
        /// Missed it with an excuse (does not count).
        Excused => "EXCUSED",
        /// Missed it (does not count).
        Absent => "ABSENT",
    }
);

stored_enum!(
    /// A participant's gender, as reported in the course statistics.
    Gender {
        /// Nữ.
        Female => "FEMALE",
        /// Nam.
        Male => "MALE",
        /// Khác.
        Other => "OTHER",
    }
);

impl AttendanceStatus {
    /// True when the mark counts as attended for completion.
    pub fn counts(self) -> bool {
        matches!(self, Self::Present | Self::Late)
    }
}

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
