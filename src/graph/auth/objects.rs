//! Accounts and sessions as the API shows them.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use crate::auth::service::Session;
use crate::error::AppError;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::auth::{PlatformRole, RolesByUser};
use crate::ids::UserId;

/// An account, as its owner (or a platform admin) sees it.
pub struct User(pub entity::user::Model);

#[Object]
impl User {
    /// The user's public id.
    async fn id(&self) -> ID {
        UserId::from(self.0.id).to_gql()
    }

    /// The e-mail address the account signs in with (lower-cased).
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// The name shown to others.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// Phone number in national form, if given.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Platform roles held; empty for a shopper.
    async fn roles(&self, ctx: &Context<'_>) -> ApiResult<Vec<PlatformRole>> {
        let roles = ctx
            .data_unchecked::<DataLoader<RolesByUser>>()
            .load_one(UserId::from(self.0.id))
            .await
            .map_err(AppError::from)?;
        Ok(roles
            .unwrap_or_default()
            .into_iter()
            .map(PlatformRole::from)
            .collect())
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A signed-in session: an access token for requests and a refresh token to
/// get the next one. `register`, `login` and `refreshToken` give one in
/// their payload's `session`.
pub struct AuthSession(pub Session);

#[Object]
impl AuthSession {
    /// Send as `Authorization: Bearer <accessToken>`; valid for 15 minutes.
    async fn access_token(&self) -> &str {
        &self.0.access.token
    }

    /// When the access token stops being accepted.
    async fn access_token_expires_at(&self) -> DateTime<Utc> {
        self.0.access.expires_at
    }

    /// Exchange with `refreshToken` for a new pair; each one works once.
    async fn refresh_token(&self) -> &str {
        &self.0.refresh_token
    }

    /// When the refresh token stops being accepted.
    async fn refresh_token_expires_at(&self) -> DateTime<Utc> {
        self.0.refresh_expires_at
    }

    /// The signed-in user.
    async fn user(&self) -> User {
        User(self.0.user.clone())
    }
}
