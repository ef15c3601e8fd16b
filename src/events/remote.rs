//! What the shared backends have in common: a sender task that takes queued
//! events in order and sends what is waiting (at most [`BATCH`]) in one go,
//! retrying a failed send with backoff before dropping it; and a listener
//! task that delivers every message on the channel to this process's
//! listeners and, when its connection drops, says so in the log and
//! reconnects with backoff. Events sent while it was away are missed: neither
//! NOTIFY nor Redis pub/sub stores messages.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{BusCounters, Envelope, Event, backoff, deliver};

/// The most events sent in one go.
const BATCH: usize = 100;

/// How many times a failed send is tried again before its events are dropped.
const SEND_RETRIES: u32 = 5;

/// What a listening connection produced.
pub(super) enum Heard {
    /// A message on the channel.
    Payload(String),
    /// The connection is gone, for this reason.
    Lost(String),
}

/// The receiving side of a backend: one subscribed connection.
pub(super) trait Listen: Send + Sized + 'static {
    /// Connects to `url` and subscribes to `channel`.
    fn connect(url: &str, channel: &str) -> impl Future<Output = Result<Self, String>> + Send;
    /// The next message, or that the connection is gone.
    fn next(&mut self) -> impl Future<Output = Heard> + Send;
}

/// The sending side of a backend.
pub(super) trait Transmit: Send + 'static {
    /// Sends `payloads` in order (reconnecting first if need be).
    fn send(&mut self, payloads: &[String]) -> impl Future<Output = Result<(), String>> + Send;
}

/// A backend's wiring to the bus.
pub(super) struct Wiring {
    /// `postgres` or `redis`, for logs.
    pub name: &'static str,
    pub url: String,
    pub channel: String,
    pub node: Uuid,
    pub local: broadcast::Sender<Event>,
    pub queued: mpsc::Receiver<Event>,
    pub counters: Arc<BusCounters>,
    pub stop: CancellationToken,
    /// The largest payload the backend carries.
    pub max_payload: usize,
}

/// Subscribes (failing if the backend cannot be reached), then runs the
/// listener and the sender in the background until `wiring.stop`.
pub(super) async fn start<L: Listen, S: Transmit>(wiring: Wiring, sender: S) -> anyhow::Result<()> {
    let listener = L::connect(&wiring.url, &wiring.channel)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot subscribe to the {} event bus (FARMSTREAM_EVENT_BUS_URL): {e}",
                wiring.name
            )
        })?;
    tracing::info!(bus = wiring.name, channel = %wiring.channel, node = %wiring.node, "live events travel through a shared bus");
    tokio::spawn(receive(
        listener,
        wiring.name,
        wiring.url.clone(),
        wiring.channel.clone(),
        wiring.local.clone(),
        wiring.counters.clone(),
        wiring.stop.clone(),
    ));
    tokio::spawn(send(sender, wiring));
    Ok(())
}

/// Delivers every message on `channel` to this process's listeners.
async fn receive<L: Listen>(
    mut listener: L,
    name: &'static str,
    url: String,
    channel: String,
    local: broadcast::Sender<Event>,
    counters: Arc<BusCounters>,
    stop: CancellationToken,
) {
    loop {
        let heard = tokio::select! {
            () = stop.cancelled() => return,
            heard = listener.next() => heard,
        };
        match heard {
            Heard::Payload(payload) => match serde_json::from_str::<Envelope>(&payload) {
                Ok(envelope) => deliver(&local, &counters, envelope.event),
                Err(err) => {
                    counters.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(bus = name, error = %err, "an event on the shared bus could not be read; skipped (another version of farmstream?)");
                }
            },
            Heard::Lost(reason) => {
                tracing::warn!(bus = name, %reason, "the event bus listener lost its connection; connecting again");
                let mut attempt = 0;
                listener = loop {
                    attempt += 1;
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(backoff(attempt)) => {}
                    }
                    match L::connect(&url, &channel).await {
                        Ok(listener) => {
                            counters.reconnects.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(
                                bus = name,
                                attempt,
                                "listening on the event bus again; events sent meanwhile were missed"
                            );
                            break listener;
                        }
                        Err(err) => {
                            tracing::warn!(bus = name, attempt, error = %err, "the event bus is still unreachable");
                        }
                    }
                };
            }
        }
    }
}

/// Sends queued events, in order, until the bus stops.
async fn send<S: Transmit>(mut sender: S, mut wiring: Wiring) {
    let mut seq = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let first = tokio::select! {
            () = wiring.stop.cancelled() => return,
            first = wiring.queued.recv() => match first {
                Some(event) => event,
                None => return,
            },
        };
        batch.push(first);
        while batch.len() < BATCH {
            match wiring.queued.try_recv() {
                Ok(event) => batch.push(event),
                Err(_) => break,
            }
        }
        let mut payloads = Vec::with_capacity(batch.len());
        for event in batch.drain(..) {
            seq += 1;
            let envelope = Envelope {
                node: wiring.node,
                seq,
                event,
            };
            match serde_json::to_string(&envelope) {
                Ok(json) if json.len() <= wiring.max_payload => payloads.push(json),
                Ok(json) => {
                    // Other nodes cannot hear it; this one still should.
                    tracing::error!(
                        bus = wiring.name,
                        bytes = json.len(),
                        event = ?envelope.event,
                        "an event is too large for the shared bus; delivered on this node only"
                    );
                    deliver(&wiring.local, &wiring.counters, envelope.event);
                }
                Err(err) => {
                    wiring.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(error = %err, event = ?envelope.event, "an event could not be serialised; dropped");
                }
            }
        }
        if payloads.is_empty() {
            continue;
        }
        let mut attempt = 0;
        loop {
            match sender.send(&payloads).await {
                Ok(()) => break,
                Err(err) if attempt < SEND_RETRIES => {
                    attempt += 1;
                    tracing::warn!(bus = wiring.name, attempt, error = %err, events = payloads.len(), "sending events to the shared bus failed; trying again");
                    tokio::select! {
                        () = wiring.stop.cancelled() => return,
                        () = tokio::time::sleep(backoff(attempt)) => {}
                    }
                }
                Err(err) => {
                    wiring
                        .counters
                        .dropped
                        .fetch_add(payloads.len() as u64, Ordering::Relaxed);
                    tracing::error!(bus = wiring.name, error = %err, events = payloads.len(), "events could not be sent to the shared bus; dropped");
                    break;
                }
            }
        }
    }
}
