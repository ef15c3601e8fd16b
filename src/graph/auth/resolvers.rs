//! Account queries and mutations: thin, over [`crate::auth::service`].

use crate::graph::respond;
use async_graphql::{Context, ID, Object};

use crate::auth::inputs::{DisplayName, Password};
use crate::auth::password::PasswordHashing;
use crate::auth::service::{self, NewAccount};
use crate::auth::tokens::TokenKeys;
use crate::db::Db;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::auth::{AuthSession, LoginInput, PlatformRole, RegisterInput, User};
use crate::graph::viewer;
use crate::ids::UserId;
use crate::values::{Email, PhoneNumber};

/// Account queries.
#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in user; null without a token, `UNAUTHENTICATED` with a bad one.
    #[graphql(cache_control(private))]
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let user = service::me(ctx.data_unchecked::<Db>(), viewer(ctx)).await?;
        Ok(user.map(User))
    }
}

/// Account mutations.
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Creates an account and signs it in. `SERVICE_UNAVAILABLE` when the
    /// server is too busy hashing passwords (nothing is created; send again).
    async fn register(
        &self,
        ctx: &Context<'_>,
        input: RegisterInput,
    ) -> ApiResult<RegisterPayload> {
        respond(
            async {
                let account = NewAccount {
                    email: Email::parse(&input.email, "input.email")?,
                    password: Password::parse_new(&input.password, "input.password")?,
                    display_name: DisplayName::parse(&input.display_name, "input.displayName")?,
                    phone: input
                        .phone
                        .as_deref()
                        .filter(|p| !p.trim().is_empty())
                        .map(|p| PhoneNumber::parse(p, "input.phone"))
                        .transpose()?,
                };
                let session = service::register(
                    ctx.data_unchecked::<Db>(),
                    ctx.data_unchecked::<TokenKeys>(),
                    ctx.data_unchecked::<PasswordHashing>(),
                    account,
                )
                .await?;
                Ok(AuthSession(session))
            }
            .await,
        )
    }

    /// Signs in with e-mail and password. Five attempts at one address in 15
    /// minutes without a success lock it for 15 minutes after the last:
    /// `RATE_LIMITED` (with `extensions.retryAfter` in seconds), even for the
    /// right password. `SERVICE_UNAVAILABLE` when the server is too busy
    /// hashing passwords (the attempt is not counted; send again).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> ApiResult<LoginPayload> {
        respond(
            async {
                let email = Email::parse(&input.email, "input.email")?;
                let password = Password::parse_given(&input.password, "input.password")?;
                let session = service::login(
                    ctx.data_unchecked::<Db>(),
                    ctx.data_unchecked::<TokenKeys>(),
                    ctx.data_unchecked::<PasswordHashing>(),
                    email,
                    password,
                )
                .await?;
                Ok(AuthSession(session))
            }
            .await,
        )
    }

    /// Exchanges a refresh token for a new access and refresh token. Each
    /// refresh token works once; reusing one ends its session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> ApiResult<RefreshTokenPayload> {
        respond(
            async {
                let session = service::refresh(
                    ctx.data_unchecked::<Db>(),
                    ctx.data_unchecked::<TokenKeys>(),
                    &refresh_token,
                )
                .await?;
                Ok(AuthSession(session))
            }
            .await,
        )
    }

    /// Ends the session of a refresh token: it and every token refreshed
    /// from the same login stop working (access tokens already handed out
    /// run out on their own within 15 minutes). `loggedOut` is true even
    /// for an unknown or already ended token, so that the answer tells
    /// nothing about tokens; a client forgets its tokens either way.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> ApiResult<LogoutPayload> {
        respond(
            async {
                service::logout(ctx.data_unchecked::<Db>(), &refresh_token).await?;
                Ok(true)
            }
            .await,
        )
    }

    /// Grants a platform role (admins only).
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        role: PlatformRole,
    ) -> ApiResult<GrantRolePayload> {
        respond(
            async {
                let target = UserId::parse(&user_id, "userId")?;
                let user = service::grant_role(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    target,
                    role.into(),
                )
                .await?;
                Ok(User(user))
            }
            .await,
        )
    }

    /// Takes a platform role away (admins only; the last admin stays).
    async fn revoke_role(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        role: PlatformRole,
    ) -> ApiResult<RevokeRolePayload> {
        respond(
            async {
                let target = UserId::parse(&user_id, "userId")?;
                let user = service::revoke_role(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    target,
                    role.into(),
                )
                .await?;
                Ok(User(user))
            }
            .await,
        )
    }
}

crate::payload!(
    /// The result of `register`.
    RegisterPayload,
    session: AuthSession
);

crate::payload!(
    /// The result of `login`.
    LoginPayload,
    session: AuthSession
);

crate::payload!(
    /// The result of `refreshToken`.
    RefreshTokenPayload,
    session: AuthSession
);

crate::payload!(
    /// The result of `logout`: `loggedOut` is true once the session is
    /// ended (or was never there).
    LogoutPayload,
    logged_out: bool
);

crate::payload!(
    /// The result of `grantRole`.
    GrantRolePayload,
    user: User
);

crate::payload!(
    /// The result of `revokeRole`.
    RevokeRolePayload,
    user: User
);
