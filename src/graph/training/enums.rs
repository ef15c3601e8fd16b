//! Training enums as the API shows them: mirrors of the domain's.

/// Where a course stands.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::training::CourseStatus")]
pub enum CourseStatus {
    /// Being prepared; only its organisers see it.
    Draft,
    /// Open: anyone sees it and signed-in users may enrol themselves.
    Published,
    /// Called off; kept for the record.
    Cancelled,
    /// Closed by `completeCourse`; certificates issued.
    Completed,
}

/// A participant's place in a course.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::training::EnrolmentStatus")]
pub enum EnrolmentStatus {
    /// Holds a seat.
    Enrolled,
    /// Waits for a seat, in order of enrolment.
    Waitlisted,
    /// Left the course.
    Withdrawn,
}

/// Where a training session stands.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrainingSessionStatus {
    /// On the schedule: it counts towards completion once held, and its
    /// check-in code works during its window.
    Scheduled,
    /// Called off: it does not count towards completion and its check-in
    /// code no longer works.
    Cancelled,
}

/// Attendance at one session.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::training::AttendanceStatus")]
pub enum AttendanceStatus {
    /// Came on time (counts towards completion).
    Present,
    /// Came after the grace period (counts towards completion).
    Late,
    /// Missed it with an excuse (does not count).
    Excused,
    /// Missed it (does not count).
    Absent,
}

/// A participant's gender, as reported in the course statistics.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::training::Gender")]
pub enum Gender {
    /// Nữ.
    Female,
    /// Nam.
    Male,
    /// Khác.
    Other,
}

/// How an import treats a file with refused rows.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::training::csv_import::ImportMode")]
pub enum ImportMode {
    /// One transaction: any refused row and nothing is imported.
    AllOrNothing,
    /// Each good row is imported on its own; refused rows are skipped.
    RowByRow,
}

/// What became of one row.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::training::csv_import::RowOutcome")]
pub enum RowOutcome {
    /// Enrolled with a seat.
    Enrolled,
    /// Enrolled on the waitlist (the course was full).
    Waitlisted,
    /// Refused; `reason` says why.
    Refused,
    /// A good row not imported because another row was refused
    /// (`ALL_OR_NOTHING`).
    NotImported,
}
