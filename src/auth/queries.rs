//! Batched reads of account relations, for the graph layer's loaders.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};

use crate::auth::PlatformRole;
use crate::db::Db;
use crate::ids::UserId;

/// The platform roles of `users` in one query, each list sorted by name;
/// every user asked for has an entry, empty for a shopper.
pub async fn roles_by_user(
    db: &Db,
    users: &[UserId],
) -> Result<HashMap<UserId, Vec<PlatformRole>>, DbErr> {
    let rows = entity::user_role::Entity::find()
        .filter(entity::user_role::Column::UserId.is_in(users.iter().map(|k| k.uuid())))
        .all(db.conn())
        .await?;
    let mut out: HashMap<UserId, Vec<PlatformRole>> =
        users.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        out.entry(UserId::from(row.user_id))
            .or_default()
            .push(row.role);
    }
    for roles in out.values_mut() {
        roles.sort_by_key(|r| r.to_string());
    }
    Ok(out)
}
