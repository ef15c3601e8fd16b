//! Training as the API shows it: courses, sessions, participants,
//! enrolments, attendance, certificates, reports, outcomes and imports, and
//! the training queries and mutations over [`crate::training::service`].

mod enums;
mod inputs;
mod loaders;
mod objects;
mod resolvers;

pub use enums::{
    AttendanceStatus, CourseStatus, EnrolmentStatus, Gender, ImportMode, RowOutcome,
    TrainingSessionStatus,
};
pub use inputs::{
    AttendanceEntryInput, CompletionRuleInput, CourseContactInput, CourseFilterInput,
    CreateCourseInput, ParticipantInput, ScheduleSessionInput, SelfEnrolmentInput,
    UpdateCourseInput, UpdateSessionInput,
};
pub use loaders::{
    AttendanceBySession, CertificateByEnrolment, CourseLoader, EnrolmentLoader, OrganisersByCourse,
    ParticipantLoader, SessionsByCourse, UserLoader,
};
pub use objects::{
    AttendanceRecord, CheckInResult, CompleterOutcome, CompletionRule, Course, CourseCompletion,
    CourseContact, CourseOrganiser, CourseOutcomes, CourseReport, Enrolment, GroupCount,
    ImportReport, ImportRow, Participant, SalesActivity, SessionAttendance, TrainingCertificate,
    TrainingSession,
};
pub use resolvers::{TrainingMutation, TrainingQuery};
