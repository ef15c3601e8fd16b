//! The live viewer count of each show: the viewers watching through this
//! process, plus what the other processes last reported over a shared bus,
//! announced at most twice a second and kept as the show's peak.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::broadcast;
use uuid::Uuid;

use entity::livestream;

use crate::db::Db;
use crate::events::{Event, EventBus};

/// How often viewer counts are summed up and announced: joins and leaves in
/// between are announced together, so thousands of viewers arriving at once
/// cost a couple of events a second, not one per viewer for every viewer.
const VIEWER_TICK: Duration = Duration::from_millis(500);

/// How often a node repeats its counts to the other nodes.
const VIEWER_HEARTBEAT: Duration = Duration::from_secs(10);

/// How long a node's count is trusted without hearing it again: the viewers
/// of a node that stopped without saying so are forgotten after this.
const VIEWER_TTL: Duration = Duration::from_secs(30);

/// Live viewers per show: those watching through this process, plus what
/// the other processes last reported over the shared bus.
pub struct Viewers {
    node: Uuid,
    state: Mutex<ViewerState>,
}

#[derive(Default)]
struct ViewerState {
    /// Viewers per show watching through this process.
    here: HashMap<Uuid, i32>,
    /// Other nodes' last report per show, and when it was heard.
    elsewhere: HashMap<Uuid, HashMap<Uuid, (i32, Instant)>>,
    /// Shows whose count here changed since the last tick.
    changed_here: HashSet<Uuid>,
    /// Shows whose total may have changed since the last tick.
    dirty: HashSet<Uuid>,
    /// The total last announced per show (absent: zero).
    announced: HashMap<Uuid, i32>,
    /// The highest total written as the show's peak while it had viewers.
    peak: HashMap<Uuid, i32>,
}

/// What one tick found to say.
#[derive(Default)]
struct Tick {
    /// This node's counts to tell the others.
    reports: Vec<(Uuid, i32)>,
    /// New totals to announce to this node's subscribers.
    totals: Vec<(Uuid, i32)>,
    /// New highs to keep as the shows' peaks.
    peaks: Vec<(Uuid, i32)>,
}

/// One viewer watching a show; leaving (drop) lowers the count.
pub struct Watching {
    show: Uuid,
    viewers: Arc<Viewers>,
}

impl Viewers {
    /// The counts of this node (`bus.node()`), with a background task that
    /// announces changes every [`VIEWER_TICK`], shares them with the other
    /// nodes when the bus is shared, and keeps each show's peak in `db`.
    /// The task ends when the counts are dropped.
    pub fn start(bus: &EventBus, db: &Db) -> Arc<Self> {
        let viewers = Arc::new(Self {
            node: bus.node(),
            state: Mutex::default(),
        });
        tokio::spawn(announce(Arc::downgrade(&viewers), bus.clone(), db.clone()));
        viewers
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ViewerState> {
        // A panic while holding the lock leaves plain counts behind: still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn change(&self, show: Uuid, by: i32) {
        let mut state = self.state();
        let n = state.here.entry(show).or_insert(0);
        *n = (*n + by).max(0);
        if *n == 0 {
            state.here.remove(&show);
        }
        state.changed_here.insert(show);
        state.dirty.insert(show);
    }

    /// Counts a new viewer of `show`; the new total is announced within
    /// [`VIEWER_TICK`].
    pub fn join(self: &Arc<Self>, show: Uuid) -> Watching {
        self.change(show, 1);
        Watching {
            show,
            viewers: self.clone(),
        }
    }

    /// Viewers of `show` now, over every node heard from.
    pub fn of(&self, show: Uuid) -> i32 {
        let state = self.state();
        total(&state, show)
    }

    /// Another node's count of `show`.
    fn heard(&self, show: Uuid, node: Uuid, viewers: i32) {
        let mut state = self.state();
        let nodes = state.elsewhere.entry(show).or_default();
        if viewers > 0 {
            nodes.insert(node, (viewers, Instant::now()));
        } else {
            nodes.remove(&node);
            if nodes.is_empty() {
                state.elsewhere.remove(&show);
            }
        }
        state.dirty.insert(show);
    }

    /// Forgets silent nodes and works out what to say; `share` adds this
    /// node's changed counts (or, with `heartbeat`, all of them).
    fn tick(&self, share: bool, heartbeat: bool) -> Tick {
        let now = Instant::now();
        let mut guard = self.state();
        let state = &mut *guard;
        for (show, nodes) in &mut state.elsewhere {
            let before = nodes.len();
            nodes.retain(|_, (_, heard)| now.duration_since(*heard) < VIEWER_TTL);
            if nodes.len() != before {
                state.dirty.insert(*show);
            }
        }
        state.elsewhere.retain(|_, nodes| !nodes.is_empty());
        let mut tick = Tick::default();
        if share {
            let mut shows: HashSet<Uuid> = state.changed_here.iter().copied().collect();
            if heartbeat {
                shows.extend(state.here.keys().copied());
            }
            tick.reports = shows
                .into_iter()
                .map(|show| (show, state.here.get(&show).copied().unwrap_or(0)))
                .collect();
        }
        state.changed_here.clear();
        let dirty: Vec<Uuid> = state.dirty.drain().collect();
        for show in dirty {
            let now = total(state, show);
            if state.announced.get(&show).copied().unwrap_or(0) != now {
                tick.totals.push((show, now));
            }
            if now == 0 {
                state.announced.remove(&show);
                state.peak.remove(&show);
                continue;
            }
            state.announced.insert(show, now);
            if state.peak.get(&show).copied().unwrap_or(0) < now {
                state.peak.insert(show, now);
                tick.peaks.push((show, now));
            }
        }
        tick
    }
}

fn total(state: &ViewerState, show: Uuid) -> i32 {
    let here = state.here.get(&show).copied().unwrap_or(0);
    let elsewhere: i32 = state
        .elsewhere
        .get(&show)
        .map(|nodes| nodes.values().map(|(n, _)| *n).sum())
        .unwrap_or(0);
    here.saturating_add(elsewhere)
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.viewers.change(self.show, -1);
    }
}

/// The viewer counts' background task: see [`Viewers::start`].
async fn announce(viewers: std::sync::Weak<Viewers>, bus: EventBus, db: Db) {
    let mut rx = bus.subscribe();
    let mut tick = tokio::time::interval(VIEWER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heartbeat = Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let Some(viewers) = viewers.upgrade() else { return };
                let heartbeat = last_heartbeat.elapsed() >= VIEWER_HEARTBEAT;
                if heartbeat {
                    last_heartbeat = Instant::now();
                }
                let Tick { reports, totals, peaks } = viewers.tick(bus.is_shared(), heartbeat);
                for (livestream_id, viewers) in reports {
                    bus.publish(Event::ViewersCounted { livestream_id: crate::ids::LivestreamId::from(livestream_id), node: bus.node(), viewers });
                }
                for (livestream_id, viewers) in totals {
                    bus.publish(Event::ViewerCountChanged { livestream_id: crate::ids::LivestreamId::from(livestream_id), viewers });
                }
                for (show, viewers) in peaks {
                    let db = db.clone();
                    tokio::spawn(async move {
                        if let Err(err) = record_peak(&db, show, viewers).await {
                            tracing::warn!(livestream.id = %show, error = ?err, "could not record the peak viewer count");
                        }
                    });
                }
            }
            received = rx.recv() => match received {
                Ok(Event::ViewersCounted { livestream_id, node, viewers: n }) => {
                    let Some(viewers) = viewers.upgrade() else { return };
                    if node != viewers.node {
                        viewers.heard(livestream_id.uuid(), node, n);
                    }
                }
                Ok(_) => {}
                // Missed reports are repaired by the next heartbeat.
                Err(broadcast::error::RecvError::Lagged(missed)) => bus.note_skipped(missed),
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

async fn record_peak(db: &Db, show: Uuid, viewers: i32) -> Result<(), sea_orm::DbErr> {
    db.write(async |txn| {
        livestream::Entity::update_many()
            .col_expr(
                livestream::Column::PeakViewers,
                sea_orm::sea_query::Expr::value(viewers),
            )
            .filter(livestream::Column::Id.eq(show))
            .filter(livestream::Column::PeakViewers.lt(viewers))
            .exec(&**txn)
            .await?;
        Ok(())
    })
    .await
}
