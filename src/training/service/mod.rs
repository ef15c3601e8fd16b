//! The rules of training: who may manage a course, and the services of each
//! part (courses, sessions, enrolment, attendance, completion, reports).
//!
//! A course is managed by its organisers (its creator and the co-organisers
//! added to it) and by platform admins. Everyone else is `FORBIDDEN` from
//! changing it; anonymous callers are `UNAUTHENTICATED`.

pub mod attendance;
pub mod completion;
pub mod courses;
pub mod enrolment;
pub mod reports;
pub mod sessions;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use entity::{course, course_organiser, training_session};

use crate::auth::service::has_role;
use crate::auth::{PlatformRole, Viewer};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CourseId, SessionId, UserId};
use crate::training::CourseStatus;

/// The course with this id, if any.
pub async fn find_course(
    conn: &impl ConnectionTrait,
    id: CourseId,
) -> AppResult<Option<course::Model>> {
    Ok(course::Entity::find_by_id(id.uuid()).one(conn).await?)
}

/// The course with this id, locked for the rest of the transaction on
/// PostgreSQL (SQLite's write gate already serialises writers), so that seat
/// counts and enrolment order stay consistent under concurrency.
pub async fn lock_course(
    db: &Db,
    conn: &impl ConnectionTrait,
    id: CourseId,
) -> AppResult<course::Model> {
    let mut query = course::Entity::find_by_id(id.uuid());
    if db.backend() == sea_orm::DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    query
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("course"))
}

/// The course, read inside `conn`'s transaction and held open until it
/// ends: on PostgreSQL with a shared row lock (`FOR SHARE`), so a
/// completion, cancellation or edit of the course (which update the row)
/// waits for this transaction, and this one, arriving after them, reads
/// their outcome; on SQLite the write gate the transaction holds already
/// serialises writers. `NOT_FOUND` for an unknown course, `CONFLICT` unless
/// it is still open (draft or published). Writes that depend on the course
/// being open (attendance, check-in, sessions) take it before reading
/// anything else.
pub async fn hold_open_course(
    db: &Db,
    conn: &impl ConnectionTrait,
    id: CourseId,
) -> AppResult<course::Model> {
    let mut query = course::Entity::find_by_id(id.uuid());
    if db.backend() == sea_orm::DbBackend::Postgres {
        query = query.lock_shared();
    }
    let course = query
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("course"))?;
    require_open(&course)?;
    Ok(course)
}

/// The session with this id, if any.
pub async fn find_session(
    conn: &impl ConnectionTrait,
    id: SessionId,
) -> AppResult<Option<training_session::Model>> {
    Ok(training_session::Entity::find_by_id(id.uuid())
        .one(conn)
        .await?)
}

/// True when `user` is one of the course's organisers.
pub async fn is_organiser(db: &Db, course: CourseId, user: UserId) -> AppResult<bool> {
    Ok(
        course_organiser::Entity::find_by_id((course.uuid(), user.uuid()))
            .one(db.conn())
            .await?
            .is_some(),
    )
}

/// True when `user` may manage the course: an organiser of it, or an admin.
pub async fn can_manage(db: &Db, course: CourseId, user: UserId) -> AppResult<bool> {
    Ok(is_organiser(db, course, user).await? || has_role(db, user, PlatformRole::Admin).await?)
}

/// True when the viewer may manage the course; false for anonymous callers.
pub async fn viewer_can_manage(db: &Db, viewer: &Viewer, course: CourseId) -> AppResult<bool> {
    match viewer.user()? {
        Some(user) => can_manage(db, course, user).await,
        None => Ok(false),
    }
}

/// The course, when the viewer may manage it: `UNAUTHENTICATED` without a
/// token, `NOT_FOUND` for an unknown course, `FORBIDDEN` for anyone who is
/// neither one of its organisers nor an admin.
pub async fn require_manager(
    db: &Db,
    viewer: &Viewer,
    id: CourseId,
) -> AppResult<(UserId, course::Model)> {
    let user = viewer.require_user()?;
    let course = find_course(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("course"))?;
    if !can_manage(db, id, user).await? {
        return Err(AppError::Forbidden(
            "only the course's organisers and platform admins may do this".into(),
        ));
    }
    Ok((user, course))
}

/// The session and its course, when the viewer may manage the course.
pub async fn require_session_manager(
    db: &Db,
    viewer: &Viewer,
    id: SessionId,
) -> AppResult<(UserId, course::Model, training_session::Model)> {
    viewer.require_user()?;
    let session = find_session(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("session"))?;
    let (user, course) = require_manager(db, viewer, CourseId::from(session.course_id)).await?;
    Ok((user, course, session))
}

/// The course's status as stored.
pub fn status_of(course: &course::Model) -> CourseStatus {
    course.status
}

/// `CONFLICT` unless the course can still change (draft or published).
pub fn require_open(course: &course::Model) -> AppResult<()> {
    match status_of(course) {
        CourseStatus::Draft | CourseStatus::Published => Ok(()),
        CourseStatus::Cancelled => Err(AppError::Conflict("the course was cancelled".into())),
        CourseStatus::Completed => Err(AppError::Conflict(
            "the course is completed and can no longer change".into(),
        )),
    }
}

/// The course ids `user` organises.
pub async fn organised_by(db: &Db, user: UserId) -> AppResult<Vec<uuid::Uuid>> {
    Ok(course_organiser::Entity::find()
        .filter(course_organiser::Column::UserId.eq(user.uuid()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|o| o.course_id)
        .collect())
}
