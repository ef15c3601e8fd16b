//! Batched reads of training relations, for the graph layer's loaders: one
//! `WHERE … IN (…)` query per relation per batch, whatever the page size.
//! They hold no authorisation.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::{
    attendance, course, course_organiser, enrolment, participant, training_certificate,
    training_session, user,
};

use crate::db::Db;
use crate::ids::{CourseId, ParticipantId, SessionId, UserId};

type Found<K, V> = Result<HashMap<K, V>, DbErr>;

/// Courses by id.
pub async fn courses(db: &Db, ids: &[CourseId]) -> Found<CourseId, course::Model> {
    let rows = course::Entity::find()
        .filter(course::Column::Id.is_in(ids.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| (CourseId::from(c.id), c))
        .collect())
}

/// The sessions of courses, in time order (cancelled ones included); every
/// course asked for has an entry.
pub async fn sessions_by_course(
    db: &Db,
    ids: &[CourseId],
) -> Found<CourseId, Vec<training_session::Model>> {
    let rows = training_session::Entity::find()
        .filter(training_session::Column::CourseId.is_in(ids.iter().map(|k| k.uuid())))
        .order_by_asc(training_session::Column::StartsAt)
        .order_by_asc(training_session::Column::Id)
        .all(db.conn())
        .await?;
    let mut out: HashMap<CourseId, Vec<training_session::Model>> =
        ids.iter().map(|k| (*k, Vec::new())).collect();
    for s in rows {
        out.entry(CourseId::from(s.course_id)).or_default().push(s);
    }
    Ok(out)
}

/// The organisers of courses, in the order they were added; every course
/// asked for has an entry.
pub async fn organisers_by_course(db: &Db, ids: &[CourseId]) -> Found<CourseId, Vec<UserId>> {
    let rows = course_organiser::Entity::find()
        .filter(course_organiser::Column::CourseId.is_in(ids.iter().map(|k| k.uuid())))
        .order_by_asc(course_organiser::Column::CreatedAt)
        .all(db.conn())
        .await?;
    let mut out: HashMap<CourseId, Vec<UserId>> = ids.iter().map(|k| (*k, Vec::new())).collect();
    for o in rows {
        out.entry(CourseId::from(o.course_id))
            .or_default()
            .push(UserId::from(o.user_id));
    }
    Ok(out)
}

/// User accounts by id (organisers of courses).
pub async fn users(db: &Db, ids: &[UserId]) -> Found<UserId, user::Model> {
    let rows = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows.into_iter().map(|u| (UserId::from(u.id), u)).collect())
}

/// Participants by id.
pub async fn participants(
    db: &Db,
    ids: &[ParticipantId],
) -> Found<ParticipantId, participant::Model> {
    let rows = participant::Entity::find()
        .filter(participant::Column::Id.is_in(ids.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|p| (ParticipantId::from(p.id), p))
        .collect())
}

/// The attendance marks of sessions, oldest first; every session asked for
/// has an entry.
pub async fn attendance_by_session(
    db: &Db,
    ids: &[SessionId],
) -> Found<SessionId, Vec<attendance::Model>> {
    let rows = attendance::Entity::find()
        .filter(attendance::Column::SessionId.is_in(ids.iter().map(|k| k.uuid())))
        .order_by_asc(attendance::Column::RecordedAt)
        .all(db.conn())
        .await?;
    let mut out: HashMap<SessionId, Vec<attendance::Model>> =
        ids.iter().map(|k| (*k, Vec::new())).collect();
    for a in rows {
        out.entry(SessionId::from(a.session_id))
            .or_default()
            .push(a);
    }
    Ok(out)
}

/// The enrolments of participants in courses (with the details given to
/// each course), keyed by (course, participant).
pub async fn enrolments(
    db: &Db,
    keys: &[(CourseId, ParticipantId)],
) -> Found<(CourseId, ParticipantId), enrolment::Model> {
    let wanted: HashSet<_> = keys.iter().copied().collect();
    let rows = enrolment::Entity::find()
        .filter(
            enrolment::Column::CourseId
                .is_in(keys.iter().map(|(c, _)| c.uuid()).collect::<HashSet<_>>()),
        )
        .filter(enrolment::Column::ParticipantId.is_in(keys.iter().map(|(_, p)| p.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| {
            (
                (
                    CourseId::from(e.course_id),
                    ParticipantId::from(e.participant_id),
                ),
                e,
            )
        })
        .filter(|(key, _)| wanted.contains(key))
        .collect())
}

/// The certificates of participants in courses, keyed by (course, participant).
pub async fn certificates(
    db: &Db,
    keys: &[(CourseId, ParticipantId)],
) -> Found<(CourseId, ParticipantId), training_certificate::Model> {
    let rows = training_certificate::Entity::find()
        .filter(
            training_certificate::Column::CourseId
                .is_in(keys.iter().map(|(c, _)| c.uuid()).collect::<HashSet<_>>()),
        )
        .filter(
            training_certificate::Column::ParticipantId.is_in(keys.iter().map(|(_, p)| p.uuid())),
        )
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            (
                (
                    CourseId::from(c.course_id),
                    ParticipantId::from(c.participant_id),
                ),
                c,
            )
        })
        .collect())
}
