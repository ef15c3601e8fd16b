//! Attendance: recorded by organisers (an upsert, so recording again corrects
//! it) or by the participant checking in with the session's code. Both
//! write inside a transaction that first holds the course open
//! ([`hold_open_course`]) and reads what the mark depends on after that.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};

use entity::{attendance, enrolment, participant, training_session};

use crate::auth::Viewer;
use crate::db::{Db, WriteTxn};
use crate::error::{AppError, AppResult};
use crate::ids::{CourseId, ParticipantId, SessionId};
use crate::training::service::sessions::normalise_checkin_code;
use crate::training::service::{hold_open_course, require_session_manager};
use crate::training::{AttendanceStatus, EnrolmentStatus};
use crate::values::PhoneNumber;

/// One mark to record.
pub struct Mark {
    pub participant: ParticipantId,
    pub status: AttendanceStatus,
}

fn upsert(rows: Vec<attendance::ActiveModel>) -> sea_orm::InsertMany<attendance::ActiveModel> {
    attendance::Entity::insert_many(rows).on_conflict(
        OnConflict::columns([
            attendance::Column::SessionId,
            attendance::Column::ParticipantId,
        ])
        .update_columns([
            attendance::Column::Status,
            attendance::Column::RecordedBy,
            attendance::Column::RecordedAt,
        ])
        .to_owned(),
    )
}

/// Records (or corrects) attendance at a session; every participant must be
/// enrolled in the course (not waiting, not withdrawn). All marks or none.
/// The course is held open, the session and the enrolments read inside the
/// transaction that writes, so a mark never lands in a completed course or
/// for someone withdrawn meanwhile. Returns the course and the marks.
pub async fn record(
    db: &Db,
    viewer: &Viewer,
    session_id: SessionId,
    marks: Vec<Mark>,
) -> AppResult<(CourseId, Vec<attendance::Model>)> {
    let (user, course, _) = require_session_manager(db, viewer, session_id).await?;
    let course_id = CourseId::from(course.id);
    let mut seen = HashSet::new();
    for (i, mark) in marks.iter().enumerate() {
        if !seen.insert(mark.participant) {
            return Err(AppError::invalid(
                format!("entries.{i}.participantId"),
                "appears twice in the list",
            ));
        }
    }
    let written = db
        .write(async |txn| write_marks(db, txn, course_id, session_id, user, &marks).await)
        .await?;
    if written {
        tracing::info!(session.id = %session_id, user.id = %user, marks = marks.len(), "attendance recorded");
    }
    if marks.is_empty() {
        return Ok((course_id, Vec::new()));
    }
    let rows = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session_id.uuid()))
        .filter(attendance::Column::ParticipantId.is_in(marks.iter().map(|m| m.participant.uuid())))
        .all(db.conn())
        .await?;
    Ok((course_id, rows))
}

async fn write_marks(
    db: &Db,
    txn: &WriteTxn,
    course_id: CourseId,
    session_id: SessionId,
    user: crate::ids::UserId,
    marks: &[Mark],
) -> AppResult<bool> {
    hold_open_course(db, &**txn, course_id).await?;
    let session = hold_session(db, &**txn, session_id).await?;
    if session.cancelled_at.is_some() {
        return Err(AppError::Conflict(
            "the session was cancelled; attendance cannot be recorded".into(),
        ));
    }
    if marks.is_empty() {
        return Ok(false);
    }
    let enrolled: HashSet<uuid::Uuid> = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(course_id.uuid()))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled))
        .filter(enrolment::Column::ParticipantId.is_in(marks.iter().map(|m| m.participant.uuid())))
        .all(&**txn)
        .await?
        .into_iter()
        .map(|e| e.participant_id)
        .collect();
    for (i, mark) in marks.iter().enumerate() {
        if !enrolled.contains(&mark.participant.uuid()) {
            return Err(AppError::invalid(
                format!("entries.{i}.participantId"),
                "is not enrolled in this course",
            ));
        }
    }
    let now = Utc::now();
    let rows: Vec<_> = marks
        .iter()
        .map(|m| attendance::ActiveModel {
            session_id: Set(session.id),
            participant_id: Set(m.participant.uuid()),
            status: Set(m.status),
            recorded_by: Set(Some(user.uuid())),
            recorded_at: Set(now),
        })
        .collect();
    upsert(rows).exec_without_returning(&**txn).await?;
    Ok(true)
}

/// The session, read inside the transaction with a shared row lock on
/// PostgreSQL, so its cancellation or rescheduling waits for this write.
async fn hold_session(
    db: &Db,
    conn: &impl ConnectionTrait,
    id: SessionId,
) -> AppResult<training_session::Model> {
    let mut query = training_session::Entity::find_by_id(id.uuid());
    if db.backend() == sea_orm::DbBackend::Postgres {
        query = query.lock_shared();
    }
    query
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("session"))
}

/// What a check-in did.
pub struct CheckedIn {
    pub status: AttendanceStatus,
    pub session: training_session::Model,
    pub participant: participant::Model,
    /// The participant's name as their course has it.
    pub name: String,
}

/// Marks the participant with this phone present at the session whose code
/// this is, or late after the grace period. The code works from `grace`
/// before the start until the end. Checking in again keeps the first mark.
///
/// Everything the mark depends on (the course still open, the session not
/// cancelled and within its window, the person enrolled) is read inside the
/// transaction that writes it, after holding the course: a check-in racing
/// `completeCourse` either lands first and counts towards the certificates,
/// or comes after and is refused with `CONFLICT`.
pub async fn check_in(
    db: &Db,
    code: &str,
    phone: &PhoneNumber,
    grace: chrono::Duration,
    now: DateTime<Utc>,
) -> AppResult<CheckedIn> {
    let code = normalise_checkin_code(code);
    let found = training_session::Entity::find()
        .filter(training_session::Column::CheckinCode.eq(code))
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::invalid("code", "is not the check-in code of any session"))?;
    let (done, wrote) = db
        .write(async |txn| mark_checked_in(db, txn, &found, phone, grace, now).await)
        .await?;
    if wrote {
        tracing::info!(session.id = %done.session.id, participant.id = %done.participant.id, status = done.status.to_string(), "participant checked in");
    }
    Ok(done)
}

async fn mark_checked_in(
    db: &Db,
    txn: &WriteTxn,
    found: &training_session::Model,
    phone: &PhoneNumber,
    grace: chrono::Duration,
    now: DateTime<Utc>,
) -> AppResult<(CheckedIn, bool)> {
    let course_id = CourseId::from(found.course_id);
    hold_open_course(db, &**txn, course_id).await?;
    let session = hold_session(db, &**txn, SessionId::from(found.id)).await?;
    if session.cancelled_at.is_some() {
        return Err(AppError::invalid("code", "this session was cancelled"));
    }
    let opens = session.starts_at - grace;
    if now < opens || now > session.ends_at {
        return Err(AppError::invalid(
            "code",
            format!(
                "check-in for this session is open only from {} to {} (UTC)",
                opens.format("%Y-%m-%d %H:%M"),
                session.ends_at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    let person = participant::Entity::find()
        .filter(participant::Column::Phone.eq(phone.as_str()))
        .one(&**txn)
        .await?;
    let enrolment = match &person {
        Some(p) => enrolment::Entity::find_by_id((course_id.uuid(), p.id))
            .one(&**txn)
            .await?
            .filter(|e| e.status == EnrolmentStatus::Enrolled),
        None => None,
    };
    let (Some(person), Some(enrolment)) = (person, enrolment) else {
        return Err(AppError::invalid(
            "phone",
            "no participant enrolled in this course has this phone number",
        ));
    };
    let earlier = attendance::Entity::find_by_id((session.id, person.id))
        .one(&**txn)
        .await?
        .map(|a| a.status)
        .filter(|s| s.counts());
    if let Some(status) = earlier {
        return Ok((
            CheckedIn {
                status,
                session,
                participant: person,
                name: enrolment.full_name,
            },
            false,
        ));
    }
    let status = if now <= session.starts_at + grace {
        AttendanceStatus::Present
    } else {
        AttendanceStatus::Late
    };
    upsert(vec![attendance::ActiveModel {
        session_id: Set(session.id),
        participant_id: Set(person.id),
        status: Set(status),
        recorded_by: Set(None),
        recorded_at: Set(now),
    }])
    .exec_without_returning(&**txn)
    .await?;
    Ok((
        CheckedIn {
            status,
            session,
            participant: person,
            name: enrolment.full_name,
        },
        true,
    ))
}

/// An enrolled participant with how many held sessions they attended, and
/// the details their course has for them.
#[derive(Clone, Debug)]
pub struct Attended {
    pub participant: uuid::Uuid,
    pub full_name: String,
    pub cooperative: Option<uuid::Uuid>,
    pub area: String,
    pub gender: Option<String>,
    pub attended: i64,
}

/// Every enrolled participant of a course with the held (not cancelled)
/// sessions they attended (`PRESENT` or `LATE`): one grouped query, run on
/// `conn` (the completing transaction, or the pool for a report).
pub async fn attended_by_participant(
    db: &Db,
    conn: &impl ConnectionTrait,
    course: CourseId,
) -> AppResult<Vec<Attended>> {
    let sql = "SELECT e.participant_id AS participant_id, e.full_name AS full_name, \
               e.cooperative_id AS cooperative_id, e.area AS area, e.gender AS gender, \
               COUNT(s.id) AS attended \
               FROM enrolments e \
               LEFT JOIN attendance a ON a.participant_id = e.participant_id \
                    AND a.status IN ('PRESENT', 'LATE') \
               LEFT JOIN training_sessions s ON s.id = a.session_id \
                    AND s.course_id = e.course_id AND s.cancelled_at IS NULL \
               WHERE e.course_id = ? AND e.status = 'ENROLLED' \
               GROUP BY e.participant_id, e.full_name, e.cooperative_id, e.area, e.gender";
    let rows = conn
        .query_all_raw(db.statement(sql, vec![course.uuid().into()]))
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Attended {
                participant: row.try_get("", "participant_id")?,
                full_name: row.try_get("", "full_name")?,
                cooperative: row.try_get("", "cooperative_id")?,
                area: row.try_get("", "area")?,
                gender: row.try_get("", "gender")?,
                attended: row.try_get("", "attended")?,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(AppError::from)
}

/// Attendance marks of sessions, by session.
pub async fn of_sessions(
    db: &Db,
    sessions: &[uuid::Uuid],
) -> AppResult<HashMap<uuid::Uuid, Vec<attendance::Model>>> {
    let rows = attendance::Entity::find()
        .filter(attendance::Column::SessionId.is_in(sessions.iter().copied()))
        .all(db.conn())
        .await?;
    let mut out: HashMap<uuid::Uuid, Vec<attendance::Model>> = HashMap::new();
    for row in rows {
        out.entry(row.session_id).or_default().push(row);
    }
    Ok(out)
}
