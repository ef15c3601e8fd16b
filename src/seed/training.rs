//! Demo training of Sơn La's trade office: one completed course on
//! livestream selling (sessions, participants from the seeded cooperatives,
//! attendance, certificates) and one published course still to come.
//! A course already there (by title) is left as it is.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::Viewer;
use crate::auth::service::find_by_email;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CourseId, ParticipantId, SessionId, UserId};
use crate::training::inputs::ParticipantDetails;
use crate::training::service::attendance::{self, Mark};
use crate::training::service::completion;
use crate::training::service::courses::{self, NewCourse};
use crate::training::service::enrolment::{self, WhenFull};
use crate::training::service::sessions::{self, NewSession};
use crate::training::{AttendanceStatus, Gender, vietnam};
use crate::values::{Email, PhoneNumber};

/// The organiser who runs the demo courses (seeded in `seed::ACCOUNTS`).
const ORGANISER: &str = "sct.sonla@farmstream.vn";

/// (full name, phone, cooperative slug, role, commune, area, gender)
type SeedPerson = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Gender,
);

const PEOPLE: &[SeedPerson] = &[
    (
        "Lò Thị Hoa",
        "0971200001",
        "htx-xoai-yen-chau",
        "Kế toán",
        "Xã Yên Châu",
        "Yên Châu",
        Gender::Female,
    ),
    (
        "Cầm Văn Nam",
        "0971200002",
        "htx-xoai-yen-chau",
        "Xã viên",
        "Xã Yên Châu",
        "Yên Châu",
        Gender::Male,
    ),
    (
        "Hà Thị Thu",
        "0971200003",
        "htx-che-tan-lap",
        "Phó giám đốc",
        "Xã Tân Lập",
        "Mộc Châu",
        Gender::Female,
    ),
    (
        "Quàng Văn Dũng",
        "0971200004",
        "htx-man-hau-na-ka",
        "Xã viên",
        "Phường Mộc Sơn",
        "Mộc Châu",
        Gender::Male,
    ),
    (
        "Lường Thị Mai",
        "0971200005",
        "htx-ca-phe-chieng-ban",
        "Bán hàng",
        "Xã Chiềng Ban",
        "Mai Sơn",
        Gender::Female,
    ),
    (
        "Đinh Văn Tuấn",
        "0971200006",
        "htx-rau-an-toan-van-ho",
        "Xã viên",
        "Xã Vân Hồ",
        "Vân Hồ",
        Gender::Male,
    ),
    (
        "Vì Thị Lan",
        "0971200007",
        "htx-mat-ong-moc-chau",
        "Thủ kho",
        "Phường Mộc Châu",
        "Mộc Châu",
        Gender::Female,
    ),
    (
        "Sồng A Lử",
        "0971200008",
        "htx-bo-sua-moc-chau",
        "Xã viên",
        "Xã Chiềng Sơn",
        "Mộc Châu",
        Gender::Male,
    ),
];

/// What seeding training did.
#[derive(Debug, Default)]
pub struct TrainingReport {
    pub courses_created: usize,
    pub certificates_issued: usize,
}

async fn exists(db: &Db, title: &str) -> AppResult<bool> {
    Ok(entity::course::Entity::find()
        .filter(entity::course::Column::Title.eq(title))
        .one(db.conn())
        .await?
        .is_some())
}

fn at(day: NaiveDate, hour: u32) -> AppResult<chrono::DateTime<Utc>> {
    let local = day
        .and_hms_opt(hour, 0, 0)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("bad seed hour {hour}")))?;
    vietnam()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no such local time {local}")))
}

async fn details(db: &Db, p: &SeedPerson) -> AppResult<ParticipantDetails> {
    let (name, phone, slug, role, commune, area, gender) = *p;
    let coop = crate::cooperatives::service::find_by_slug(db, slug)
        .await?
        .map(|c| crate::ids::CooperativeId::from(c.id));
    Ok(ParticipantDetails {
        full_name: name.to_owned(),
        phone: PhoneNumber::parse(phone, "phone")?,
        email: None,
        cooperative: coop,
        role_in_cooperative: Some(role.to_owned()),
        commune: commune.to_owned(),
        area: area.to_owned(),
        gender: Some(gender),
    })
}

/// The contact the demo courses publish: the trade office's desk, not the
/// organiser's own account.
fn demo_contact() -> courses::CourseContact {
    courses::CourseContact {
        name: "Phòng Quản lý Thương mại – Sở Công Thương Sơn La".into(),
        phone: Some("02123852345".into()),
        email: Some("daotao@sct.sonla.example".into()),
    }
}

/// Loads the demo courses that are missing.
pub async fn run(db: &Db) -> AppResult<TrainingReport> {
    let mut report = TrainingReport::default();
    let organiser = find_by_email(db, &Email::parse(ORGANISER, "email")?)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("seed organiser missing")))?;
    let viewer = Viewer::User(UserId::from(organiser.id));
    let today = crate::training::local_date(Utc::now());

    let done_title = "Bán nông sản qua livestream – khóa 1";
    if !exists(db, done_title).await? {
        report.certificates_issued += seed_completed_course(db, &viewer, today, done_title).await?;
        report.courses_created += 1;
    }

    let next_title = "Chụp ảnh và kể chuyện sản phẩm OCOP";
    if !exists(db, next_title).await? {
        seed_upcoming_course(db, &viewer, today, next_title).await?;
        report.courses_created += 1;
    }
    Ok(report)
}

/// The completed course on livestream selling, started 40 days ago: three
/// sessions, eight participants, their attendance, completion; returns
/// the number of certificates issued.
async fn seed_completed_course(
    db: &Db,
    viewer: &Viewer,
    today: NaiveDate,
    title: &str,
) -> AppResult<usize> {
    let starts_on = today - Duration::days(40);
    let course = courses::create(
        db,
        viewer,
        NewCourse {
            title: title.into(),
            description: "Dựng kênh TikTok Shop và Facebook, quay và phát trực tiếp, chốt đơn và thanh toán VietQR.".into(),
            topic: "livestream".into(),
            host_organisation: "Sở Công Thương Sơn La".into(),
            area: "Mộc Châu".into(),
            starts_on,
            ends_on: starts_on + Duration::days(14),
            capacity: 30,
            min_attendance_percent: 60,
            contact: Some(demo_contact()),
        },
    )
    .await?;
    let id = CourseId::from(course.id);
    courses::publish(db, viewer, id).await?;
    let mut session_ids: Vec<SessionId> = Vec::new();
    for (i, title) in [
        "Buổi 1: Dựng kênh bán hàng",
        "Buổi 2: Quay và phát trực tiếp",
        "Buổi 3: Chốt đơn, giao hàng, VietQR",
    ]
    .into_iter()
    .enumerate()
    {
        let day = starts_on + Duration::days(i64::try_from(i).unwrap_or(0) * 7);
        let session = sessions::schedule(
            db,
            viewer,
            id,
            NewSession {
                title: title.into(),
                starts_at: at(day, 8)?,
                ends_at: at(day, 11)?,
                location: Some("Hội trường Trung tâm Xúc tiến Thương mại, Phường Mộc Châu".into()),
                online_url: None,
            },
        )
        .await?;
        session_ids.push(SessionId::from(session.id));
    }
    let mut people = Vec::new();
    for p in PEOPLE {
        let enrolled =
            enrolment::enrol(db, viewer, id, details(db, p).await?, WhenFull::Wait).await?;
        people.push(ParticipantId::from(enrolled.participant.id));
    }
    // Marks vary by person and session: six of the eight attend two or
    // three sessions of three and complete (60%); two attend one and do not.
    for (s, session) in session_ids.iter().enumerate() {
        let marks = people
            .iter()
            .enumerate()
            .map(|(k, p)| Mark {
                participant: *p,
                status: match (k * (s + 1)) % 5 {
                    4 => AttendanceStatus::Absent,
                    3 => AttendanceStatus::Late,
                    2 if s == 0 => AttendanceStatus::Excused,
                    _ => AttendanceStatus::Present,
                },
            })
            .collect();
        attendance::record(db, viewer, *session, marks).await?;
    }
    let done = completion::complete(db, viewer, id).await?;
    Ok(done.certificates.len())
}

/// The published course on product photos and stories, in 14 days: two
/// online sessions, five people for four seats (the last waits).
async fn seed_upcoming_course(
    db: &Db,
    viewer: &Viewer,
    today: NaiveDate,
    title: &str,
) -> AppResult<()> {
    let starts_on = today + Duration::days(14);
    let course = courses::create(
        db,
        viewer,
        NewCourse {
            title: title.into(),
            description:
                "Chụp ảnh sản phẩm bằng điện thoại, viết câu chuyện nguồn gốc, chuẩn bị hồ sơ OCOP."
                    .into(),
            topic: "kể chuyện sản phẩm".into(),
            host_organisation: "Sở Công Thương Sơn La".into(),
            area: "Yên Châu".into(),
            starts_on,
            ends_on: starts_on + Duration::days(7),
            capacity: 4,
            min_attendance_percent: 80,
            contact: Some(demo_contact()),
        },
    )
    .await?;
    let id = CourseId::from(course.id);
    courses::publish(db, viewer, id).await?;
    for (i, title) in ["Buổi 1: Ánh sáng và bố cục", "Buổi 2: Câu chuyện nguồn gốc"]
        .into_iter()
        .enumerate()
    {
        let day = starts_on + Duration::days(i64::try_from(i).unwrap_or(0) * 7);
        sessions::schedule(
            db,
            viewer,
            id,
            NewSession {
                title: title.into(),
                starts_at: at(day, 14)?,
                ends_at: at(day, 16)?,
                location: None,
                online_url: Some("https://meet.google.com/fsm-ocop-son".into()),
            },
        )
        .await?;
    }
    // Five people for four seats: the last waits.
    for p in PEOPLE.iter().skip(3) {
        enrolment::enrol(db, viewer, id, details(db, p).await?, WhenFull::Wait).await?;
    }
    Ok(())
}
