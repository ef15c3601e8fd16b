//! Background work that runs on a timer while the service serves: the
//! media sweep, expiring unpaid holds, livestream reminders, the guest
//! cart purge. Each job claims its rows with conditional updates, so
//! several processes may run the same job.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::AppResult;
use crate::events::{Event, EventBus};

/// Runs `job` now and then every `interval` until `shutdown`; a run that
/// takes longer than `interval` delays the next one rather than queue up.
pub fn every<F, Fut>(interval: Duration, shutdown: CancellationToken, mut job: F) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            job().await;
        }
    })
}

/// [`every`] for a job that returns events: they are published on `bus`
/// and counted in the log as `done` ("unpaid orders expired"); a failure
/// is logged as `failed` and the job runs again at the next tick.
pub fn every_publishing<F, Fut>(
    interval: Duration,
    shutdown: CancellationToken,
    bus: EventBus,
    (done, failed): (&'static str, &'static str),
    mut job: F,
) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = AppResult<Vec<Event>>> + Send,
{
    every(interval, shutdown, move || {
        let (run, bus) = (job(), bus.clone());
        async move {
            match run.await {
                Ok(events) => {
                    if !events.is_empty() {
                        tracing::info!(count = events.len(), "{done}");
                    }
                    bus.publish_all(events);
                }
                Err(err) => tracing::warn!(error = %err, "{failed}"),
            }
        }
    })
}
