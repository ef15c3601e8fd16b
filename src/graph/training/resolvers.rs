//! Training queries and mutations: thin, parsing inputs into domain values
//! and calling one service each.

use crate::graph::respond;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, MaybeUndefined, Object};
use chrono::Utc;

use crate::auth::service::find_user;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::Total;
use crate::graph::training::{
    AttendanceEntryInput, AttendanceRecord, CheckInResult, CompleterOutcome, Course,
    CourseCompletion, CourseContactInput, CourseFilterInput, CourseOutcomes, CourseReport,
    CreateCourseInput, Enrolment, EnrolmentStatus, GroupCount, ImportMode, ImportReport,
    Participant, ParticipantInput, ScheduleSessionInput, SelfEnrolmentInput, SessionAttendance,
    TrainingCertificate, TrainingSession, UpdateCourseInput, UpdateSessionInput,
};
use crate::graph::viewer;
use crate::ids::{CooperativeId, CourseId, ParticipantId, SessionId, UserId};
use crate::pagination::{Page, encode_cursor};
use crate::training::csv_import;
use crate::training::inputs::{
    ParticipantDetails, capacity, course_contact, course_dates, full_name, online_url,
    optional_email, percent, place, role_in_cooperative, session_window,
};
use crate::training::outcomes::{self, RecordedActivity};
use crate::training::service::attendance::{self, Mark};
use crate::training::service::completion;
use crate::training::service::courses::{
    self, CourseChanges, CourseContact, CourseCursor, CourseFilter, NewCourse,
};
use crate::training::service::enrolment::{self, Enrolled, WhenFull};
use crate::training::service::reports;
use crate::training::service::sessions::{self, NewSession, SessionChanges};
use crate::training::{self, TrainingConfig};
use crate::values::{PhoneNumber, required_text, text};

fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

fn optional_text(raw: Option<String>, field: &str, max: usize) -> AppResult<Option<String>> {
    raw.map(|v| required_text(&v, field, max)).transpose()
}

fn coop(raw: Option<&ID>, field: &str) -> AppResult<Option<CooperativeId>> {
    raw.map(|id| CooperativeId::parse(id, field)).transpose()
}

async fn enrolment_out(db: &Db, enrolled: Enrolled, contact_visible: bool) -> AppResult<Enrolment> {
    let waitlist_position = enrolment::waitlist_position(db, &enrolled.enrolment).await?;
    Ok(Enrolment {
        model: enrolled.enrolment,
        contact_visible,
        waitlist_position,
    })
}

fn contact(input: &CourseContactInput, field: &str) -> AppResult<CourseContact> {
    course_contact(
        &input.name,
        input.phone.as_deref(),
        input.email.as_deref(),
        field,
    )
}

fn when_full(join_waitlist: bool) -> WhenFull {
    if join_waitlist {
        WhenFull::Wait
    } else {
        WhenFull::Refuse
    }
}

/// Training queries.
#[derive(Default)]
pub struct TrainingQuery;

#[Object]
impl TrainingQuery {
    /// A course by id; null when there is none or it is a draft the
    /// viewer does not organise (the two look alike).
    #[graphql(cache_control(max_age = 60))]
    async fn course(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Course>> {
        let id = CourseId::parse(&id, "id")?;
        match courses::find_visible(db(ctx), viewer(ctx), id).await {
            Ok(course) => Ok(Some(Course(course))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Courses, soonest first; drafts only for their organisers.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(max_age = 60)
    )]
    async fn courses(
        &self,
        ctx: &Context<'_>,
        filter: Option<CourseFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Course, Total>> {
        let input = filter.unwrap_or_default();
        let filter = CourseFilter {
            area: text(input.area.as_deref(), "filter.area", 100)?,
            topic: text(input.topic.as_deref(), "filter.topic", 100)?,
            from: input.from,
            to: input.to,
            status: input.status.map(Into::into),
        };
        let page = Page::<CourseCursor>::parse(first, after.as_deref())?;
        let had_cursor = page.after.is_some();
        let (rows, has_next, total) = courses::list(db(ctx), viewer(ctx), &filter, &page).await?;
        let mut connection =
            Connection::with_additional_fields(had_cursor, has_next, Total { total_count: total });
        connection.edges.extend(rows.into_iter().map(|c| {
            let cursor = CourseCursor {
                starts_on: c.starts_on,
                id: c.id,
            };
            Edge::new(encode_cursor(&cursor), Course(c))
        }));
        Ok(connection)
    }

    /// The courses the viewer organises or takes part in (not withdrawn),
    /// soonest first, a page at a time; the anonymous must sign in.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(private)
    )]
    async fn my_courses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many courses to return, 0 to 100; 20 when left out.")] first: Option<
            i32,
        >,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Course, Total>> {
        let page = Page::<CourseCursor>::parse(first, after.as_deref())?;
        let had_cursor = page.after.is_some();
        let (rows, has_next, total) = courses::mine(db(ctx), viewer(ctx), &page).await?;
        let mut connection =
            Connection::with_additional_fields(had_cursor, has_next, Total { total_count: total });
        connection.edges.extend(rows.into_iter().map(|c| {
            let cursor = CourseCursor {
                starts_on: c.starts_on,
                id: c.id,
            };
            Edge::new(encode_cursor(&cursor), Course(c))
        }));
        Ok(connection)
    }

    /// The participants of a course in order of enrolment; for its
    /// organisers, admins and its own participants (who see no contacts).
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(private)
    )]
    async fn course_participants(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
        status: Option<EnrolmentStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Enrolment, Total>> {
        let id = CourseId::parse(&course_id, "courseId")?;
        let page = Page::<i64>::parse(first, after.as_deref())?;
        let db = db(ctx);
        let manages = enrolment::require_roster_reader(db, viewer(ctx), id).await?;
        let (rows, has_next, total) =
            enrolment::page(db, id, status.map(Into::into), &page).await?;
        let waiting = enrolment::waitlist_seqs(db, id).await?;
        let mut connection = Connection::with_additional_fields(
            page.after.is_some(),
            has_next,
            Total { total_count: total },
        );
        connection.edges.extend(rows.into_iter().map(|e| {
            let waitlist_position = (e.status == training::EnrolmentStatus::Waitlisted)
                .then(|| waiting.partition_point(|s| *s < e.seq) as u64 + 1);
            Edge::new(
                encode_cursor(&e.seq),
                Enrolment {
                    model: e,
                    contact_visible: manages,
                    waitlist_position,
                },
            )
        }));
        Ok(connection)
    }

    /// A course's figures for its organisers: enrolment, attendance per
    /// session, completion, by area and by gender.
    #[graphql(cache_control(private))]
    async fn course_report(&self, ctx: &Context<'_>, course_id: ID) -> ApiResult<CourseReport> {
        let id = CourseId::parse(&course_id, "courseId")?;
        let r = reports::course_report(db(ctx), viewer(ctx), id).await?;
        let group = |g: reports::GroupLine| GroupCount {
            key: g.key,
            enrolled: g.enrolled,
            completed: g.completed,
        };
        Ok(CourseReport {
            course: Course(r.course),
            enrolled: r.enrolled,
            waitlisted: r.waitlisted,
            withdrawn: r.withdrawn,
            held_sessions: r.held_sessions,
            sessions: r
                .sessions
                .into_iter()
                .map(|s| SessionAttendance {
                    session: TrainingSession::new(s.session),
                    present: s.present,
                    late: s.late,
                    excused: s.excused,
                    absent: s.absent,
                    attendance_rate: s.attendance_rate,
                })
                .collect(),
            completed: r.completed,
            by_area: r.by_area.into_iter().map(group).collect(),
            by_gender: r.by_gender.into_iter().map(group).collect(),
        })
    }

    /// For a completed course's organisers: each completer's cooperative's
    /// livestreams, orders and revenue in the `windowDays` after completion
    /// against the same window before, and totals (cancelled and refunded
    /// orders excluded; each cooperative counted once).
    #[graphql(cache_control(private))]
    async fn course_outcomes(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
        #[graphql(
            desc = "Days in each window, 1 to 365; 90 when left out or null.",
            default = 90
        )]
        window_days: Option<i32>,
    ) -> ApiResult<CourseOutcomes> {
        let id = CourseId::parse(&course_id, "courseId")?;
        let days = crate::training::inputs::window_days(window_days.unwrap_or(90), "windowDays")?;
        let db = db(ctx);
        let source = RecordedActivity { db };
        let o = outcomes::course_outcomes(db, viewer(ctx), id, days, &source).await?;
        Ok(CourseOutcomes {
            window_days: o.window_days,
            data_available: o.recorded,
            completers: o
                .completers
                .into_iter()
                .map(|c| CompleterOutcome {
                    participant: Participant {
                        person: c.participant,
                        enrolment: c.enrolment,
                        contact_visible: true,
                    },
                    cooperative_id: c.cooperative,
                    completed_on: c.completed_on,
                    before: c.before.into(),
                    after: c.after.into(),
                })
                .collect(),
            total_before: o.before.into(),
            total_after: o.after.into(),
        })
    }

    /// Verifies a certificate by its number (any case); public. Shows the
    /// name, the course and the date only; null for an unknown number.
    #[graphql(cache_control(private))]
    async fn certificate(
        &self,
        ctx: &Context<'_>,
        number: String,
    ) -> ApiResult<Option<TrainingCertificate>> {
        Ok(completion::find_certificate(db(ctx), &number)
            .await?
            .map(TrainingCertificate::from))
    }
}

/// Training mutations.
#[derive(Default)]
pub struct TrainingMutation;

#[Object]
impl TrainingMutation {
    /// Creates a draft course, the caller its first organiser; needs the
    /// platform role ORGANISER.
    async fn create_course(
        &self,
        ctx: &Context<'_>,
        input: CreateCourseInput,
    ) -> ApiResult<CreateCoursePayload> {
        respond(
            async {
                let (starts_on, ends_on) =
                    course_dates(input.starts_on, input.ends_on, "input.endsOn")?;
                let new = NewCourse {
                    title: required_text(&input.title, "input.title", 200)?,
                    description: text(input.description.as_deref(), "input.description", 5000)?
                        .unwrap_or_default(),
                    topic: required_text(&input.topic, "input.topic", 100)?,
                    host_organisation: required_text(
                        &input.host_organisation,
                        "input.hostOrganisation",
                        200,
                    )?,
                    area: required_text(&input.area, "input.area", 100)?,
                    starts_on,
                    ends_on,
                    capacity: capacity(input.capacity, "input.capacity")?,
                    min_attendance_percent: percent(
                        input.completion_rule.min_attendance_percent,
                        "input.completionRule.minAttendancePercent",
                    )?,
                    contact: input
                        .contact
                        .map(|c| contact(&c, "input.contact"))
                        .transpose()?,
                };
                Ok(Course(courses::create(db(ctx), viewer(ctx), new).await?))
            }
            .await,
        )
    }

    /// Changes a draft or published course; its organisers only.
    async fn update_course(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateCourseInput,
    ) -> ApiResult<UpdateCoursePayload> {
        respond(
            async {
                let id = CourseId::parse(&id, "id")?;
                let changes = CourseChanges {
                    title: optional_text(input.title, "input.title", 200)?,
                    description: input
                        .description
                        .map(|d| {
                            text(Some(&d), "input.description", 5000).map(Option::unwrap_or_default)
                        })
                        .transpose()?,
                    topic: optional_text(input.topic, "input.topic", 100)?,
                    host_organisation: optional_text(
                        input.host_organisation,
                        "input.hostOrganisation",
                        200,
                    )?,
                    area: optional_text(input.area, "input.area", 100)?,
                    starts_on: input.starts_on,
                    ends_on: input.ends_on,
                    capacity: input
                        .capacity
                        .map(|c| capacity(c, "input.capacity"))
                        .transpose()?,
                    min_attendance_percent: input
                        .completion_rule
                        .map(|r| {
                            percent(
                                r.min_attendance_percent,
                                "input.completionRule.minAttendancePercent",
                            )
                        })
                        .transpose()?,
                    contact: match input.contact {
                        MaybeUndefined::Undefined => None,
                        MaybeUndefined::Null => Some(None),
                        MaybeUndefined::Value(c) => Some(Some(contact(&c, "input.contact")?)),
                    },
                };
                Ok(Course(
                    courses::update(db(ctx), viewer(ctx), id, changes).await?,
                ))
            }
            .await,
        )
    }

    /// Publishes a draft course: anyone sees it and users may enrol themselves.
    async fn publish_course(&self, ctx: &Context<'_>, id: ID) -> ApiResult<PublishCoursePayload> {
        respond(
            async {
                let id = CourseId::parse(&id, "id")?;
                Ok(Course(courses::publish(db(ctx), viewer(ctx), id).await?))
            }
            .await,
        )
    }

    /// Cancels a draft or published course.
    async fn cancel_course(&self, ctx: &Context<'_>, id: ID) -> ApiResult<CancelCoursePayload> {
        respond(
            async {
                let id = CourseId::parse(&id, "id")?;
                Ok(Course(courses::cancel(db(ctx), viewer(ctx), id).await?))
            }
            .await,
        )
    }

    /// Adds a co-organiser (a user holding the platform role ORGANISER) who
    /// then manages the course too.
    async fn add_course_organiser(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
        user_id: ID,
    ) -> ApiResult<AddCourseOrganiserPayload> {
        respond(
            async {
                let id = CourseId::parse(&course_id, "courseId")?;
                let user = UserId::parse(&user_id, "userId")?;
                Ok(Course(
                    courses::add_organiser(db(ctx), viewer(ctx), id, user).await?,
                ))
            }
            .await,
        )
    }

    /// Schedules a session within the course's dates.
    async fn schedule_training_session(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
        input: ScheduleSessionInput,
    ) -> ApiResult<ScheduleTrainingSessionPayload> {
        respond(
            async {
                let id = CourseId::parse(&course_id, "courseId")?;
                let (starts_at, ends_at) =
                    session_window(input.starts_at, input.ends_at, "input.endsAt")?;
                let new = NewSession {
                    title: required_text(&input.title, "input.title", 200)?,
                    starts_at,
                    ends_at,
                    location: text(input.location.as_deref(), "input.location", 300)?,
                    online_url: online_url(input.online_url.as_deref(), "input.onlineUrl")?,
                };
                Ok(TrainingSession::new(
                    sessions::schedule(db(ctx), viewer(ctx), id, new).await?,
                ))
            }
            .await,
        )
    }

    /// Changes a session; it must still end after it starts, within the course's dates.
    async fn update_training_session(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateSessionInput,
    ) -> ApiResult<UpdateTrainingSessionPayload> {
        respond(
            async {
                let id = SessionId::parse(&id, "id")?;
                let changes = SessionChanges {
                    title: optional_text(input.title, "input.title", 200)?,
                    starts_at: input.starts_at,
                    ends_at: input.ends_at,
                    location: match input.location {
                        MaybeUndefined::Undefined => None,
                        MaybeUndefined::Null => Some(None),
                        MaybeUndefined::Value(v) => Some(text(Some(&v), "input.location", 300)?),
                    },
                    online_url: match input.online_url {
                        MaybeUndefined::Undefined => None,
                        MaybeUndefined::Null => Some(None),
                        MaybeUndefined::Value(v) => Some(online_url(Some(&v), "input.onlineUrl")?),
                    },
                };
                Ok(TrainingSession::new(
                    sessions::update(db(ctx), viewer(ctx), id, changes).await?,
                ))
            }
            .await,
        )
    }

    /// Cancels a session: it stops counting towards completion and its check-in code stops working.
    async fn cancel_training_session(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<CancelTrainingSessionPayload> {
        respond(
            async {
                let id = SessionId::parse(&id, "id")?;
                Ok(TrainingSession::new(
                    sessions::cancel(db(ctx), viewer(ctx), id).await?,
                ))
            }
            .await,
        )
    }

    /// Enrols a person (found by phone across courses, or created) on an
    /// organiser's say-so. When the course is full: `CONFLICT`, unless
    /// `joinWaitlist` is true, which puts them on the waitlist in order.
    async fn enroll_participant(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
        input: ParticipantInput,
        #[graphql(
            desc = "When the course is full: true joins the waitlist; false or null refuses with CONFLICT."
        )]
        join_waitlist: Option<bool>,
    ) -> ApiResult<EnrollParticipantPayload> {
        respond(
            async {
                let id = CourseId::parse(&course_id, "courseId")?;
                let details = ParticipantDetails {
                    full_name: full_name(&input.full_name, "input.fullName")?,
                    phone: PhoneNumber::parse(&input.phone, "input.phone")?,
                    email: optional_email(input.email.as_deref(), "input.email")?,
                    cooperative: coop(input.cooperative_id.as_ref(), "input.cooperativeId")?,
                    role_in_cooperative: role_in_cooperative(
                        input.role_in_cooperative.as_deref(),
                        "input.roleInCooperative",
                    )?,
                    commune: place(&input.commune, "input.commune")?,
                    area: place(&input.area, "input.area")?,
                    gender: input.gender.map(Into::into),
                };
                let db = db(ctx);
                let enrolled = enrolment::enrol(
                    db,
                    viewer(ctx),
                    id,
                    details,
                    when_full(join_waitlist.unwrap_or(false)),
                )
                .await?;
                enrolment_out(db, enrolled, true).await
            }
            .await,
        )
    }

    /// Enrols the signed-in user in a published course; name and phone
    /// default to their account's. Full: `CONFLICT` unless `joinWaitlist`.
    async fn enroll_in_course(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
        input: SelfEnrolmentInput,
        #[graphql(
            desc = "When the course is full: true joins the waitlist; false or null refuses with CONFLICT."
        )]
        join_waitlist: Option<bool>,
    ) -> ApiResult<EnrollInCoursePayload> {
        respond(
            async {
                let id = CourseId::parse(&course_id, "courseId")?;
                let db = db(ctx);
                let user = viewer(ctx).require_user()?;
                let account = find_user(db, user).await?.ok_or_else(|| {
                    AppError::Unauthenticated("the account no longer exists".into())
                })?;
                let name = input.full_name.unwrap_or(account.display_name);
                let phone = input.phone.or(account.phone).ok_or_else(|| {
                    AppError::invalid(
                        "input.phone",
                        "is required: your account has no phone number",
                    )
                })?;
                let details = ParticipantDetails {
                    full_name: full_name(&name, "input.fullName")?,
                    phone: PhoneNumber::parse(&phone, "input.phone")?,
                    email: optional_email(Some(&account.email), "input.email")?,
                    cooperative: coop(input.cooperative_id.as_ref(), "input.cooperativeId")?,
                    role_in_cooperative: role_in_cooperative(
                        input.role_in_cooperative.as_deref(),
                        "input.roleInCooperative",
                    )?,
                    commune: place(&input.commune, "input.commune")?,
                    area: place(&input.area, "input.area")?,
                    gender: input.gender.map(Into::into),
                };
                let enrolled = enrolment::enrol_self(
                    db,
                    viewer(ctx),
                    id,
                    details,
                    when_full(join_waitlist.unwrap_or(false)),
                )
                .await?;
                enrolment_out(db, enrolled, true).await
            }
            .await,
        )
    }

    /// Withdraws a participant (organisers, or the participant themselves);
    /// the first on the waitlist takes the freed seat.
    async fn withdraw_participant(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
        participant_id: ID,
    ) -> ApiResult<WithdrawParticipantPayload> {
        respond(
            async {
                let id = CourseId::parse(&course_id, "courseId")?;
                let person = ParticipantId::parse(&participant_id, "participantId")?;
                let db = db(ctx);
                let done = enrolment::withdraw(db, viewer(ctx), id, person).await?;
                enrolment_out(db, done, true).await
            }
            .await,
        )
    }

    /// Imports a participant list from CSV (headers in English or
    /// Vietnamese), all rows in one transaction or row by row, reporting
    /// every row. Rows beyond capacity join the waitlist.
    async fn import_participants(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
        csv: String,
        mode: ImportMode,
    ) -> ApiResult<ImportParticipantsPayload> {
        respond(
            async {
                let id = CourseId::parse(&course_id, "courseId")?;
                Ok(
                    csv_import::import(db(ctx), viewer(ctx), id, &csv, mode.into())
                        .await?
                        .into(),
                )
            }
            .await,
        )
    }

    /// Records or corrects attendance at a session (an upsert per
    /// participant); every participant must be enrolled. All or none.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        entries: Vec<AttendanceEntryInput>,
    ) -> ApiResult<RecordAttendancePayload> {
        respond(
            async {
                let id = SessionId::parse(&session_id, "sessionId")?;
                let marks = entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        Ok(Mark {
                            participant: ParticipantId::parse(
                                &e.participant_id,
                                &format!("entries.{i}.participantId"),
                            )?,
                            status: e.status.into(),
                        })
                    })
                    .collect::<AppResult<Vec<_>>>()?;
                let (course, rows) = attendance::record(db(ctx), viewer(ctx), id, marks).await?;
                Ok(rows
                    .into_iter()
                    .map(|a| AttendanceRecord {
                        model: a,
                        course,
                        contact_visible: true,
                    })
                    .collect())
            }
            .await,
        )
    }

    /// Checks a participant in with the session's code (from its QR image)
    /// and their phone; no login needed. PRESENT within the grace period
    /// after the start, LATE after it; refused outside the session's window.
    async fn check_in_to_session(
        &self,
        ctx: &Context<'_>,
        code: String,
        phone: String,
    ) -> ApiResult<CheckInToSessionPayload> {
        respond(
            async {
                let phone = PhoneNumber::parse(&phone, "phone")?;
                let grace = ctx
                    .data_opt::<TrainingConfig>()
                    .copied()
                    .unwrap_or_default()
                    .checkin_grace;
                let done = attendance::check_in(db(ctx), &code, &phone, grace, Utc::now()).await?;
                Ok(CheckInResult {
                    status: done.status.into(),
                    session_title: done.session.title,
                    participant_name: done.name,
                })
            }
            .await,
        )
    }

    /// Closes a published course and issues each completer (attendance at
    /// least the rule's share of held sessions) a certificate.
    async fn complete_course(
        &self,
        ctx: &Context<'_>,
        course_id: ID,
    ) -> ApiResult<CompleteCoursePayload> {
        respond(
            async {
                let id = CourseId::parse(&course_id, "courseId")?;
                let done = completion::complete(db(ctx), viewer(ctx), id).await?;
                Ok(CourseCompletion {
                    course: Course(done.course),
                    certificates_issued: i32::try_from(done.certificates.len()).unwrap_or(i32::MAX),
                    certificates: done
                        .certificates
                        .into_iter()
                        .map(TrainingCertificate::from)
                        .collect(),
                })
            }
            .await,
        )
    }
}

crate::payload!(
    /// The result of `createCourse`.
    CreateCoursePayload,
    course: Course
);

crate::payload!(
    /// The result of `updateCourse`.
    UpdateCoursePayload,
    course: Course
);

crate::payload!(
    /// The result of `publishCourse`.
    PublishCoursePayload,
    course: Course
);

crate::payload!(
    /// The result of `cancelCourse`.
    CancelCoursePayload,
    course: Course
);

crate::payload!(
    /// The result of `addCourseOrganiser`.
    AddCourseOrganiserPayload,
    course: Course
);

crate::payload!(
    /// The result of `scheduleTrainingSession`.
    ScheduleTrainingSessionPayload,
    session: TrainingSession
);

crate::payload!(
    /// The result of `updateTrainingSession`.
    UpdateTrainingSessionPayload,
    session: TrainingSession
);

crate::payload!(
    /// The result of `cancelTrainingSession`.
    CancelTrainingSessionPayload,
    session: TrainingSession
);

crate::payload!(
    /// The result of `enrollParticipant`.
    EnrollParticipantPayload,
    enrolment: Enrolment
);

crate::payload!(
    /// The result of `enrollInCourse`.
    EnrollInCoursePayload,
    enrolment: Enrolment
);

crate::payload!(
    /// The result of `withdrawParticipant`.
    WithdrawParticipantPayload,
    enrolment: Enrolment
);

crate::payload!(
    /// The result of `importParticipants`.
    ImportParticipantsPayload,
    report: ImportReport
);

crate::payload!(
    /// The result of `recordAttendance`.
    RecordAttendancePayload,
    records: Vec<AttendanceRecord>
);

crate::payload!(
    /// The result of `checkInToSession`.
    CheckInToSessionPayload,
    check_in: CheckInResult
);

crate::payload!(
    /// The result of `completeCourse`.
    CompleteCoursePayload,
    completion: CourseCompletion
);
