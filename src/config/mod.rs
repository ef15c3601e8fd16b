//! Typed configuration, read once at start-up from the environment (and a
//! `.env` file in development).
//!
//! Every setting has a default that suits the embedded mode (a SQLite file
//! and an in-process S3-compatible store under one data folder). A wrong value
//! stops start-up with a message naming the setting.
//!
//! Each section is declared in a module of its own as a serde struct whose
//! fields are named after their settings ([`source`] reads them); secrets
//! are `secrecy` types, so no `{:?}` shows them.

mod auth;
mod database;
mod events;
mod graphql;
mod media;
mod payments;
mod secrets;
mod server;
mod shop;
mod source;
mod storage;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

pub use auth::{AuthConfig, MIN_JWT_SECRET_BYTES};
pub use events::{EventBusConfig, SubscriptionConfig};
pub use graphql::GraphqlLimits;
pub use media::{
    DEFAULT_MAX_PIXELS, MAX_PIXELS_LIMIT, MAX_PRESIGNED_URL_TTL, MAX_UPLOAD_URL_TTL, MediaConfig,
};
pub use payments::{MIN_WEBHOOK_SECRET_BYTES, PaymentsConfig};
pub use secrets::SecretUrl;
pub use server::LogFormat;
pub use source::{Env, Source};
pub use storage::{S3Config, StorageConfig};

/// A setting that could not be used, named so that the operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("configuration error in {name}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub name: &'static str,
    /// What is wrong with it and what is expected.
    pub message: String,
}

impl ConfigError {
    fn new(name: &'static str, message: impl Into<String>) -> Self {
        Self {
            name,
            message: message.into(),
        }
    }
}

/// An error naming `name` unless `ok`.
fn ensure(ok: bool, name: &'static str, message: impl Into<String>) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(name, message))
    }
}

/// Everything the service needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// May hold a password: read it with `expose_secret()`.
    pub database_url: SecretUrl,
    pub db_max_connections: u32,
    /// True when no `DATABASE_URL` was given: SQLite under the data folder.
    pub embedded: bool,
    pub jwt_secret: SecretString,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub s3: S3Config,
    pub media: MediaConfig,
    pub payments: PaymentsConfig,
    pub public_base_url: String,
    pub cors_origins: Vec<String>,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    pub shutdown_timeout: Duration,
    pub graphql: GraphqlLimits,
    /// Which bus carries live events between processes.
    pub event_bus: EventBusConfig,
    /// Limits on WebSocket subscription connections.
    pub subscriptions: SubscriptionConfig,
    pub log_format: LogFormat,
    /// Minutes after a training session starts during which a check-in is
    /// still on time (and before the start from which check-in opens).
    pub checkin_grace_minutes: u32,
    /// How often the sweeper looks for shows starting within 15 minutes
    /// whose followers have not been reminded yet.
    pub reminder_interval: Duration,
    /// How long an anonymous catalogue answer is served from memory; zero
    /// turns the response cache off.
    pub response_cache_ttl: Duration,
    /// At most this many answers are kept.
    pub response_cache_entries: usize,
    /// A guest's cart untouched this long is deleted (a signed-in
    /// shopper's is kept).
    pub guest_cart_ttl: Duration,
    /// Password hashing bounds and the client address for throttles.
    pub auth: AuthConfig,
}

/// The URL clients reach the API at, without a trailing slash; links and QR
/// codes are built on it.
#[derive(Clone, Debug)]
pub struct PublicBaseUrl(pub String);

impl Config {
    /// Reads `.env` (if present) and the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is worth saying.
        if let Err(err) = dotenvy::dotenv()
            && !err.not_found()
        {
            return Err(ConfigError::new(".env", err.to_string()));
        }
        Self::from_source(&Env)
    }

    /// Builds the configuration from `src`; in embedded mode this creates the
    /// data folder and, on first run, the secrets kept in it.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let database = database::Database::from_source(src)?;
        let kept_in = database.embedded.then_some(database.data_dir.as_path());
        let jwt = auth::Jwt::from_source(src, kept_in)?;
        let s3 = S3Config::from_source(src, &database.data_dir)?;
        let server = server::ServerSettings::from_source(src)?;
        let payments = PaymentsConfig::from_source(src, kept_in)?;
        let event_bus = EventBusConfig::from_source(src, &database.url)?;
        let media = source::read::<MediaConfig>(src)?.checked()?;
        let graphql = GraphqlLimits::from_source(src, database.embedded)?;
        let subscriptions = source::read::<SubscriptionConfig>(src)?.checked()?;
        let shop = shop::ShopSettings::from_source(src)?;
        let auth = source::read::<AuthConfig>(src)?.checked()?;
        Ok(Self {
            listen: server.listen,
            public_base_url: server.public_base_url(),
            data_dir: database.data_dir,
            database_url: database.url,
            db_max_connections: database.max_connections,
            embedded: database.embedded,
            jwt_secret: jwt.secret,
            jwt_issuer: jwt.issuer,
            jwt_audience: jwt.audience,
            access_token_ttl: jwt.access_token_ttl,
            refresh_token_ttl: jwt.refresh_token_ttl,
            s3,
            media,
            payments,
            cors_origins: server.cors_origins,
            body_limit_bytes: server.body_limit_bytes,
            request_timeout: server.request_timeout,
            shutdown_timeout: server.shutdown_timeout,
            graphql,
            event_bus,
            subscriptions,
            log_format: server.log_format,
            guest_cart_ttl: shop.guest_cart_ttl(),
            checkin_grace_minutes: shop.checkin_grace_minutes,
            reminder_interval: shop.reminder_interval,
            response_cache_ttl: server.response_cache_ttl,
            response_cache_entries: server.response_cache_entries,
            auth,
        })
    }

    /// True when the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose_secret().starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests;
