//! Batched loads of training relations over [`crate::training::queries`]:
//! one query per relation per batch, whatever the page size. Loaders hold
//! no authorisation.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use entity::{
    attendance, course, enrolment, participant, training_certificate, training_session, user,
};

use crate::db::Db;
use crate::ids::{CourseId, ParticipantId, SessionId, UserId};
use crate::training::queries;

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<sea_orm::DbErr>>;

/// Declares a loader that hands its keys to one batched query.
macro_rules! loader {
    ($(#[$meta:meta])* $name:ident: $key:ty => $value:ty, $query:path) => {
        $(#[$meta])*
        pub struct $name(pub Db);

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = Arc<sea_orm::DbErr>;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                $query(&self.0, keys).await.map_err(Arc::new)
            }
        }
    };
}

loader!(
    /// Courses by id.
    CourseLoader: CourseId => course::Model, queries::courses
);
loader!(
    /// The sessions of courses, in time order (cancelled ones included).
    SessionsByCourse: CourseId => Vec<training_session::Model>, queries::sessions_by_course
);
loader!(
    /// The organisers of courses, in the order they were added.
    OrganisersByCourse: CourseId => Vec<UserId>, queries::organisers_by_course
);
loader!(
    /// User accounts by id (organisers of courses).
    UserLoader: UserId => user::Model, queries::users
);
loader!(
    /// Participants by id.
    ParticipantLoader: ParticipantId => participant::Model, queries::participants
);
loader!(
    /// The attendance marks of sessions.
    AttendanceBySession: SessionId => Vec<attendance::Model>, queries::attendance_by_session
);
loader!(
    /// The enrolment of a participant in a course (with the details given to
    /// that course), keyed by (course, participant).
    EnrolmentLoader: (CourseId, ParticipantId) => enrolment::Model, queries::enrolments
);
loader!(
    /// The certificate of a participant in a course, keyed by (course, participant).
    CertificateByEnrolment: (CourseId, ParticipantId) => training_certificate::Model,
    queries::certificates
);
