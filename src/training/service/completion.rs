//! Completion: a course closes by its rule (attendance of at least the
//! minimum percent of held sessions, `PRESENT` and `LATE` counting) and each
//! completer receives a certificate with a unique public number and the
//! name their course has for them, kept as issued.

use chrono::{Datelike, Utc};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use entity::{course, training_certificate, training_session};

use crate::auth::Viewer;
use crate::db::{Db, WriteTxn};
use crate::error::{AppError, AppResult};
use crate::ids::{CertificateId, CourseId};
use crate::training::service::attendance::{Attended, attended_by_participant};
use crate::training::service::{find_course, require_manager, status_of};
use crate::training::{CourseStatus, local_date};

const NUMBER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh certificate number, e.g. `CC-2026-7K3M-Q9XD`.
pub fn new_certificate_number(year: i32) -> String {
    let mut rng = rand::rng();
    let mut pick = || NUMBER_ALPHABET[rng.random_range(0..NUMBER_ALPHABET.len())] as char;
    let a: String = (0..4).map(|_| pick()).collect();
    let b: String = (0..4).map(|_| pick()).collect();
    format!("CC-{year}-{a}-{b}")
}

/// True when `attended` of `held` sessions meets `min_percent`.
pub fn meets_rule(attended: i64, held: u64, min_percent: i32) -> bool {
    held > 0 && attended.saturating_mul(100) >= i64::from(min_percent).saturating_mul(held as i64)
}

/// How many sessions of the course were held (not cancelled), read on `conn`.
pub async fn held_sessions(conn: &impl ConnectionTrait, course: CourseId) -> AppResult<u64> {
    Ok(training_session::Entity::find()
        .filter(training_session::Column::CourseId.eq(course.uuid()))
        .filter(training_session::Column::CancelledAt.is_null())
        .count(conn)
        .await?)
}

/// The enrolled participants who meet the course's rule, read on `conn`.
pub async fn completers(
    db: &Db,
    conn: &impl ConnectionTrait,
    course: &course::Model,
) -> AppResult<Vec<Attended>> {
    let id = CourseId::from(course.id);
    let held = held_sessions(conn, id).await?;
    Ok(attended_by_participant(db, conn, id)
        .await?
        .into_iter()
        .filter(|a| meets_rule(a.attended, held, course.min_attendance_percent))
        .collect())
}

/// What completing a course did.
pub struct Completion {
    pub course: course::Model,
    pub certificates: Vec<training_certificate::Model>,
}

/// Closes a published course and issues a certificate to each completer.
/// `CONFLICT` when no session was held or the course is not published.
pub async fn complete(db: &Db, viewer: &Viewer, id: CourseId) -> AppResult<Completion> {
    let (user, course) = require_manager(db, viewer, id).await?;
    refuse_unless_published(&course)?;
    let issued = db
        .write(async |txn| close_and_certify(db, txn, id).await)
        .await?;
    tracing::info!(course.id = %id, user.id = %user, certificates = issued, "course completed");
    let course = find_course(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("course"))?;
    let certificates = training_certificate::Entity::find()
        .filter(training_certificate::Column::CourseId.eq(id.uuid()))
        .all(db.conn())
        .await?;
    Ok(Completion {
        course,
        certificates,
    })
}

fn refuse_unless_published(course: &course::Model) -> AppResult<()> {
    match status_of(course) {
        CourseStatus::Published => Ok(()),
        CourseStatus::Draft => Err(AppError::Conflict(
            "publish the course before completing it".into(),
        )),
        CourseStatus::Cancelled => Err(AppError::Conflict("the course was cancelled".into())),
        CourseStatus::Completed => {
            Err(AppError::Conflict("the course is already completed".into()))
        }
    }
}

/// Closes the course and issues its certificates inside `txn`; returns how
/// many were issued.
///
/// Closing comes first, as a conditional update: a concurrent second
/// completion fails there rather than issue certificates twice, and the
/// update takes the course row, which every attendance write holds (shared)
/// before it reads (see [`hold_open_course`]). A check-in that held it first
/// has committed before the update goes through, so it is counted below; one
/// that comes later finds the course completed and is refused. Sessions,
/// attendance and the rule are therefore read here, after closing, inside
/// the transaction: they are final.
///
/// [`hold_open_course`]: crate::training::service::hold_open_course
async fn close_and_certify(db: &Db, txn: &WriteTxn, id: CourseId) -> AppResult<usize> {
    let now = Utc::now();
    let today = local_date(now);
    let closed = course::Entity::update_many()
        .col_expr(course::Column::Status, Expr::value(CourseStatus::Completed))
        .col_expr(course::Column::CompletedAt, Expr::value(now))
        .col_expr(course::Column::UpdatedAt, Expr::value(now))
        .filter(course::Column::Id.eq(id.uuid()))
        .filter(course::Column::Status.eq(CourseStatus::Published))
        .exec(&**txn)
        .await?;
    if closed.rows_affected != 1 {
        let current = find_course(&**txn, id)
            .await?
            .ok_or_else(|| AppError::not_found("course"))?;
        refuse_unless_published(&current)?;
        return Err(AppError::Conflict(
            "the course changed meanwhile; try again".into(),
        ));
    }
    let course = find_course(&**txn, id)
        .await?
        .ok_or_else(|| AppError::not_found("course"))?;
    if held_sessions(&**txn, id).await? == 0 {
        return Err(AppError::Conflict(
            "no session of this course was held; nobody can complete it".into(),
        ));
    }
    let done = completers(db, &**txn, &course).await?;
    let mut numbers = std::collections::HashSet::new();
    let mut rows = Vec::with_capacity(done.len());
    for person in &done {
        // Numbers are random over 31^8 values per year; a clash with an
        // existing number is checked for, one within this batch avoided.
        let number = loop {
            let candidate = new_certificate_number(today.year());
            let taken = training_certificate::Entity::find()
                .filter(training_certificate::Column::Number.eq(candidate.as_str()))
                .count(&**txn)
                .await?
                > 0;
            if !taken && numbers.insert(candidate.clone()) {
                break candidate;
            }
        };
        rows.push(training_certificate::ActiveModel {
            id: Set(CertificateId::new().uuid()),
            number: Set(number),
            course_id: Set(course.id),
            participant_id: Set(person.participant),
            issued_on: Set(today),
            participant_name: Set(person.full_name.clone()),
            created_at: Set(now),
        });
    }
    for chunk in rows.chunks(200) {
        training_certificate::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&**txn)
            .await?;
    }
    Ok(done.len())
}

/// The certificate with this number (case and spaces forgiven), if any.
pub async fn find_certificate(
    db: &Db,
    number: &str,
) -> AppResult<Option<training_certificate::Model>> {
    let number: String = number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    Ok(training_certificate::Entity::find()
        .filter(training_certificate::Column::Number.eq(number))
        .one(db.conn())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_counts_held_sessions() {
        assert!(meets_rule(8, 10, 80));
        assert!(!meets_rule(7, 10, 80));
        assert!(meets_rule(2, 3, 66));
        assert!(!meets_rule(2, 3, 67));
        assert!(!meets_rule(0, 0, 0));
        assert!(meets_rule(0, 5, 0));
    }

    #[test]
    fn certificate_numbers_carry_the_year() {
        let n = new_certificate_number(2026);
        assert!(n.starts_with("CC-2026-"));
        assert_eq!(n.len(), "CC-2026-XXXX-XXXX".len());
    }
}
