//! Batched reads of livestream relations (lineups, current shows, flash
//! deals, sales), for the graph layer's DataLoaders.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{flash_deal, livestream, livestream_product};

use crate::db::Db;
use crate::ids::{CooperativeId, FlashDealId, LivestreamId, ProductId};
use crate::livestream::LivestreamStatus;

/// The lineups of shows, in order.
pub async fn lineups(
    db: &Db,
    keys: &[LivestreamId],
) -> Result<HashMap<LivestreamId, Vec<ProductId>>, sea_orm::DbErr> {
    let rows = livestream_product::Entity::find()
        .filter(livestream_product::Column::LivestreamId.is_in(keys.iter().map(|k| k.uuid())))
        .order_by_asc(livestream_product::Column::Position)
        .all(db.conn())
        .await?;
    let mut out: HashMap<LivestreamId, Vec<ProductId>> = HashMap::new();
    for r in rows {
        out.entry(LivestreamId::from(r.livestream_id))
            .or_default()
            .push(ProductId::from(r.product_id));
    }
    Ok(out)
}

/// Live first, then soonest: how shows that are on or coming are listed.
fn live_then_soonest(shows: &mut [livestream::Model]) {
    shows.sort_by_key(|s| {
        (
            s.status != LivestreamStatus::Live,
            s.scheduled_start_at,
            s.id,
        )
    });
}

fn current(query: sea_orm::Select<livestream::Entity>) -> sea_orm::Select<livestream::Entity> {
    query.filter(
        livestream::Column::Status.is_in([LivestreamStatus::Live, LivestreamStatus::Scheduled]),
    )
}

/// The shows each product is in that are live now or scheduled.
pub async fn current_shows_by_product(
    db: &Db,
    keys: &[ProductId],
) -> Result<HashMap<ProductId, Vec<livestream::Model>>, sea_orm::DbErr> {
    let links = livestream_product::Entity::find()
        .filter(livestream_product::Column::ProductId.is_in(keys.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    if links.is_empty() {
        return Ok(HashMap::new());
    }
    let mut shows = current(livestream::Entity::find())
        .filter(livestream::Column::Id.is_in(links.iter().map(|l| l.livestream_id)))
        .all(db.conn())
        .await?;
    live_then_soonest(&mut shows);
    let mut out: HashMap<ProductId, Vec<livestream::Model>> = HashMap::new();
    for show in shows {
        for link in links.iter().filter(|l| l.livestream_id == show.id) {
            out.entry(ProductId::from(link.product_id))
                .or_default()
                .push(show.clone());
        }
    }
    Ok(out)
}

/// Each cooperative's shows that are live now or scheduled.
pub async fn current_shows_by_cooperative(
    db: &Db,
    keys: &[CooperativeId],
) -> Result<HashMap<CooperativeId, Vec<livestream::Model>>, sea_orm::DbErr> {
    let mut shows = current(livestream::Entity::find())
        .filter(livestream::Column::CooperativeId.is_in(keys.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    live_then_soonest(&mut shows);
    let mut out: HashMap<CooperativeId, Vec<livestream::Model>> = HashMap::new();
    for show in shows {
        out.entry(CooperativeId::from(show.cooperative_id))
            .or_default()
            .push(show);
    }
    Ok(out)
}

/// The flash deals of shows, newest first.
pub async fn flash_deals_by_show(
    db: &Db,
    keys: &[LivestreamId],
) -> Result<HashMap<LivestreamId, Vec<flash_deal::Model>>, sea_orm::DbErr> {
    let rows = flash_deal::Entity::find()
        .filter(flash_deal::Column::LivestreamId.is_in(keys.iter().map(|k| k.uuid())))
        .order_by_desc(flash_deal::Column::OpenedAt)
        .order_by_desc(flash_deal::Column::Id)
        .all(db.conn())
        .await?;
    let mut out: HashMap<LivestreamId, Vec<flash_deal::Model>> = HashMap::new();
    for deal in rows {
        out.entry(LivestreamId::from(deal.livestream_id))
            .or_default()
            .push(deal);
    }
    Ok(out)
}

/// Flash deals by id.
pub async fn flash_deals_by_id(
    db: &Db,
    keys: &[FlashDealId],
) -> Result<HashMap<FlashDealId, flash_deal::Model>, sea_orm::DbErr> {
    let rows = flash_deal::Entity::find()
        .filter(flash_deal::Column::Id.is_in(keys.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|d| (FlashDealId::from(d.id), d))
        .collect())
}

/// What shows sold (cancelled and refunded orders excluded), without their
/// viewers; shows without sales get empty figures.
pub async fn sales_by_show(
    db: &Db,
    keys: &[LivestreamId],
) -> Result<HashMap<LivestreamId, crate::livestream::stats::Sales>, sea_orm::DbErr> {
    let ids: Vec<uuid::Uuid> = keys.iter().map(|k| k.uuid()).collect();
    let mut found = crate::livestream::stats::sales_by_show(db, &ids).await?;
    Ok(keys
        .iter()
        .map(|k| (*k, found.remove(&k.uuid()).unwrap_or_default()))
        .collect())
}

/// The first page of cooperatives' shows, keyed by (cooperative, status,
/// page size): one windowed query per status and size.
pub async fn first_show_pages(
    db: &Db,
    keys: &[(CooperativeId, Option<LivestreamStatus>, u64)],
) -> Result<
    HashMap<(CooperativeId, Option<LivestreamStatus>, u64), crate::livestream::service::ShowPage>,
    sea_orm::DbErr,
> {
    let mut asked: HashMap<(Option<LivestreamStatus>, u64), Vec<CooperativeId>> = HashMap::new();
    for (coop, status, first) in keys {
        asked.entry((*status, *first)).or_default().push(*coop);
    }
    let mut out = HashMap::new();
    for ((status, first), coops) in asked {
        let pages = crate::livestream::service::first_pages(db, &coops, status, first).await?;
        for (coop, page) in pages {
            out.insert((coop, status, first), page);
        }
    }
    Ok(out)
}

/// Shows by id.
pub async fn livestreams_by_id(
    db: &Db,
    keys: &[LivestreamId],
) -> Result<HashMap<LivestreamId, livestream::Model>, sea_orm::DbErr> {
    let rows = livestream::Entity::find()
        .filter(livestream::Column::Id.is_in(keys.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|s| (LivestreamId::from(s.id), s))
        .collect())
}
