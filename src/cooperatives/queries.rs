//! Batched reads of cooperatives and memberships, for the graph layer's
//! DataLoaders.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use entity::{cooperative, cooperative_member, follow};

use crate::cooperatives::MemberRole;
use crate::db::Db;
use crate::ids::{CooperativeId, UserId};

/// Cooperatives by id.
pub async fn cooperatives_by_id(
    db: &Db,
    keys: &[CooperativeId],
) -> Result<HashMap<CooperativeId, cooperative::Model>, sea_orm::DbErr> {
    let rows = cooperative::Entity::find()
        .filter(cooperative::Column::Id.is_in(keys.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| (CooperativeId::from(c.id), c))
        .collect())
}

/// The role a user holds in a cooperative, keyed by (cooperative, user).
pub async fn roles_of(
    db: &Db,
    keys: &[(CooperativeId, UserId)],
) -> Result<HashMap<(CooperativeId, UserId), MemberRole>, sea_orm::DbErr> {
    let users: Vec<uuid::Uuid> = keys.iter().map(|(_, u)| u.uuid()).collect();
    let rows = cooperative_member::Entity::find()
        .filter(cooperative_member::Column::UserId.is_in(users))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            let key = (
                CooperativeId::from(m.cooperative_id),
                UserId::from(m.user_id),
            );
            let role = m.role;
            keys.contains(&key).then_some((key, role))
        })
        .collect())
}

/// Which of the (cooperative, user) pairs `keys` are a user following a
/// cooperative, in one query.
pub async fn follows_of(
    db: &Db,
    keys: &[(CooperativeId, UserId)],
) -> Result<HashMap<(CooperativeId, UserId), bool>, sea_orm::DbErr> {
    let users: Vec<uuid::Uuid> = keys.iter().map(|(_, u)| u.uuid()).collect();
    let coops: Vec<uuid::Uuid> = keys.iter().map(|(c, _)| c.uuid()).collect();
    let rows = follow::Entity::find()
        .filter(follow::Column::UserId.is_in(users))
        .filter(follow::Column::CooperativeId.is_in(coops))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|f| {
            (
                CooperativeId::from(f.cooperative_id),
                UserId::from(f.user_id),
            )
        })
        .filter(|key| keys.contains(key))
        .map(|key| (key, true))
        .collect())
}
