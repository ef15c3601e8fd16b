//! Batched loads of cooperatives and memberships.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use entity::{cooperative, cooperative_member};

use crate::auth::UserId;
use crate::auth::loaders::is_admin;
use crate::cooperatives::{CooperativeId, MemberRole};
use crate::db::Db;
use crate::error::AppResult;
use crate::graph::load_one;
use crate::graph::viewer;

/// Cooperatives by id.
pub struct CooperativeLoader(pub Db);

impl Loader<CooperativeId> for CooperativeLoader {
    type Value = cooperative::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[CooperativeId],
    ) -> Result<HashMap<CooperativeId, Self::Value>, Self::Error> {
        let rows = cooperative::Entity::find()
            .filter(cooperative::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.0.conn())
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|c| (CooperativeId(c.id), c)).collect())
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
        let users: Vec<uuid::Uuid> = keys.iter().map(|(_, u)| u.0).collect();
        let rows = cooperative_member::Entity::find()
            .filter(cooperative_member::Column::UserId.is_in(users))
            .all(self.0.conn())
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .filter_map(|m| {
                let key = (CooperativeId(m.cooperative_id), UserId(m.user_id));
                let role = MemberRole::from_db(&m.role)?;
                keys.contains(&key).then_some((key, role))
            })
            .collect())
    }
}

/// `service::require_member` for a field of an existing cooperative's
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
