//! Outcomes of a course: what the completers' cooperatives sold after the
//! course, against the same window before it.
//!
//! **The place to read orders and livestreams.** The `orders` and
//! `livestream` tables do not exist on this branch yet (they are being
//! written in parallel). Everything outcome-related reads cooperative
//! activity through the [`ActivitySource`] trait; today the only
//! implementation, [`RecordedActivity`], has nothing to read and answers
//! zero livestreams, zero orders and zero revenue, saying so with
//! `recorded = false`. When those tables land, implement
//! [`ActivitySource::activity`] here with two grouped queries (livestream
//! sessions held — state `ended` — per cooperative in the window, and
//! orders paid or later per cooperative with their total in đồng) and set
//! `recorded = true`; nothing else in training needs to change.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use entity::{participant, training_certificate};

use crate::auth::Viewer;
use crate::cooperatives::CooperativeId;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::training::service::{require_manager, status_of};
use crate::training::{CourseId, CourseStatus, vietnam};

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

/// Activity as the platform records it. Today: nothing to read (see the
/// module comment), so every cooperative shows zero.
pub struct RecordedActivity<'a> {
    /// Where the orders and livestream queries will run.
    pub db: &'a Db,
}

impl ActivitySource for RecordedActivity<'_> {
    fn recorded(&self) -> bool {
        false
    }

    async fn activity(
        &self,
        _cooperatives: &[CooperativeId],
        _from: DateTime<Utc>,
        _to: DateTime<Utc>,
    ) -> AppResult<HashMap<CooperativeId, Activity>> {
        // No orders or livestream tables exist yet: see the module comment.
        let _ = self.db;
        Ok(HashMap::new())
    }
}

/// One completer linked to a cooperative, with its activity around the
/// completion date.
pub struct CompleterOutcome {
    pub participant: participant::Model,
    pub cooperative: CooperativeId,
    pub completed_on: chrono::NaiveDate,
    pub before: Activity,
    pub after: Activity,
}

/// The outcomes of a course.
pub struct CourseOutcomes {
    pub window_days: i64,
    /// False while orders and livestreams are not recorded by the platform.
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
        .filter(training_certificate::Column::CourseId.eq(id.0))
        .all(db.conn())
        .await?;
    let people: HashMap<uuid::Uuid, participant::Model> = participant::Entity::find()
        .filter(participant::Column::Id.is_in(certificates.iter().map(|c| c.participant_id)))
        .filter(participant::Column::CooperativeId.is_not_null())
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
    let coops: Vec<CooperativeId> = people
        .values()
        .filter_map(|p| p.cooperative_id.map(CooperativeId))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let before = source.activity(&coops, midnight - window, midnight).await?;
    let after = source.activity(&coops, midnight, midnight + window).await?;
    let mut completers: Vec<CompleterOutcome> = certificates
        .iter()
        .filter_map(|c| people.get(&c.participant_id))
        .filter_map(|p| {
            let coop = CooperativeId(p.cooperative_id?);
            Some(CompleterOutcome {
                participant: p.clone(),
                cooperative: coop,
                completed_on: issued_on,
                before: before.get(&coop).copied().unwrap_or_default(),
                after: after.get(&coop).copied().unwrap_or_default(),
            })
        })
        .collect();
    completers.sort_by(|a, b| a.participant.full_name.cmp(&b.participant.full_name));
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
