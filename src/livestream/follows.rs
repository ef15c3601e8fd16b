//! Following cooperatives, to hear when they go live.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{cooperative, follow};

use crate::auth::Viewer;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CooperativeId, UserId};

/// Follows a cooperative; following twice is harmless.
pub async fn follow(
    db: &Db,
    viewer: &Viewer,
    coop: CooperativeId,
) -> AppResult<cooperative::Model> {
    let user = viewer.require_user()?;
    let found = cooperative::Entity::find_by_id(coop.uuid())
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("cooperative"))?;
    db.write(async |txn| -> AppResult<_> {
        follow::Entity::insert(follow::ActiveModel {
            user_id: Set(user.uuid()),
            cooperative_id: Set(coop.uuid()),
            created_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing_on([follow::Column::UserId, follow::Column::CooperativeId])
        .exec(&**txn)
        .await?;
        Ok(())
    })
    .await?;
    Ok(found)
}

/// Stops following a cooperative; harmless when not following. Gives the
/// cooperative back; `NOT_FOUND` when there is none.
pub async fn unfollow(
    db: &Db,
    viewer: &Viewer,
    coop: CooperativeId,
) -> AppResult<cooperative::Model> {
    let user = viewer.require_user()?;
    let found = cooperative::Entity::find_by_id(coop.uuid())
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("cooperative"))?;
    db.write(async |txn| -> AppResult<_> {
        follow::Entity::delete_by_id((user.uuid(), coop.uuid()))
            .exec(&**txn)
            .await?;
        Ok(())
    })
    .await?;
    Ok(found)
}

/// The cooperatives the viewer follows, newest follow first.
pub async fn mine(db: &Db, viewer: &Viewer) -> AppResult<Vec<cooperative::Model>> {
    let user = viewer.require_user()?;
    let rows = follow::Entity::find()
        .filter(follow::Column::UserId.eq(user.uuid()))
        .order_by_desc(follow::Column::CreatedAt)
        .all(db.conn())
        .await?;
    let coops = cooperative::Entity::find()
        .filter(cooperative::Column::Id.is_in(rows.iter().map(|r| r.cooperative_id)))
        .all(db.conn())
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| coops.iter().find(|c| c.id == r.cooperative_id).cloned())
        .collect())
}

/// True when `user` follows `coop`.
pub async fn follows(db: &Db, user: UserId, coop: uuid::Uuid) -> AppResult<bool> {
    Ok(follow::Entity::find_by_id((user.uuid(), coop))
        .one(db.conn())
        .await?
        .is_some())
}
