//! Outcomes of a course: what the completers' cooperatives sold after the
//! course, against the same window before it.
//!
//! Activity is read through the [`ActivitySource`] trait; the platform's
//! own, [`RecordedActivity`], counts ended livestreams and the orders that
//! are sales (not cancelled or refunded) per cooperative with two grouped
//! queries, whatever the number of completers.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use entity::{enrolment, participant, training_certificate};

use crate::auth::Viewer;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CooperativeId, CourseId};
use crate::training::service::{require_manager, status_of};
use crate::training::{CourseStatus, vietnam};

/// A cooperative's selling activity in a time window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// Livestreams held (ended) in the window.
    pub livestreams: i64,
    /// Orders placed in the window and not cancelled.
    pub orders: i64,
    /// Their total, in đồng.
    pub revenue_vnd: i64,
}

impl Activity {
    fn add(&mut self, other: Activity) {
        self.livestreams += other.livestreams;
        self.orders += other.orders;
        self.revenue_vnd += other.revenue_vnd;
    }
}

/// Where cooperative activity is read from.
pub trait ActivitySource {
    /// True when the source reads real records (false while orders and
    /// livestreams do not exist, so clients can say "no data yet").
    fn recorded(&self) -> bool;

    /// The activity of each cooperative in `[from, to)`; cooperatives with
    /// none may be missing from the map.
    fn activity(
        &self,
        cooperatives: &[CooperativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = AppResult<HashMap<CooperativeId, Activity>>> + Send;
}

/// Activity as the platform records it: ended livestreams and orders that
/// are sales, counted from the covering index on
/// `orders(cooperative_id, placed_at, status, subtotal_vnd)`.
pub struct RecordedActivity<'a> {
    /// Where the orders and livestream queries will run.
    pub db: &'a Db,
}

impl ActivitySource for RecordedActivity<'_> {
    fn recorded(&self) -> bool {
        true
    }

    async fn activity(
        &self,
        cooperatives: &[CooperativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AppResult<HashMap<CooperativeId, Activity>> {
        let mut out: HashMap<CooperativeId, Activity> = HashMap::new();
        if cooperatives.is_empty() {
            return Ok(out);
        }
        let marks = vec!["?"; cooperatives.len()].join(", ");
        let mut values: Vec<sea_orm::Value> =
            cooperatives.iter().map(|c| c.uuid().into()).collect();
        values.push(from.into());
        values.push(to.into());
        let shows = format!(
            "SELECT cooperative_id, COUNT(*) AS n FROM livestreams WHERE cooperative_id IN ({marks}) \
             AND status = 'ENDED' AND ended_at >= ? AND ended_at < ? GROUP BY cooperative_id"
        );
        for row in self
            .db
            .conn()
            .query_all_raw(self.db.statement(&shows, values.clone()))
            .await?
        {
            let coop: uuid::Uuid = row.try_get("", "cooperative_id")?;
            out.entry(CooperativeId::from(coop))
                .or_default()
                .livestreams = row.try_get("", "n")?;
        }
        let orders = format!(
            "SELECT cooperative_id, COUNT(*) AS n, CAST(SUM(subtotal_vnd) AS BIGINT) AS revenue FROM orders \
             WHERE cooperative_id IN ({marks}) AND status NOT IN ('CANCELLED', 'REFUND_PENDING', 'REFUNDED') \
             AND placed_at >= ? AND placed_at < ? GROUP BY cooperative_id"
        );
        for row in self
            .db
            .conn()
            .query_all_raw(self.db.statement(&orders, values))
            .await?
        {
            let coop: uuid::Uuid = row.try_get("", "cooperative_id")?;
            let entry = out.entry(CooperativeId::from(coop)).or_default();
            entry.orders = row.try_get("", "n")?;
            entry.revenue_vnd = row.try_get("", "revenue")?;
        }
        Ok(out)
    }
}

/// One completer linked to a cooperative, with its activity around the
/// completion date.
pub struct CompleterOutcome {
    pub participant: participant::Model,
    /// Their enrolment: the details (and cooperative) given to this course.
    pub enrolment: enrolment::Model,
    pub cooperative: CooperativeId,
    pub completed_on: chrono::NaiveDate,
    pub before: Activity,
    pub after: Activity,
}

/// The outcomes of a course.
pub struct CourseOutcomes {
    pub window_days: i64,
    /// True when activity comes from the platform's own orders and livestreams.
    pub recorded: bool,
    pub completers: Vec<CompleterOutcome>,
    /// Over distinct cooperatives, so two completers of one cooperative do
    /// not count its sales twice.
    pub before: Activity,
    pub after: Activity,
}

/// Outcomes of a completed course for its managers: for each completer
/// linked to a cooperative, that cooperative's activity in the `window_days`
/// after the completion date against the same number of days before.
pub async fn course_outcomes(
    db: &Db,
    viewer: &Viewer,
    id: CourseId,
    window_days: i64,
    source: &impl ActivitySource,
) -> AppResult<CourseOutcomes> {
    let (_, course) = require_manager(db, viewer, id).await?;
    if status_of(&course) != CourseStatus::Completed {
        return Err(AppError::Conflict(
            "outcomes are measured from completion: complete the course first".into(),
        ));
    }
    let certificates = training_certificate::Entity::find()
        .filter(training_certificate::Column::CourseId.eq(id.uuid()))
        .all(db.conn())
        .await?;
    // The cooperative a completer belongs to is the one given to this
    // course, on their enrolment.
    let enrolments: HashMap<uuid::Uuid, enrolment::Model> = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(id.uuid()))
        .filter(
            enrolment::Column::ParticipantId.is_in(certificates.iter().map(|c| c.participant_id)),
        )
        .filter(enrolment::Column::CooperativeId.is_not_null())
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.participant_id, e))
        .collect();
    let people: HashMap<uuid::Uuid, participant::Model> = participant::Entity::find()
        .filter(participant::Column::Id.is_in(enrolments.keys().copied()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let window = Duration::days(window_days);
    // Every certificate of a course is issued on the same day, so one pair
    // of windows serves the whole course.
    let Some(issued_on) = certificates.first().map(|c| c.issued_on) else {
        return Ok(CourseOutcomes {
            window_days,
            recorded: source.recorded(),
            completers: Vec::new(),
            before: Activity::default(),
            after: Activity::default(),
        });
    };
    let midnight = vietnam()
        .from_local_datetime(&issued_on.and_time(NaiveTime::MIN))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no midnight on {issued_on}")))?;
    let coops: Vec<CooperativeId> = enrolments
        .values()
        .filter_map(|e| e.cooperative_id.map(CooperativeId::from))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let before = source.activity(&coops, midnight - window, midnight).await?;
    let after = source.activity(&coops, midnight, midnight + window).await?;
    let mut completers: Vec<CompleterOutcome> = certificates
        .iter()
        .filter_map(|c| {
            let e = enrolments.get(&c.participant_id)?;
            let p = people.get(&c.participant_id)?;
            let coop = CooperativeId::from(e.cooperative_id?);
            Some(CompleterOutcome {
                participant: p.clone(),
                enrolment: e.clone(),
                cooperative: coop,
                completed_on: issued_on,
                before: before.get(&coop).copied().unwrap_or_default(),
                after: after.get(&coop).copied().unwrap_or_default(),
            })
        })
        .collect();
    completers.sort_by(|a, b| a.enrolment.full_name.cmp(&b.enrolment.full_name));
    let mut total_before = Activity::default();
    let mut total_after = Activity::default();
    for coop in &coops {
        total_before.add(before.get(coop).copied().unwrap_or_default());
        total_after.add(after.get(coop).copied().unwrap_or_default());
    }
    Ok(CourseOutcomes {
        window_days,
        recorded: source.recorded(),
        completers,
        before: total_before,
        after: total_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_adds_up() {
        let mut a = Activity {
            livestreams: 1,
            orders: 2,
            revenue_vnd: 300_000,
        };
        a.add(Activity {
            livestreams: 1,
            orders: 1,
            revenue_vnd: 50_000,
        });
        assert_eq!(
            a,
            Activity {
                livestreams: 2,
                orders: 3,
                revenue_vnd: 350_000
            }
        );
    }
}
