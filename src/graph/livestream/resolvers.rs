//! Livestream queries and mutations: thin, over `livestream::service`.

use crate::graph::respond;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, MaybeUndefined, Object};
use chrono::Utc;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventBus};
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::Total;
use crate::graph::livestream::FirstShowsByCooperative;
use crate::graph::livestream::{
    FlashDeal, Livestream, LivestreamFilterInput, OpenFlashDealInput, ScheduleLivestreamInput,
    UpdateLivestreamInput,
};
use crate::graph::viewer;
use crate::ids::{CooperativeId, FlashDealId, LivestreamId, MediaAssetId, ProductId, VariantId};
use crate::livestream::LivestreamStatus;
use crate::livestream::flash_deals::{self, DealTerms, NewFlashDeal};
use crate::livestream::inputs::show_start;
use crate::livestream::service::{
    self, LivestreamChanges, LivestreamCursor, LivestreamFilter, NewLivestream,
};
use crate::pagination::{Page, encode_cursor};
use crate::text::single_line;

/// Tells subscribers, once the change is committed.
fn publish(ctx: &Context<'_>, event: Event) {
    ctx.data_unchecked::<EventBus>().publish(event);
}

fn url(raw: &str, field: &str) -> AppResult<String> {
    let url = raw.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() > 500
        || url.contains(char::is_whitespace)
    {
        return Err(AppError::invalid(
            field,
            "must be an http(s) URL of at most 500 characters",
        ));
    }
    Ok(url.to_owned())
}

/// One page of shows matching `filter`, as a connection.
pub(crate) async fn page_of(
    ctx: &Context<'_>,
    filter: LivestreamFilter,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<String, Livestream, Total>> {
    let page = Page::<LivestreamCursor>::parse(first, after.as_deref())?;
    let had_cursor = page.after.is_some();
    let listed = service::list(ctx.data_unchecked::<Db>(), &filter, &page).await?;
    Ok(to_connection(listed, had_cursor))
}

/// A cooperative's shows, soonest first: the first page batched with the
/// other cooperatives of a list (see `service::first_pages`), later ones
/// through [`page_of`].
pub async fn cooperative_shows(
    ctx: &Context<'_>,
    coop: crate::ids::CooperativeId,
    status: Option<crate::livestream::LivestreamStatus>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<String, Livestream, Total>> {
    let page = Page::<LivestreamCursor>::parse(first, after.as_deref())?;
    if page.after.is_some() {
        let filter = LivestreamFilter {
            cooperative: Some(coop),
            status,
            ..Default::default()
        };
        return page_of(ctx, filter, first, after).await;
    }
    let listed =
        crate::graph::load_one::<FirstShowsByCooperative, _>(ctx, (coop, status, page.first))
            .await?
            .unwrap_or_default();
    Ok(to_connection(listed, false))
}

/// A page of shows as a connection.
fn to_connection(
    (rows, has_next, total): service::ShowPage,
    had_cursor: bool,
) -> Connection<String, Livestream, Total> {
    let mut conn =
        Connection::with_additional_fields(had_cursor, has_next, Total { total_count: total });
    conn.edges.extend(rows.into_iter().map(|s| {
        let cursor = LivestreamCursor {
            at: s.scheduled_start_at,
            id: s.id,
        };
        Edge::new(encode_cursor(&cursor), Livestream(s))
    }));
    conn
}

/// Livestream queries.
#[derive(Default)]
pub struct LivestreamQuery;

#[Object]
impl LivestreamQuery {
    /// A show by id; `null` when there is none. Every show, whatever its
    /// status, is public.
    #[graphql(cache_control(max_age = 10))]
    async fn livestream(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Livestream>> {
        let id = LivestreamId::parse(&id, "id")?;
        let show = service::find(ctx.data_unchecked::<Db>().conn(), id).await?;
        Ok(show.map(Livestream))
    }

    /// Shows by scheduled start, soonest first, filtered.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(max_age = 10)
    )]
    async fn livestreams(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<LivestreamFilterInput>,
    ) -> ApiResult<Connection<String, Livestream, Total>> {
        let input = filter.unwrap_or_default();
        let filter = LivestreamFilter {
            status: input.status.map(Into::into),
            cooperative: input
                .cooperative_id
                .as_ref()
                .map(|c| CooperativeId::parse(c, "filter.cooperativeId"))
                .transpose()?,
            platform: input.platform.map(Into::into),
            product: input
                .product_id
                .as_ref()
                .map(|p| ProductId::parse(p, "filter.productId"))
                .transpose()?,
            from: input.from,
            to: input.to,
        };
        page_of(ctx, filter, first, after).await
    }

    /// What a cooperative's shows that started in `[from, to)` sold; its staff only.
    #[graphql(cache_control(private))]
    async fn cooperative_livestream_stats(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        from: chrono::DateTime<Utc>,
        to: chrono::DateTime<Utc>,
    ) -> ApiResult<crate::graph::livestream::LivestreamStats> {
        let coop = CooperativeId::parse(&cooperative_id, "cooperativeId")?;
        let sales = crate::livestream::stats::for_cooperative(
            ctx.data_unchecked::<Db>(),
            viewer(ctx),
            coop,
            from,
            to,
        )
        .await?;
        Ok(crate::graph::livestream::LivestreamStats(sales))
    }

    /// The cooperatives the signed-in shopper follows.
    #[graphql(cache_control(private))]
    async fn my_follows(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::graph::cooperatives::Cooperative>> {
        let rows =
            crate::livestream::follows::mine(ctx.data_unchecked::<Db>(), viewer(ctx)).await?;
        Ok(rows
            .into_iter()
            .map(crate::graph::cooperatives::Cooperative)
            .collect())
    }

    /// Shows live now.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(max_age = 10)
    )]
    async fn live_now(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Livestream, Total>> {
        let filter = LivestreamFilter {
            status: Some(LivestreamStatus::Live),
            ..LivestreamFilter::default()
        };
        page_of(ctx, filter, first, after).await
    }

    /// Shows still to come, soonest first.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(max_age = 10)
    )]
    async fn upcoming_livestreams(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Livestream, Total>> {
        let filter = LivestreamFilter {
            status: Some(LivestreamStatus::Scheduled),
            from: Some(Utc::now() - chrono::Duration::hours(1)),
            ..LivestreamFilter::default()
        };
        page_of(ctx, filter, first, after).await
    }
}

/// Livestream mutations; the cooperative's staff only.
#[derive(Default)]
pub struct LivestreamMutation;

#[Object]
impl LivestreamMutation {
    /// Follows a cooperative, to hear (`myNotifications`) when it goes live.
    async fn follow_cooperative(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
    ) -> ApiResult<FollowCooperativePayload> {
        respond(
            async {
                let coop = CooperativeId::parse(&cooperative_id, "cooperativeId")?;
                let found = crate::livestream::follows::follow(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    coop,
                )
                .await?;
                Ok(crate::graph::cooperatives::Cooperative(found))
            }
            .await,
        )
    }

    /// Stops following a cooperative (harmless when not following); gives
    /// the cooperative back, for the client to update its follow button.
    async fn unfollow_cooperative(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
    ) -> ApiResult<UnfollowCooperativePayload> {
        respond(
            async {
                let coop = CooperativeId::parse(&cooperative_id, "cooperativeId")?;
                let found = crate::livestream::follows::unfollow(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    coop,
                )
                .await?;
                Ok(crate::graph::cooperatives::Cooperative(found))
            }
            .await,
        )
    }

    /// Schedules a show with its lineup.
    async fn schedule_livestream(
        &self,
        ctx: &Context<'_>,
        input: ScheduleLivestreamInput,
    ) -> ApiResult<ScheduleLivestreamPayload> {
        respond(
            async {
                let new = NewLivestream {
                    cooperative: CooperativeId::parse(
                        &input.cooperative_id,
                        "input.cooperativeId",
                    )?,
                    title: single_line(&input.title, "input.title", 200)?,
                    description: crate::values::text(
                        Some(&input.description),
                        "input.description",
                        5000,
                    )?
                    .unwrap_or_default(),
                    platform: input.platform.into(),
                    stream_url: input
                        .stream_url
                        .as_deref()
                        .filter(|u| !u.trim().is_empty())
                        .map(|u| url(u, "input.streamUrl"))
                        .transpose()?,
                    scheduled_start_at: show_start(
                        input.scheduled_start_at,
                        Utc::now(),
                        "input.scheduledStartAt",
                    )?,
                    host_name: single_line(&input.host_name, "input.hostName", 100)?,
                    products: input
                        .product_ids
                        .iter()
                        .enumerate()
                        .map(|(i, p)| ProductId::parse(p, &format!("input.productIds.{i}")))
                        .collect::<AppResult<_>>()?,
                };
                Ok(Livestream(
                    service::schedule(ctx.data_unchecked::<Db>(), viewer(ctx), new).await?,
                ))
            }
            .await,
        )
    }

    /// Changes a show that has not ended.
    async fn update_livestream(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLivestreamInput,
    ) -> ApiResult<UpdateLivestreamPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&id, "id")?;
                let changes = LivestreamChanges {
                    title: input
                        .title
                        .as_deref()
                        .map(|t| single_line(t, "input.title", 200))
                        .transpose()?,
                    description: input
                        .description
                        .map(|d| {
                            crate::values::text(Some(&d), "input.description", 5000)
                                .map(Option::unwrap_or_default)
                        })
                        .transpose()?,
                    platform: input.platform.map(Into::into),
                    stream_url: match input.stream_url {
                        MaybeUndefined::Undefined => None,
                        MaybeUndefined::Null => Some(None),
                        MaybeUndefined::Value(u) => Some(Some(url(&u, "input.streamUrl")?)),
                    },
                    scheduled_start_at: input
                        .scheduled_start_at
                        .map(|at| show_start(at, Utc::now(), "input.scheduledStartAt"))
                        .transpose()?,
                    host_name: input
                        .host_name
                        .as_deref()
                        .map(|h| single_line(h, "input.hostName", 100))
                        .transpose()?,
                };
                Ok(Livestream(
                    service::update(ctx.data_unchecked::<Db>(), viewer(ctx), id, changes).await?,
                ))
            }
            .await,
        )
    }

    /// Goes live (from scheduled).
    async fn start_livestream(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<StartLivestreamPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&id, "id")?;
                let (show, _) = service::transition(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    id,
                    LivestreamStatus::Live,
                )
                .await?;
                publish(ctx, Event::LivestreamStarted { livestream_id: id });
                Ok(Livestream(show))
            }
            .await,
        )
    }

    /// Ends a live show: unpins its product and closes its open flash deals
    /// (their units go back to stock).
    async fn end_livestream(&self, ctx: &Context<'_>, id: ID) -> ApiResult<EndLivestreamPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&id, "id")?;
                let (show, deals_closed) = service::transition(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    id,
                    LivestreamStatus::Ended,
                )
                .await?;
                ctx.data_unchecked::<EventBus>().publish_all(deals_closed);
                publish(ctx, Event::LivestreamEnded { livestream_id: id });
                Ok(Livestream(show))
            }
            .await,
        )
    }

    /// Cancels a show that has not gone live.
    async fn cancel_livestream(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<CancelLivestreamPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&id, "id")?;
                let (show, _) = service::transition(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    id,
                    LivestreamStatus::Cancelled,
                )
                .await?;
                Ok(Livestream(show))
            }
            .await,
        )
    }

    /// Opens a flash deal while the show is LIVE: `quantity` units of the
    /// variant are taken from its stock and held for the show, sold at
    /// `priceVnd` (below the normal price) to orders placed with this
    /// `livestreamId`, at most `perBuyerLimit` per account (or per phone,
    /// for guests), until `durationSeconds` pass, staff close it or the show
    /// ends; what is left then goes back to stock. Staff of the show's
    /// cooperative, or an admin.
    async fn open_flash_deal(
        &self,
        ctx: &Context<'_>,
        input: OpenFlashDealInput,
    ) -> ApiResult<OpenFlashDealPayload> {
        respond(
            async {
                let new = NewFlashDeal {
                    livestream: LivestreamId::parse(&input.livestream_id, "input.livestreamId")?,
                    variant: VariantId::parse(&input.variant_id, "input.variantId")?,
                    terms: DealTerms::parse(
                        input.price_vnd,
                        input.quantity,
                        input.per_buyer_limit,
                        input.duration_seconds,
                    )?,
                };
                let (deal, events) =
                    flash_deals::open(ctx.data_unchecked::<Db>(), viewer(ctx), new).await?;
                ctx.data_unchecked::<EventBus>().publish_all(events);
                Ok(FlashDeal(deal))
            }
            .await,
        )
    }

    /// Closes a flash deal now; what it still holds goes back to stock.
    /// A deal already closed is a `CONFLICT`.
    async fn close_flash_deal(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<CloseFlashDealPayload> {
        respond(
            async {
                let id = FlashDealId::parse(&id, "id")?;
                let (deal, event) =
                    flash_deals::close(ctx.data_unchecked::<Db>(), viewer(ctx), id).await?;
                publish(ctx, event);
                Ok(FlashDeal(deal))
            }
            .await,
        )
    }

    /// Adds a product at the end of the lineup.
    async fn add_lineup_product(
        &self,
        ctx: &Context<'_>,
        livestream_id: ID,
        product_id: ID,
    ) -> ApiResult<AddLineupProductPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&livestream_id, "livestreamId")?;
                let product = ProductId::parse(&product_id, "productId")?;
                Ok(Livestream(
                    service::add_to_lineup(ctx.data_unchecked::<Db>(), viewer(ctx), id, product)
                        .await?,
                ))
            }
            .await,
        )
    }

    /// Takes a product out of the lineup: unpins it if pinned, and closes
    /// its open flash deals (what they still hold goes back to stock).
    async fn remove_lineup_product(
        &self,
        ctx: &Context<'_>,
        livestream_id: ID,
        product_id: ID,
    ) -> ApiResult<RemoveLineupProductPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&livestream_id, "livestreamId")?;
                let product = ProductId::parse(&product_id, "productId")?;
                let removed = service::remove_from_lineup(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    id,
                    product,
                )
                .await?;
                ctx.data_unchecked::<EventBus>().publish_all(removed.events);
                if removed.unpinned {
                    publish(ctx, Event::ProductUnpinned { livestream_id: id });
                }
                Ok(Livestream(removed.show))
            }
            .await,
        )
    }

    /// Puts the lineup in a new order: every product of it, once.
    async fn reorder_lineup(
        &self,
        ctx: &Context<'_>,
        livestream_id: ID,
        product_ids: Vec<ID>,
    ) -> ApiResult<ReorderLineupPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&livestream_id, "livestreamId")?;
                let order = product_ids
                    .iter()
                    .enumerate()
                    .map(|(i, p)| ProductId::parse(p, &format!("productIds.{i}")))
                    .collect::<AppResult<Vec<_>>>()?;
                Ok(Livestream(
                    service::reorder_lineup(ctx.data_unchecked::<Db>(), viewer(ctx), id, order)
                        .await?,
                ))
            }
            .await,
        )
    }

    /// Pins a product of the lineup while live; one at a time.
    async fn pin_product(
        &self,
        ctx: &Context<'_>,
        livestream_id: ID,
        product_id: ID,
    ) -> ApiResult<PinProductPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&livestream_id, "livestreamId")?;
                let product = ProductId::parse(&product_id, "productId")?;
                let show =
                    service::pin(ctx.data_unchecked::<Db>(), viewer(ctx), id, product).await?;
                publish(
                    ctx,
                    Event::ProductPinned {
                        livestream_id: id,
                        product_id: product,
                    },
                );
                Ok(Livestream(show))
            }
            .await,
        )
    }

    /// Unpins the pinned product.
    async fn unpin_product(
        &self,
        ctx: &Context<'_>,
        livestream_id: ID,
    ) -> ApiResult<UnpinProductPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&livestream_id, "livestreamId")?;
                let show = service::unpin(ctx.data_unchecked::<Db>(), viewer(ctx), id).await?;
                publish(ctx, Event::ProductUnpinned { livestream_id: id });
                Ok(Livestream(show))
            }
            .await,
        )
    }

    /// Sets the recording of an ended show: a ready LIVESTREAM_REPLAY asset and/or the platform's URL.
    async fn set_livestream_replay(
        &self,
        ctx: &Context<'_>,
        livestream_id: ID,
        asset_id: Option<ID>,
        replay_url: Option<String>,
    ) -> ApiResult<SetLivestreamReplayPayload> {
        respond(
            async {
                let id = LivestreamId::parse(&livestream_id, "livestreamId")?;
                let asset = asset_id
                    .as_ref()
                    .map(|a| MediaAssetId::parse(a, "assetId"))
                    .transpose()?;
                let replay_url = replay_url
                    .as_deref()
                    .filter(|u| !u.trim().is_empty())
                    .map(|u| url(u, "replayUrl"))
                    .transpose()?;
                Ok(Livestream(
                    service::set_replay(
                        ctx.data_unchecked::<Db>(),
                        viewer(ctx),
                        id,
                        asset,
                        replay_url,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }
}

crate::payload!(
    /// The result of `unfollowCooperative`.
    UnfollowCooperativePayload,
    cooperative: crate::graph::cooperatives::Cooperative
);

crate::payload!(
    /// The result of `scheduleLivestream`.
    ScheduleLivestreamPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `updateLivestream`.
    UpdateLivestreamPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `startLivestream`.
    StartLivestreamPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `endLivestream`.
    EndLivestreamPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `cancelLivestream`.
    CancelLivestreamPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `openFlashDeal`.
    OpenFlashDealPayload,
    flash_deal: FlashDeal
);

crate::payload!(
    /// The result of `closeFlashDeal`.
    CloseFlashDealPayload,
    flash_deal: FlashDeal
);

crate::payload!(
    /// The result of `addLineupProduct`.
    AddLineupProductPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `removeLineupProduct`.
    RemoveLineupProductPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `reorderLineup`.
    ReorderLineupPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `pinProduct`.
    PinProductPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `unpinProduct`.
    UnpinProductPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `setLivestreamReplay`.
    SetLivestreamReplayPayload,
    livestream: Livestream
);

crate::payload!(
    /// The result of `followCooperative`.
    FollowCooperativePayload,
    cooperative: crate::graph::cooperatives::Cooperative
);
