//! Bulk import of a participant list from CSV.
//!
//! The `csv` crate reads the file: spreadsheets quote fields that hold
//! commas (Vietnamese addresses often do), double their quotes and may end
//! lines with CRLF, which a hand-written `split(',')` would get wrong.
//! Headers may be in English (`full_name, phone, email, commune, area,
//! gender, cooperative_slug, role_in_cooperative`) or Vietnamese (`Họ và
//! tên`, `Số điện thoại`, `Xã/Phường`, `Khu vực`, `Giới tính`, `Mã HTX`,
//! `Vai trò`…); `full_name`, `phone`, `commune` and `area` are required
//! columns, the rest optional. Every row is parsed with the same parsers as
//! the `enrollParticipant` form.
//!
//! Two modes: `ALL_OR_NOTHING` imports the whole file in one transaction
//! and nothing if any row is refused; `ROW_BY_ROW` imports each good row in
//! its own transaction. Either way the report lists every row. Rows beyond
//! the course's capacity join its waitlist, and the report says so.

use std::collections::HashMap;

use crate::auth::Viewer;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::CourseId;
use crate::training::EnrolmentStatus;
use crate::training::inputs::{
    ParticipantDetails, full_name, gender_text, optional_email, place, role_in_cooperative,
};
use crate::training::service::enrolment::{WhenFull, enrol_in};
use crate::training::service::{lock_course, require_manager, require_open};
use crate::values::PhoneNumber;

/// How an import treats a file with refused rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    /// One transaction: any refused row and nothing is imported.
    AllOrNothing,
    /// Each good row is imported on its own; refused rows are skipped.
    RowByRow,
}

/// What became of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowOutcome {
    /// Enrolled with a seat.
    Enrolled,
    /// Enrolled on the waitlist (the course was full).
    Waitlisted,
    /// Refused; `reason` says why.
    Refused,
    /// A good row not imported because another row was refused
    /// (`ALL_OR_NOTHING`).
    NotImported,
}

/// The report line of one row.
#[derive(Clone, Debug)]
pub struct RowReport {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub full_name: Option<String>,
    pub outcome: RowOutcome,
    /// The column at fault, for a refused row.
    pub column: Option<String>,
    pub reason: Option<String>,
    pub participant: Option<uuid::Uuid>,
}

/// The report of a whole import.
#[derive(Clone, Debug)]
pub struct ImportReport {
    pub mode: ImportMode,
    pub rows: Vec<RowReport>,
}

impl ImportReport {
    /// Rows enrolled or waitlisted.
    pub fn imported(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, RowOutcome::Enrolled | RowOutcome::Waitlisted))
            .count()
    }

    /// Rows refused.
    pub fn refused(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.outcome == RowOutcome::Refused)
            .count()
    }
}

/// The columns, by their canonical name.
const COLUMNS: &[(&str, bool, &[&str])] = &[
    (
        "full_name",
        true,
        &["full_name", "ho va ten", "ho ten", "ten"],
    ),
    (
        "phone",
        true,
        &["phone", "so dien thoai", "dien thoai", "sdt"],
    ),
    ("email", false, &["email", "e-mail", "thu dien tu"]),
    (
        "commune",
        true,
        &["commune", "xa/phuong", "xa phuong", "xa", "phuong"],
    ),
    ("area", true, &["area", "khu vuc", "vung"]),
    ("gender", false, &["gender", "gioi tinh"]),
    (
        "cooperative_slug",
        false,
        &["cooperative_slug", "ma htx", "htx", "hop tac xa"],
    ),
    (
        "role_in_cooperative",
        false,
        &["role_in_cooperative", "vai tro", "chuc vu"],
    ),
];

/// Maps each canonical column to its index in the header, or names the
/// required column that is missing.
fn map_header(header: &csv::StringRecord) -> AppResult<HashMap<&'static str, usize>> {
    let mut map = HashMap::new();
    for (i, raw) in header.iter().enumerate() {
        let folded = crate::text::fold(raw.trim_start_matches('\u{feff}'));
        let key = folded.trim().replace('_', " ");
        if let Some((name, _, _)) = COLUMNS.iter().find(|(name, _, aliases)| {
            aliases
                .iter()
                .any(|a| a.replace('_', " ") == key || *name == folded.trim())
        }) {
            map.entry(*name).or_insert(i);
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|(name, required, _)| *required && !map.contains_key(name))
        .map(|(name, _, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "csv",
            format!(
                "the header lacks the column(s) {}; expected full_name, phone, email, commune, area, gender, cooperative_slug, role_in_cooperative",
                missing.join(", ")
            ),
        ));
    }
    Ok(map)
}

/// A row refused before any database write: the column and the reason.
struct Refusal {
    column: String,
    reason: String,
}

fn refusal(err: AppError, column: &str) -> Refusal {
    match err {
        AppError::Invalid { message, .. } => Refusal {
            column: column.to_owned(),
            reason: message,
        },
        other => Refusal {
            column: column.to_owned(),
            reason: other.to_string(),
        },
    }
}

async fn parse_row(
    db: &Db,
    record: &csv::StringRecord,
    columns: &HashMap<&'static str, usize>,
    coops: &mut HashMap<String, Option<crate::ids::CooperativeId>>,
) -> Result<ParticipantDetails, Refusal> {
    let get = |name: &str| {
        columns
            .get(name)
            .and_then(|i| record.get(*i))
            .unwrap_or("")
            .trim()
    };
    let cooperative = match get("cooperative_slug") {
        "" => None,
        slug => {
            let found = match coops.get(slug) {
                Some(found) => *found,
                None => {
                    let found = crate::cooperatives::service::find_by_slug(db, slug)
                        .await
                        .map_err(|e| refusal(e, "cooperative_slug"))?
                        .map(|c| crate::ids::CooperativeId::from(c.id));
                    coops.insert(slug.to_owned(), found);
                    found
                }
            };
            Some(found.ok_or_else(|| Refusal {
                column: "cooperative_slug".into(),
                reason: format!("no cooperative has the slug `{slug}`"),
            })?)
        }
    };
    Ok(ParticipantDetails {
        full_name: full_name(get("full_name"), "full_name").map_err(|e| refusal(e, "full_name"))?,
        phone: PhoneNumber::parse(get("phone"), "phone").map_err(|e| refusal(e, "phone"))?,
        email: optional_email(Some(get("email")), "email").map_err(|e| refusal(e, "email"))?,
        cooperative,
        role_in_cooperative: role_in_cooperative(Some(get("role_in_cooperative")), "role")
            .map_err(|e| refusal(e, "role_in_cooperative"))?,
        commune: place(get("commune"), "commune").map_err(|e| refusal(e, "commune"))?,
        area: place(get("area"), "area").map_err(|e| refusal(e, "area"))?,
        gender: gender_text(get("gender"), "gender").map_err(|e| refusal(e, "gender"))?,
    })
}

/// The most rows one import may hold.
pub const MAX_ROWS: usize = 2000;

/// Imports a participant list into a course; its managers only.
pub async fn import(
    db: &Db,
    viewer: &Viewer,
    course_id: CourseId,
    csv_text: &str,
    mode: ImportMode,
) -> AppResult<ImportReport> {
    let (user, course) = require_manager(db, viewer, course_id).await?;
    require_open(&course)?;
    let text = csv_text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| AppError::invalid("csv", format!("the header cannot be read: {e}")))?
        .clone();
    let columns = map_header(&header)?;
    // Parse every row first: nothing is written for a file that cannot be read.
    let mut parsed: Vec<(u64, Result<ParticipantDetails, Refusal>, Option<String>)> = Vec::new();
    let mut coops = HashMap::new();
    let mut phones: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            AppError::invalid("csv", format!("line {line} cannot be read: {e}"))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if parsed.len() >= MAX_ROWS {
            return Err(AppError::invalid(
                "csv",
                format!("holds more than {MAX_ROWS} rows; split it"),
            ));
        }
        let name = columns
            .get("full_name")
            .and_then(|i| record.get(*i))
            .map(str::to_owned)
            .filter(|n| !n.is_empty());
        let mut row = parse_row(db, &record, &columns, &mut coops).await;
        if let Ok(details) = &row
            && let Some(first) = phones.insert(details.phone.as_str().to_owned(), line)
        {
            row = Err(Refusal {
                column: "phone".into(),
                reason: format!("the same phone number as line {first}"),
            });
        }
        parsed.push((line, row, name));
    }
    if parsed.is_empty() {
        return Err(AppError::invalid("csv", "holds no participant rows"));
    }
    let report = match mode {
        ImportMode::AllOrNothing => all_or_nothing(db, course_id, parsed).await?,
        ImportMode::RowByRow => row_by_row(db, course_id, parsed).await?,
    };
    tracing::info!(
        course.id = %course_id,
        user.id = %user,
        imported = report.imported(),
        refused = report.refused(),
        "participants imported"
    );
    Ok(report)
}

fn refused(line: u64, name: Option<String>, r: Refusal) -> RowReport {
    RowReport {
        line,
        full_name: name,
        outcome: RowOutcome::Refused,
        column: Some(r.column),
        reason: Some(r.reason),
        participant: None,
    }
}

fn enrolled(
    line: u64,
    name: Option<String>,
    e: &crate::training::service::enrolment::Enrolled,
) -> RowReport {
    RowReport {
        line,
        full_name: name,
        outcome: if e.enrolment.status == EnrolmentStatus::Waitlisted {
            RowOutcome::Waitlisted
        } else {
            RowOutcome::Enrolled
        },
        column: None,
        reason: None,
        participant: Some(e.participant.id),
    }
}

type Parsed = Vec<(u64, Result<ParticipantDetails, Refusal>, Option<String>)>;

async fn all_or_nothing(db: &Db, course_id: CourseId, parsed: Parsed) -> AppResult<ImportReport> {
    let written = db
        .write(async |txn| -> Result<_, Undone<Vec<RowReport>>> {
            let course = lock_course(db, &**txn, course_id).await?;
            let mut rows = Vec::with_capacity(parsed.len());
            let mut failed = false;
            for (line, row, name) in parsed {
                match row {
                    Err(r) => {
                        failed = true;
                        rows.push(refused(line, name, r));
                    }
                    // After a refusal nothing will be kept; the remaining rows are
                    // still checked so the report names every bad one.
                    Ok(details) if failed => rows.push(RowReport {
                        line,
                        full_name: name,
                        outcome: RowOutcome::NotImported,
                        column: None,
                        reason: Some(format!(
                            "not imported: another row was refused ({})",
                            details.full_name
                        )),
                        participant: None,
                    }),
                    Ok(details) => {
                        match enrol_in(txn, &course, &details, None, WhenFull::Wait).await {
                            Ok(e) => rows.push(enrolled(line, name, &e)),
                            Err(AppError::Internal(cause)) => {
                                return Err(AppError::Internal(cause).into());
                            }
                            Err(err) => {
                                failed = true;
                                rows.push(refused(line, name, refusal(err, "phone")));
                            }
                        }
                    }
                }
            }
            if failed {
                Err(Undone::Refused(rows))
            } else {
                Ok(rows)
            }
        })
        .await;
    let rows = match written {
        Ok(rows) => rows,
        Err(Undone::Failed(err)) => return Err(err),
        Err(Undone::Refused(mut rows)) => {
            for row in &mut rows {
                if matches!(row.outcome, RowOutcome::Enrolled | RowOutcome::Waitlisted) {
                    row.outcome = RowOutcome::NotImported;
                    row.participant = None;
                    row.reason = Some("not imported: another row was refused".into());
                }
            }
            rows
        }
    };
    Ok(ImportReport {
        mode: ImportMode::AllOrNothing,
        rows,
    })
}

async fn row_by_row(db: &Db, course_id: CourseId, parsed: Parsed) -> AppResult<ImportReport> {
    let mut rows = Vec::with_capacity(parsed.len());
    for (line, row, name) in parsed {
        let details = match row {
            Err(r) => {
                rows.push(refused(line, name, r));
                continue;
            }
            Ok(details) => details,
        };
        let written = db
            .write(async |txn| -> Result<_, Undone<AppError>> {
                let course = lock_course(db, &**txn, course_id).await?;
                match enrol_in(txn, &course, &details, None, WhenFull::Wait).await {
                    Err(AppError::Internal(cause)) => Err(AppError::Internal(cause).into()),
                    written => written.map_err(Undone::Refused),
                }
            })
            .await;
        match written {
            Ok(e) => rows.push(enrolled(line, name, &e)),
            Err(Undone::Refused(err)) => rows.push(refused(line, name, refusal(err, "phone"))),
            Err(Undone::Failed(err)) => return Err(err),
        }
    }
    Ok(ImportReport {
        mode: ImportMode::RowByRow,
        rows,
    })
}

/// Why an import's transaction rolled back: a refusal that goes in the
/// report (the rows so far, or the one row's error), or a failure that
/// ends the import.
enum Undone<R> {
    Refused(R),
    Failed(AppError),
}

impl<R> From<AppError> for Undone<R> {
    fn from(err: AppError) -> Self {
        Self::Failed(err)
    }
}

impl<R> From<sea_orm::DbErr> for Undone<R> {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Failed(err.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_headers_are_recognised() {
        let header = csv::StringRecord::from(vec![
            "\u{feff}Họ và tên",
            "Số điện thoại",
            "Xã/Phường",
            "Khu vực",
            "Giới tính",
            "Mã HTX",
        ]);
        let map = map_header(&header).expect("recognised");
        assert_eq!(map.get("full_name"), Some(&0));
        assert_eq!(map.get("phone"), Some(&1));
        assert_eq!(map.get("commune"), Some(&2));
        assert_eq!(map.get("area"), Some(&3));
        assert_eq!(map.get("gender"), Some(&4));
        assert_eq!(map.get("cooperative_slug"), Some(&5));
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let header = csv::StringRecord::from(vec!["full_name", "phone", "area"]);
        let err = map_header(&header).expect_err("commune missing");
        assert!(
            matches!(err, AppError::Invalid { ref field, ref message } if field == "csv" && message.contains("commune"))
        );
    }
}
