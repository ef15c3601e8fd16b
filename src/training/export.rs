//! CSV exports of a course for its organisers: the participant list and the
//! attendance sheet, written by [`SpreadsheetCsv`] (UTF-8 with a byte-order
//! mark, formula-like cells neutralised). Each line shows what was given to
//! this course (the enrolment's copy of the details), never what another
//! course was told about the same person.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{cooperative, enrolment, participant, training_certificate, training_session};

use crate::auth::Viewer;
use crate::csv_export::SpreadsheetCsv;
use crate::db::Db;
use crate::error::AppResult;
use crate::ids::CourseId;
use crate::training::service::require_manager;
use crate::training::{local_date, vietnam};

struct Roster {
    enrolments: Vec<enrolment::Model>,
    /// Phone numbers by participant: the one detail kept on the person.
    phones: HashMap<uuid::Uuid, String>,
}

async fn roster(db: &Db, course: CourseId) -> AppResult<Roster> {
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(course.uuid()))
        .order_by_asc(enrolment::Column::Seq)
        .all(db.conn())
        .await?;
    let phones = participant::Entity::find()
        .filter(participant::Column::Id.is_in(enrolments.iter().map(|e| e.participant_id)))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p.phone))
        .collect();
    Ok(Roster { enrolments, phones })
}

/// `participants.csv`: one line per enrolment, in order of enrolment.
pub async fn participants_csv(db: &Db, viewer: &Viewer, course: CourseId) -> AppResult<Vec<u8>> {
    require_manager(db, viewer, course).await?;
    let roster = roster(db, course).await?;
    let coops: HashMap<uuid::Uuid, String> = cooperative::Entity::find()
        .filter(
            cooperative::Column::Id
                .is_in(roster.enrolments.iter().filter_map(|e| e.cooperative_id)),
        )
        .all(db.conn())
        .await?
        .into_iter()
        .map(|c| (c.id, c.slug))
        .collect();
    let certificates: HashMap<uuid::Uuid, String> = training_certificate::Entity::find()
        .filter(training_certificate::Column::CourseId.eq(course.uuid()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|c| (c.participant_id, c.number))
        .collect();
    let mut csv = SpreadsheetCsv::new();
    csv.line([
        "full_name",
        "phone",
        "email",
        "commune",
        "area",
        "gender",
        "cooperative_slug",
        "role_in_cooperative",
        "status",
        "enrolled_at",
        "certificate_number",
    ])?;
    for e in &roster.enrolments {
        let Some(phone) = roster.phones.get(&e.participant_id) else {
            continue;
        };
        let coop = e
            .cooperative_id
            .and_then(|c| coops.get(&c))
            .map(String::as_str)
            .unwrap_or("");
        let enrolled_at = e.enrolled_at.with_timezone(&vietnam()).to_rfc3339();
        csv.line([
            e.full_name.as_str(),
            phone.as_str(),
            e.email.as_deref().unwrap_or(""),
            e.commune.as_str(),
            e.area.as_str(),
            &e.gender.map(|g| g.to_string()).unwrap_or_default(),
            coop,
            e.role_in_cooperative.as_deref().unwrap_or(""),
            &e.status.to_string(),
            enrolled_at.as_str(),
            certificates
                .get(&e.participant_id)
                .map(String::as_str)
                .unwrap_or(""),
        ])?;
    }
    csv.finish()
}

/// `attendance.csv`: one line per enrolled participant, one column per
/// session (headed by its date and title) holding the mark, then the number
/// of held sessions attended.
pub async fn attendance_csv(db: &Db, viewer: &Viewer, course: CourseId) -> AppResult<Vec<u8>> {
    require_manager(db, viewer, course).await?;
    let roster = roster(db, course).await?;
    let sessions = training_session::Entity::find()
        .filter(training_session::Column::CourseId.eq(course.uuid()))
        .order_by_asc(training_session::Column::StartsAt)
        .order_by_asc(training_session::Column::Id)
        .all(db.conn())
        .await?;
    let ids: Vec<uuid::Uuid> = sessions.iter().map(|s| s.id).collect();
    let marks = crate::training::service::attendance::of_sessions(db, &ids).await?;
    let mut by_pair: HashMap<(uuid::Uuid, uuid::Uuid), crate::training::AttendanceStatus> =
        HashMap::new();
    for (session, rows) in marks {
        for row in rows {
            by_pair.insert((session, row.participant_id), row.status);
        }
    }
    let mut csv = SpreadsheetCsv::new();
    let mut header = vec!["full_name".to_owned(), "phone".to_owned()];
    for s in &sessions {
        let cancelled = if s.cancelled_at.is_some() {
            " (cancelled)"
        } else {
            ""
        };
        header.push(format!(
            "{} {}{cancelled}",
            local_date(s.starts_at),
            s.title
        ));
    }
    header.push("attended".into());
    csv.line(&header)?;
    for e in roster
        .enrolments
        .iter()
        .filter(|e| e.status == crate::training::EnrolmentStatus::Enrolled)
    {
        let Some(phone) = roster.phones.get(&e.participant_id) else {
            continue;
        };
        let mut line = vec![e.full_name.clone(), phone.clone()];
        let mut attended = 0;
        for s in &sessions {
            let mark = by_pair.get(&(s.id, e.participant_id)).copied();
            if s.cancelled_at.is_none() && mark.is_some_and(|m| m.counts()) {
                attended += 1;
            }
            line.push(mark.map(|m| m.to_string()).unwrap_or_default());
        }
        line.push(attended.to_string());
        csv.line(&line)?;
    }
    csv.finish()
}
