//! Real time: GraphQL subscriptions fed by the event bus. Slow subscribers
//! skip ahead (they lose the events they fell behind on) rather than slow
//! the others or grow memory. A show's events are typed in
//! [`crate::graph::livestream::show_events`]; its viewers are counted in
//! [`crate::livestream::viewers`].

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Subscription};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use tokio::sync::broadcast;

use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::AppError;
use crate::events::{Event, EventBus};
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::livestream::Livestream;
use crate::graph::livestream::show_events::{LivestreamEvent, for_show};
use crate::graph::livestream::{FeedExecution, Replay};
use crate::graph::orders::{Order, OrderStatus};
use crate::graph::viewer;
use crate::ids::{CooperativeId, LivestreamId, OrderId};
use crate::livestream::viewers::{Viewers, Watching};
use sea_orm::{ActiveEnum, EntityTrait};

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

/// An order changed status, or was placed.
pub struct OrderUpdate {
    order: entity::order::Model,
    status: crate::orders::OrderStatus,
}

#[Object]
impl OrderUpdate {
    /// The order, as it is when the update is delivered.
    async fn order(&self) -> Order {
        Order(self.order.clone())
    }
    /// The status it moved to (for a new order, the one it was placed in).
    async fn status(&self) -> OrderStatus {
        self.status.into()
    }
}

/// The stream of updates for the orders `changes` names (with the status
/// each moved to, if known), each order read when its event arrives;
/// orders gone by then are skipped.
fn order_updates(
    db: Db,
    changes: impl Stream<Item = (OrderId, Option<crate::orders::OrderStatus>)> + Send + 'static,
) -> BoxStream<'static, OrderUpdate> {
    changes
        .filter_map(move |(id, status)| {
            let db = db.clone();
            async move {
                let order = entity::order::Entity::find_by_id(id.uuid())
                    .one(db.conn())
                    .await
                    .ok()
                    .flatten()?;
                let status = status.unwrap_or(order.status);
                Some(OrderUpdate { order, status })
            }
        })
        .boxed()
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
    livestream: entity::livestream::Model,
    message: String,
}

#[Object]
impl Notification {
    /// What happened.
    async fn kind(&self) -> NotificationKind {
        self.kind
    }
    /// The show.
    async fn livestream(&self) -> Livestream {
        Livestream(self.livestream.clone())
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

    /// Orders placed with a cooperative, each with the status it was placed
    /// in; its staff only.
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
    let show = id.uuid();
    // One item answered again for one member of a shared feed.
    if let Some(item) = ctx.data_opt::<Replay>() {
        let item = match item.clone() {
            Replay::Event(event) => for_show(event, show),
            Replay::Skipped(missed) => Some(LivestreamEvent::skipped(show, missed)),
        };
        return Ok(futures_util::stream::iter(item).boxed());
    }
    let bus = ctx.data_unchecked::<EventBus>().clone();
    // A shared feed's execution is not a viewer (each of its members is,
    // see `http::fanout`), and it notes each item it answers.
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
            Some(LivestreamEvent::skipped(show, missed))
        },
    )
    .boxed())
}

fn my_order_updates(ctx: &Context<'_>) -> ApiResult<BoxStream<'static, OrderUpdate>> {
    let me = viewer(ctx).require_user()?;
    let changes = events(
        ctx.data_unchecked::<EventBus>().clone(),
        None,
        move |e| match e {
            Event::OrderStatusChanged {
                order_id,
                buyer_id: Some(buyer),
                to,
                ..
            } if buyer == me => Some((
                order_id,
                Some(crate::orders::OrderStatus::try_from_value(&to).ok()?),
            )),
            _ => None,
        },
        |_| None,
    );
    Ok(order_updates(ctx.data_unchecked::<Db>().clone(), changes))
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
                let show = crate::livestream::service::find(db.conn(), show_id)
                    .await
                    .ok()
                    .flatten()?;
                if !crate::livestream::follows::follows(&db, me, show.cooperative_id)
                    .await
                    .ok()?
                {
                    return None;
                }
                let coop = crate::cooperatives::service::find(
                    &db,
                    CooperativeId::from(show.cooperative_id),
                )
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
                    livestream: show,
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
    let placed = events(
        ctx.data_unchecked::<EventBus>().clone(),
        None,
        move |e| match e {
            Event::OrderPlaced {
                order_id,
                cooperative_id,
                ..
            } if cooperative_id == coop => Some((order_id, None)),
            _ => None,
        },
        |_| None,
    );
    Ok(order_updates(ctx.data_unchecked::<Db>().clone(), placed))
}

/// "19:30", in Vietnam's time (UTC+7, no daylight saving).
fn vietnam_clock(at: chrono::DateTime<chrono::Utc>) -> String {
    let offset = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    at.with_timezone(&offset).format("%H:%M").to_string()
}
