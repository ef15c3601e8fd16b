//! Batched loads of account relations.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use crate::auth::{PlatformRole, queries};
use crate::db::Db;
use crate::ids::UserId;

/// The platform roles of users, one query per batch.
pub struct RolesByUser(pub Db);

impl Loader<UserId> for RolesByUser {
    type Value = Vec<PlatformRole>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, Self::Value>, Self::Error> {
        queries::roles_by_user(&self.0, keys)
            .await
            .map_err(Arc::new)
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
