//! Attendance: recorded by organisers (an upsert, so recording again corrects
//! it) or by the participant checking in with the session's code.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use entity::{attendance, enrolment, participant, training_session};

use crate::auth::Viewer;
use crate::auth::inputs::PhoneNumber;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::training::service::sessions::normalise_checkin_code;
use crate::training::service::{find_course, require_open, require_session_manager};
use crate::training::{AttendanceStatus, EnrolmentStatus, ParticipantId, SessionId};

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
pub async fn record(
    db: &Db,
    viewer: &Viewer,
    session_id: SessionId,
    marks: Vec<Mark>,
) -> AppResult<Vec<attendance::Model>> {
    let (user, course, session) = require_session_manager(db, viewer, session_id).await?;
    require_open(&course)?;
    if session.cancelled_at.is_some() {
        return Err(AppError::Conflict(
            "the session was cancelled; attendance cannot be recorded".into(),
        ));
    }
    if marks.is_empty() {
        return Ok(Vec::new());
    }
    let enrolled: HashSet<uuid::Uuid> = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(course.id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .filter(enrolment::Column::ParticipantId.is_in(marks.iter().map(|m| m.participant.0)))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| e.participant_id)
        .collect();
    let mut seen = HashSet::new();
    for (i, mark) in marks.iter().enumerate() {
        if !enrolled.contains(&mark.participant.0) {
            return Err(AppError::invalid(
                format!("entries.{i}.participantId"),
                "is not enrolled in this course",
            ));
        }
        if !seen.insert(mark.participant) {
            return Err(AppError::invalid(
                format!("entries.{i}.participantId"),
                "appears twice in the list",
            ));
        }
    }
    let now = Utc::now();
    let rows: Vec<_> = marks
        .iter()
        .map(|m| attendance::ActiveModel {
            session_id: Set(session.id),
            participant_id: Set(m.participant.0),
            status: Set(m.status.as_str().to_owned()),
            recorded_by: Set(Some(user.0)),
            recorded_at: Set(now),
        })
        .collect();
    let txn = db.begin_write().await?;
    upsert(rows).exec_without_returning(&*txn).await?;
    txn.commit().await?;
    tracing::info!(session.id = %session_id, user.id = %user, marks = marks.len(), "attendance recorded");
    Ok(attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session.id))
        .filter(attendance::Column::ParticipantId.is_in(marks.iter().map(|m| m.participant.0)))
        .all(db.conn())
        .await?)
}

/// What a check-in did.
pub struct CheckedIn {
    pub status: AttendanceStatus,
    pub session: training_session::Model,
    pub participant: participant::Model,
}

/// Marks the participant with this phone present at the session whose code
/// this is, or late after the grace period. The code works from `grace`
/// before the start until the end. Checking in again keeps the first mark.
pub async fn check_in(
    db: &Db,
    code: &str,
    phone: &PhoneNumber,
    grace: chrono::Duration,
    now: DateTime<Utc>,
) -> AppResult<CheckedIn> {
    let code = normalise_checkin_code(code);
    let session = training_session::Entity::find()
        .filter(training_session::Column::CheckinCode.eq(code))
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::invalid("code", "is not the check-in code of any session"))?;
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
    let course = find_course(db.conn(), crate::training::CourseId(session.course_id))
        .await?
        .ok_or_else(|| AppError::not_found("course"))?;
    require_open(&course)?;
    let person = participant::Entity::find()
        .filter(participant::Column::Phone.eq(phone.as_str()))
        .one(db.conn())
        .await?;
    let enrolled = match &person {
        Some(p) => enrolment::Entity::find_by_id((course.id, p.id))
            .one(db.conn())
            .await?
            .is_some_and(|e| e.status == EnrolmentStatus::Enrolled.as_str()),
        None => false,
    };
    let (Some(person), true) = (person, enrolled) else {
        return Err(AppError::invalid(
            "phone",
            "no participant enrolled in this course has this phone number",
        ));
    };
    let earlier = attendance::Entity::find_by_id((session.id, person.id))
        .one(db.conn())
        .await?
        .and_then(|a| AttendanceStatus::from_db(&a.status))
        .filter(|s| s.counts());
    if let Some(status) = earlier {
        return Ok(CheckedIn {
            status,
            session,
            participant: person,
        });
    }
    let status = if now <= session.starts_at + grace {
        AttendanceStatus::Present
    } else {
        AttendanceStatus::Late
    };
    let txn = db.begin_write().await?;
    upsert(vec![attendance::ActiveModel {
        session_id: Set(session.id),
        participant_id: Set(person.id),
        status: Set(status.as_str().to_owned()),
        recorded_by: Set(None),
        recorded_at: Set(now),
    }])
    .exec_without_returning(&*txn)
    .await?;
    txn.commit().await?;
    tracing::info!(session.id = %session.id, participant.id = %person.id, status = status.as_str(), "participant checked in");
    Ok(CheckedIn {
        status,
        session,
        participant: person,
    })
}

/// An enrolled participant with how many held sessions they attended.
#[derive(Clone, Debug)]
pub struct Attended {
    pub participant: uuid::Uuid,
    pub cooperative: Option<uuid::Uuid>,
    pub area: String,
    pub gender: Option<String>,
    pub attended: i64,
}

/// Every enrolled participant of a course with the held (not cancelled)
/// sessions they attended (`PRESENT` or `LATE`): one grouped query.
pub async fn attended_by_participant(
    db: &Db,
    course: crate::training::CourseId,
) -> AppResult<Vec<Attended>> {
    use sea_orm::ConnectionTrait;
    let sql = "SELECT e.participant_id AS participant_id, p.cooperative_id AS cooperative_id, \
               p.area AS area, p.gender AS gender, COUNT(s.id) AS attended \
               FROM enrolments e \
               JOIN participants p ON p.id = e.participant_id \
               LEFT JOIN attendance a ON a.participant_id = e.participant_id \
                    AND a.status IN ('PRESENT', 'LATE') \
               LEFT JOIN training_sessions s ON s.id = a.session_id \
                    AND s.course_id = e.course_id AND s.cancelled_at IS NULL \
               WHERE e.course_id = ? AND e.status = 'ENROLLED' \
               GROUP BY e.participant_id, p.cooperative_id, p.area, p.gender";
    let rows = db
        .conn()
        .query_all_raw(db.statement(sql, vec![course.0.into()]))
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Attended {
                participant: row.try_get("", "participant_id")?,
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
