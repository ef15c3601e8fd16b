//! Batched loads of training relations: one `WHERE … IN (…)` query per
//! relation per batch, whatever the page size. Loaders hold no authorisation.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{
    attendance, course, course_organiser, enrolment, participant, training_certificate,
    training_session, user,
};

use crate::auth::UserId;
use crate::db::Db;
use crate::training::{CourseId, ParticipantId, SessionId};

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<sea_orm::DbErr>>;

/// Courses by id.
pub struct CourseLoader(pub Db);

impl Loader<CourseId> for CourseLoader {
    type Value = course::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[CourseId]) -> LoadResult<CourseId, Self::Value> {
        let rows = course::Entity::find()
            .filter(course::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await?;
        Ok(rows.into_iter().map(|c| (CourseId(c.id), c)).collect())
    }
}

/// The sessions of courses, in time order (cancelled ones included).
pub struct SessionsByCourse(pub Db);

impl Loader<CourseId> for SessionsByCourse {
    type Value = Vec<training_session::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[CourseId]) -> LoadResult<CourseId, Self::Value> {
        let rows = training_session::Entity::find()
            .filter(training_session::Column::CourseId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(training_session::Column::StartsAt)
            .order_by_asc(training_session::Column::Id)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<CourseId, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for s in rows {
            out.entry(CourseId(s.course_id)).or_default().push(s);
        }
        Ok(out)
    }
}

/// The organisers of courses, in the order they were added.
pub struct OrganisersByCourse(pub Db);

impl Loader<CourseId> for OrganisersByCourse {
    type Value = Vec<UserId>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[CourseId]) -> LoadResult<CourseId, Self::Value> {
        let rows = course_organiser::Entity::find()
            .filter(course_organiser::Column::CourseId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(course_organiser::Column::CreatedAt)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<CourseId, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for o in rows {
            out.entry(CourseId(o.course_id))
                .or_default()
                .push(UserId(o.user_id));
        }
        Ok(out)
    }
}

/// User accounts by id (organisers of courses).
pub struct UserLoader(pub Db);

impl Loader<UserId> for UserLoader {
    type Value = user::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[UserId]) -> LoadResult<UserId, Self::Value> {
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await?;
        Ok(rows.into_iter().map(|u| (UserId(u.id), u)).collect())
    }
}

/// Participants by id.
pub struct ParticipantLoader(pub Db);

impl Loader<ParticipantId> for ParticipantLoader {
    type Value = participant::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[ParticipantId]) -> LoadResult<ParticipantId, Self::Value> {
        let rows = participant::Entity::find()
            .filter(participant::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await?;
        Ok(rows.into_iter().map(|p| (ParticipantId(p.id), p)).collect())
    }
}

/// The attendance marks of sessions.
pub struct AttendanceBySession(pub Db);

impl Loader<SessionId> for AttendanceBySession {
    type Value = Vec<attendance::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[SessionId]) -> LoadResult<SessionId, Self::Value> {
        let rows = attendance::Entity::find()
            .filter(attendance::Column::SessionId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(attendance::Column::RecordedAt)
            .all(self.0.conn())
            .await?;
        let mut out: HashMap<SessionId, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for a in rows {
            out.entry(SessionId(a.session_id)).or_default().push(a);
        }
        Ok(out)
    }
}

/// The enrolment of a participant in a course (with the details given to
/// that course), keyed by (course, participant).
pub struct EnrolmentLoader(pub Db);

impl Loader<(CourseId, ParticipantId)> for EnrolmentLoader {
    type Value = enrolment::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[(CourseId, ParticipantId)],
    ) -> LoadResult<(CourseId, ParticipantId), Self::Value> {
        let wanted: std::collections::HashSet<_> = keys.iter().copied().collect();
        let rows = enrolment::Entity::find()
            .filter(
                enrolment::Column::CourseId.is_in(
                    keys.iter()
                        .map(|(c, _)| c.0)
                        .collect::<std::collections::HashSet<_>>(),
                ),
            )
            .filter(enrolment::Column::ParticipantId.is_in(keys.iter().map(|(_, p)| p.0)))
            .all(self.0.conn())
            .await?;
        Ok(rows
            .into_iter()
            .map(|e| ((CourseId(e.course_id), ParticipantId(e.participant_id)), e))
            .filter(|(key, _)| wanted.contains(key))
            .collect())
    }
}

/// The certificate of a participant in a course, keyed by (course, participant).
pub struct CertificateByEnrolment(pub Db);

impl Loader<(CourseId, ParticipantId)> for CertificateByEnrolment {
    type Value = training_certificate::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[(CourseId, ParticipantId)],
    ) -> LoadResult<(CourseId, ParticipantId), Self::Value> {
        let rows = training_certificate::Entity::find()
            .filter(
                training_certificate::Column::CourseId.is_in(
                    keys.iter()
                        .map(|(c, _)| c.0)
                        .collect::<std::collections::HashSet<_>>(),
                ),
            )
            .filter(
                training_certificate::Column::ParticipantId.is_in(keys.iter().map(|(_, p)| p.0)),
            )
            .all(self.0.conn())
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| ((CourseId(c.course_id), ParticipantId(c.participant_id)), c))
            .collect())
    }
}
