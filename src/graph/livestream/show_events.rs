//! What happens in a show, as GraphQL types: one object per kind of event
//! and the `LivestreamEvent` union a show's subscribers receive.

use async_graphql::{Context, ID, Object, Union};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Db;
use crate::error::AppError;
use crate::events::Event;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::catalog::{Product, ProductLoader};
use crate::graph::livestream::objects::show_of;
use crate::graph::livestream::{FlashDeal, FlashDealCloseReason, FlashDealLoader, Livestream};
use crate::graph::load_one;
use crate::ids::{FlashDealId, LivestreamId, ProductId, VariantId};

/// A show went live.
pub struct LivestreamStarted {
    livestream_id: Uuid,
}

#[Object]
impl LivestreamStarted {
    /// The show.
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
    }
}

/// A show ended.
pub struct LivestreamEnded {
    livestream_id: Uuid,
}

#[Object]
impl LivestreamEnded {
    /// The show.
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
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
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
    }
    /// The product now pinned (ask for `variants { priceVnd stock }`).
    async fn product(&self, ctx: &Context<'_>) -> ApiResult<Product> {
        let p = load_one::<ProductLoader, _>(ctx, ProductId::from(self.product_id))
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
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
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
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
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
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
    }
    /// A line to show viewers; no name, phone or address beyond an initial and a province.
    async fn message(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let db = ctx.data_unchecked::<Db>();
        Ok(crate::livestream::service::order_placed_line(db, self.order_id).await?)
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
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
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
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
    }
    /// The deal.
    async fn flash_deal_id(&self) -> ID {
        FlashDealId::from(self.deal_id).to_gql()
    }
    /// The variant on deal.
    async fn variant_id(&self) -> ID {
        VariantId::from(self.variant_id).to_gql()
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
        let deal = load_one::<FlashDealLoader, _>(ctx, FlashDealId::from(self.deal_id))
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
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
    }
    /// The deal.
    async fn flash_deal_id(&self) -> ID {
        FlashDealId::from(self.deal_id).to_gql()
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
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Livestream> {
        show_of(ctx, LivestreamId::from(self.livestream_id)).await
    }
    /// The deal.
    async fn flash_deal_id(&self) -> ID {
        FlashDealId::from(self.deal_id).to_gql()
    }
    /// Why it closed.
    async fn reason(&self) -> Option<FlashDealCloseReason> {
        <crate::livestream::FlashDealCloseReason as sea_orm::ActiveEnum>::try_from_value(
            &self.reason,
        )
        .ok()
        .map(Into::into)
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

impl LivestreamEvent {
    /// The notice that a subscriber of `show` missed `missed` events.
    pub(crate) fn skipped(show: Uuid, missed: u64) -> Self {
        Self::EventsSkipped(EventsSkipped {
            livestream_id: show,
            missed,
        })
    }
}

/// The item `event` is for the subscribers of `show`, if it concerns it.
pub(crate) fn for_show(event: Event, show: Uuid) -> Option<LivestreamEvent> {
    let show = LivestreamId::from(show);
    match event {
        Event::LivestreamStarted { livestream_id } if livestream_id == show => {
            Some(LivestreamEvent::LivestreamStarted(LivestreamStarted {
                livestream_id: livestream_id.uuid(),
            }))
        }
        Event::LivestreamEnded { livestream_id } if livestream_id == show => {
            Some(LivestreamEvent::LivestreamEnded(LivestreamEnded {
                livestream_id: livestream_id.uuid(),
            }))
        }
        Event::ProductPinned {
            livestream_id,
            product_id,
        } if livestream_id == show => Some(LivestreamEvent::ProductPinned(ProductPinned {
            livestream_id: livestream_id.uuid(),
            product_id: product_id.uuid(),
        })),
        Event::ProductUnpinned { livestream_id } if livestream_id == show => {
            Some(LivestreamEvent::ProductUnpinned(ProductUnpinned {
                livestream_id: livestream_id.uuid(),
            }))
        }
        Event::ViewerCountChanged {
            livestream_id,
            viewers,
        } if livestream_id == show => {
            Some(LivestreamEvent::ViewerCountChanged(ViewerCountChanged {
                livestream_id: livestream_id.uuid(),
                viewers,
            }))
        }
        Event::OrderPlaced {
            order_id,
            livestream_id: Some(livestream_id),
            ..
        } if livestream_id == show => Some(LivestreamEvent::OrderPlaced(OrderPlaced {
            livestream_id: livestream_id.uuid(),
            order_id: order_id.uuid(),
        })),
        Event::FlashDealOpened {
            deal_id,
            livestream_id,
            variant_id,
            price_vnd,
            remaining,
            ends_at,
        } if livestream_id == show => Some(LivestreamEvent::FlashDealOpened(FlashDealOpened {
            deal_id: deal_id.uuid(),
            livestream_id: livestream_id.uuid(),
            variant_id: variant_id.uuid(),
            price_vnd,
            remaining,
            ends_at,
        })),
        Event::FlashDealUpdated {
            deal_id,
            livestream_id,
            remaining,
        } if livestream_id == show => Some(LivestreamEvent::FlashDealUpdated(FlashDealUpdated {
            deal_id: deal_id.uuid(),
            livestream_id: livestream_id.uuid(),
            remaining,
        })),
        Event::FlashDealClosed {
            deal_id,
            livestream_id,
            reason,
            returned,
        } if livestream_id == show => Some(LivestreamEvent::FlashDealClosed(FlashDealClosed {
            deal_id: deal_id.uuid(),
            livestream_id: livestream_id.uuid(),
            reason,
            returned,
        })),
        _ => None,
    }
}
