//! The event bus: domain services publish what happened (after the
//! transaction commits), and the real-time subscriptions listen.
//!
//! Every process delivers events to its own listeners through one in-process
//! broadcast channel. What feeds that channel depends on the configured
//! backend ([`EventBusConfig`]):
//!
//! - **memory** (the default): `publish` sends straight to the local channel;
//!   one process only.
//! - **postgres**: `publish` queues the event for a background task that
//!   sends it with `pg_notify`; a listener task on its own connection
//!   (`LISTEN`) receives every process's events, its own included, and
//!   delivers them to the local channel. So each event reaches each process's
//!   listeners exactly once, and in the order PostgreSQL committed them.
//! - **redis**: the same with `PUBLISH` and `SUBSCRIBE`.
//!
//! Events that describe one process only ([`Event::stays_on_node`], such as
//! the viewer count a node has summed up) never leave it.
//!
//! Nothing here waits on a slow party: `publish` never blocks (a full queue
//! to the shared backend drops the event and counts it), and a listener that
//! falls more than [`CAPACITY`] events behind skips ahead (tokio's broadcast
//! keeps each event once, whatever the number of listeners).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::config::EventBusConfig;
use crate::ids::{CooperativeId, FlashDealId, LivestreamId, OrderId, ProductId, UserId, VariantId};

mod postgres;
mod redis;
mod remote;

/// How many events a slow listener may fall behind before it misses some.
pub const CAPACITY: usize = 1024;

/// How many events may wait to be sent to the shared backend before new
/// ones are dropped (only while the backend is slow or unreachable).
const OUTBOX: usize = 4096;

/// Something that happened, with the ids a listener needs to look it up.
/// The ids are typed; each travels as its bare UUID.
///
/// Serialised as JSON tagged by `type` when it crosses processes; keep
/// variants small (ids, numbers, short strings): PostgreSQL's notification
/// payloads stop at 8000 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// An order was placed.
    OrderPlaced {
        order_id: OrderId,
        cooperative_id: CooperativeId,
        livestream_id: Option<LivestreamId>,
    },
    /// A livestream went live.
    LivestreamStarted { livestream_id: LivestreamId },
    /// A scheduled livestream starts in about 15 minutes (sent once per
    /// start time).
    LivestreamStartingSoon { livestream_id: LivestreamId },
    /// A livestream ended.
    LivestreamEnded { livestream_id: LivestreamId },
    /// A product was pinned in a live show.
    ProductPinned {
        livestream_id: LivestreamId,
        product_id: ProductId,
    },
    /// The pinned product was unpinned.
    ProductUnpinned { livestream_id: LivestreamId },
    /// The number of viewers of a show changed: the total over every node
    /// this node has heard from. Stays on the node that summed it up.
    ViewerCountChanged {
        livestream_id: LivestreamId,
        viewers: i32,
    },
    /// How many viewers of a show one node (process) has now; every node
    /// sums these up into [`Event::ViewerCountChanged`].
    ViewersCounted {
        livestream_id: LivestreamId,
        node: Uuid,
        viewers: i32,
    },
    /// An order moved from one status to another.
    OrderStatusChanged {
        order_id: OrderId,
        cooperative_id: CooperativeId,
        /// The shopper's account (none for a guest's order), so each
        /// shopper's subscription picks its own orders without a query.
        #[serde(default)]
        buyer_id: Option<UserId>,
        from: String,
        to: String,
    },
    /// A flash deal opened in a show.
    FlashDealOpened {
        deal_id: FlashDealId,
        livestream_id: LivestreamId,
        variant_id: VariantId,
        price_vnd: i64,
        remaining: i32,
        ends_at: DateTime<Utc>,
    },
    /// The units a flash deal still holds changed (an order took some, or
    /// a cancelled order gave some back).
    FlashDealUpdated {
        deal_id: FlashDealId,
        livestream_id: LivestreamId,
        remaining: i32,
    },
    /// A flash deal closed (`reason`: `CLOSED_BY_STAFF`, `EXPIRED`,
    /// `LIVESTREAM_ENDED`); `returned` units went back to stock.
    FlashDealClosed {
        deal_id: FlashDealId,
        livestream_id: LivestreamId,
        reason: String,
        returned: i32,
    },
}

impl Event {
    /// True for events about this process only, which never go to the
    /// shared backend.
    pub fn stays_on_node(&self) -> bool {
        matches!(self, Event::ViewerCountChanged { .. })
    }
}

/// An event as it travels between processes: who sent it, and a number that
/// keeps two equal events apart (PostgreSQL folds identical payloads sent in
/// one transaction into one notification).
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    node: Uuid,
    seq: u64,
    event: Event,
}

/// Running totals of the bus, read by `/metrics`.
#[derive(Debug, Default)]
pub struct BusCounters {
    /// Events given to `publish`.
    pub published: AtomicU64,
    /// Events delivered to this process's listeners.
    pub delivered: AtomicU64,
    /// Events lost before delivery: the queue to the shared backend was full,
    /// or sending failed after retries, or a payload could not be read.
    pub dropped: AtomicU64,
    /// Events that slow subscribers skipped because they fell behind.
    pub skipped: AtomicU64,
    /// Times the shared listener lost its connection and connected again.
    pub reconnects: AtomicU64,
}

/// The bus: cheap to clone; every clone publishes to the same listeners.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    node: Uuid,
    local: broadcast::Sender<Event>,
    /// Events waiting for the shared backend; `None` in memory mode.
    outbox: Option<mpsc::Sender<Event>>,
    backend: &'static str,
    counters: Arc<BusCounters>,
    /// Stops the backend's tasks when the last clone of the bus goes.
    stop: CancellationToken,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// An in-process bus with no listeners yet.
    pub fn new() -> Self {
        let (local, _) = broadcast::channel(CAPACITY);
        Self {
            inner: Arc::new(Inner {
                node: Uuid::new_v4(),
                local,
                outbox: None,
                backend: "memory",
                counters: Arc::default(),
                stop: CancellationToken::new(),
            }),
        }
    }

    /// The bus `config` describes; a shared backend is reached before this
    /// returns, so a wrong URL stops start-up.
    pub async fn connect(config: &EventBusConfig) -> anyhow::Result<Self> {
        match config {
            EventBusConfig::Memory => Ok(Self::new()),
            EventBusConfig::Postgres { url, channel } => {
                let url = url.expose_secret();
                let sender = postgres::Sender::connect(url, channel).await?;
                Self::shared::<postgres::Listener, _>(
                    "postgres",
                    url,
                    channel,
                    postgres::MAX_PAYLOAD,
                    sender,
                )
                .await
            }
            EventBusConfig::Redis { url, channel } => {
                let url = url.expose_secret();
                let sender = redis::Sender::connect(url, channel).await?;
                Self::shared::<redis::Listener, _>(
                    "redis",
                    url,
                    channel,
                    redis::MAX_PAYLOAD,
                    sender,
                )
                .await
            }
        }
    }

    /// A bus whose events travel through a shared backend.
    async fn shared<L: remote::Listen, T: remote::Transmit>(
        backend: &'static str,
        url: &str,
        channel: &str,
        max_payload: usize,
        sender: T,
    ) -> anyhow::Result<Self> {
        let (local, _) = broadcast::channel(CAPACITY);
        let (outbox, queued) = mpsc::channel(OUTBOX);
        let node = Uuid::new_v4();
        let counters = Arc::<BusCounters>::default();
        let stop = CancellationToken::new();
        remote::start::<L, T>(
            remote::Wiring {
                name: backend,
                url: url.to_owned(),
                channel: channel.to_owned(),
                node,
                local: local.clone(),
                queued,
                counters: counters.clone(),
                stop: stop.clone(),
                max_payload,
            },
            sender,
        )
        .await?;
        Ok(Self {
            inner: Arc::new(Inner {
                node,
                local,
                outbox: Some(outbox),
                backend,
                counters,
                stop,
            }),
        })
    }

    /// Publishes `event`; having no listener is normal and not an error.
    /// Never waits: with a shared backend the event is queued for sending.
    pub fn publish(&self, event: Event) {
        let inner = &self.inner;
        inner.counters.published.fetch_add(1, Ordering::Relaxed);
        match &inner.outbox {
            Some(outbox) if !event.stays_on_node() => match outbox.try_send(event) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(event)) => {
                    inner.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        bus = inner.backend,
                        ?event,
                        "the queue to the shared event bus is full; event dropped"
                    );
                }
                Err(mpsc::error::TrySendError::Closed(event)) => {
                    // The sender task is gone (shutting down): this process
                    // still hears what it did.
                    deliver(&inner.local, &inner.counters, event);
                }
            },
            _ => deliver(&inner.local, &inner.counters, event),
        }
    }

    /// Publishes every event of `events`, in order.
    pub fn publish_all(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            self.publish(event);
        }
    }

    /// A new listener, receiving what is published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.local.subscribe()
    }

    /// This process's id on the bus (new at each start).
    pub fn node(&self) -> Uuid {
        self.inner.node
    }

    /// True when events travel between processes.
    pub fn is_shared(&self) -> bool {
        self.inner.outbox.is_some()
    }

    /// `memory`, `postgres` or `redis`.
    pub fn backend(&self) -> &'static str {
        self.inner.backend
    }

    /// The bus's running totals.
    pub fn counters(&self) -> &BusCounters {
        &self.inner.counters
    }

    /// Counts `missed` events a slow subscriber skipped.
    pub fn note_skipped(&self, missed: u64) {
        self.inner
            .counters
            .skipped
            .fetch_add(missed, Ordering::Relaxed);
    }

    /// Stops the shared backend's tasks (at shutdown); events published
    /// afterwards reach this process only.
    pub fn stop(&self) {
        self.inner.stop.cancel();
    }
}

/// Hands `event` to this process's listeners.
fn deliver(local: &broadcast::Sender<Event>, counters: &BusCounters, event: Event) {
    counters.delivered.fetch_add(1, Ordering::Relaxed);
    let _ = local.send(event);
}

/// The wait before the `attempt`-th reconnection (from 1): doubling from
/// 100 ms up to 10 s.
fn backoff(attempt: u32) -> Duration {
    let ms = 100u64.saturating_mul(1 << attempt.saturating_sub(1).min(7));
    Duration::from_millis(ms.min(10_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn listeners_receive_what_is_published_after_they_subscribe() {
        let bus = EventBus::new();
        bus.publish(Event::OrderPlaced {
            order_id: OrderId::from(Uuid::nil()),
            cooperative_id: CooperativeId::from(Uuid::nil()),
            livestream_id: None,
        });
        let mut rx = bus.subscribe();
        let event = Event::OrderStatusChanged {
            order_id: OrderId::from(Uuid::nil()),
            cooperative_id: CooperativeId::from(Uuid::nil()),
            buyer_id: None,
            from: "PAID".into(),
            to: "PACKED".into(),
        };
        bus.clone().publish(event.clone());
        assert_eq!(rx.recv().await.ok(), Some(event));
    }

    #[test]
    fn events_travel_as_json_tagged_by_type() {
        let envelope = Envelope {
            node: Uuid::nil(),
            seq: 7,
            event: Event::ProductUnpinned {
                livestream_id: LivestreamId::from(Uuid::nil()),
            },
        };
        let json = serde_json::to_string(&envelope).expect("serialises");
        assert_eq!(
            json,
            r#"{"node":"00000000-0000-0000-0000-000000000000","seq":7,"event":{"type":"ProductUnpinned","livestream_id":"00000000-0000-0000-0000-000000000000"}}"#
        );
        let back: Envelope = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back.event, envelope.event);
    }

    #[test]
    fn the_largest_event_fits_a_postgres_notification() {
        let event = Event::OrderStatusChanged {
            order_id: OrderId::from(Uuid::new_v4()),
            cooperative_id: CooperativeId::from(Uuid::new_v4()),
            buyer_id: Some(UserId::from(Uuid::new_v4())),
            from: "PENDING_PAYMENT".into(),
            to: "REFUNDED".into(),
        };
        let json = serde_json::to_string(&Envelope {
            node: Uuid::new_v4(),
            seq: u64::MAX,
            event,
        })
        .expect("serialises");
        assert!(json.len() < 400, "{} bytes", json.len());
    }

    #[test]
    fn reconnection_waits_double_up_to_ten_seconds() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(5), Duration::from_millis(1600));
        assert_eq!(backoff(30), Duration::from_secs(10));
    }
}
