//! Sessions of a course: scheduled within the course's dates, changed,
//! cancelled; each has a check-in code its QR image carries.

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, QuerySelect};

use entity::{course, training_session};

use crate::auth::Viewer;
use crate::db::{Db, WriteTxn};
use crate::error::{AppError, AppResult, constraint_violation};
use crate::ids::{CourseId, SessionId};
use crate::training::local_date;
use crate::training::service::{
    hold_open_course, require_manager, require_open, require_session_manager,
};

/// A session to schedule, parsed.
pub struct NewSession {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    pub online_url: Option<String>,
}

/// Changes to a session; `None` leaves a field as it is.
#[derive(Default)]
pub struct SessionChanges {
    pub title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub location: Option<Option<String>>,
    pub online_url: Option<Option<String>>,
}

/// Check-in codes: unambiguous letters and digits (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh check-in code, e.g. `K7M3Q9XD`: 31^8 values, so codes cannot
/// be guessed from one another.
pub fn new_checkin_code() -> String {
    let mut rng = rand::rng();
    (0..8)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A code as a person typed it: case, spaces and hyphens forgiven.
pub fn normalise_checkin_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase()
}

fn within_course(
    course: &course::Model,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    field: &str,
) -> AppResult<()> {
    let (first, last) = (local_date(starts_at), local_date(ends_at));
    if first < course.starts_on || last > course.ends_on {
        return Err(AppError::invalid(
            field,
            format!(
                "the session ({first}) falls outside the course dates ({} to {})",
                course.starts_on, course.ends_on
            ),
        ));
    }
    Ok(())
}

/// Schedules a session of a draft or published course, within its dates.
/// The course is held open and its dates read inside the transaction that
/// inserts, so a session never lands in a completed course or outside
/// dates changed meanwhile.
pub async fn schedule(
    db: &Db,
    viewer: &Viewer,
    course_id: CourseId,
    new: NewSession,
) -> AppResult<training_session::Model> {
    let (user, course) = require_manager(db, viewer, course_id).await?;
    require_open(&course)?;
    within_course(&course, new.starts_at, new.ends_at, "input.startsAt")?;
    let now = Utc::now();
    // A clash of random codes is rare and simply retried.
    for _ in 0..5 {
        let attempt = db
            .write(async |txn| -> Result<_, Attempt> {
                let course = hold_open_course(db, &**txn, course_id).await?;
                within_course(&course, new.starts_at, new.ends_at, "input.startsAt")?;
                let session = training_session::Entity::insert(training_session::ActiveModel {
                    id: Set(SessionId::new().uuid()),
                    course_id: Set(course.id),
                    title: Set(new.title.clone()),
                    starts_at: Set(new.starts_at),
                    ends_at: Set(new.ends_at),
                    location: Set(new.location.clone()),
                    online_url: Set(new.online_url.clone()),
                    checkin_code: Set(new_checkin_code()),
                    cancelled_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_with_returning(&**txn)
                .await
                .map_err(|err| {
                    if constraint_violation(&err).is_some_and(|v| v.is_on("checkinCode")) {
                        Attempt::CodeTaken
                    } else {
                        Attempt::Failed(err.into())
                    }
                })?;
                Ok((course, session))
            })
            .await;
        match attempt {
            Ok((course, session)) => {
                tracing::info!(course.id = %course.id, session.id = %session.id, user.id = %user, "session scheduled");
                return Ok(session);
            }
            Err(Attempt::CodeTaken) => continue,
            Err(Attempt::Failed(err)) => return Err(err),
        }
    }
    Err(AppError::internal(anyhow::anyhow!(
        "could not find a free check-in code"
    )))
}

/// The session, read inside the transaction and locked for it on
/// PostgreSQL (check-ins and attendance hold it shared meanwhile).
async fn lock_session(
    db: &Db,
    conn: &impl ConnectionTrait,
    id: SessionId,
) -> AppResult<training_session::Model> {
    let mut query = training_session::Entity::find_by_id(id.uuid());
    if db.backend() == sea_orm::DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    query
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("session"))
}

/// Changes a session that is not cancelled; it must still end after it
/// starts and fall within the course's dates. The course is held open and
/// the session locked before either is checked.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: SessionId,
    changes: SessionChanges,
) -> AppResult<training_session::Model> {
    let (user, course, _) = require_session_manager(db, viewer, id).await?;
    let session = db
        .write(async |txn| change_session(db, txn, CourseId::from(course.id), id, changes).await)
        .await?;
    tracing::info!(session.id = %id, user.id = %user, "session updated");
    Ok(session)
}

async fn change_session(
    db: &Db,
    txn: &WriteTxn,
    course_id: CourseId,
    id: SessionId,
    changes: SessionChanges,
) -> AppResult<training_session::Model> {
    let course = hold_open_course(db, &**txn, course_id).await?;
    let session = lock_session(db, &**txn, id).await?;
    if session.cancelled_at.is_some() {
        return Err(AppError::Conflict("the session was cancelled".into()));
    }
    let starts_at = changes.starts_at.unwrap_or(session.starts_at);
    let ends_at = changes.ends_at.unwrap_or(session.ends_at);
    let field = if changes.ends_at.is_some() {
        "input.endsAt"
    } else {
        "input.startsAt"
    };
    crate::training::inputs::session_window(starts_at, ends_at, field)?;
    within_course(&course, starts_at, ends_at, field)?;
    let mut active: training_session::ActiveModel = session.into();
    if let Some(v) = changes.title {
        active.title = Set(v);
    }
    active.starts_at = Set(starts_at);
    active.ends_at = Set(ends_at);
    if let Some(v) = changes.location {
        active.location = Set(v);
    }
    if let Some(v) = changes.online_url {
        active.online_url = Set(v);
    }
    active.updated_at = Set(Utc::now());
    Ok(active.update(&**txn).await?)
}

/// Cancels a session: it no longer counts towards completion and its
/// check-in code stops working. Cancelling twice is harmless. The course is
/// held open first, so a session never changes in a completed course (whose
/// certificates counted its held sessions).
pub async fn cancel(db: &Db, viewer: &Viewer, id: SessionId) -> AppResult<training_session::Model> {
    let (user, course, _) = require_session_manager(db, viewer, id).await?;
    let (session, changed) = db
        .write(async |txn| -> AppResult<_> {
            hold_open_course(db, &**txn, CourseId::from(course.id)).await?;
            let session = lock_session(db, &**txn, id).await?;
            if session.cancelled_at.is_some() {
                return Ok((session, false));
            }
            let mut active: training_session::ActiveModel = session.into();
            let now = Utc::now();
            active.cancelled_at = Set(Some(now));
            active.updated_at = Set(now);
            Ok((active.update(&**txn).await?, true))
        })
        .await?;
    if changed {
        tracing::info!(session.id = %id, user.id = %user, "session cancelled");
    }
    Ok(session)
}

/// Why an attempt to schedule a session rolled back.
enum Attempt {
    /// Its random check-in code was taken: another attempt follows.
    CodeTaken,
    Failed(AppError),
}

impl From<AppError> for Attempt {
    fn from(err: AppError) -> Self {
        Self::Failed(err)
    }
}

impl From<sea_orm::DbErr> for Attempt {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Failed(err.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkin_codes_are_unambiguous_and_forgiving() {
        let code = new_checkin_code();
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(normalise_checkin_code(" k7m3-q9xd "), "K7M3Q9XD");
    }
}
