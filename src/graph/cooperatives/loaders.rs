//! DataLoaders of cooperatives and memberships, over
//! `cooperatives::queries`, and the membership check of an item's field.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;

use entity::cooperative;

use crate::cooperatives::MemberRole;
use crate::cooperatives::queries;
use crate::db::Db;
use crate::error::AppResult;
use crate::graph::auth::is_admin;
use crate::graph::load_one;
use crate::graph::viewer;
use crate::ids::{CooperativeId, UserId};

/// Cooperatives by id.
pub struct CooperativeLoader(pub Db);

impl Loader<CooperativeId> for CooperativeLoader {
    type Value = cooperative::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[CooperativeId],
    ) -> Result<HashMap<CooperativeId, Self::Value>, Self::Error> {
        Ok(queries::cooperatives_by_id(&self.0, keys).await?)
    }
}

/// The role a user holds in a cooperative, keyed by (cooperative, user).
pub struct MembershipLoader(pub Db);

impl Loader<(CooperativeId, UserId)> for MembershipLoader {
    type Value = MemberRole;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[(CooperativeId, UserId)],
    ) -> Result<HashMap<(CooperativeId, UserId), Self::Value>, Self::Error> {
        Ok(queries::roles_of(&self.0, keys).await?)
    }
}

/// Whether a user follows a cooperative, keyed by (cooperative, user); a
/// missing key is a user who does not.
pub struct FollowingLoader(pub Db);

impl Loader<(CooperativeId, UserId)> for FollowingLoader {
    type Value = bool;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[(CooperativeId, UserId)],
    ) -> Result<HashMap<(CooperativeId, UserId), Self::Value>, Self::Error> {
        Ok(queries::follows_of(&self.0, keys).await?)
    }
}

/// The members of cooperatives, oldest first.
pub struct MembersByCooperative(pub Db);

impl Loader<CooperativeId> for MembersByCooperative {
    type Value = Vec<crate::cooperatives::service::Member>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[CooperativeId],
    ) -> Result<HashMap<CooperativeId, Self::Value>, Self::Error> {
        Ok(crate::cooperatives::service::members_of(&self.0, keys).await?)
    }
}

/// `cooperatives::service::require_member` for a field of an existing cooperative's
/// item, read through the request's loaders so that a page of items asks
/// once: the viewer needs `needed`'s rights in `coop`, or to be an admin.
pub async fn require_role(
    ctx: &Context<'_>,
    coop: CooperativeId,
    needed: MemberRole,
) -> AppResult<()> {
    let user = viewer(ctx).require_user()?;
    let role = load_one::<MembershipLoader, _>(ctx, (coop, user)).await?;
    if role.is_some_and(|r| r.covers(needed)) {
        return Ok(());
    }
    if is_admin(ctx, user).await? {
        return Ok(());
    }
    Err(crate::cooperatives::service::refusal(role, needed))
}
