//! The course report: enrolment, attendance per session, completion, and
//! the same by area and by gender. A fixed handful of queries whatever the
//! size of the course.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{course, training_certificate, training_session};

use crate::auth::Viewer;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::CourseId;
use crate::training::CourseStatus;
use crate::training::service::attendance::{Attended, attended_by_participant};
use crate::training::service::completion::meets_rule;
use crate::training::service::{require_manager, status_of};

/// Attendance at one session.
pub struct SessionLine {
    pub session: training_session::Model,
    pub present: i64,
    pub late: i64,
    pub excused: i64,
    pub absent: i64,
    /// Present or late, over the participants enrolled now (0 to 1).
    pub attendance_rate: f64,
}

/// A group of participants (an area or a gender).
pub struct GroupLine {
    pub key: String,
    pub enrolled: i64,
    pub completed: i64,
}

/// The whole report.
pub struct CourseReport {
    pub course: course::Model,
    pub enrolled: i64,
    pub waitlisted: i64,
    pub withdrawn: i64,
    pub held_sessions: i64,
    pub sessions: Vec<SessionLine>,
    /// Certificates issued once completed; before that, who meets the rule so far.
    pub completed: i64,
    pub by_area: Vec<GroupLine>,
    pub by_gender: Vec<GroupLine>,
}

/// The report of a course; its managers only.
pub async fn course_report(db: &Db, viewer: &Viewer, id: CourseId) -> AppResult<CourseReport> {
    let (_, course) = require_manager(db, viewer, id).await?;
    let (enrolled, waitlisted, withdrawn) = enrolment_counts(db, id).await?;
    let (lines, held) = session_lines(db, id, enrolled).await?;
    let attended = attended_by_participant(db, db.conn(), id).await?;
    let certified: std::collections::HashSet<uuid::Uuid> =
        if status_of(&course) == CourseStatus::Completed {
            training_certificate::Entity::find()
                .filter(training_certificate::Column::CourseId.eq(id.uuid()))
                .all(db.conn())
                .await?
                .into_iter()
                .map(|c| c.participant_id)
                .collect()
        } else {
            attended
                .iter()
                .filter(|a| meets_rule(a.attended, held as u64, course.min_attendance_percent))
                .map(|a| a.participant)
                .collect()
        };
    let (by_area, by_gender) = group_lines(&attended, &certified);
    Ok(CourseReport {
        completed: i64::try_from(certified.len()).map_err(AppError::internal)?,
        course,
        enrolled,
        waitlisted,
        withdrawn,
        held_sessions: i64::try_from(held).map_err(AppError::internal)?,
        sessions: lines,
        by_area,
        by_gender,
    })
}

/// How many of the course's enrolments are enrolled, waitlisted and
/// withdrawn.
async fn enrolment_counts(db: &Db, id: CourseId) -> AppResult<(i64, i64, i64)> {
    let counts = db
        .conn()
        .query_all_raw(db.statement(
            "SELECT status, COUNT(*) AS n FROM enrolments WHERE course_id = ? GROUP BY status",
            vec![id.uuid().into()],
        ))
        .await?;
    let (mut enrolled, mut waitlisted, mut withdrawn) = (0, 0, 0);
    for row in counts {
        let status: String = row.try_get("", "status")?;
        let n: i64 = row.try_get("", "n")?;
        match status.as_str() {
            "ENROLLED" => enrolled = n,
            "WAITLISTED" => waitlisted = n,
            _ => withdrawn = n,
        }
    }
    Ok((enrolled, waitlisted, withdrawn))
}

/// Attendance at each session of the course, by the participants enrolled
/// now (`enrolled` of them), and how many sessions are held (not cancelled).
async fn session_lines(
    db: &Db,
    id: CourseId,
    enrolled: i64,
) -> AppResult<(Vec<SessionLine>, usize)> {
    let sessions = training_session::Entity::find()
        .filter(training_session::Column::CourseId.eq(id.uuid()))
        .order_by_asc(training_session::Column::StartsAt)
        .order_by_asc(training_session::Column::Id)
        .all(db.conn())
        .await?;
    let marks = db
        .conn()
        .query_all_raw(db.statement(
            "SELECT a.session_id AS session_id, a.status AS status, COUNT(*) AS n \
             FROM attendance a \
             JOIN training_sessions s ON s.id = a.session_id \
             JOIN enrolments e ON e.participant_id = a.participant_id \
                  AND e.course_id = s.course_id AND e.status = 'ENROLLED' \
             WHERE s.course_id = ? \
             GROUP BY a.session_id, a.status",
            vec![id.uuid().into()],
        ))
        .await?;
    let mut per_session: BTreeMap<uuid::Uuid, [i64; 4]> = BTreeMap::new();
    for row in marks {
        let session: uuid::Uuid = row.try_get("", "session_id")?;
        let status: String = row.try_get("", "status")?;
        let n: i64 = row.try_get("", "n")?;
        let slot = match status.as_str() {
            "PRESENT" => 0,
            "LATE" => 1,
            "EXCUSED" => 2,
            _ => 3,
        };
        per_session.entry(session).or_default()[slot] += n;
    }
    let held = sessions.iter().filter(|s| s.cancelled_at.is_none()).count();
    let lines = sessions
        .into_iter()
        .map(|session| {
            let [present, late, excused, absent] =
                per_session.get(&session.id).copied().unwrap_or_default();
            let attendance_rate = if enrolled > 0 {
                (present + late) as f64 / enrolled as f64
            } else {
                0.0
            };
            SessionLine {
                session,
                present,
                late,
                excused,
                absent,
                attendance_rate,
            }
        })
        .collect();
    Ok((lines, held))
}

/// Enrolled and completed participants by area and by gender.
fn group_lines(
    attended: &[Attended],
    certified: &std::collections::HashSet<uuid::Uuid>,
) -> (Vec<GroupLine>, Vec<GroupLine>) {
    let mut by_area: BTreeMap<String, GroupLine> = BTreeMap::new();
    let mut by_gender: BTreeMap<String, GroupLine> = BTreeMap::new();
    for a in attended {
        let done = i64::from(certified.contains(&a.participant));
        for (map, key) in [
            (&mut by_area, a.area.clone()),
            (
                &mut by_gender,
                a.gender.clone().unwrap_or_else(|| "UNKNOWN".into()),
            ),
        ] {
            let line = map.entry(key.clone()).or_insert(GroupLine {
                key,
                enrolled: 0,
                completed: 0,
            });
            line.enrolled += 1;
            line.completed += done;
        }
    }
    (
        by_area.into_values().collect(),
        by_gender.into_values().collect(),
    )
}
