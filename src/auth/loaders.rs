//! Batched loads of account relations.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::{PlatformRole, UserId};
use crate::db::Db;

/// The platform roles of users, one query per batch.
pub struct RolesByUser(pub Db);

impl Loader<UserId> for RolesByUser {
    type Value = Vec<PlatformRole>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, Self::Value>, Self::Error> {
        let rows = entity::user_role::Entity::find()
            .filter(entity::user_role::Column::UserId.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<UserId, Vec<PlatformRole>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(role) = PlatformRole::from_db(&row.role) {
                out.entry(UserId(row.user_id)).or_default().push(role);
            }
        }
        for roles in out.values_mut() {
            roles.sort_by_key(|r| r.as_str());
        }
        Ok(out)
    }
}

/// True when `user` is a platform admin, read through the request's
/// [`RolesByUser`] loader (a page of items asks once).
pub async fn is_admin(
    ctx: &async_graphql::Context<'_>,
    user: UserId,
) -> crate::error::AppResult<bool> {
    Ok(crate::graph::load_one::<RolesByUser, _>(ctx, user)
        .await?
        .is_some_and(|roles| roles.contains(&PlatformRole::Admin)))
}
