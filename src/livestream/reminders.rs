//! "Starting in 15 minutes" reminders to the followers of a cooperative.
//!
//! A sweeper looks for scheduled shows starting within the lead time whose
//! reminder has not gone out, and claims each with a conditional update, so
//! that with several server processes every show is announced once. Moving a
//! show's start time clears the claim (see `service::update`).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use entity::livestream;

use crate::db::Db;
use crate::error::AppResult;
use crate::events::{Event, EventBus};
use crate::livestream::LivestreamStatus;

/// How long before the scheduled start followers are reminded.
pub const LEAD: Duration = Duration::minutes(15);

/// A show whose start passed this long ago without going live gets no
/// reminder any more: it would only confuse.
const STALE: Duration = Duration::minutes(5);

/// Claims the reminders due at `now` and returns the events announcing them.
/// Each show is claimed once, however many processes call this at once.
pub async fn claim_due(db: &Db, now: DateTime<Utc>) -> AppResult<Vec<Event>> {
    let due = livestream::Entity::find()
        .select_only()
        .column(livestream::Column::Id)
        .filter(livestream::Column::Status.eq(LivestreamStatus::Scheduled))
        .filter(livestream::Column::ReminderSentAt.is_null())
        .filter(livestream::Column::ScheduledStartAt.lte(now + LEAD))
        .filter(livestream::Column::ScheduledStartAt.gt(now - STALE))
        .order_by_asc(livestream::Column::ScheduledStartAt)
        .limit(500)
        .into_tuple::<uuid::Uuid>()
        .all(db.conn())
        .await?;
    let mut events = Vec::with_capacity(due.len());
    for id in due {
        let claimed = db
            .write(async |txn| -> AppResult<_> {
                let claimed = livestream::Entity::update_many()
                    .col_expr(livestream::Column::ReminderSentAt, Expr::value(now))
                    .filter(livestream::Column::Id.eq(id))
                    .filter(livestream::Column::ReminderSentAt.is_null())
                    .filter(livestream::Column::Status.eq(LivestreamStatus::Scheduled))
                    // The start may have moved since the look above: a show moved
                    // later keeps its reminder for its new time.
                    .filter(livestream::Column::ScheduledStartAt.lte(now + LEAD))
                    .filter(livestream::Column::ScheduledStartAt.gt(now - STALE))
                    .exec(&**txn)
                    .await?
                    .rows_affected;
                Ok(claimed)
            })
            .await?;
        if claimed == 1 {
            events.push(Event::LivestreamStartingSoon {
                livestream_id: crate::ids::LivestreamId::from(id),
            });
        }
    }
    Ok(events)
}

/// Sends due reminders every `interval` until `shutdown`.
pub fn spawn_sweeper(
    db: Db,
    bus: EventBus,
    interval: std::time::Duration,
    shutdown: tokio_util::sync::CancellationToken,
) -> tokio::task::JoinHandle<()> {
    crate::tasks::every_publishing(
        interval,
        shutdown,
        bus,
        (
            "livestream reminders sent",
            "sending livestream reminders failed",
        ),
        move || {
            let db = db.clone();
            async move { claim_due(&db, Utc::now()).await }
        },
    )
}
