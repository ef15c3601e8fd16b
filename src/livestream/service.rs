//! Livestream rules: scheduling, the state machine, the lineup and the
//! pinned product. Only the cooperative's staff manage its shows.
//!
//! Every change to a show — its fields, its state, its lineup, its pin, its
//! flash deals — runs in one write transaction that first locks the show's
//! row ([`lock_show`]), then reads the rules it depends on and writes. Two
//! changes to one show therefore happen one after the other, each seeing
//! what the other committed (see `docs/CONCURRENCY.md`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use entity::{flash_deal, livestream, livestream_product, product};

use crate::auth::Viewer;
use crate::catalog::ProductStatus;
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::ids::{CooperativeId, LivestreamId, ProductId};
use crate::livestream::{FlashDealCloseReason, LivestreamStatus, Platform};
use crate::pagination::Page;

/// The most products a lineup holds.
pub const MAX_LINEUP: usize = 50;

/// A show to schedule, parsed.
pub struct NewLivestream {
    pub cooperative: CooperativeId,
    pub title: String,
    pub description: String,
    pub platform: Platform,
    pub stream_url: Option<String>,
    pub scheduled_start_at: DateTime<Utc>,
    pub host_name: String,
    pub products: Vec<ProductId>,
}

/// Changes to a show; `None` leaves a field as it is.
#[derive(Default)]
pub struct LivestreamChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub platform: Option<Platform>,
    pub stream_url: Option<Option<String>>,
    pub scheduled_start_at: Option<DateTime<Utc>>,
    pub host_name: Option<String>,
}

fn status_of(show: &livestream::Model) -> LivestreamStatus {
    show.status
}

/// The show with this id.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: LivestreamId,
) -> AppResult<Option<livestream::Model>> {
    Ok(livestream::Entity::find_by_id(id.uuid()).one(conn).await?)
}

/// A show, for a change by its cooperative's staff (or an admin).
pub(crate) async fn for_write(
    db: &Db,
    viewer: &Viewer,
    id: LivestreamId,
) -> AppResult<livestream::Model> {
    viewer.require_user()?;
    let show = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("livestream"))?;
    require_member(
        db,
        viewer,
        CooperativeId::from(show.cooperative_id),
        MemberRole::Staff,
    )
    .await?;
    Ok(show)
}

/// The show, locked until the caller's transaction ends: a row lock
/// (`FOR UPDATE`) on PostgreSQL, which every change to a show takes first;
/// on SQLite the write gate already keeps other writers out. What the
/// transaction reads after this is current until it commits.
pub(crate) async fn lock_show(
    conn: &impl ConnectionTrait,
    id: LivestreamId,
) -> AppResult<livestream::Model> {
    livestream::Entity::find_by_id(id.uuid())
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("livestream"))
}

/// Checks that every product is the cooperative's own and not archived.
async fn check_products(
    conn: &impl ConnectionTrait,
    coop: CooperativeId,
    ids: &[ProductId],
    field: &str,
) -> AppResult<()> {
    if ids.len() > MAX_LINEUP {
        return Err(AppError::invalid(
            field,
            format!("at most {MAX_LINEUP} products"),
        ));
    }
    let found = product::Entity::find()
        .filter(product::Column::Id.is_in(ids.iter().map(|p| p.uuid())))
        .all(conn)
        .await?;
    // A list names the entry at fault (`input.productIds.2`); a single id
    // names its argument.
    let at = |i: usize| {
        if field.ends_with("Ids") {
            format!("{field}.{i}")
        } else {
            field.to_owned()
        }
    };
    for (i, id) in ids.iter().enumerate() {
        match found.iter().find(|p| p.id == id.uuid()) {
            None => return Err(AppError::invalid(at(i), "no such product")),
            Some(p) if p.cooperative_id != coop.uuid() => {
                return Err(AppError::invalid(at(i), "is another cooperative's product"));
            }
            Some(p) if p.status == ProductStatus::Archived => {
                return Err(AppError::invalid(at(i), "is archived"));
            }
            Some(_) => {}
        }
        if ids[..i].contains(id) {
            return Err(AppError::invalid(at(i), "appears twice"));
        }
    }
    Ok(())
}

/// The lineup of a new show, in order.
async fn insert_lineup(
    conn: &impl ConnectionTrait,
    id: LivestreamId,
    products: &[ProductId],
) -> AppResult<()> {
    for (i, p) in products.iter().enumerate() {
        livestream_product::Entity::insert(livestream_product::ActiveModel {
            livestream_id: Set(id.uuid()),
            product_id: Set(p.uuid()),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// Schedules a show with its lineup; the cooperative's staff only.
pub async fn schedule(
    db: &Db,
    viewer: &Viewer,
    new: NewLivestream,
) -> AppResult<livestream::Model> {
    require_member(db, viewer, new.cooperative, MemberRole::Staff).await?;
    check_products(
        db.conn(),
        new.cooperative,
        &new.products,
        "input.productIds",
    )
    .await?;
    let id = LivestreamId::new();
    let now = Utc::now();
    let show = db
        .write(async |txn| -> AppResult<_> {
            let show = livestream::Entity::insert(livestream::ActiveModel {
                id: Set(id.uuid()),
                cooperative_id: Set(new.cooperative.uuid()),
                title: Set(new.title),
                description: Set(new.description),
                platform: Set(new.platform),
                stream_url: Set(new.stream_url),
                host_name: Set(new.host_name),
                scheduled_start_at: Set(new.scheduled_start_at),
                status: Set(LivestreamStatus::Scheduled),
                started_at: Set(None),
                ended_at: Set(None),
                pinned_product_id: Set(None),
                replay_asset_id: Set(None),
                replay_url: Set(None),
                peak_viewers: Set(0),
                reminder_sent_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(&**txn)
            .await?;
            insert_lineup(&**txn, id, &new.products).await?;
            Ok(show)
        })
        .await?;
    tracing::info!(livestream.id = %id, cooperative.id = %new.cooperative, "livestream scheduled");
    Ok(show)
}

/// Changes a show that has not ended; `CONFLICT` once it has. The show is
/// locked and its state read in the transaction, and the update itself is
/// conditional on that state, so an `endLivestream` at the same moment
/// either comes after (and ends the changed show) or refuses this change.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: LivestreamId,
    changes: LivestreamChanges,
) -> AppResult<livestream::Model> {
    for_write(db, viewer, id).await?;
    db.write(async |txn| -> AppResult<_> {
        let show = lock_show(&**txn, id).await?;
        if matches!(
            status_of(&show),
            LivestreamStatus::Ended | LivestreamStatus::Cancelled
        ) {
            return Err(AppError::Conflict(format!(
                "a {} livestream cannot be changed",
                show.status.to_string().to_lowercase()
            )));
        }
        let mut update = livestream::Entity::update_many()
            .col_expr(livestream::Column::UpdatedAt, Expr::value(Utc::now()));
        if let Some(v) = changes.title {
            update = update.col_expr(livestream::Column::Title, Expr::value(v));
        }
        if let Some(v) = changes.description {
            update = update.col_expr(livestream::Column::Description, Expr::value(v));
        }
        if let Some(v) = changes.platform {
            update = update.col_expr(livestream::Column::Platform, Expr::value(v));
        }
        if let Some(v) = changes.stream_url {
            update = update.col_expr(livestream::Column::StreamUrl, Expr::value(v));
        }
        if let Some(v) = changes.scheduled_start_at {
            // A new start time deserves its own reminder.
            if v != show.scheduled_start_at {
                update = update.col_expr(
                    livestream::Column::ReminderSentAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                );
            }
            update = update.col_expr(livestream::Column::ScheduledStartAt, Expr::value(v));
        }
        if let Some(v) = changes.host_name {
            update = update.col_expr(livestream::Column::HostName, Expr::value(v));
        }
        update
            .filter(livestream::Column::Id.eq(id.uuid()))
            .filter(
                livestream::Column::Status
                    .is_in([LivestreamStatus::Scheduled, LivestreamStatus::Live]),
            )
            .exec_with_returning(&**txn)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Conflict("the livestream has ended meanwhile".into()))
    })
    .await
}

/// Moves a show to `to`, if its state allows; `CONFLICT` naming the allowed
/// moves otherwise. The move is a conditional update, so two staff pressing
/// the button at once move it once. Ending a show closes its open flash
/// deals in the same transaction. Returns the show and the events of the
/// deals it closed, to publish after commit.
pub async fn transition(
    db: &Db,
    viewer: &Viewer,
    id: LivestreamId,
    to: LivestreamStatus,
) -> AppResult<(livestream::Model, Vec<Event>)> {
    for_write(db, viewer, id).await?;
    let now = Utc::now();
    let actor = viewer.user()?;
    let (from, show, events) = db
        .write(async |txn| -> AppResult<_> {
            let from = status_of(&lock_show(&**txn, id).await?);
            if !from.next().contains(&to) {
                let allowed: Vec<String> = from.next().iter().map(ToString::to_string).collect();
                return Err(AppError::Conflict(format!(
                    "a {} livestream cannot become {}; allowed: {}",
                    from,
                    to,
                    if allowed.is_empty() {
                        "none".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                )));
            }
            let mut update = livestream::Entity::update_many()
                .col_expr(livestream::Column::Status, Expr::value(to))
                .col_expr(livestream::Column::UpdatedAt, Expr::value(now));
            update = match to {
                LivestreamStatus::Live => {
                    update.col_expr(livestream::Column::StartedAt, Expr::value(now))
                }
                LivestreamStatus::Ended => update
                    .col_expr(livestream::Column::EndedAt, Expr::value(now))
                    .col_expr(
                        livestream::Column::PinnedProductId,
                        Expr::value(Option::<uuid::Uuid>::None),
                    ),
                _ => update,
            };
            let show = update
                .filter(livestream::Column::Id.eq(id.uuid()))
                .filter(livestream::Column::Status.eq(from))
                .exec_with_returning(&**txn)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    AppError::Conflict("the livestream changed meanwhile; reload it".into())
                })?;
            // The show's flash deals end with it, their units back in stock.
            let events = if to == LivestreamStatus::Ended {
                crate::livestream::flash_deals::close_for_show(&**txn, id.uuid(), actor, now)
                    .await?
            } else {
                Vec::new()
            };
            Ok((from, show, events))
        })
        .await?;
    tracing::info!(livestream.id = %id, from = %from, to = %to, "livestream moved");
    Ok((show, events))
}

/// The lineup of a show, in order.
pub async fn lineup(conn: &impl ConnectionTrait, id: LivestreamId) -> AppResult<Vec<ProductId>> {
    Ok(livestream_product::Entity::find()
        .filter(livestream_product::Column::LivestreamId.eq(id.uuid()))
        .order_by_asc(livestream_product::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| ProductId::from(r.product_id))
        .collect())
}

fn not_over(show: &livestream::Model) -> AppResult<()> {
    if matches!(
        status_of(show),
        LivestreamStatus::Ended | LivestreamStatus::Cancelled
    ) {
        return Err(AppError::Conflict(format!(
            "the livestream is {}",
            show.status.to_string().to_lowercase()
        )));
    }
    Ok(())
}

/// Adds a product at the end of the lineup: one row inserted at the next
/// position, computed in the statement, under the show's lock.
pub async fn add_to_lineup(
    db: &Db,
    viewer: &Viewer,
    id: LivestreamId,
    product: ProductId,
) -> AppResult<livestream::Model> {
    let show = for_write(db, viewer, id).await?;
    let coop = CooperativeId::from(show.cooperative_id);
    db.write(async |txn| -> AppResult<_> {
        let show = lock_show(&**txn, id).await?;
        not_over(&show)?;
        check_products(&**txn, coop, &[product], "productId").await?;
        let held = livestream_product::Entity::find()
            .filter(livestream_product::Column::LivestreamId.eq(id.uuid()))
            .count(&**txn)
            .await?;
        if held >= MAX_LINEUP as u64 {
            return Err(AppError::invalid(
                "productId",
                format!("the lineup already holds {MAX_LINEUP} products, the most it may"),
            ));
        }
        let added = txn
            .execute_raw(crate::db::statement(
                txn.get_database_backend(),
                "INSERT INTO livestream_products (livestream_id, product_id, position) \
                 SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM livestream_products \
                 WHERE livestream_id = ? \
                 ON CONFLICT (livestream_id, product_id) DO NOTHING",
                vec![id.uuid().into(), product.uuid().into(), id.uuid().into()],
            ))
            .await?
            .rows_affected();
        if added == 0 {
            return Err(AppError::Conflict(
                "the product is already in the lineup".into(),
            ));
        }
        Ok(show)
    })
    .await
}

/// What taking a product out of a lineup did.
pub struct Removed {
    /// The show after the change.
    pub show: livestream::Model,
    /// Whether the product was pinned (and is no longer).
    pub unpinned: bool,
    /// The events of the product's flash deals it closed, to publish.
    pub events: Vec<Event>,
}

/// Takes a product out of the lineup: unpins it if pinned and closes its
/// open flash deals (their units back in stock, once), all in the
/// transaction that deletes its row, under the show's lock; an
/// `openFlashDeal` or `pinProduct` at the same moment comes wholly before
/// (and is undone here) or after (and finds the product gone).
pub async fn remove_from_lineup(
    db: &Db,
    viewer: &Viewer,
    id: LivestreamId,
    product: ProductId,
) -> AppResult<Removed> {
    let actor = viewer.require_user()?;
    for_write(db, viewer, id).await?;
    let now = Utc::now();
    db.write(async |txn| -> AppResult<_> {
        let show = lock_show(&**txn, id).await?;
        not_over(&show)?;
        let removed = livestream_product::Entity::delete_many()
            .filter(livestream_product::Column::LivestreamId.eq(id.uuid()))
            .filter(livestream_product::Column::ProductId.eq(product.uuid()))
            .exec(&**txn)
            .await?
            .rows_affected;
        if removed == 0 {
            return Err(AppError::invalid("productId", "is not in the lineup"));
        }
        let unpinned = livestream::Entity::update_many()
            .col_expr(
                livestream::Column::PinnedProductId,
                Expr::value(Option::<uuid::Uuid>::None),
            )
            .col_expr(livestream::Column::UpdatedAt, Expr::value(now))
            .filter(livestream::Column::Id.eq(id.uuid()))
            .filter(livestream::Column::PinnedProductId.eq(product.uuid()))
            .exec(&**txn)
            .await?
            .rows_affected
            > 0;
        let open: Vec<(uuid::Uuid, DateTime<Utc>)> = flash_deal::Entity::find()
            .filter(flash_deal::Column::LivestreamId.eq(id.uuid()))
            .filter(flash_deal::Column::ProductId.eq(product.uuid()))
            .filter(flash_deal::Column::ClosedAt.is_null())
            .select_only()
            .column(flash_deal::Column::Id)
            .column(flash_deal::Column::EndsAt)
            .into_tuple()
            .all(&**txn)
            .await?;
        let (expired, running): (Vec<_>, Vec<_>) =
            open.into_iter().partition(|(_, end)| *end <= now);
        let mut events = Vec::new();
        for (deals, reason) in [
            (expired, FlashDealCloseReason::Expired),
            (running, FlashDealCloseReason::ClosedByStaff),
        ] {
            let ids: Vec<uuid::Uuid> = deals.into_iter().map(|(d, _)| d).collect();
            if ids.is_empty() {
                continue;
            }
            let closed =
                crate::orders::deals::close(&**txn, &ids, reason, Some(actor), now).await?;
            events.extend(closed.iter().map(crate::orders::deals::closed_event));
        }
        let show = find(&**txn, id)
            .await?
            .ok_or_else(|| AppError::not_found("livestream"))?;
        Ok(Removed {
            show,
            unpinned,
            events,
        })
    })
    .await
}

/// Puts the lineup in a new order; the same products, each once. Only the
/// positions change, under the show's lock.
pub async fn reorder_lineup(
    db: &Db,
    viewer: &Viewer,
    id: LivestreamId,
    order: Vec<ProductId>,
) -> AppResult<livestream::Model> {
    for_write(db, viewer, id).await?;
    db.write(async |txn| -> AppResult<_> {
        let show = lock_show(&**txn, id).await?;
        not_over(&show)?;
        let mut current = lineup(&**txn, id).await?;
        let mut wanted = order.clone();
        current.sort();
        wanted.sort();
        if current != wanted {
            return Err(AppError::invalid(
                "productIds",
                "must list every product of the lineup exactly once",
            ));
        }
        for (i, p) in order.iter().enumerate() {
            livestream_product::Entity::update_many()
                .col_expr(
                    livestream_product::Column::Position,
                    Expr::value(i32::try_from(i).unwrap_or(i32::MAX)),
                )
                .filter(livestream_product::Column::LivestreamId.eq(id.uuid()))
                .filter(livestream_product::Column::ProductId.eq(p.uuid()))
                .exec(&**txn)
                .await?;
        }
        Ok(show)
    })
    .await
}

/// Pins a product of the lineup while the show is live; one at a time.
/// The show is locked before its state and lineup are read, and the pin is
/// written only where both still hold (`UPDATE … WHERE status = 'LIVE' AND
/// EXISTS (lineup row) RETURNING`).
pub async fn pin(
    db: &Db,
    viewer: &Viewer,
    id: LivestreamId,
    product: ProductId,
) -> AppResult<livestream::Model> {
    for_write(db, viewer, id).await?;
    db.write(async |txn| -> AppResult<_> {
        let show = lock_show(&**txn, id).await?;
        if status_of(&show) != LivestreamStatus::Live {
            return Err(AppError::Conflict(format!(
                "products can be pinned only while the livestream is live; this one is {}",
                show.status.to_string().to_lowercase()
            )));
        }
        let in_lineup = livestream_product::Entity::find_by_id((id.uuid(), product.uuid()))
            .one(&**txn)
            .await?
            .is_some();
        if !in_lineup {
            return Err(AppError::invalid(
                "productId",
                "is not in the lineup: add it first",
            ));
        }
        let active = product::Entity::find_by_id(product.uuid())
            .one(&**txn)
            .await?
            .is_some_and(|p| p.status == ProductStatus::Active);
        if !active {
            return Err(AppError::invalid(
                "productId",
                "is not active: shoppers could not buy it",
            ));
        }
        let row = txn
            .query_one_raw(crate::db::statement(
                txn.get_database_backend(),
                "UPDATE livestreams SET pinned_product_id = ?, updated_at = ? \
                 WHERE id = ? AND status = ? AND EXISTS (SELECT 1 FROM livestream_products \
                 WHERE livestream_id = livestreams.id AND product_id = ?) RETURNING *",
                vec![
                    product.uuid().into(),
                    Utc::now().into(),
                    id.uuid().into(),
                    LivestreamStatus::Live.into(),
                    product.uuid().into(),
                ],
            ))
            .await?
            .ok_or_else(|| {
                AppError::Conflict("the livestream changed meanwhile; reload it".into())
            })?;
        Ok(livestream::Model::from_query_result(&row, "")?)
    })
    .await
}

/// Unpins whatever is pinned.
pub async fn unpin(db: &Db, viewer: &Viewer, id: LivestreamId) -> AppResult<livestream::Model> {
    for_write(db, viewer, id).await?;
    db.write(async |txn| -> AppResult<_> {
        lock_show(&**txn, id).await?;
        livestream::Entity::update_many()
            .col_expr(
                livestream::Column::PinnedProductId,
                Expr::value(Option::<uuid::Uuid>::None),
            )
            .col_expr(livestream::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(livestream::Column::Id.eq(id.uuid()))
            .exec_with_returning(&**txn)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("livestream"))
    })
    .await
}

/// Sets the recording of an ended show: a LIVESTREAM_REPLAY asset of the
/// cooperative and/or a URL where the platform keeps it.
pub async fn set_replay(
    db: &Db,
    viewer: &Viewer,
    id: LivestreamId,
    asset: Option<crate::ids::MediaAssetId>,
    url: Option<String>,
) -> AppResult<livestream::Model> {
    let show = for_write(db, viewer, id).await?;
    if status_of(&show) != LivestreamStatus::Ended {
        return Err(AppError::Conflict(
            "a replay can be set once the livestream has ended".into(),
        ));
    }
    let coop = CooperativeId::from(show.cooperative_id);
    db.write(async |txn| -> AppResult<_> {
        // The asset is locked while checked, so a deletion cannot slip in.
        let asset = match asset {
            Some(a) => Some(
                crate::media::service::check_attachable(
                    &**txn,
                    a,
                    coop,
                    &[crate::media::MediaPurpose::LivestreamReplay],
                )
                .await?
                .id,
            ),
            None => None,
        };
        let mut model: livestream::ActiveModel = show.into();
        model.replay_asset_id = Set(asset);
        model.replay_url = Set(url);
        model.updated_at = Set(Utc::now());
        Ok(model.update(&**txn).await?)
    })
    .await
}

/// Filters of the livestream list.
#[derive(Default)]
pub struct LivestreamFilter {
    pub status: Option<LivestreamStatus>,
    pub cooperative: Option<CooperativeId>,
    pub platform: Option<Platform>,
    pub product: Option<ProductId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A position in the livestream list: scheduled start, then id.
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
pub struct LivestreamCursor {
    pub at: DateTime<Utc>,
    pub id: uuid::Uuid,
}

/// One page of shows by scheduled start, soonest first, and the total.
pub async fn list(
    db: &Db,
    filter: &LivestreamFilter,
    page: &Page<LivestreamCursor>,
) -> AppResult<(Vec<livestream::Model>, bool, u64)> {
    let mut query = livestream::Entity::find();
    if let Some(s) = filter.status {
        query = query.filter(livestream::Column::Status.eq(s));
    }
    if let Some(c) = filter.cooperative {
        query = query.filter(livestream::Column::CooperativeId.eq(c.uuid()));
    }
    if let Some(p) = filter.platform {
        query = query.filter(livestream::Column::Platform.eq(p));
    }
    if let Some(p) = filter.product {
        query = query.filter(db.expr(
            "id IN (SELECT livestream_id FROM livestream_products WHERE product_id = ?)",
            vec![p.uuid().into()],
        ));
    }
    if let Some(from) = filter.from {
        query = query.filter(livestream::Column::ScheduledStartAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(livestream::Column::ScheduledStartAt.lt(to));
    }
    let total = query.clone().count(db.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(
            sea_orm::Condition::any()
                .add(livestream::Column::ScheduledStartAt.gt(after.at))
                .add(
                    sea_orm::Condition::all()
                        .add(livestream::Column::ScheduledStartAt.eq(after.at))
                        .add(livestream::Column::Id.gt(after.id)),
                ),
        );
    }
    let mut rows = query
        .order_by_asc(livestream::Column::ScheduledStartAt)
        .order_by_asc(livestream::Column::Id)
        .limit(page.first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok((rows, has_next, total))
}

/// One page of shows: the shows, whether more follow, and the total.
pub type ShowPage = (Vec<livestream::Model>, bool, u64);

/// The first page of each cooperative's shows (with `status`, if given),
/// exactly as [`list`] gives it for one cooperative with no cursor, but for
/// many cooperatives in two queries (a windowed select and a grouped count).
pub async fn first_pages(
    db: &Db,
    coops: &[CooperativeId],
    status: Option<LivestreamStatus>,
    first: u64,
) -> Result<std::collections::HashMap<CooperativeId, ShowPage>, sea_orm::DbErr> {
    let mut pages: std::collections::HashMap<CooperativeId, ShowPage> =
        coops.iter().map(|c| (*c, (Vec::new(), false, 0))).collect();
    if coops.is_empty() {
        return Ok(pages);
    }
    let marks = vec!["?"; coops.len()].join(", ");
    let mut values: Vec<sea_orm::Value> = coops.iter().map(|c| c.uuid().into()).collect();
    let status_sql = match status {
        Some(status) => {
            values.push(status.into());
            " AND status = ?"
        }
        None => "",
    };
    let condition = format!("cooperative_id IN ({marks}){status_sql}");
    let counts = db
        .count_per_group("livestreams", "cooperative_id", &condition, values.clone())
        .await?;
    for (coop, page) in &mut pages {
        page.2 = counts.get(&coop.uuid()).copied().unwrap_or(0);
    }
    let ranked = crate::db::first_per_group(
        "livestreams",
        "cooperative_id",
        "scheduled_start_at ASC, id ASC",
        &condition,
    );
    values.push(i64::try_from(first + 1).unwrap_or(i64::MAX).into());
    for row in db
        .conn()
        .query_all_raw(db.statement(&ranked, values))
        .await?
    {
        let show = livestream::Model::from_query_result(&row, "")?;
        let Some(page) = pages.get_mut(&CooperativeId::from(show.cooperative_id)) else {
            continue;
        };
        if page.0.len() as u64 == first {
            page.1 = true;
        } else {
            page.0.push(show);
        }
    }
    Ok(pages)
}

/// The line a show's viewers see when someone buys from it, anonymised:
/// "Khách H. ở Sơn La vừa mua 2 sản phẩm" (no name, phone or address
/// beyond an initial and a province).
pub async fn order_placed_line(db: &Db, order_id: uuid::Uuid) -> AppResult<String> {
    let order = crate::orders::service::find(db.conn(), crate::ids::OrderId::from(order_id))
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    let items = entity::order_item::Entity::find()
        .filter(entity::order_item::Column::OrderId.eq(order_id))
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
