//! Access tokens, and the bounds on the work an anonymous caller can make
//! the server do.

use std::path::Path;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use super::secrets::secret_or_kept;
use super::source::{Source, cores, millis, read, secs};
use super::{ConfigError, ensure};

/// The shortest JWT secret accepted, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// How access and refresh tokens are signed and how long they live.
pub(super) struct Jwt {
    pub secret: SecretString,
    pub issuer: String,
    pub audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
}

/// The token settings as declared.
#[derive(Deserialize)]
#[serde(default)]
struct JwtSettings {
    #[serde(rename = "FARMSTREAM_JWT_SECRET")]
    secret: Option<SecretString>,
    #[serde(rename = "FARMSTREAM_JWT_ISSUER")]
    issuer: String,
    #[serde(rename = "FARMSTREAM_JWT_AUDIENCE")]
    audience: String,
    #[serde(rename = "FARMSTREAM_ACCESS_TOKEN_TTL_SECS", deserialize_with = "secs")]
    access_token_ttl: Duration,
    #[serde(
        rename = "FARMSTREAM_REFRESH_TOKEN_TTL_SECS",
        deserialize_with = "secs"
    )]
    refresh_token_ttl: Duration,
}

impl Default for JwtSettings {
    fn default() -> Self {
        Self {
            secret: None,
            issuer: "farmstream".into(),
            audience: "farmstream-api".into(),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

impl Jwt {
    /// Reads the token settings; in embedded mode (`data_dir` given) an
    /// unset secret is the one kept in the data folder.
    pub(super) fn from_source(
        src: &dyn Source,
        data_dir: Option<&Path>,
    ) -> Result<Self, ConfigError> {
        let settings: JwtSettings = read(src)?;
        Ok(Self {
            secret: secret_or_kept(
                settings.secret,
                "FARMSTREAM_JWT_SECRET",
                MIN_JWT_SECRET_BYTES,
                data_dir,
                "jwt-secret",
            )?,
            issuer: settings.issuer,
            audience: settings.audience,
            access_token_ttl: settings.access_token_ttl,
            refresh_token_ttl: settings.refresh_token_ttl,
        })
    }
}

/// Bounds on the work an anonymous caller can make the server do: password
/// hashing (19 MiB and tens of milliseconds of a core per Argon2id check)
/// and where a request's client address is read from for throttling.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// Password hashes (login, registration) computed at once; more wait.
    #[serde(rename = "FARMSTREAM_PASSWORD_HASH_CONCURRENCY")]
    pub password_hash_concurrency: usize,
    /// The longest a request waits for a hashing slot before it is refused
    /// with `SERVICE_UNAVAILABLE`.
    #[serde(
        rename = "FARMSTREAM_PASSWORD_HASH_QUEUE_MS",
        deserialize_with = "millis"
    )]
    pub password_hash_queue_timeout: Duration,
    /// Reverse proxies in front of the service that append the address
    /// they saw to `X-Forwarded-For`; 0 (no proxy) uses the peer address.
    #[serde(rename = "FARMSTREAM_TRUSTED_PROXY_HOPS")]
    pub trusted_proxy_hops: usize,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            password_hash_concurrency: cores(1),
            password_hash_queue_timeout: Duration::from_secs(5),
            trusted_proxy_hops: 0,
        }
    }
}

impl AuthConfig {
    /// Refuses a value outside the bounds its type does not hold.
    pub(super) fn checked(self) -> Result<Self, ConfigError> {
        ensure(
            (1..=1024).contains(&self.password_hash_concurrency),
            "FARMSTREAM_PASSWORD_HASH_CONCURRENCY",
            "must be between 1 and 1024 (each hash holds 19 MiB while it runs)",
        )?;
        ensure(
            (Duration::from_millis(1)..=Duration::from_millis(60_000))
                .contains(&self.password_hash_queue_timeout),
            "FARMSTREAM_PASSWORD_HASH_QUEUE_MS",
            "must be between 1 and 60000 milliseconds",
        )?;
        ensure(
            self.trusted_proxy_hops <= 10,
            "FARMSTREAM_TRUSTED_PROXY_HOPS",
            "must be between 0 and 10",
        )?;
        Ok(self)
    }
}
