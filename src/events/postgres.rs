//! The PostgreSQL backend of the event bus: `pg_notify` to publish, `LISTEN`
//! on a dedicated connection to receive.
//!
//! Two tasks per process. The sender takes queued events in order, batches
//! what is waiting (at most [`BATCH`]) into one statement, and retries a
//! failed send with backoff before dropping it. The listener delivers every
//! notification on the channel to this process's listeners and, when its
//! connection drops, reconnects with backoff and says so in the log: events
//! sent while it was away are missed (notifications are not stored).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{BusCounters, Envelope, Event, backoff, deliver};

/// The largest payload PostgreSQL accepts in a notification, less one.
const MAX_PAYLOAD: usize = 7999;

/// The most events sent in one statement.
const BATCH: usize = 100;

/// How many times a failed send is tried again before its events are dropped.
const SEND_RETRIES: u32 = 5;

/// What both tasks need.
pub(super) struct Backend {
    pub url: String,
    pub channel: String,
    pub node: Uuid,
    pub local: broadcast::Sender<Event>,
    pub queued: mpsc::Receiver<Event>,
    pub counters: Arc<BusCounters>,
    pub stop: CancellationToken,
}

/// Connects the listener and the sender, then runs both in the background.
pub(super) async fn start(backend: Backend) -> anyhow::Result<()> {
    let listener = listen(&backend.url, &backend.channel)
        .await
        .context("cannot LISTEN on the PostgreSQL event bus (FARMSTREAM_EVENT_BUS_URL)")?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&backend.url)
        .await
        .context("cannot connect to the PostgreSQL event bus (FARMSTREAM_EVENT_BUS_URL)")?;
    tracing::info!(channel = %backend.channel, node = %backend.node, "events travel through PostgreSQL LISTEN/NOTIFY");
    tokio::spawn(receive(
        listener,
        backend.url.clone(),
        backend.channel.clone(),
        backend.local.clone(),
        backend.counters.clone(),
        backend.stop.clone(),
    ));
    tokio::spawn(send(pool, backend));
    Ok(())
}

async fn listen(url: &str, channel: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(channel).await?;
    Ok(listener)
}

/// Delivers every notification on `channel` to this process's listeners.
async fn receive(
    mut listener: PgListener,
    url: String,
    channel: String,
    local: broadcast::Sender<Event>,
    counters: Arc<BusCounters>,
    stop: CancellationToken,
) {
    loop {
        let next = tokio::select! {
            () = stop.cancelled() => return,
            next = listener.try_recv() => next,
        };
        match next {
            Ok(Some(notification)) => {
                match serde_json::from_str::<Envelope>(notification.payload()) {
                    Ok(envelope) => deliver(&local, &counters, envelope.event),
                    Err(err) => {
                        counters.dropped.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(error = %err, "an event on the PostgreSQL bus could not be read; skipped (a newer or older version of farmstream?)");
                    }
                }
            }
            Ok(None) => {
                counters.reconnects.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    "the PostgreSQL event bus connection dropped and was opened again; events sent meanwhile were missed"
                );
            }
            Err(err) => {
                tracing::warn!(error = %err, "the PostgreSQL event bus listener failed; connecting again");
                let mut attempt = 0;
                listener = loop {
                    attempt += 1;
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(backoff(attempt)) => {}
                    }
                    match listen(&url, &channel).await {
                        Ok(listener) => {
                            counters.reconnects.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(
                                attempt,
                                "listening on the PostgreSQL event bus again; events sent meanwhile were missed"
                            );
                            break listener;
                        }
                        Err(err) => {
                            tracing::warn!(attempt, error = %err, "the PostgreSQL event bus is still unreachable");
                        }
                    }
                };
            }
        }
    }
}

/// Sends queued events, in order, until the bus stops.
async fn send(pool: PgPool, mut backend: Backend) {
    let mut seq = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let first = tokio::select! {
            () = backend.stop.cancelled() => break,
            first = backend.queued.recv() => match first {
                Some(event) => event,
                None => break,
            },
        };
        batch.push(first);
        while batch.len() < BATCH {
            match backend.queued.try_recv() {
                Ok(event) => batch.push(event),
                Err(_) => break,
            }
        }
        let mut payloads = Vec::with_capacity(batch.len());
        for event in batch.drain(..) {
            seq += 1;
            let envelope = Envelope {
                node: backend.node,
                seq,
                event,
            };
            match serde_json::to_string(&envelope) {
                Ok(json) if json.len() <= MAX_PAYLOAD => payloads.push(json),
                Ok(json) => {
                    // Other nodes cannot hear it; this one still should.
                    tracing::error!(
                        bytes = json.len(),
                        event = ?envelope.event,
                        "an event is too large for a PostgreSQL notification; delivered on this node only"
                    );
                    deliver(&backend.local, &backend.counters, envelope.event);
                }
                Err(err) => {
                    backend.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(error = %err, event = ?envelope.event, "an event could not be serialised; dropped");
                }
            }
        }
        if payloads.is_empty() {
            continue;
        }
        let mut attempt = 0;
        loop {
            // One statement, so the batch arrives in order and in one go.
            let sent =
                sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
                    .bind(&backend.channel)
                    .bind(&payloads)
                    .execute(&pool)
                    .await;
            match sent {
                Ok(_) => break,
                Err(err) if attempt < SEND_RETRIES => {
                    attempt += 1;
                    tracing::warn!(attempt, error = %err, events = payloads.len(), "sending events to PostgreSQL failed; trying again");
                    tokio::select! {
                        () = backend.stop.cancelled() => return,
                        () = tokio::time::sleep(backoff(attempt)) => {}
                    }
                }
                Err(err) => {
                    backend
                        .counters
                        .dropped
                        .fetch_add(payloads.len() as u64, Ordering::Relaxed);
                    tracing::error!(error = %err, events = payloads.len(), "events could not be sent to PostgreSQL; dropped");
                    break;
                }
            }
        }
    }
    pool.close().await;
}
