//! CSV exports of a course for its organisers: the participant list and the
//! attendance sheet. UTF-8 with a byte-order mark, so that spreadsheet
//! programs open Vietnamese names correctly.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{cooperative, enrolment, participant, training_certificate, training_session};

use crate::auth::Viewer;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::training::service::require_manager;
use crate::training::{CourseId, local_date, vietnam};

/// The byte-order mark the files start with.
pub const BOM: &str = "\u{feff}";

fn writer() -> csv::Writer<Vec<u8>> {
    let mut out = Vec::new();
    out.extend_from_slice(BOM.as_bytes());
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
}

fn finish(w: csv::Writer<Vec<u8>>) -> AppResult<Vec<u8>> {
    w.into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))
}

struct Roster {
    enrolments: Vec<enrolment::Model>,
    people: HashMap<uuid::Uuid, participant::Model>,
}

async fn roster(db: &Db, course: CourseId) -> AppResult<Roster> {
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(course.0))
        .order_by_asc(enrolment::Column::Seq)
        .all(db.conn())
        .await?;
    let people = participant::Entity::find()
        .filter(participant::Column::Id.is_in(enrolments.iter().map(|e| e.participant_id)))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(Roster { enrolments, people })
}

/// `participants.csv`: one line per enrolment, in order of enrolment.
pub async fn participants_csv(db: &Db, viewer: &Viewer, course: CourseId) -> AppResult<Vec<u8>> {
    require_manager(db, viewer, course).await?;
    let roster = roster(db, course).await?;
    let coops: HashMap<uuid::Uuid, String> = cooperative::Entity::find()
        .filter(
            cooperative::Column::Id.is_in(roster.people.values().filter_map(|p| p.cooperative_id)),
        )
        .all(db.conn())
        .await?
        .into_iter()
        .map(|c| (c.id, c.slug))
        .collect();
    let certificates: HashMap<uuid::Uuid, String> = training_certificate::Entity::find()
        .filter(training_certificate::Column::CourseId.eq(course.0))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|c| (c.participant_id, c.number))
        .collect();
    let mut w = writer();
    let csv_err = |e: csv::Error| AppError::internal(e);
    w.write_record([
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
    ])
    .map_err(csv_err)?;
    for e in &roster.enrolments {
        let Some(p) = roster.people.get(&e.participant_id) else {
            continue;
        };
        let coop = p
            .cooperative_id
            .and_then(|c| coops.get(&c))
            .map(String::as_str)
            .unwrap_or("");
        let enrolled_at = e.enrolled_at.with_timezone(&vietnam()).to_rfc3339();
        w.write_record([
            p.full_name.as_str(),
            p.phone.as_str(),
            p.email.as_deref().unwrap_or(""),
            p.commune.as_str(),
            p.area.as_str(),
            p.gender.as_deref().unwrap_or(""),
            coop,
            p.role_in_cooperative.as_deref().unwrap_or(""),
            e.status.as_str(),
            enrolled_at.as_str(),
            certificates.get(&p.id).map(String::as_str).unwrap_or(""),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}

/// `attendance.csv`: one line per enrolled participant, one column per
/// session (headed by its date and title) holding the mark, then the number
/// of held sessions attended.
pub async fn attendance_csv(db: &Db, viewer: &Viewer, course: CourseId) -> AppResult<Vec<u8>> {
    require_manager(db, viewer, course).await?;
    let roster = roster(db, course).await?;
    let sessions = training_session::Entity::find()
        .filter(training_session::Column::CourseId.eq(course.0))
        .order_by_asc(training_session::Column::StartsAt)
        .order_by_asc(training_session::Column::Id)
        .all(db.conn())
        .await?;
    let ids: Vec<uuid::Uuid> = sessions.iter().map(|s| s.id).collect();
    let marks = crate::training::service::attendance::of_sessions(db, &ids).await?;
    let mut by_pair: HashMap<(uuid::Uuid, uuid::Uuid), String> = HashMap::new();
    for (session, rows) in marks {
        for row in rows {
            by_pair.insert((session, row.participant_id), row.status);
        }
    }
    let mut w = writer();
    let csv_err = |e: csv::Error| AppError::internal(e);
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
    w.write_record(&header).map_err(csv_err)?;
    for e in roster
        .enrolments
        .iter()
        .filter(|e| e.status == crate::training::EnrolmentStatus::Enrolled.as_str())
    {
        let Some(p) = roster.people.get(&e.participant_id) else {
            continue;
        };
        let mut line = vec![p.full_name.clone(), p.phone.clone()];
        let mut attended = 0;
        for s in &sessions {
            let mark = by_pair.get(&(s.id, p.id)).cloned().unwrap_or_default();
            if s.cancelled_at.is_none() && (mark == "PRESENT" || mark == "LATE") {
                attended += 1;
            }
            line.push(mark);
        }
        line.push(attended.to_string());
        w.write_record(&line).map_err(csv_err)?;
    }
    finish(w)
}
