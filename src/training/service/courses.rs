//! Courses: created by organisers, managed with co-organisers, published,
//! cancelled; listed for everyone (drafts for their organisers only).

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use entity::{course, course_organiser, enrolment, participant, training_session};

use crate::auth::service::{find_user, has_role, require_role};
use crate::auth::{PlatformRole, Viewer};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CourseId, UserId};
use crate::pagination::Page;
use crate::training::service::{
    find_course, organised_by, require_manager, require_open, status_of, viewer_can_manage,
};
use crate::training::{CourseStatus, EnrolmentStatus, local_date};

/// Who the public may contact about a course, as its organisers chose to
/// publish it: a name and a phone or e-mail given for the course, never an
/// organiser's sign-in details.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CourseContact {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl CourseContact {
    /// The contact stored on a course, if it has one.
    pub fn of(course: &course::Model) -> Option<Self> {
        course.contact_name.as_ref().map(|name| Self {
            name: name.clone(),
            phone: course.contact_phone.clone(),
            email: course.contact_email.clone(),
        })
    }
}

/// A course to create, parsed.
pub struct NewCourse {
    pub title: String,
    pub description: String,
    pub topic: String,
    pub host_organisation: String,
    pub area: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub min_attendance_percent: i32,
    /// The published contact, if any.
    pub contact: Option<CourseContact>,
}

/// Changes to a course, parsed; `None` leaves a field as it is.
#[derive(Default)]
pub struct CourseChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub topic: Option<String>,
    pub host_organisation: Option<String>,
    pub area: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
    pub min_attendance_percent: Option<i32>,
    /// `Some(None)` removes the published contact.
    pub contact: Option<Option<CourseContact>>,
}

/// Creates a draft course; its creator becomes its first organiser. Needs
/// the platform role `ORGANISER`.
pub async fn create(db: &Db, viewer: &Viewer, new: NewCourse) -> AppResult<course::Model> {
    let user = require_role(db, viewer, PlatformRole::Organiser).await?;
    let now = Utc::now();
    let course = db
        .write(async |txn| -> AppResult<_> {
            let course = course::Entity::insert(course::ActiveModel {
                id: Set(CourseId::new().uuid()),
                title: Set(new.title),
                description: Set(new.description),
                topic: Set(new.topic),
                host_organisation: Set(new.host_organisation),
                area: Set(new.area),
                starts_on: Set(new.starts_on),
                ends_on: Set(new.ends_on),
                capacity: Set(new.capacity),
                enrolled_count: Set(0),
                min_attendance_percent: Set(new.min_attendance_percent),
                status: Set(CourseStatus::Draft),
                created_by: Set(user.uuid()),
                completed_at: Set(None),
                contact_name: Set(new.contact.as_ref().map(|c| c.name.clone())),
                contact_phone: Set(new.contact.as_ref().and_then(|c| c.phone.clone())),
                contact_email: Set(new.contact.as_ref().and_then(|c| c.email.clone())),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(&**txn)
            .await?;
            course_organiser::Entity::insert(course_organiser::ActiveModel {
                course_id: Set(course.id),
                user_id: Set(user.uuid()),
                created_at: Set(now),
            })
            .exec_without_returning(&**txn)
            .await?;
            Ok(course)
        })
        .await?;
    tracing::info!(course.id = %course.id, user.id = %user, "course created");
    Ok(course)
}

/// Changes a draft or published course. Dates must still hold every
/// scheduled session; seats may not drop below those already taken, and new
/// seats go to the waitlist in order.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: CourseId,
    changes: CourseChanges,
) -> AppResult<course::Model> {
    let (user, _) = require_manager(db, viewer, id).await?;
    let course = db
        .write(async |txn| -> AppResult<_> {
            let current = super::lock_course(db, &**txn, id).await?;
            require_open(&current)?;
            let starts_on = changes.starts_on.unwrap_or(current.starts_on);
            let ends_on = changes.ends_on.unwrap_or(current.ends_on);
            crate::training::inputs::course_dates(starts_on, ends_on, "input.endsOn")?;
            let sessions = training_session::Entity::find()
                .filter(training_session::Column::CourseId.eq(id.uuid()))
                .filter(training_session::Column::CancelledAt.is_null())
                .all(&**txn)
                .await?;
            if let Some(outside) = sessions
                .iter()
                .find(|s| local_date(s.starts_at) < starts_on || local_date(s.ends_at) > ends_on)
            {
                let field = if changes.starts_on.is_some() {
                    "input.startsOn"
                } else {
                    "input.endsOn"
                };
                return Err(AppError::invalid(
                    field,
                    format!(
                        "the session \"{}\" on {} would fall outside the course dates",
                        outside.title,
                        local_date(outside.starts_at)
                    ),
                ));
            }
            if let Some(capacity) = changes.capacity
                && capacity < current.enrolled_count
            {
                return Err(AppError::invalid(
                    "input.capacity",
                    format!(
                        "{} participants already hold seats; withdraw some first",
                        current.enrolled_count
                    ),
                ));
            }
            let grew = changes.capacity.is_some_and(|c| c > current.capacity);
            let mut active: course::ActiveModel = current.into();
            if let Some(v) = changes.title {
                active.title = Set(v);
            }
            if let Some(v) = changes.description {
                active.description = Set(v);
            }
            if let Some(v) = changes.topic {
                active.topic = Set(v);
            }
            if let Some(v) = changes.host_organisation {
                active.host_organisation = Set(v);
            }
            if let Some(v) = changes.area {
                active.area = Set(v);
            }
            active.starts_on = Set(starts_on);
            active.ends_on = Set(ends_on);
            if let Some(v) = changes.capacity {
                active.capacity = Set(v);
            }
            if let Some(v) = changes.min_attendance_percent {
                active.min_attendance_percent = Set(v);
            }
            if let Some(contact) = changes.contact {
                active.contact_name = Set(contact.as_ref().map(|c| c.name.clone()));
                active.contact_phone = Set(contact.as_ref().and_then(|c| c.phone.clone()));
                active.contact_email = Set(contact.and_then(|c| c.email));
            }
            active.updated_at = Set(Utc::now());
            active.update(&**txn).await?;
            if grew {
                super::enrolment::promote_waitlist(txn, id).await?;
            }
            let course = find_course(&**txn, id)
                .await?
                .ok_or_else(|| AppError::not_found("course"))?;
            Ok(course)
        })
        .await?;
    tracing::info!(course.id = %id, user.id = %user, "course updated");
    Ok(course)
}

async fn set_status(
    db: &Db,
    viewer: &Viewer,
    id: CourseId,
    from: &[CourseStatus],
    to: CourseStatus,
) -> AppResult<course::Model> {
    let (user, current) = require_manager(db, viewer, id).await?;
    let status = status_of(&current);
    if status == to {
        return Ok(current);
    }
    if !from.contains(&status) {
        return Err(AppError::Conflict(format!(
            "a {} course cannot become {}",
            status.to_string().to_lowercase(),
            to.to_string().to_lowercase()
        )));
    }
    let course = db
        .write(async |txn| -> AppResult<_> {
            // Conditional on the status read, so a concurrent change is not overwritten.
            let done = course::Entity::update_many()
                .col_expr(course::Column::Status, Expr::value(to))
                .col_expr(course::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(course::Column::Id.eq(id.uuid()))
                .filter(course::Column::Status.eq(status))
                .exec(&**txn)
                .await?;
            if done.rows_affected != 1 {
                return Err(AppError::Conflict(
                    "the course changed meanwhile; try again".into(),
                ));
            }
            let course = find_course(&**txn, id)
                .await?
                .ok_or_else(|| AppError::not_found("course"))?;
            Ok(course)
        })
        .await?;
    tracing::info!(course.id = %id, user.id = %user, status = to.to_string(), "course status changed");
    Ok(course)
}

/// Publishes a draft: it becomes visible and open to self-enrolment.
pub async fn publish(db: &Db, viewer: &Viewer, id: CourseId) -> AppResult<course::Model> {
    set_status(
        db,
        viewer,
        id,
        &[CourseStatus::Draft],
        CourseStatus::Published,
    )
    .await
}

/// Cancels a draft or published course.
pub async fn cancel(db: &Db, viewer: &Viewer, id: CourseId) -> AppResult<course::Model> {
    set_status(
        db,
        viewer,
        id,
        &[CourseStatus::Draft, CourseStatus::Published],
        CourseStatus::Cancelled,
    )
    .await
}

/// Adds a co-organiser, who must hold the platform role `ORGANISER`.
/// Adding someone twice is harmless.
pub async fn add_organiser(
    db: &Db,
    viewer: &Viewer,
    id: CourseId,
    target: UserId,
) -> AppResult<course::Model> {
    let (user, course) = require_manager(db, viewer, id).await?;
    if find_user(db, target).await?.is_none() {
        return Err(AppError::invalid("userId", "no user has this id"));
    }
    if !has_role(db, target, PlatformRole::Organiser).await? {
        return Err(AppError::invalid(
            "userId",
            "this user does not hold the platform role ORGANISER",
        ));
    }
    db.write(async |txn| -> AppResult<_> {
        course_organiser::Entity::insert(course_organiser::ActiveModel {
            course_id: Set(id.uuid()),
            user_id: Set(target.uuid()),
            created_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing_on([
            course_organiser::Column::CourseId,
            course_organiser::Column::UserId,
        ])
        .exec(&**txn)
        .await?;
        Ok(())
    })
    .await?;
    tracing::info!(course.id = %id, user.id = %user, organiser.id = %target, "course organiser added");
    Ok(course)
}

/// The course, if the viewer may see it: drafts only for their managers.
/// `NOT_FOUND` otherwise, so drafts do not leak their existence.
pub async fn find_visible(db: &Db, viewer: &Viewer, id: CourseId) -> AppResult<course::Model> {
    let course = find_course(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("course"))?;
    if status_of(&course) == CourseStatus::Draft && !viewer_can_manage(db, viewer, id).await? {
        return Err(AppError::not_found("course"));
    }
    Ok(course)
}

/// Filters of the course list, parsed.
#[derive(Default)]
pub struct CourseFilter {
    pub area: Option<String>,
    pub topic: Option<String>,
    /// Courses still running on or after this day.
    pub from: Option<NaiveDate>,
    /// Courses starting on or before this day.
    pub to: Option<NaiveDate>,
    pub status: Option<CourseStatus>,
}

/// The keyset position of a course in the list: by start date, then id.
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
pub struct CourseCursor {
    pub starts_on: NaiveDate,
    pub id: uuid::Uuid,
}

/// One page of the courses the viewer may see, soonest first, whether there
/// is a next page, and the total matching.
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    filter: &CourseFilter,
    page: &Page<CourseCursor>,
) -> AppResult<(Vec<course::Model>, bool, u64)> {
    let mut query = course::Entity::find();
    let user = viewer.user()?;
    let admin = match user {
        Some(user) => has_role(db, user, PlatformRole::Admin).await?,
        None => false,
    };
    if !admin {
        let mut visible = Condition::any().add(course::Column::Status.ne(CourseStatus::Draft));
        if let Some(user) = user {
            visible = visible.add(course::Column::Id.is_in(organised_by(db, user).await?));
        }
        query = query.filter(visible);
    }
    if let Some(area) = &filter.area {
        query = query.filter(course::Column::Area.eq(area.as_str()));
    }
    if let Some(topic) = &filter.topic {
        query = query.filter(course::Column::Topic.eq(topic.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(course::Column::EndsOn.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(course::Column::StartsOn.lte(to));
    }
    if let Some(status) = filter.status {
        query = query.filter(course::Column::Status.eq(status));
    }
    let total = query.clone().count(db.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(after_cursor(after));
    }
    let mut rows = query
        .order_by_asc(course::Column::StartsOn)
        .order_by_asc(course::Column::Id)
        .limit(page.first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok((rows, has_next, total))
}

/// The courses the viewer organises or takes part in (not withdrawn),
/// soonest first: a page of them, whether more follow, and the total.
pub async fn mine(
    db: &Db,
    viewer: &Viewer,
    page: &Page<CourseCursor>,
) -> AppResult<(Vec<course::Model>, bool, u64)> {
    let user = viewer.require_user()?;
    let mut ids = organised_by(db, user).await?;
    if let Some(person) = participant::Entity::find()
        .filter(participant::Column::UserId.eq(user.uuid()))
        .one(db.conn())
        .await?
    {
        let taking = enrolment::Entity::find()
            .filter(enrolment::Column::ParticipantId.eq(person.id))
            .filter(enrolment::Column::Status.ne(EnrolmentStatus::Withdrawn))
            .all(db.conn())
            .await?;
        ids.extend(taking.into_iter().map(|e| e.course_id));
    }
    let mut query = course::Entity::find().filter(course::Column::Id.is_in(ids));
    let total = query.clone().count(db.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(after_cursor(after));
    }
    let mut rows = query
        .order_by_asc(course::Column::StartsOn)
        .order_by_asc(course::Column::Id)
        .limit(page.first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok((rows, has_next, total))
}

/// The courses after `after` in start-date, then id order.
fn after_cursor(after: CourseCursor) -> Condition {
    Condition::any()
        .add(course::Column::StartsOn.gt(after.starts_on))
        .add(
            Condition::all()
                .add(course::Column::StartsOn.eq(after.starts_on))
                .add(course::Column::Id.gt(after.id)),
        )
}
