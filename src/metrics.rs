//! Prometheus metrics: GraphQL requests and latency by operation, errors by
//! code, database pool use, the event bus, and subscription connections
//! closed for not keeping up. Each app has its own registry, so tests that
//! run several apps in one process do not mix their figures.

use std::collections::HashSet;
use std::sync::Mutex;

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::db::Db;
use crate::events::EventBus;

/// Distinct operation names tracked before the rest are counted as `other`,
/// so that clients cannot grow the label set without bound.
const MAX_OPERATION_NAMES: usize = 500;

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    errors: IntCounterVec,
    pool_open: IntGauge,
    pool_idle: IntGauge,
    events: IntCounterVec,
    ws_dropped: IntCounterVec,
    feeds: IntGauge,
    feed_members: IntGauge,
    bank_transfer_mismatches: IntCounter,
    render_lock: Mutex<()>,
    operations: Mutex<HashSet<String>>,
}

impl Metrics {
    /// A fresh registry; `pool_max` is the configured pool size.
    pub fn new(pool_max_size: u32) -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("farmstream".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "graphql_requests_total",
                "GraphQL requests by operation name and type",
            ),
            &["operation", "type"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "graphql_request_duration_seconds",
                "GraphQL request latency by operation name",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["operation"],
        )?;
        let errors = IntCounterVec::new(
            Opts::new("graphql_errors_total", "GraphQL errors by extensions.code"),
            &["code"],
        )?;
        let pool_open = IntGauge::new("db_pool_connections", "Database connections open")?;
        let pool_idle = IntGauge::new(
            "db_pool_idle_connections",
            "Database connections open and idle",
        )?;
        let pool_max = IntGauge::new("db_pool_max_connections", "Database pool size limit")?;
        pool_max.set(i64::from(pool_max_size));
        let events = IntCounterVec::new(
            Opts::new(
                "events_total",
                "Events on the bus: published here, delivered to this process's subscribers, \
                 dropped before delivery, skipped by slow subscribers; and listener reconnections",
            ),
            &["outcome"],
        )?;
        let ws_dropped = IntCounterVec::new(
            Opts::new(
                "subscription_connections_dropped_total",
                "WebSocket connections closed because the client stopped reading",
            ),
            &["reason"],
        )?;
        let feeds = IntGauge::new(
            "subscription_feeds",
            "Shared executions of anonymous viewers' show subscriptions running",
        )?;
        let feed_members = IntGauge::new(
            "subscription_feed_members",
            "Subscriptions served by a shared execution",
        )?;
        let bank_transfer_mismatches = IntCounter::new(
            "bank_transfer_mismatches_total",
            "Bank transfer notices refused (409) for repeating a known transaction id \
             with another amount, memo or account: each one needs a person's review",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(errors.clone()))?;
        registry.register(Box::new(pool_open.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(pool_max))?;
        registry.register(Box::new(events.clone()))?;
        registry.register(Box::new(ws_dropped.clone()))?;
        registry.register(Box::new(feeds.clone()))?;
        registry.register(Box::new(feed_members.clone()))?;
        registry.register(Box::new(bank_transfer_mismatches.clone()))?;
        Ok(Self {
            registry,
            requests,
            duration,
            errors,
            pool_open,
            pool_idle,
            events,
            ws_dropped,
            feeds,
            feed_members,
            bank_transfer_mismatches,
            render_lock: Mutex::new(()),
            operations: Mutex::new(HashSet::new()),
        })
    }

    /// Records one GraphQL request.
    pub fn observe_request(
        &self,
        operation: Option<&str>,
        kind: &str,
        seconds: f64,
        error_codes: &[&str],
    ) {
        let op = self.operation_label(operation);
        self.requests.with_label_values(&[op.as_str(), kind]).inc();
        self.duration
            .with_label_values(&[op.as_str()])
            .observe(seconds);
        for code in error_codes {
            self.errors.with_label_values(&[code]).inc();
        }
    }

    fn operation_label(&self, operation: Option<&str>) -> String {
        let Some(name) = operation.filter(|n| {
            !n.is_empty()
                && n.len() <= 64
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }) else {
            return "anonymous".into();
        };
        let Ok(mut known) = self.operations.lock() else {
            return "other".into();
        };
        if known.contains(name) {
            return name.to_owned();
        }
        if known.len() < MAX_OPERATION_NAMES {
            known.insert(name.to_owned());
            return name.to_owned();
        }
        "other".into()
    }

    /// Counts a bank transfer notice refused for repeating a known
    /// transaction id with other figures.
    pub fn bank_transfer_mismatch(&self) {
        self.bank_transfer_mismatches.inc();
    }

    /// Counts a subscription connection closed because its client stopped
    /// reading (`send_timeout`).
    pub fn subscription_dropped(&self, reason: &str) {
        self.ws_dropped.with_label_values(&[reason]).inc();
    }

    /// The metrics in Prometheus text format, with pool use and the bus's
    /// totals read now, and `feeds`: the shared subscription feeds running
    /// and their members, as `http::fanout` counts them.
    pub fn render(&self, db: &Db, bus: &EventBus, feeds: FeedCounts) -> String {
        let (open, idle) = db.pool_usage();
        self.pool_open.set(i64::from(open));
        self.pool_idle.set(i64::try_from(idle).unwrap_or(i64::MAX));
        let FeedCounts { running, members } = feeds;
        self.feeds.set(i64::try_from(running).unwrap_or(i64::MAX));
        self.feed_members
            .set(i64::try_from(members).unwrap_or(i64::MAX));
        let c = bus.counters();
        // Two scrapes at once must not both add the same difference.
        let _one_at_a_time = self.render_lock.lock();
        for (outcome, total) in [
            ("published", &c.published),
            ("delivered", &c.delivered),
            ("dropped", &c.dropped),
            ("skipped", &c.skipped),
            ("reconnect", &c.reconnects),
        ] {
            catch_up(&self.events.with_label_values(&[outcome]), total);
        }
        let mut buf = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %err, "metrics could not be encoded");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// How many shared subscription feeds run, and how many subscriptions they
/// serve.
#[derive(Clone, Copy, Debug, Default)]
pub struct FeedCounts {
    /// Feeds executing now.
    pub running: usize,
    /// Subscriptions served by a feed now.
    pub members: usize,
}

/// Brings `counter` up to the running total `total` (which only grows).
fn catch_up(counter: &IntCounter, total: &AtomicU64) {
    let total = total.load(Ordering::Relaxed);
    let seen = counter.get();
    if total > seen {
        counter.inc_by(total - seen);
    }
}
