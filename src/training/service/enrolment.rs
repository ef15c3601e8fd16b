//! Enrolment: a person is one participant record across courses, found by
//! phone number and linked to their account when they have one. What an
//! organiser types about them belongs to that enrolment (the course shows,
//! exports and certifies its own copy); the person's own profile changes
//! only when they enrol themselves. Seats are
//! taken by a conditional update of the course's seat count (which the
//! schema keeps within capacity), so a full course can never be overfilled;
//! past capacity people wait in order of enrolment and the first in line
//! moves up when a seat frees.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use entity::{course, enrolment, participant, user};

use crate::auth::Viewer;
use crate::db::{Db, WriteTxn};
use crate::error::{AppError, AppResult, constraint_violation};
use crate::ids::{CooperativeId, CourseId, ParticipantId, UserId};
use crate::pagination::Page;
use crate::training::inputs::ParticipantDetails;
use crate::training::service::{can_manage, lock_course, require_manager, require_open, status_of};
use crate::training::{CourseStatus, EnrolmentStatus};

/// What to do when the course is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenFull {
    /// Refuse with `CONFLICT`.
    Refuse,
    /// Join the waitlist.
    Wait,
}

/// An enrolment and the person it is for.
pub struct Enrolled {
    pub enrolment: enrolment::Model,
    pub participant: participant::Model,
}

/// The person with this phone, created from `details` when nobody has it
/// yet. Creation is one `INSERT … ON CONFLICT DO NOTHING` followed by a
/// read, so two courses enrolling the same new phone at once both find the
/// one record (PostgreSQL makes the second insert wait for the first and
/// then do nothing). An existing record is never changed here: what an
/// organiser types belongs to the enrolment, not to the person.
async fn person_with_phone(
    conn: &impl ConnectionTrait,
    details: &ParticipantDetails,
    link: Option<uuid::Uuid>,
) -> AppResult<participant::Model> {
    let phone = details.phone.as_str();
    if let Some(found) = find_by_phone(conn, phone).await? {
        return Ok(found);
    }
    let now = Utc::now();
    // Without a target the conflict may be on the phone or on the account
    // link (one participant per account); the second attempt, unlinked, can
    // only meet the phone.
    for link in [link, None] {
        participant::Entity::insert(participant::ActiveModel {
            id: Set(ParticipantId::new().uuid()),
            full_name: Set(details.full_name.clone()),
            phone: Set(phone.to_owned()),
            email: Set(details.email.as_ref().map(|e| e.as_str().to_owned())),
            user_id: Set(link),
            cooperative_id: Set(details.cooperative.map(|c| c.uuid())),
            role_in_cooperative: Set(details.role_in_cooperative.clone()),
            commune: Set(details.commune.clone()),
            area: Set(details.area.clone()),
            gender: Set(details.gender),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .try_insert()
        .exec_without_returning(conn)
        .await?;
        if let Some(found) = find_by_phone(conn, phone).await? {
            return Ok(found);
        }
    }
    Err(AppError::Conflict(
        "this participant changed meanwhile; try again".into(),
    ))
}

async fn find_by_phone(
    conn: &impl ConnectionTrait,
    phone: &str,
) -> AppResult<Option<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::Phone.eq(phone))
        .one(conn)
        .await?)
}

/// The participant an organiser enrols: found by phone, or created (and
/// linked to the one account with that phone, if any).
async fn participant_for_organiser(
    conn: &impl ConnectionTrait,
    details: &ParticipantDetails,
) -> AppResult<participant::Model> {
    if let Some(found) = find_by_phone(conn, details.phone.as_str()).await? {
        return Ok(found);
    }
    let link = account_with_phone(conn, details.phone.as_str()).await?;
    person_with_phone(conn, details, link).await
}

/// The participant of the signed-in `user` enrolling themselves, with their
/// own profile updated from `details`: only the person changes it. A phone
/// already held by a participant of another account is refused, and so is
/// claiming an unlinked participant's phone unless the account has that
/// phone itself (else anyone could take over a trainee's record by typing
/// their number).
async fn participant_for_self(
    conn: &impl ConnectionTrait,
    details: &ParticipantDetails,
    user: UserId,
) -> AppResult<participant::Model> {
    let phone = details.phone.as_str();
    let by_account = participant::Entity::find()
        .filter(participant::Column::UserId.eq(user.uuid()))
        .one(conn)
        .await?;
    let person = match (find_by_phone(conn, phone).await?, by_account) {
        (Some(p), Some(a)) if p.id != a.id => {
            return Err(AppError::Conflict(
                "this phone number belongs to another participant than your account's".into(),
            ));
        }
        (Some(p), _) if p.user_id.is_some_and(|u| u != user.uuid()) => {
            return Err(AppError::Conflict(
                "this phone number belongs to a participant linked to another account".into(),
            ));
        }
        (Some(p), None) => {
            let account_phone = user::Entity::find_by_id(user.uuid())
                .one(conn)
                .await?
                .and_then(|u| u.phone);
            if account_phone.as_deref() != Some(phone) {
                return Err(AppError::Conflict(
                    "this phone number is already registered for a participant; enrol with your account's own phone number, or ask the course's organiser".into(),
                ));
            }
            p
        }
        (Some(p), Some(_)) => p,
        (None, Some(a)) => a,
        (None, None) => person_with_phone(conn, details, Some(user.uuid())).await?,
    };
    let mut active: participant::ActiveModel = person.into();
    active.full_name = Set(details.full_name.clone());
    active.phone = Set(phone.to_owned());
    active.commune = Set(details.commune.clone());
    active.area = Set(details.area.clone());
    if let Some(email) = &details.email {
        active.email = Set(Some(email.as_str().to_owned()));
    }
    if let Some(coop) = details.cooperative {
        active.cooperative_id = Set(Some(coop.uuid()));
    }
    if let Some(role) = &details.role_in_cooperative {
        active.role_in_cooperative = Set(Some(role.clone()));
    }
    if let Some(gender) = details.gender {
        active.gender = Set(Some(gender));
    }
    active.user_id = Set(Some(user.uuid()));
    active.updated_at = Set(Utc::now());
    active
        .update(conn)
        .await
        .map_err(|err| match constraint_violation(&err) {
            Some(clash) if clash.is_on("phone") => clash.to_error(
                "input.",
                "this phone number belongs to another participant than your account's",
            ),
            Some(clash) if clash.is_on("userId") => {
                AppError::Conflict("your account is linked to another participant already".into())
            }
            _ => err.into(),
        })
}

/// The one account with this phone that no participant is linked to yet.
async fn account_with_phone(
    conn: &impl ConnectionTrait,
    phone: &str,
) -> AppResult<Option<uuid::Uuid>> {
    let users = user::Entity::find()
        .filter(user::Column::Phone.eq(phone))
        .limit(2)
        .all(conn)
        .await?;
    let [only] = users.as_slice() else {
        return Ok(None);
    };
    let taken = participant::Entity::find()
        .filter(participant::Column::UserId.eq(only.id))
        .count(conn)
        .await?
        > 0;
    Ok((!taken).then_some(only.id))
}

/// Takes a seat if one is free: true when taken.
async fn take_seat(conn: &impl ConnectionTrait, course: CourseId) -> AppResult<bool> {
    let done = course::Entity::update_many()
        .col_expr(
            course::Column::EnrolledCount,
            Expr::col(course::Column::EnrolledCount).add(1),
        )
        .filter(course::Column::Id.eq(course.uuid()))
        .filter(Expr::col(course::Column::EnrolledCount).lt(Expr::col(course::Column::Capacity)))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

async fn free_seat(conn: &impl ConnectionTrait, course: CourseId) -> AppResult<()> {
    course::Entity::update_many()
        .col_expr(
            course::Column::EnrolledCount,
            Expr::col(course::Column::EnrolledCount).sub(1),
        )
        .filter(course::Column::Id.eq(course.uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Enrols a person in a course inside `txn` (whose course row the caller
/// locked with [`lock_course`]); its cooperative, if any, was checked with
/// [`check_cooperative`]. The details are kept on the enrolment, as given
/// to this course; a self-enrolment (`account`) also updates the person's
/// own profile. `CONFLICT` when already enrolled or waiting, or when the
/// course is full and `when_full` is `Refuse`.
pub async fn enrol_in(
    txn: &WriteTxn,
    course: &course::Model,
    details: &ParticipantDetails,
    account: Option<UserId>,
    when_full: WhenFull,
) -> AppResult<Enrolled> {
    require_open(course)?;
    let course_id = CourseId::from(course.id);
    let person = match account {
        Some(user) => participant_for_self(&**txn, details, user).await?,
        None => participant_for_organiser(&**txn, details).await?,
    };
    let existing = enrolment::Entity::find_by_id((course.id, person.id))
        .one(&**txn)
        .await?;
    if let Some(e) = &existing
        && e.status != EnrolmentStatus::Withdrawn
    {
        return Err(AppError::Conflict(format!(
            "{} is already {} in this course",
            e.full_name,
            if e.status == EnrolmentStatus::Enrolled {
                "enrolled"
            } else {
                "on the waitlist"
            }
        )));
    }
    let status = if take_seat(&**txn, course_id).await? {
        EnrolmentStatus::Enrolled
    } else if when_full == WhenFull::Wait {
        EnrolmentStatus::Waitlisted
    } else {
        return Err(AppError::Conflict(format!(
            "the course is full ({} seats); enrol with joinWaitlist: true to wait for a seat",
            course.capacity
        )));
    };
    let seq = next_seq(&**txn, course_id).await?;
    let now = Utc::now();
    let model = enrolment::ActiveModel {
        course_id: Set(course.id),
        participant_id: Set(person.id),
        status: Set(status),
        seq: Set(seq),
        enrolled_at: Set(now),
        withdrawn_at: Set(None),
        full_name: Set(details.full_name.clone()),
        email: Set(details.email.as_ref().map(|e| e.as_str().to_owned())),
        cooperative_id: Set(details.cooperative.map(|c| c.uuid())),
        role_in_cooperative: Set(details.role_in_cooperative.clone()),
        commune: Set(details.commune.clone()),
        area: Set(details.area.clone()),
        gender: Set(details.gender),
    };
    let enrolment = if existing.is_some() {
        model.update(&**txn).await?
    } else {
        enrolment::Entity::insert(model)
            .exec_with_returning(&**txn)
            .await?
    };
    Ok(Enrolled {
        enrolment,
        participant: person,
    })
}

async fn next_seq(conn: &impl ConnectionTrait, course: CourseId) -> AppResult<i64> {
    let last: Option<i64> = enrolment::Entity::find()
        .select_only()
        .column_as(enrolment::Column::Seq.max(), "max_seq")
        .filter(enrolment::Column::CourseId.eq(course.uuid()))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    Ok(last.unwrap_or(0) + 1)
}

/// `BAD_USER_INPUT` on `field` unless the cooperative exists.
pub async fn check_cooperative(db: &Db, coop: Option<CooperativeId>, field: &str) -> AppResult<()> {
    if let Some(coop) = coop
        && crate::cooperatives::service::find(db, coop)
            .await?
            .is_none()
    {
        return Err(AppError::invalid(field, "no cooperative has this id"));
    }
    Ok(())
}

/// Enrols a person on an organiser's say-so (drafts included).
pub async fn enrol(
    db: &Db,
    viewer: &Viewer,
    course_id: CourseId,
    details: ParticipantDetails,
    when_full: WhenFull,
) -> AppResult<Enrolled> {
    let (user, _) = require_manager(db, viewer, course_id).await?;
    check_cooperative(db, details.cooperative, "input.cooperativeId").await?;
    let enrolled = db
        .write(async |txn| -> AppResult<_> {
            let course = lock_course(db, &**txn, course_id).await?;
            enrol_in(txn, &course, &details, None, when_full).await
        })
        .await?;
    tracing::info!(
        course.id = %course_id,
        participant.id = %enrolled.participant.id,
        user.id = %user,
        status = %enrolled.enrolment.status,
        "participant enrolled"
    );
    Ok(enrolled)
}

/// Enrols the signed-in user in a published course, as the participant
/// linked to their account (created from `details` when there is none).
pub async fn enrol_self(
    db: &Db,
    viewer: &Viewer,
    course_id: CourseId,
    details: ParticipantDetails,
    when_full: WhenFull,
) -> AppResult<Enrolled> {
    let user = viewer.require_user()?;
    check_cooperative(db, details.cooperative, "input.cooperativeId").await?;
    let enrolled = db
        .write(async |txn| -> AppResult<_> {
            let course = lock_course(db, &**txn, course_id).await?;
            match status_of(&course) {
                CourseStatus::Published => {}
                CourseStatus::Draft => return Err(AppError::not_found("course")),
                _ => {
                    return Err(AppError::Conflict(
                        "the course is no longer open for enrolment".into(),
                    ));
                }
            }
            enrol_in(txn, &course, &details, Some(user), when_full).await
        })
        .await?;
    tracing::info!(
        course.id = %course_id,
        participant.id = %enrolled.participant.id,
        status = %enrolled.enrolment.status,
        "participant enrolled themselves"
    );
    Ok(enrolled)
}

/// Gives free seats to the waitlist, first come first served.
pub async fn promote_waitlist(txn: &WriteTxn, course: CourseId) -> AppResult<u64> {
    let waiting = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(course.uuid()))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted))
        .order_by_asc(enrolment::Column::Seq)
        .all(&**txn)
        .await?;
    let mut promoted = 0;
    for e in waiting {
        if !take_seat(&**txn, course).await? {
            break;
        }
        let mut active: enrolment::ActiveModel = e.into();
        active.status = Set(EnrolmentStatus::Enrolled);
        active.update(&**txn).await?;
        promoted += 1;
    }
    Ok(promoted)
}

/// Withdraws a participant from a course: an organiser may withdraw anyone,
/// a participant themselves. A freed seat goes to the first on the waitlist.
pub async fn withdraw(
    db: &Db,
    viewer: &Viewer,
    course_id: CourseId,
    person: ParticipantId,
) -> AppResult<Enrolled> {
    let user = viewer.require_user()?;
    let participant = participant::Entity::find_by_id(person.uuid())
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("participant"))?;
    let themselves = participant.user_id == Some(user.uuid());
    if !themselves {
        require_manager(db, viewer, course_id).await?;
    }
    let (enrolment, withdrawn) = db
        .write(async |txn| -> AppResult<_> {
            let course = lock_course(db, &**txn, course_id).await?;
            require_open(&course)?;
            let current = enrolment::Entity::find_by_id((course_id.uuid(), person.uuid()))
                .one(&**txn)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("participantId", "is not enrolled in this course")
                })?;
            let was = Some(current.status);
            if was == Some(EnrolmentStatus::Withdrawn) {
                return Ok((current, false));
            }
            let mut active: enrolment::ActiveModel = current.into();
            active.status = Set(EnrolmentStatus::Withdrawn);
            active.withdrawn_at = Set(Some(Utc::now()));
            let enrolment = active.update(&**txn).await?;
            if was == Some(EnrolmentStatus::Enrolled) {
                free_seat(&**txn, course_id).await?;
                promote_waitlist(txn, course_id).await?;
            }
            Ok((enrolment, true))
        })
        .await?;
    if withdrawn {
        tracing::info!(course.id = %course_id, participant.id = %person, user.id = %user, "participant withdrawn");
    }
    Ok(Enrolled {
        enrolment,
        participant,
    })
}

/// Who may read a course's participant list: its managers and the people
/// enrolled or waiting in it. Returns whether the viewer manages the course.
pub async fn require_roster_reader(db: &Db, viewer: &Viewer, course: CourseId) -> AppResult<bool> {
    let user = viewer.require_user()?;
    if can_manage(db, course, user).await? {
        return Ok(true);
    }
    let Some(me) = participant::Entity::find()
        .filter(participant::Column::UserId.eq(user.uuid()))
        .one(db.conn())
        .await?
    else {
        return Err(AppError::Forbidden(
            "only the course's organisers and participants see its participants".into(),
        ));
    };
    let taking = enrolment::Entity::find_by_id((course.uuid(), me.id))
        .one(db.conn())
        .await?
        .is_some_and(|e| e.status != EnrolmentStatus::Withdrawn);
    if taking {
        Ok(false)
    } else {
        Err(AppError::Forbidden(
            "only the course's organisers and participants see its participants".into(),
        ))
    }
}

/// One page of a course's enrolments in order of enrolment, whether there is
/// a next page, and the total matching.
pub async fn page(
    db: &Db,
    course: CourseId,
    status: Option<EnrolmentStatus>,
    page: &Page<i64>,
) -> AppResult<(Vec<enrolment::Model>, bool, u64)> {
    let mut query = enrolment::Entity::find().filter(enrolment::Column::CourseId.eq(course.uuid()));
    if let Some(status) = status {
        query = query.filter(enrolment::Column::Status.eq(status));
    }
    let total = query.clone().count(db.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(enrolment::Column::Seq.gt(after));
    }
    let mut rows = query
        .order_by_asc(enrolment::Column::Seq)
        .limit(page.first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok((rows, has_next, total))
}

/// The waitlist position of an enrolment (1 = next to get a seat).
pub async fn waitlist_position(db: &Db, e: &enrolment::Model) -> AppResult<Option<u64>> {
    if e.status != EnrolmentStatus::Waitlisted {
        return Ok(None);
    }
    let ahead = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(e.course_id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted))
        .filter(enrolment::Column::Seq.lt(e.seq))
        .count(db.conn())
        .await?;
    Ok(Some(ahead + 1))
}

/// The enrolment order (`seq`) of everyone waiting for a seat, ascending:
/// a page computes each waitlisted row's position from it in memory.
pub async fn waitlist_seqs(db: &Db, course: CourseId) -> AppResult<Vec<i64>> {
    Ok(enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::Seq)
        .filter(enrolment::Column::CourseId.eq(course.uuid()))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted))
        .order_by_asc(enrolment::Column::Seq)
        .into_tuple::<i64>()
        .all(db.conn())
        .await?)
}
