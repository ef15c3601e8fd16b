//! Real time: GraphQL subscriptions fed by the event bus, and the live
//! viewer count of each show. Slow subscribers skip ahead (they lose the
//! events they fell behind on) rather than slow the others or grow memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
use crate::livestream::loaders::FlashDealLoader;
use crate::livestream::types::FlashDeal;
use crate::livestream::{FlashDealCloseReason, FlashDealId, LivestreamId};

/// Live viewers per show in this process.
#[derive(Default)]
pub struct Viewers {
    counts: Mutex<HashMap<Uuid, i32>>,
}

/// One viewer watching a show; leaving (drop) lowers the count.
pub struct Watching {
    show: Uuid,
    viewers: Arc<Viewers>,
    bus: EventBus,
}

impl Viewers {
    fn change(&self, show: Uuid, by: i32) -> i32 {
        let Ok(mut counts) = self.counts.lock() else {
            return 0;
        };
        let n = counts.entry(show).or_insert(0);
        *n = (*n + by).max(0);
        let now = *n;
        if now == 0 {
            counts.remove(&show);
        }
        now
    }

    /// Counts a new viewer of `show`, publishes the count, and keeps the
    /// show's peak in the database.
    pub fn join(self: &Arc<Self>, show: Uuid, bus: &EventBus, db: &Db) -> Watching {
        let viewers = self.change(show, 1);
        bus.publish(Event::ViewerCountChanged {
            livestream_id: show,
            viewers,
        });
        let db = db.clone();
        tokio::spawn(async move {
            if let Err(err) = record_peak(&db, show, viewers).await {
                tracing::warn!(livestream.id = %show, error = ?err, "could not record the peak viewer count");
            }
        });
        Watching {
            show,
            viewers: self.clone(),
            bus: bus.clone(),
        }
    }

    /// Viewers of `show` now.
    pub fn of(&self, show: Uuid) -> i32 {
        self.counts
            .lock()
            .map(|c| c.get(&show).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let viewers = self.viewers.change(self.show, -1);
        self.bus.publish(Event::ViewerCountChanged {
            livestream_id: self.show,
            viewers,
        });
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

/// The bus as a stream of the events `keep` maps to something; a receiver
/// that lags skips what it missed.
fn events<T: Send + 'static>(
    rx: broadcast::Receiver<Event>,
    guard: Option<Watching>,
    keep: impl Fn(Event) -> Option<T> + Send + 'static,
) -> impl Stream<Item = T> {
    futures_util::stream::unfold((rx, guard, keep), |(mut rx, guard, keep)| async move {
        loop {
            match rx.recv().await {
                Ok(event) => {
                    if let Some(item) = keep(event) {
                        return Some((item, (rx, guard, keep)));
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "a slow subscriber skipped ahead");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
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

/// Something a shopper should hear about.
pub struct Notification {
    livestream_id: Uuid,
    message: String,
}

#[Object]
impl Notification {
    /// `LIVE_NOW`: a followed cooperative went live.
    async fn kind(&self) -> &str {
        "LIVE_NOW"
    }
    /// The show.
    async fn livestream_id(&self) -> ID {
        LivestreamId(self.livestream_id).to_gql()
    }
    /// A line to show, e.g. "HTX Xoài Yên Châu đang phát trực tiếp: Xoài chín cây".
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

    /// "X is live now" for the cooperatives the signed-in shopper follows.
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
    let bus = ctx.data_unchecked::<EventBus>();
    let rx = bus.subscribe();
    let guard = ctx.data_unchecked::<Arc<Viewers>>().join(id.0, bus, db);
    Ok(events(rx, Some(guard), move |e| for_show(e, id.0)).boxed())
}

fn my_order_updates(ctx: &Context<'_>) -> ApiResult<BoxStream<'static, OrderUpdate>> {
    let me = viewer(ctx).require_user()?;
    let db = ctx.data_unchecked::<Db>().clone();
    let rx = ctx.data_unchecked::<EventBus>().subscribe();
    let stream = events(rx, None, |e| match e {
        Event::OrderStatusChanged { order_id, to, .. } => Some((order_id, to)),
        _ => None,
    });
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
    let rx = ctx.data_unchecked::<EventBus>().subscribe();
    let started = events(rx, None, |e| match e {
        Event::LivestreamStarted { livestream_id } => Some(livestream_id),
        _ => None,
    });
    Ok(started
        .filter_map(move |show_id| {
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
                Some(Notification {
                    livestream_id: show_id,
                    message: format!("{} đang phát trực tiếp: {}", coop.name, show.title),
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
    let rx = ctx.data_unchecked::<EventBus>().subscribe();
    Ok(events(rx, None, move |e| match e {
        Event::OrderPlaced {
            order_id,
            cooperative_id,
            ..
        } if cooperative_id == coop.0 => Some(OrderUpdate {
            order_id,
            status: "PLACED".into(),
        }),
        _ => None,
    })
    .boxed())
}

/// The current viewer count of a show (for the Livestream type).
pub fn viewers_now(ctx: &Context<'_>, show: Uuid) -> i32 {
    ctx.data_opt::<Arc<Viewers>>()
        .map(|v| v.of(show))
        .unwrap_or(0)
}
