//! Background work that runs on a timer while the service serves: the
//! media sweep, expiring unpaid holds, livestream reminders, the guest
//! cart purge. Each job claims its rows with conditional updates, so
//! several processes may run the same job.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

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
