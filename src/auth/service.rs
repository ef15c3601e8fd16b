//! Account rules: registration, login with throttling, token rotation, roles.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use entity::{refresh_token, user, user_role};

use crate::auth::inputs::{DisplayName, Password};
use crate::auth::password::PasswordHashing;
use crate::auth::tokens::{self, AccessToken, TokenKeys};
use crate::auth::{PlatformRole, Viewer, throttle};
use crate::db::Db;
use crate::error::{AppError, AppResult, constraint_violation};
use crate::ids::UserId;
use crate::values::{Email, PhoneNumber};

const WRONG_CREDENTIALS: &str = "wrong email or password";

/// A new account, parsed.
pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
    pub phone: Option<PhoneNumber>,
}

/// A signed-in session: the user and a fresh pair of tokens.
pub struct Session {
    pub user: user::Model,
    pub access: AccessToken,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

/// Creates an account and signs it in; its password is hashed within
/// `hashing`'s bound like a login's.
pub async fn register(
    db: &Db,
    keys: &TokenKeys,
    hashing: &PasswordHashing,
    account: NewAccount,
) -> AppResult<Session> {
    let user = create_user(db, hashing, account).await?;
    tracing::info!(user.id = %user.id, "account registered");
    start_session(db, keys, user).await
}

async fn create_user(
    db: &Db,
    hashing: &PasswordHashing,
    account: NewAccount,
) -> AppResult<user::Model> {
    let password_hash = hashing.hash(account.password).await?;
    let now = Utc::now();
    let model = user::ActiveModel {
        id: Set(UserId::new().uuid()),
        email: Set(account.email.as_str().to_owned()),
        display_name: Set(account.display_name.as_str().to_owned()),
        phone: Set(account.phone.map(|p| p.as_str().to_owned())),
        password_hash: Set(password_hash),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let user = db
        .write(async |txn| -> AppResult<_> {
            let user = match user::Entity::insert(model)
                .exec_with_returning(&**txn)
                .await
            {
                Ok(user) => user,
                Err(err) => {
                    return Err(match constraint_violation(&err) {
                        Some(clash) if clash.is_on("email") => {
                            clash.to_error("input.", "an account with this email already exists")
                        }
                        _ => err.into(),
                    });
                }
            };
            Ok(user)
        })
        .await?;
    Ok(user)
}

/// Checks an e-mail and password and signs the account in. Failures say the
/// same thing whether or not the address has an account and take as long.
/// The attempt is counted under [`throttle::LOGIN`] before the password is
/// checked, so that concurrent guesses cannot outrun the lock: past the
/// limit the answer is `RATE_LIMITED`, even for the right password.
pub async fn login(
    db: &Db,
    keys: &TokenKeys,
    hashing: &PasswordHashing,
    email: Email,
    given: Password,
) -> AppResult<Session> {
    throttle::claim(db, &throttle::LOGIN, email.as_str()).await?;
    let found = find_by_email(db, &email).await?;
    let ok = match hashing
        .verify(given, found.as_ref().map(|u| u.password_hash.clone()))
        .await
    {
        Ok(ok) => ok,
        Err(err) => {
            // Not checked (the server was busy): it was no guess.
            throttle::refund(db, &throttle::LOGIN, email.as_str()).await?;
            return Err(err);
        }
    };
    match found {
        Some(user) if ok => {
            throttle::forgive(db, &throttle::LOGIN, email.as_str()).await?;
            start_session(db, keys, user).await
        }
        _ => {
            tracing::info!("failed login counted");
            Err(AppError::Unauthenticated(WRONG_CREDENTIALS.into()))
        }
    }
}

/// Starts a new token family for `user`.
async fn start_session(db: &Db, keys: &TokenKeys, user: user::Model) -> AppResult<Session> {
    let (refresh_token, refresh_expires_at) = db
        .write(async |txn| -> AppResult<_> {
            let (refresh_token, refresh_expires_at) =
                insert_refresh_token(&**txn, keys, user.id, uuid::Uuid::now_v7()).await?;
            Ok((refresh_token, refresh_expires_at))
        })
        .await?;
    let access = keys
        .issue_access(UserId::from(user.id))
        .map_err(AppError::internal)?;
    Ok(Session {
        user,
        access,
        refresh_token,
        refresh_expires_at,
    })
}

async fn insert_refresh_token(
    conn: &impl ConnectionTrait,
    keys: &TokenKeys,
    user_id: uuid::Uuid,
    family_id: uuid::Uuid,
) -> AppResult<(String, DateTime<Utc>)> {
    let token = tokens::new_refresh_token();
    let now = Utc::now();
    let expires_at = now + keys.refresh_ttl();
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(tokens::hash_refresh_token(&token)),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok((token, expires_at))
}

async fn revoke_family(conn: &impl ConnectionTrait, family_id: uuid::Uuid) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Exchanges a refresh token for a new pair. A token can be used once:
/// presenting it again revokes every token of its family, since one of the
/// two holders is not the user.
pub async fn refresh(db: &Db, keys: &TokenKeys, presented: &str) -> AppResult<Session> {
    let invalid = || AppError::Unauthenticated("refresh token is invalid".into());
    if presented.is_empty() || presented.len() > 200 {
        return Err(invalid());
    }
    let now = Utc::now();
    let refreshed = db
        .write(async |txn| -> AppResult<_> {
            let row = refresh_token::Entity::find()
                .filter(refresh_token::Column::TokenHash.eq(tokens::hash_refresh_token(presented)))
                .one(&**txn)
                .await?
                .ok_or_else(invalid)?;
            if row.revoked_at.is_some() {
                return Err(AppError::Unauthenticated(
                    "refresh token has been revoked; log in again".into(),
                ));
            }
            if row.expires_at <= now {
                return Err(AppError::Unauthenticated(
                    "refresh token has expired; log in again".into(),
                ));
            }
            // Mark it used only if nobody else did first: a conditional update is
            // the arbiter when two requests present the same token at once.
            let claimed = refresh_token::Entity::update_many()
                .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
                .filter(refresh_token::Column::Id.eq(row.id))
                .filter(refresh_token::Column::UsedAt.is_null())
                .exec(&**txn)
                .await?
                .rows_affected
                == 1;
            if !claimed {
                // The revocation commits; the answer is still a refusal.
                revoke_family(&**txn, row.family_id).await?;
                return Ok(Err(row.user_id));
            }
            let user = user::Entity::find_by_id(row.user_id)
                .one(&**txn)
                .await?
                .ok_or_else(invalid)?;
            let (refresh_token, refresh_expires_at) =
                insert_refresh_token(&**txn, keys, row.user_id, row.family_id).await?;
            Ok(Ok((user, refresh_token, refresh_expires_at)))
        })
        .await?;
    let (user, refresh_token, refresh_expires_at) = match refreshed {
        Ok(fresh) => fresh,
        Err(reused_by) => {
            tracing::warn!(user.id = %reused_by, "refresh token reused; its family is revoked");
            return Err(AppError::Unauthenticated(
                "refresh token was already used; for safety this session has been revoked, log in again".into(),
            ));
        }
    };
    let access = keys
        .issue_access(UserId::from(user.id))
        .map_err(AppError::internal)?;
    Ok(Session {
        user,
        access,
        refresh_token,
        refresh_expires_at,
    })
}

/// Ends the session a refresh token belongs to. Unknown tokens are ignored,
/// so that logging out twice is harmless.
pub async fn logout(db: &Db, presented: &str) -> AppResult<()> {
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(tokens::hash_refresh_token(presented)))
        .one(db.conn())
        .await?
    else {
        return Ok(());
    };
    db.write(async |txn| -> AppResult<_> {
        revoke_family(&**txn, row.family_id).await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// The user with this id.
pub async fn find_user(db: &Db, id: UserId) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id.uuid()).one(db.conn()).await?)
}

/// The signed-in user, or `None` for an anonymous viewer.
pub async fn me(db: &Db, viewer: &Viewer) -> AppResult<Option<user::Model>> {
    let Some(id) = viewer.user()? else {
        return Ok(None);
    };
    match find_user(db, id).await? {
        Some(user) => Ok(Some(user)),
        None => Err(AppError::Unauthenticated(
            "this account no longer exists".into(),
        )),
    }
}

/// The user signing in with `email`.
pub async fn find_by_email(db: &Db, email: &Email) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db.conn())
        .await?)
}

/// Gives `user` the role without an admin's say-so: for start-up tools
/// (`create-admin`, `seed`), never for the API.
pub async fn ensure_role(db: &Db, user: UserId, role: PlatformRole) -> AppResult<()> {
    insert_role(db, user, role, None).await
}

/// True when `user` holds `role`.
pub async fn has_role(db: &Db, user: UserId, role: PlatformRole) -> AppResult<bool> {
    Ok(user_role::Entity::find_by_id((user.uuid(), role))
        .one(db.conn())
        .await?
        .is_some())
}

/// The signed-in user if they hold `role`; `UNAUTHENTICATED` or `FORBIDDEN`
/// otherwise.
pub async fn require_role(db: &Db, viewer: &Viewer, role: PlatformRole) -> AppResult<UserId> {
    let user = viewer.require_user()?;
    if has_role(db, user, role).await? {
        Ok(user)
    } else {
        Err(AppError::Forbidden(format!(
            "this needs the platform role {}",
            role
        )))
    }
}

/// Grants `role` to `target`; only an admin may. Granting twice is harmless.
pub async fn grant_role(
    db: &Db,
    viewer: &Viewer,
    target: UserId,
    role: PlatformRole,
) -> AppResult<user::Model> {
    let admin = require_role(db, viewer, PlatformRole::Admin).await?;
    let user = find_user(db, target)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    insert_role(db, target, role, Some(admin)).await?;
    tracing::info!(user.id = %target, role = role.to_string(), admin.id = %admin, "role granted");
    Ok(user)
}

async fn insert_role(
    db: &Db,
    target: UserId,
    role: PlatformRole,
    by: Option<UserId>,
) -> AppResult<()> {
    db.write(async |txn| -> AppResult<_> {
        user_role::Entity::insert(user_role::ActiveModel {
            user_id: Set(target.uuid()),
            role: Set(role),
            granted_by: Set(by.map(|b| b.uuid())),
            granted_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing_on([user_role::Column::UserId, user_role::Column::Role])
        .exec(&**txn)
        .await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Takes `role` from `target`; only an admin may, and the last admin cannot
/// be removed.
pub async fn revoke_role(
    db: &Db,
    viewer: &Viewer,
    target: UserId,
    role: PlatformRole,
) -> AppResult<user::Model> {
    let admin = require_role(db, viewer, PlatformRole::Admin).await?;
    let user = find_user(db, target)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    db.write(async |txn| -> AppResult<_> {
        user_role::Entity::delete_many()
            .filter(user_role::Column::UserId.eq(target.uuid()))
            .filter(user_role::Column::Role.eq(role))
            .exec(&**txn)
            .await?;
        if role == PlatformRole::Admin {
            let admins_left = user_role::Entity::find()
                .filter(user_role::Column::Role.eq(PlatformRole::Admin))
                .one(&**txn)
                .await?;
            if admins_left.is_none() {
                return Err(AppError::Conflict(
                    "the platform must keep at least one admin".into(),
                ));
            }
        }
        Ok(())
    })
    .await?;
    tracing::info!(user.id = %target, role = role.to_string(), admin.id = %admin, "role revoked");
    Ok(user)
}

/// What `create-admin` did.
#[derive(Debug, PartialEq, Eq)]
pub enum AdminCreated {
    /// A new account was made and given the role.
    NewAccount,
    /// The account existed (its password untouched) and now has the role.
    ExistingAccount,
}

/// Makes `email` a platform admin, creating the account if needed.
pub async fn create_admin(
    db: &Db,
    email: Email,
    password: Password,
) -> AppResult<(UserId, AdminCreated)> {
    let (id, outcome) = match find_by_email(db, &email).await? {
        Some(user) => (UserId::from(user.id), AdminCreated::ExistingAccount),
        None => {
            let display_name =
                DisplayName::parse(email.as_str().split('@').next().unwrap_or("admin"), "email")?;
            let user = create_user(
                db,
                &PasswordHashing::for_tools(),
                NewAccount {
                    email,
                    password,
                    display_name,
                    phone: None,
                },
            )
            .await?;
            (UserId::from(user.id), AdminCreated::NewAccount)
        }
    };
    ensure_role(db, id, PlatformRole::Admin).await?;
    Ok((id, outcome))
}
