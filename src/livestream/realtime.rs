//! Real time: GraphQL subscriptions fed by the event bus, and the live
//! viewer count of each show. Slow subscribers skip ahead (they lose the
//! events they fell behind on) rather than slow the others or grow memory.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::{Context, ID, Object, Subscription, Union};
use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::broadcast;
use uuid::Uuid;

use entity::{livestream, order_item};

use crate::auth::viewer;
use crate::catalog::loaders::ProductLoader;
use crate::catalog::types::product::Product;
use crate::catalog::{ProductId, VariantId};
use crate::cooperatives::service::require_member;
use crate::cooperatives::{CooperativeId, MemberRole};
use crate::db::Db;
use crate::error::{ApiResult, AppError};
use crate::events::{Event, EventBus};
use crate::graphql::load_one;
use crate::livestream::fanout::{FeedExecution, Replay};
use crate::livestream::loaders::FlashDealLoader;
use crate::livestream::types::FlashDeal;
use crate::livestream::{FlashDealCloseReason, FlashDealId, LivestreamId};

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
                    bus.publish(Event::ViewersCounted { livestream_id, node: bus.node(), viewers });
                }
                for (livestream_id, viewers) in totals {
                    bus.publish(Event::ViewerCountChanged { livestream_id, viewers });
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
                        viewers.heard(livestream_id, node, n);
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
    let txn = db.begin_write().await?;
    livestream::Entity::update_many()
        .col_expr(
            livestream::Column::PeakViewers,
            sea_orm::sea_query::Expr::value(viewers),
        )
        .filter(livestream::Column::Id.eq(show))
        .filter(livestream::Column::PeakViewers.lt(viewers))
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// A show went live.
pub struct LivestreamStarted {
    livestream_id: Uuid,
}

#[Object]
impl LivestreamStarted {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
}

/// A show ended.
pub struct LivestreamEnded {
    livestream_id: Uuid,
}

#[Object]
impl LivestreamEnded {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
}

/// A product was pinned: show it with its price and stock.
pub struct ProductPinned {
    livestream_id: Uuid,
    product_id: Uuid,
}

#[Object]
impl ProductPinned {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// The product now pinned (ask for `variants { priceVnd stock }`).
    async fn product(&self, ctx: &Context<'_>) -> ApiResult<Product> {
        let p = load_one::<ProductLoader, _>(ctx, ProductId(self.product_id))
            .await?
            .ok_or_else(|| AppError::not_found("product"))?;
        Ok(Product(p))
    }
}

/// The pinned product was unpinned.
pub struct ProductUnpinned {
    livestream_id: Uuid,
}

#[Object]
impl ProductUnpinned {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
}

/// The number of viewers changed.
pub struct ViewerCountChanged {
    livestream_id: Uuid,
    viewers: i32,
}

#[Object]
impl ViewerCountChanged {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// Viewers watching now.
    async fn viewers(&self) -> i32 {
        self.viewers
    }
}

/// Someone bought from the show: anonymised, e.g. "Khách H. ở Sơn La vừa mua 2 sản phẩm".
pub struct OrderPlaced {
    livestream_id: Uuid,
    order_id: Uuid,
}

#[Object]
impl OrderPlaced {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// A line to show viewers; no name, phone or address beyond an initial and a province.
    async fn message(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let db = ctx.data_unchecked::<Db>();
        let order = crate::orders::service::find(db.conn(), crate::orders::OrderId(self.order_id))
            .await?
            .ok_or_else(|| AppError::not_found("order"))?;
        let items = order_item::Entity::find()
            .filter(order_item::Column::OrderId.eq(self.order_id))
            .all(db.conn())
            .await?;
        let quantity: i32 = items.iter().map(|i| i.quantity).sum();
        let initial = order
            .recipient_name
            .split_whitespace()
            .last()
            .and_then(|w| w.chars().next())
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_else(|| "?".into());
        Ok(format!(
            "Khách {initial}. ở {} vừa mua {quantity} sản phẩm",
            order.province
        ))
    }
}

/// This subscriber fell behind and missed some of the show's events: fetch
/// the show again (pinned product, viewers) rather than trust what it shows.
pub struct EventsSkipped {
    livestream_id: Uuid,
    missed: u64,
}

#[Object]
impl EventsSkipped {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// How many events of the whole bus went by unseen (not all were this show's).
    async fn missed(&self) -> i32 {
        i32::try_from(self.missed).unwrap_or(i32::MAX)
    }
}

/// A flash deal opened: show its price, what is left and the countdown.
pub struct FlashDealOpened {
    deal_id: Uuid,
    livestream_id: Uuid,
    variant_id: Uuid,
    price_vnd: i64,
    remaining: i32,
    ends_at: DateTime<Utc>,
}

#[Object]
impl FlashDealOpened {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// The deal.
    async fn flash_deal_id(&self) -> ID {
        FlashDealId(self.deal_id).to_gql()
    }
    /// The variant on deal.
    async fn variant_id(&self) -> ID {
        VariantId(self.variant_id).to_gql()
    }
    /// The deal price of one unit, in whole đồng.
    async fn price_vnd(&self) -> i64 {
        self.price_vnd
    }
    /// Units to be had at the deal price.
    async fn remaining(&self) -> i32 {
        self.remaining
    }
    /// When the deal ends by itself.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }
    /// The whole deal as it is now (product, variant, limits).
    async fn flash_deal(&self, ctx: &Context<'_>) -> ApiResult<FlashDeal> {
        let deal = load_one::<FlashDealLoader, _>(ctx, FlashDealId(self.deal_id))
            .await?
            .ok_or_else(|| AppError::not_found("flash deal"))?;
        Ok(FlashDeal(deal))
    }
}

/// Units of a flash deal were taken by an order (or given back by a
/// cancelled one). Events may arrive out of order under a burst: the lowest
/// `remaining` seen for a deal is the freshest.
pub struct FlashDealUpdated {
    deal_id: Uuid,
    livestream_id: Uuid,
    remaining: i32,
}

#[Object]
impl FlashDealUpdated {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// The deal.
    async fn flash_deal_id(&self) -> ID {
        FlashDealId(self.deal_id).to_gql()
    }
    /// Units still to be had at the deal price.
    async fn remaining(&self) -> i32 {
        self.remaining
    }
}

/// A flash deal closed; what it still held went back to stock.
pub struct FlashDealClosed {
    deal_id: Uuid,
    livestream_id: Uuid,
    reason: String,
    returned: i32,
}

#[Object]
impl FlashDealClosed {
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// The deal.
    async fn flash_deal_id(&self) -> ID {
        FlashDealId(self.deal_id).to_gql()
    }
    /// Why it closed.
    async fn reason(&self) -> Option<FlashDealCloseReason> {
        FlashDealCloseReason::from_db(&self.reason)
    }
    /// Units given back to stock.
    async fn returned_to_stock(&self) -> i32 {
        self.returned
    }
}

/// What happens in a show, as it happens.
#[derive(Union)]
pub enum LivestreamEvent {
    LivestreamStarted(LivestreamStarted),
    LivestreamEnded(LivestreamEnded),
    ProductPinned(ProductPinned),
    ProductUnpinned(ProductUnpinned),
    ViewerCountChanged(ViewerCountChanged),
    OrderPlaced(OrderPlaced),
    EventsSkipped(EventsSkipped),
    FlashDealOpened(FlashDealOpened),
    FlashDealUpdated(FlashDealUpdated),
    FlashDealClosed(FlashDealClosed),
}

fn for_show(event: Event, show: Uuid) -> Option<LivestreamEvent> {
    match event {
        Event::LivestreamStarted { livestream_id } if livestream_id == show => {
            Some(LivestreamEvent::LivestreamStarted(LivestreamStarted {
                livestream_id,
            }))
        }
        Event::LivestreamEnded { livestream_id } if livestream_id == show => {
            Some(LivestreamEvent::LivestreamEnded(LivestreamEnded {
                livestream_id,
            }))
        }
        Event::ProductPinned {
            livestream_id,
            product_id,
        } if livestream_id == show => Some(LivestreamEvent::ProductPinned(ProductPinned {
            livestream_id,
            product_id,
        })),
        Event::ProductUnpinned { livestream_id } if livestream_id == show => {
            Some(LivestreamEvent::ProductUnpinned(ProductUnpinned {
                livestream_id,
            }))
        }
        Event::ViewerCountChanged {
            livestream_id,
            viewers,
        } if livestream_id == show => {
            Some(LivestreamEvent::ViewerCountChanged(ViewerCountChanged {
                livestream_id,
                viewers,
            }))
        }
        Event::OrderPlaced {
            order_id,
            livestream_id: Some(livestream_id),
            ..
        } if livestream_id == show => Some(LivestreamEvent::OrderPlaced(OrderPlaced {
            livestream_id,
            order_id,
        })),
        Event::FlashDealOpened {
            deal_id,
            livestream_id,
            variant_id,
            price_vnd,
            remaining,
            ends_at,
        } if livestream_id == show => Some(LivestreamEvent::FlashDealOpened(FlashDealOpened {
            deal_id,
            livestream_id,
            variant_id,
            price_vnd,
            remaining,
            ends_at,
        })),
        Event::FlashDealUpdated {
            deal_id,
            livestream_id,
            remaining,
        } if livestream_id == show => Some(LivestreamEvent::FlashDealUpdated(FlashDealUpdated {
            deal_id,
            livestream_id,
            remaining,
        })),
        Event::FlashDealClosed {
            deal_id,
            livestream_id,
            reason,
            returned,
        } if livestream_id == show => Some(LivestreamEvent::FlashDealClosed(FlashDealClosed {
            deal_id,
            livestream_id,
            reason,
            returned,
        })),
        _ => None,
    }
}

/// The bus as a stream of the events `keep` maps to something. A receiver
/// that falls more than the bus's capacity behind skips ahead to the oldest
/// event still kept: `skipped` turns the number it missed into an item that
/// tells the client (or nothing), and the bus counts them for `/metrics`.
fn events<T: Send + 'static>(
    bus: EventBus,
    guard: Option<Watching>,
    keep: impl Fn(Event) -> Option<T> + Send + 'static,
    skipped: impl Fn(u64) -> Option<T> + Send + 'static,
) -> impl Stream<Item = T> {
    let rx = bus.subscribe();
    futures_util::stream::unfold(
        (rx, guard, (keep, skipped), bus),
        |(mut rx, guard, (keep, skipped), bus)| async move {
            loop {
                match rx.recv().await {
                    Ok(event) => {
                        if let Some(item) = keep(event) {
                            return Some((item, (rx, guard, (keep, skipped), bus)));
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        bus.note_skipped(missed);
                        tracing::debug!(missed, "a slow subscriber skipped ahead");
                        if let Some(item) = skipped(missed) {
                            return Some((item, (rx, guard, (keep, skipped), bus)));
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        },
    )
}

/// An order changed status.
pub struct OrderUpdate {
    order_id: Uuid,
    status: String,
}

#[Object]
impl OrderUpdate {
    /// The order.
    async fn order_id(&self) -> ID {
        ID(self.order_id.to_string())
    }
    /// Its new status.
    async fn status(&self) -> &str {
        &self.status
    }
}

/// What a notification is about.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    /// A followed cooperative went live.
    LiveNow,
    /// A followed cooperative's show starts in about 15 minutes.
    StartingSoon,
}

/// Something a shopper should hear about.
pub struct Notification {
    kind: NotificationKind,
    livestream_id: Uuid,
    message: String,
}

#[Object]
impl Notification {
    /// What happened.
    async fn kind(&self) -> NotificationKind {
        self.kind
    }
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// A line to show, e.g. "HTX Xoài Yên Châu đang phát trực tiếp: Xoài chín
    /// cây" or "HTX Xoài Yên Châu sẽ phát trực tiếp lúc 19:30: Xoài chín cây".
    async fn message(&self) -> &str {
        &self.message
    }
}

/// Real-time subscriptions.
#[derive(Default)]
pub struct LivestreamSubscription;

#[Subscription]
impl LivestreamSubscription {
    /// Everything that happens in a show: going live, pins, orders, viewers,
    /// flash deals opening, selling and closing.
    /// Anyone may watch; an unknown show is an error on this subscription only.
    async fn livestream_events(
        &self,
        ctx: &Context<'_>,
        livestream_id: ID,
    ) -> async_graphql::Result<BoxStream<'static, LivestreamEvent>> {
        Ok(show_events(ctx, &livestream_id).await?)
    }

    /// Status changes of the signed-in shopper's own orders.
    async fn my_order_updates(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<BoxStream<'static, OrderUpdate>> {
        Ok(my_order_updates(ctx)?)
    }

    /// "X is live now", and "X goes live in 15 minutes", for the cooperatives
    /// the signed-in shopper follows.
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<BoxStream<'static, Notification>> {
        Ok(notifications(ctx)?)
    }

    /// Orders placed with a cooperative; its staff only.
    async fn cooperative_order_placed(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
    ) -> async_graphql::Result<BoxStream<'static, OrderUpdate>> {
        Ok(cooperative_orders(ctx, &cooperative_id).await?)
    }
}

async fn show_events(
    ctx: &Context<'_>,
    livestream_id: &ID,
) -> ApiResult<BoxStream<'static, LivestreamEvent>> {
    let id = LivestreamId::parse(livestream_id, "livestreamId")?;
    let db = ctx.data_unchecked::<Db>();
    crate::livestream::service::find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("livestream"))?;
    let show = id.0;
    // One item answered again for one member of a shared feed.
    if let Some(item) = ctx.data_opt::<Replay>() {
        let item = match item.clone() {
            Replay::Event(event) => for_show(event, show),
            Replay::Skipped(missed) => Some(LivestreamEvent::EventsSkipped(EventsSkipped {
                livestream_id: show,
                missed,
            })),
        };
        return Ok(futures_util::stream::iter(item).boxed());
    }
    let bus = ctx.data_unchecked::<EventBus>().clone();
    // A shared feed's execution is not a viewer (each of its members is,
    // see `livestream::fanout`), and it notes each item it answers.
    let feed = ctx.data_opt::<Arc<FeedExecution>>().cloned();
    // The count that includes this viewer is announced at the next tick,
    // after the subscription below exists.
    let guard = feed
        .is_none()
        .then(|| ctx.data_unchecked::<Arc<Viewers>>().join(show));
    let skipping = feed.clone();
    Ok(events(
        bus,
        guard,
        move |e| match &feed {
            Some(feed) => {
                let item = for_show(e.clone(), show)?;
                feed.answering(Replay::Event(e));
                Some(item)
            }
            None => for_show(e, show),
        },
        move |missed| {
            if let Some(feed) = &skipping {
                feed.answering(Replay::Skipped(missed));
            }
            Some(LivestreamEvent::EventsSkipped(EventsSkipped {
                livestream_id: show,
                missed,
            }))
        },
    )
    .boxed())
}

fn my_order_updates(ctx: &Context<'_>) -> ApiResult<BoxStream<'static, OrderUpdate>> {
    let me = viewer(ctx).require_user()?;
    let db = ctx.data_unchecked::<Db>().clone();
    let stream = events(
        ctx.data_unchecked::<EventBus>().clone(),
        None,
        |e| match e {
            Event::OrderStatusChanged { order_id, to, .. } => Some((order_id, to)),
            _ => None,
        },
        |_| None,
    );
    Ok(stream
        .filter_map(move |(order_id, status)| {
            let db = db.clone();
            async move {
                let order =
                    crate::orders::service::find(db.conn(), crate::orders::OrderId(order_id))
                        .await
                        .ok()
                        .flatten()?;
                (order.buyer_id == Some(me.0)).then_some(OrderUpdate { order_id, status })
            }
        })
        .boxed())
}

fn notifications(ctx: &Context<'_>) -> ApiResult<BoxStream<'static, Notification>> {
    let me = viewer(ctx).require_user()?;
    let db = ctx.data_unchecked::<Db>().clone();
    let started = events(
        ctx.data_unchecked::<EventBus>().clone(),
        None,
        |e| match e {
            Event::LivestreamStarted { livestream_id } => {
                Some((NotificationKind::LiveNow, livestream_id))
            }
            Event::LivestreamStartingSoon { livestream_id } => {
                Some((NotificationKind::StartingSoon, livestream_id))
            }
            _ => None,
        },
        |_| None,
    );
    Ok(started
        .filter_map(move |(kind, show_id)| {
            let db = db.clone();
            async move {
                let show = crate::livestream::service::find(db.conn(), LivestreamId(show_id))
                    .await
                    .ok()
                    .flatten()?;
                if !crate::livestream::follows::follows(&db, me, show.cooperative_id)
                    .await
                    .ok()?
                {
                    return None;
                }
                let coop =
                    crate::cooperatives::service::find(&db, CooperativeId(show.cooperative_id))
                        .await
                        .ok()
                        .flatten()?;
                let message = match kind {
                    NotificationKind::LiveNow => {
                        format!("{} đang phát trực tiếp: {}", coop.name, show.title)
                    }
                    NotificationKind::StartingSoon => format!(
                        "{} sẽ phát trực tiếp lúc {}: {}",
                        coop.name,
                        vietnam_clock(show.scheduled_start_at),
                        show.title
                    ),
                };
                Some(Notification {
                    kind,
                    livestream_id: show_id,
                    message,
                })
            }
        })
        .boxed())
}

async fn cooperative_orders(
    ctx: &Context<'_>,
    cooperative_id: &ID,
) -> ApiResult<BoxStream<'static, OrderUpdate>> {
    let coop = CooperativeId::parse(cooperative_id, "cooperativeId")?;
    require_member(
        ctx.data_unchecked::<Db>(),
        viewer(ctx),
        coop,
        MemberRole::Staff,
    )
    .await?;
    Ok(events(
        ctx.data_unchecked::<EventBus>().clone(),
        None,
        move |e| match e {
            Event::OrderPlaced {
                order_id,
                cooperative_id,
                ..
            } if cooperative_id == coop.0 => Some(OrderUpdate {
                order_id,
                status: "PLACED".into(),
            }),
            _ => None,
        },
        |_| None,
    )
    .boxed())
}

/// "19:30", in Vietnam's time (UTC+7, no daylight saving).
fn vietnam_clock(at: chrono::DateTime<chrono::Utc>) -> String {
    let offset = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    at.with_timezone(&offset).format("%H:%M").to_string()
}

/// The current viewer count of a show (for the Livestream type).
pub fn viewers_now(ctx: &Context<'_>, show: Uuid) -> i32 {
    ctx.data_opt::<Arc<Viewers>>()
        .map(|v| v.of(show))
        .unwrap_or(0)
}
