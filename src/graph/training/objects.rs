//! Training as the API shows it: courses, sessions, participants,
//! enrolments, attendance, certificates, reports, outcomes and imports.
//! Contacts (phone, e-mail) show only to the course's managers; a
//! participant shows as their course knows them (the enrolment's copy of
//! their details); the public sees a course's published contact, never an
//! organiser's sign-in details.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::config::PublicBaseUrl;
use crate::error::{AppError, AppResult};
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::auth::is_admin;
use crate::graph::cooperatives::Cooperative;
use crate::graph::cooperatives::CooperativeLoader;
use crate::graph::load_one;
use crate::graph::training::{
    AttendanceBySession, AttendanceStatus, CertificateByEnrolment, CourseLoader, CourseStatus,
    EnrolmentLoader, EnrolmentStatus, Gender, ImportMode, OrganisersByCourse, ParticipantLoader,
    RowOutcome, SessionsByCourse, TrainingSessionStatus, UserLoader,
};
use crate::graph::viewer;
use crate::ids::{CertificateId, CooperativeId, CourseId, ParticipantId, SessionId, UserId};

/// The global id of an object keyed by two uuids (a row with a composite
/// key, such as an enrolment: course and participant),
/// `gid://farmstream/<Type>/<first>:<second>`.
fn pair_id(type_name: &str, first: uuid::Uuid, second: uuid::Uuid) -> ID {
    ID(format!("gid://farmstream/{type_name}/{first}:{second}"))
}

/// The base every URL the API hands out starts with (empty when unset:
/// the URL is then relative to the API's host).
fn public_base<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.data_opt::<PublicBaseUrl>()
        .map(|b| b.0.as_str())
        .unwrap_or_default()
}

/// True when the viewer manages the course (an organiser of it or an
/// admin), read through the request's loaders so a list costs one batch.
pub async fn viewer_manages(ctx: &Context<'_>, course: CourseId) -> AppResult<bool> {
    let Some(user) = viewer(ctx).user()? else {
        return Ok(false);
    };
    let organisers = load_one::<OrganisersByCourse, _>(ctx, course)
        .await?
        .unwrap_or_default();
    if organisers.contains(&user) {
        return Ok(true);
    }
    is_admin(ctx, user).await
}

/// A training course.
pub struct Course(pub entity::course::Model);

/// How a participant completes a course.
#[derive(SimpleObject)]
pub struct CompletionRule {
    /// The least share of held (not cancelled) sessions attended, PRESENT or LATE.
    pub min_attendance_percent: i32,
}

#[Object]
impl Course {
    /// The course's id.
    pub async fn id(&self) -> ID {
        CourseId::from(self.0.id).to_gql()
    }
    /// Its title, e.g. "Bán nông sản qua livestream".
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it teaches.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Its topic, e.g. "livestream", "thương mại điện tử".
    async fn topic(&self) -> &str {
        &self.0.topic
    }
    /// The organisation hosting it, e.g. "Sở Công Thương Sơn La".
    async fn host_organisation(&self) -> &str {
        &self.0.host_organisation
    }
    /// The area it serves, e.g. "Mộc Châu".
    async fn area(&self) -> &str {
        &self.0.area
    }
    /// Its first day (Vietnamese calendar).
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    /// Its last day (Vietnamese calendar).
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    /// How many seats it has.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// How many participants hold a seat.
    async fn enrolled_count(&self) -> i32 {
        self.0.enrolled_count
    }
    /// Seats still free; when none, enrolment joins the waitlist.
    async fn seats_left(&self) -> i32 {
        (self.0.capacity - self.0.enrolled_count).max(0)
    }
    /// How a participant completes it.
    async fn completion_rule(&self) -> CompletionRule {
        CompletionRule {
            min_attendance_percent: self.0.min_attendance_percent,
        }
    }
    /// Where it stands.
    async fn status(&self) -> CourseStatus {
        self.0.status.into()
    }
    /// When it was completed and certificates issued.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Its sessions in time order, cancelled ones included.
    async fn sessions(&self, ctx: &Context<'_>) -> ApiResult<Vec<TrainingSession>> {
        // Asked once here, with the course's other fields, rather than by
        // each session later: a page then costs one batch, not a timing-
        // dependent one or two.
        let manages = viewer_manages(ctx, CourseId::from(self.0.id)).await?;
        let rows = load_one::<SessionsByCourse, _>(ctx, CourseId::from(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|model| TrainingSession {
                model,
                manages: Some(manages),
            })
            .collect())
    }
    /// The people who manage it: its creator and co-organisers. The public
    /// sees their names only; their sign-in e-mail and phone show to the
    /// course's managers alone (the public contact is `contact`).
    async fn organisers(&self, ctx: &Context<'_>) -> ApiResult<Vec<CourseOrganiser>> {
        let manages = viewer_manages(ctx, CourseId::from(self.0.id)).await?;
        let ids = load_one::<OrganisersByCourse, _>(ctx, CourseId::from(self.0.id))
            .await?
            .unwrap_or_default();
        let loader = ctx.data_unchecked::<async_graphql::dataloader::DataLoader<UserLoader>>();
        let users = loader
            .load_many(ids.iter().copied())
            .await
            .map_err(AppError::from)?;
        Ok(ids
            .iter()
            .filter_map(|id| users.get(id).cloned())
            .map(|user| CourseOrganiser { user, manages })
            .collect())
    }
    /// Who to contact about the course, as its organisers chose to publish
    /// it; null when they published none.
    async fn contact(&self) -> Option<CourseContact> {
        crate::training::service::courses::CourseContact::of(&self.0).map(|c| CourseContact {
            name: c.name,
            phone: c.phone,
            email: c.email,
        })
    }
    /// True when the viewer may manage it (an organiser of it or an admin).
    async fn viewer_can_manage(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(viewer_manages(ctx, CourseId::from(self.0.id)).await?)
    }
    /// Where its participant list is served as a CSV file (UTF-8 with a
    /// byte-order mark; send the same bearer token); the course's managers
    /// only (null otherwise). Clients use this URL as given.
    async fn participants_csv_url(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.export_url(ctx, "participants.csv").await
    }
    /// Where its attendance sheet (a row per participant, a column per
    /// session) is served as a CSV file (send the same bearer token); the
    /// course's managers only (null otherwise). Clients use this URL as given.
    async fn attendance_csv_url(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.export_url(ctx, "attendance.csv").await
    }
}

impl Course {
    /// The URL of the course's export `file`, for its managers only.
    async fn export_url(&self, ctx: &Context<'_>, file: &str) -> ApiResult<Option<String>> {
        let manages = viewer_manages(ctx, CourseId::from(self.0.id)).await?;
        let base = public_base(ctx);
        Ok(manages.then(|| format!("{base}/exports/courses/{}/{file}", self.0.id)))
    }
}

/// An organiser of a course.
pub struct CourseOrganiser {
    user: entity::user::Model,
    /// Whether the viewer manages the course (and may see sign-in contacts).
    manages: bool,
}

#[Object]
impl CourseOrganiser {
    /// The organiser's user id.
    async fn id(&self) -> ID {
        UserId::from(self.user.id).to_gql()
    }
    /// The name they show to others.
    async fn display_name(&self) -> &str {
        &self.user.display_name
    }
    /// The e-mail they sign in with; the course's managers only (null otherwise).
    async fn email(&self) -> Option<&str> {
        self.manages.then_some(self.user.email.as_str())
    }
    /// Their account's phone; the course's managers only (null otherwise).
    async fn phone(&self) -> Option<&str> {
        if self.manages {
            self.user.phone.as_deref()
        } else {
            None
        }
    }
}

/// Who to contact about a course, as its organisers published it.
#[derive(SimpleObject)]
pub struct CourseContact {
    /// A person or an office, e.g. "Phòng Quản lý Thương mại".
    pub name: String,
    /// A phone given for the course.
    pub phone: Option<String>,
    /// An e-mail given for the course.
    pub email: Option<String>,
}

/// One session of a course.
pub struct TrainingSession {
    pub model: entity::training_session::Model,
    /// Whether the viewer manages its course, when the parent already knows.
    pub manages: Option<bool>,
}

impl TrainingSession {
    /// A session whose viewer's rights are looked up when needed.
    pub fn new(model: entity::training_session::Model) -> Self {
        Self {
            model,
            manages: None,
        }
    }

    async fn viewer_manages(&self, ctx: &Context<'_>) -> AppResult<bool> {
        match self.manages {
            Some(manages) => Ok(manages),
            None => viewer_manages(ctx, CourseId::from(self.model.course_id)).await,
        }
    }
}

#[Object]
impl TrainingSession {
    /// The session's id.
    async fn id(&self) -> ID {
        SessionId::from(self.model.id).to_gql()
    }
    /// Its title, e.g. "Buổi 1: Dựng kênh TikTok Shop".
    async fn title(&self) -> &str {
        &self.model.title
    }
    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.model.starts_at
    }
    /// When it ends.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.model.ends_at
    }
    /// Where it takes place, if in person.
    async fn location(&self) -> Option<&str> {
        self.model.location.as_deref()
    }
    /// The link to join, if online.
    async fn online_url(&self) -> Option<&str> {
        self.model.online_url.as_deref()
    }
    /// Scheduled, or cancelled (it then does not count towards completion).
    async fn status(&self) -> TrainingSessionStatus {
        if self.model.cancelled_at.is_some() {
            TrainingSessionStatus::Cancelled
        } else {
            TrainingSessionStatus::Scheduled
        }
    }
    /// When it was cancelled; null unless cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.model.cancelled_at
    }
    /// The course it belongs to.
    async fn course(&self, ctx: &Context<'_>) -> ApiResult<Course> {
        let course = load_one::<CourseLoader, _>(ctx, CourseId::from(self.model.course_id))
            .await?
            .ok_or_else(|| AppError::not_found("course"))?;
        Ok(Course(course))
    }
    /// The code participants check in with; the course's managers only (null otherwise).
    async fn check_in_code(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        let manages = self.viewer_manages(ctx).await?;
        Ok(manages.then_some(self.model.checkin_code.as_str()))
    }
    /// Where its check-in QR image is served (an SVG; send the same bearer
    /// token); the course's managers only (null otherwise).
    async fn check_in_qr_url(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let manages = self.viewer_manages(ctx).await?;
        let base = public_base(ctx);
        Ok(manages.then(|| format!("{base}/training/sessions/{}/checkin.svg", self.model.id)))
    }
    /// Attendance marks recorded so far; the course's managers only (null otherwise).
    async fn attendance(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<AttendanceRecord>>> {
        if !self.viewer_manages(ctx).await? {
            return Ok(None);
        }
        let rows = load_one::<AttendanceBySession, _>(ctx, SessionId::from(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(Some(
            rows.into_iter()
                .map(|a| AttendanceRecord {
                    model: a,
                    course: CourseId::from(self.model.course_id),
                    contact_visible: true,
                })
                .collect(),
        ))
    }
}

/// A person trained, as one course knows them: the details given to that
/// course (by its organiser, or by the person enrolling themselves), never
/// what another course was told about the same person.
pub struct Participant {
    /// The person: id, phone (how they are matched) and account link.
    pub person: entity::participant::Model,
    /// Their enrolment in the course: the details shown.
    pub enrolment: entity::enrolment::Model,
    /// Whether the viewer may see the phone and e-mail.
    pub contact_visible: bool,
}

#[Object]
impl Participant {
    /// The participant's id (one person across courses).
    async fn id(&self) -> ID {
        ParticipantId::from(self.person.id).to_gql()
    }
    /// Their full name, as given to this course.
    async fn full_name(&self) -> &str {
        &self.enrolment.full_name
    }
    /// Their phone number; the course's organisers and admins only (null otherwise).
    async fn phone(&self) -> Option<&str> {
        self.contact_visible.then_some(self.person.phone.as_str())
    }
    /// Their e-mail as given to this course; the course's organisers and admins only (null otherwise).
    async fn email(&self) -> Option<&str> {
        if self.contact_visible {
            self.enrolment.email.as_deref()
        } else {
            None
        }
    }
    /// The commune or ward they live in, as given to this course.
    async fn commune(&self) -> &str {
        &self.enrolment.commune
    }
    /// The area they come from, e.g. "Yên Châu", as given to this course.
    async fn area(&self) -> &str {
        &self.enrolment.area
    }
    /// Their gender, if given to this course.
    async fn gender(&self) -> Option<Gender> {
        self.enrolment.gender.map(Into::into)
    }
    /// Their role in their cooperative, if given to this course.
    async fn role_in_cooperative(&self) -> Option<&str> {
        self.enrolment.role_in_cooperative.as_deref()
    }
    /// True when the person has a farmstream account linked.
    async fn has_account(&self) -> bool {
        self.person.user_id.is_some()
    }
    /// The cooperative they belong to, if given to this course.
    async fn cooperative(&self, ctx: &Context<'_>) -> ApiResult<Option<Cooperative>> {
        let Some(id) = self.enrolment.cooperative_id else {
            return Ok(None);
        };
        Ok(
            load_one::<CooperativeLoader, _>(ctx, CooperativeId::from(id))
                .await?
                .map(Cooperative),
        )
    }
}

/// The participant of `enrolment`, as its course knows them.
async fn participant_in_course(
    ctx: &Context<'_>,
    enrolment: entity::enrolment::Model,
    contact_visible: bool,
) -> ApiResult<Participant> {
    let person =
        load_one::<ParticipantLoader, _>(ctx, ParticipantId::from(enrolment.participant_id))
            .await?
            .ok_or_else(|| AppError::not_found("participant"))?;
    Ok(Participant {
        person,
        enrolment,
        contact_visible,
    })
}

/// A participant's place in a course.
pub struct Enrolment {
    pub model: entity::enrolment::Model,
    /// Whether the viewer may see the participant's contacts.
    pub contact_visible: bool,
    /// 1 for the next in line; only for waitlisted enrolments.
    pub waitlist_position: Option<u64>,
}

#[Object]
impl Enrolment {
    /// The enrolment's id (one per course and participant).
    async fn id(&self) -> ID {
        pair_id("Enrolment", self.model.course_id, self.model.participant_id)
    }
    /// Who, as this course knows them.
    async fn participant(&self, ctx: &Context<'_>) -> ApiResult<Participant> {
        participant_in_course(ctx, self.model.clone(), self.contact_visible).await
    }
    /// The course.
    async fn course(&self, ctx: &Context<'_>) -> ApiResult<Course> {
        let course = load_one::<CourseLoader, _>(ctx, CourseId::from(self.model.course_id))
            .await?
            .ok_or_else(|| AppError::not_found("course"))?;
        Ok(Course(course))
    }
    /// Enrolled, waitlisted or withdrawn.
    async fn status(&self) -> EnrolmentStatus {
        self.model.status.into()
    }
    /// Place on the waitlist, 1 being next to get a seat; null unless waitlisted.
    async fn waitlist_position(&self) -> Option<u64> {
        self.waitlist_position
    }
    /// When they (last) enrolled.
    async fn enrolled_at(&self) -> DateTime<Utc> {
        self.model.enrolled_at
    }
    /// When they withdrew, if they did.
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.model.withdrawn_at
    }
    /// The number of their certificate, once the course is completed and they completed it.
    async fn certificate_number(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let key = (
            CourseId::from(self.model.course_id),
            ParticipantId::from(self.model.participant_id),
        );
        Ok(load_one::<CertificateByEnrolment, _>(ctx, key)
            .await?
            .map(|c| c.number))
    }
}

/// An attendance mark.
pub struct AttendanceRecord {
    pub model: entity::attendance::Model,
    /// The course of the session.
    pub course: CourseId,
    /// Whether the viewer may see the participant's contacts.
    pub contact_visible: bool,
}

#[Object]
impl AttendanceRecord {
    /// The mark's id (one per session and participant).
    async fn id(&self) -> ID {
        pair_id(
            "AttendanceRecord",
            self.model.session_id,
            self.model.participant_id,
        )
    }
    /// Who, as the session's course knows them.
    async fn participant(&self, ctx: &Context<'_>) -> ApiResult<Participant> {
        let enrolment = load_one::<EnrolmentLoader, _>(
            ctx,
            (self.course, ParticipantId::from(self.model.participant_id)),
        )
        .await?
        .ok_or_else(|| AppError::not_found("enrolment"))?;
        participant_in_course(ctx, enrolment, self.contact_visible).await
    }
    /// The mark.
    async fn status(&self) -> AttendanceStatus {
        self.model.status.into()
    }
    /// True when the participant checked in themselves with the session's code.
    async fn self_check_in(&self) -> bool {
        self.model.recorded_by.is_none()
    }
    /// When it was (last) recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.model.recorded_at
    }
}

/// What a check-in did.
#[derive(SimpleObject)]
pub struct CheckInResult {
    /// PRESENT, or LATE after the grace period.
    pub status: AttendanceStatus,
    /// The session checked in to.
    pub session_title: String,
    /// Whose check-in it was.
    pub participant_name: String,
}

/// A certificate of completion, as anyone may verify it: the name, the
/// course and the date, nothing else.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TrainingCertificate {
    #[graphql(skip)]
    pub id: uuid::Uuid,
    /// The certificate's public number, e.g. `CC-2026-7K3M-Q9XD`.
    pub number: String,
    /// The day it was issued.
    pub issued_on: NaiveDate,
    /// The full name of the person who completed the course, as it was
    /// issued (later changes elsewhere do not alter it).
    pub participant_name: String,
    #[graphql(skip)]
    pub course_id: uuid::Uuid,
}

impl From<entity::training_certificate::Model> for TrainingCertificate {
    fn from(c: entity::training_certificate::Model) -> Self {
        Self {
            id: c.id,
            number: c.number,
            issued_on: c.issued_on,
            participant_name: c.participant_name,
            course_id: c.course_id,
        }
    }
}

#[ComplexObject]
impl TrainingCertificate {
    /// The certificate's id.
    async fn id(&self) -> ID {
        CertificateId::from(self.id).to_gql()
    }
    /// The title of the course completed.
    async fn course_title(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(
            load_one::<CourseLoader, _>(ctx, CourseId::from(self.course_id))
                .await?
                .map(|c| c.title)
                .unwrap_or_default(),
        )
    }
}

/// What completing a course did.
#[derive(SimpleObject)]
pub struct CourseCompletion {
    /// The course, now completed.
    pub course: Course,
    /// How many certificates were issued.
    pub certificates_issued: i32,
    /// The certificates issued.
    pub certificates: Vec<TrainingCertificate>,
}

/// Attendance at one session, in a report.
#[derive(SimpleObject)]
pub struct SessionAttendance {
    /// The session.
    pub session: TrainingSession,
    /// Participants marked present.
    pub present: i64,
    /// Participants marked late.
    pub late: i64,
    /// Participants excused.
    pub excused: i64,
    /// Participants marked absent.
    pub absent: i64,
    /// Present or late over participants enrolled (0 to 1).
    pub attendance_rate: f64,
}

/// Enrolment and completion of a group of participants.
#[derive(SimpleObject)]
pub struct GroupCount {
    /// The area, or the gender (`FEMALE`, `MALE`, `OTHER`, `UNKNOWN`).
    pub key: String,
    /// Participants enrolled.
    pub enrolled: i64,
    /// Of whom completed (or, before completion, meet the rule so far).
    pub completed: i64,
}

/// A course's figures for its organisers.
#[derive(SimpleObject)]
pub struct CourseReport {
    /// The course.
    pub course: Course,
    /// Participants holding a seat.
    pub enrolled: i64,
    /// Participants waiting for a seat.
    pub waitlisted: i64,
    /// Participants who withdrew.
    pub withdrawn: i64,
    /// Sessions held (not cancelled).
    pub held_sessions: i64,
    /// Attendance per session, in time order.
    pub sessions: Vec<SessionAttendance>,
    /// Completers: certificates issued once completed; before, those meeting the rule so far.
    pub completed: i64,
    /// By area.
    pub by_area: Vec<GroupCount>,
    /// By gender.
    pub by_gender: Vec<GroupCount>,
}

/// Selling activity of cooperatives in a window.
#[derive(SimpleObject, Clone, Copy)]
pub struct SalesActivity {
    /// Livestreams held.
    pub livestreams: i64,
    /// Orders placed and not cancelled.
    pub orders: i64,
    /// Their total, in đồng.
    pub revenue_vnd: i64,
}

impl From<crate::training::outcomes::Activity> for SalesActivity {
    fn from(a: crate::training::outcomes::Activity) -> Self {
        Self {
            livestreams: a.livestreams,
            orders: a.orders,
            revenue_vnd: a.revenue_vnd,
        }
    }
}

/// One completer's cooperative, before and after the course.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CompleterOutcome {
    /// The completer.
    pub participant: Participant,
    #[graphql(skip)]
    pub cooperative_id: CooperativeId,
    /// The day they completed the course.
    pub completed_on: NaiveDate,
    /// The cooperative's activity in the window before completion.
    pub before: SalesActivity,
    /// The cooperative's activity in the window after completion.
    pub after: SalesActivity,
}

#[ComplexObject]
impl CompleterOutcome {
    /// Their cooperative, as given to the course; null if it is gone.
    async fn cooperative(&self, ctx: &Context<'_>) -> ApiResult<Option<Cooperative>> {
        Ok(load_one::<CooperativeLoader, _>(ctx, self.cooperative_id)
            .await?
            .map(Cooperative))
    }
}

/// What the completers' cooperatives sold after the course against before it.
#[derive(SimpleObject)]
pub struct CourseOutcomes {
    /// The length of each window, in days.
    pub window_days: i64,
    /// True when the figures come from the platform's own orders and
    /// livestreams (always, since they are recorded).
    pub data_available: bool,
    /// Each completer linked to a cooperative.
    pub completers: Vec<CompleterOutcome>,
    /// Totals before, over distinct cooperatives.
    pub total_before: SalesActivity,
    /// Totals after, over distinct cooperatives.
    pub total_after: SalesActivity,
}

/// The report line of one CSV row.
#[derive(SimpleObject)]
pub struct ImportRow {
    /// The line in the file (the header is line 1).
    pub line: i64,
    /// The name on the row, as written.
    pub full_name: Option<String>,
    /// What became of it.
    pub outcome: RowOutcome,
    /// The column at fault, for a refused row.
    pub column: Option<String>,
    /// Why it was refused or not imported.
    pub reason: Option<String>,
    /// The participant enrolled.
    pub participant_id: Option<ID>,
}

/// What an import did, row by row.
#[derive(SimpleObject)]
pub struct ImportReport {
    /// The mode it ran in.
    pub mode: ImportMode,
    /// Rows enrolled or waitlisted.
    pub imported: i64,
    /// Rows refused.
    pub refused: i64,
    /// Every row, in file order.
    pub rows: Vec<ImportRow>,
}

impl From<crate::training::csv_import::ImportReport> for ImportReport {
    fn from(r: crate::training::csv_import::ImportReport) -> Self {
        Self {
            mode: r.mode.into(),
            imported: i64::try_from(r.imported()).unwrap_or(i64::MAX),
            refused: i64::try_from(r.refused()).unwrap_or(i64::MAX),
            rows: r
                .rows
                .into_iter()
                .map(|row| ImportRow {
                    line: i64::try_from(row.line).unwrap_or(i64::MAX),
                    full_name: row.full_name,
                    outcome: row.outcome.into(),
                    column: row.column,
                    reason: row.reason,
                    participant_id: row.participant.map(|p| ParticipantId::from(p).to_gql()),
                })
                .collect(),
        }
    }
}
