//! Typed configuration, read once at start-up from the environment (and a
//! `.env` file in development).
//!
//! Every setting has a default that suits the embedded mode (a SQLite file
//! and an in-process S3-compatible store under one data folder). A wrong value
//! stops start-up with a message naming the setting.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use rand::RngCore;

/// The shortest JWT secret accepted, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

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

/// Where media objects live.
#[derive(Clone, Debug)]
pub enum StorageConfig {
    /// The in-process S3-compatible server storing files under the data folder.
    Embedded {
        /// Address the embedded store listens on; presigned URLs point here.
        listen: SocketAddr,
        /// Folder holding one sub-folder per bucket.
        root: PathBuf,
    },
    /// Any external S3-compatible service.
    External {
        /// e.g. `https://s3.eu-central-1.amazonaws.com`; `None` uses AWS's default.
        endpoint: Option<String>,
    },
}

/// Settings of the S3 client, shared by both storage back ends.
#[derive(Clone, Debug)]
pub struct S3Config {
    pub storage: StorageConfig,
    pub region: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub force_path_style: bool,
}

/// Limits applied to every GraphQL operation.
#[derive(Clone, Debug)]
pub struct GraphqlLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_directives: usize,
    pub introspection: bool,
}

/// Limits and lifetimes of media uploads and links.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// Largest photo (product, logo, cover, origin story, lot), in bytes.
    pub max_image_bytes: u64,
    /// Largest video (product video, livestream replay), in bytes.
    pub max_video_bytes: u64,
    /// Largest certificate document, in bytes.
    pub max_document_bytes: u64,
    /// How long a presigned upload URL works (at most 15 minutes).
    pub upload_url_ttl: Duration,
    /// How long a presigned download URL works.
    pub url_ttl: Duration,
    /// Serve plain URLs under this base (a CDN or public bucket) instead of
    /// presigned ones; no trailing slash.
    pub public_base_url: Option<String>,
    /// An upload still unconfirmed this long after `createUpload` is swept away.
    pub pending_ttl: Duration,
    /// How often the sweeper looks for such uploads.
    pub sweep_interval: Duration,
    /// The most pixels (width × height) an image may declare; larger ones
    /// are refused from their header, before any decoding.
    pub max_pixels: u64,
    /// How many images are decoded at once; more confirmations wait.
    pub max_concurrent_decodes: usize,
}

/// The default pixel budget of an image: 40 megapixels, more than any phone
/// photo and 160 MiB decoded as RGBA.
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;
/// The largest pixel budget that may be set: 12,000 × 12,000, the widest and
/// tallest image accepted at all.
pub const MAX_PIXELS_LIMIT: u64 = 144_000_000;

/// The longest a presigned upload URL may live.
pub const MAX_UPLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);
/// The longest a SigV4 presigned URL may live (7 days).
pub const MAX_PRESIGNED_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

impl MediaConfig {
    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let bytes = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            let n: u64 = parse_num(src, name, default)?;
            if n == 0 {
                return Err(ConfigError::new(name, "must be at least 1 byte"));
            }
            Ok(n)
        };
        let upload_url_ttl = parse_secs(
            src,
            "FARMSTREAM_MEDIA_UPLOAD_URL_TTL_SECS",
            MAX_UPLOAD_URL_TTL.as_secs(),
        )?;
        if upload_url_ttl > MAX_UPLOAD_URL_TTL {
            return Err(ConfigError::new(
                "FARMSTREAM_MEDIA_UPLOAD_URL_TTL_SECS",
                "must be at most 900 seconds (15 minutes)",
            ));
        }
        let url_ttl = parse_secs(src, "FARMSTREAM_MEDIA_URL_TTL_SECS", 3600)?;
        if url_ttl > MAX_PRESIGNED_URL_TTL {
            return Err(ConfigError::new(
                "FARMSTREAM_MEDIA_URL_TTL_SECS",
                "must be at most 604800 seconds (7 days, the limit of presigned URLs)",
            ));
        }
        let public_base_url = match src.get("FARMSTREAM_MEDIA_PUBLIC_BASE_URL") {
            None => None,
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(_) => {
                return Err(ConfigError::new(
                    "FARMSTREAM_MEDIA_PUBLIC_BASE_URL",
                    "expected an http:// or https:// URL",
                ));
            }
        };
        let max_pixels = parse_num(src, "FARMSTREAM_MEDIA_MAX_PIXELS", DEFAULT_MAX_PIXELS)?;
        if !(1..=MAX_PIXELS_LIMIT).contains(&max_pixels) {
            return Err(ConfigError::new(
                "FARMSTREAM_MEDIA_MAX_PIXELS",
                "must be between 1 and 144000000 pixels (12,000 × 12,000)",
            ));
        }
        // Decoding is CPU-bound: more decodes than cores only add memory.
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let max_concurrent_decodes =
            parse_num(src, "FARMSTREAM_MEDIA_MAX_CONCURRENT_DECODES", cores)?;
        if max_concurrent_decodes == 0 {
            return Err(ConfigError::new(
                "FARMSTREAM_MEDIA_MAX_CONCURRENT_DECODES",
                "must be at least 1",
            ));
        }
        Ok(Self {
            max_image_bytes: bytes("FARMSTREAM_MEDIA_MAX_IMAGE_BYTES", 10 * 1024 * 1024)?,
            max_video_bytes: bytes("FARMSTREAM_MEDIA_MAX_VIDEO_BYTES", 2 * 1024 * 1024 * 1024)?,
            max_document_bytes: bytes("FARMSTREAM_MEDIA_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)?,
            upload_url_ttl,
            url_ttl,
            public_base_url,
            pending_ttl: parse_secs(src, "FARMSTREAM_MEDIA_PENDING_TTL_SECS", 24 * 3600)?,
            sweep_interval: parse_secs(src, "FARMSTREAM_MEDIA_SWEEP_INTERVAL_SECS", 3600)?,
            max_pixels,
            max_concurrent_decodes,
        })
    }
}

/// A secret that never shows in logs or `Debug` output.
#[derive(Clone)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Payment holds and the bank webhook.
#[derive(Clone, Debug)]
pub struct PaymentsConfig {
    /// How long an unpaid VietQR order holds its stock before it is cancelled.
    pub hold: Duration,
    /// How often the sweeper cancels orders whose hold ran out.
    pub sweep_interval: Duration,
    /// The HMAC-SHA256 key bank transfer notices are signed with.
    pub webhook_secret: Secret,
}

/// The shortest bank webhook secret accepted.
pub const MIN_WEBHOOK_SECRET_BYTES: usize = 32;

impl PaymentsConfig {
    fn from_source(
        src: &dyn Source,
        embedded: bool,
        data_dir: &std::path::Path,
    ) -> Result<Self, ConfigError> {
        const SECRET: &str = "FARMSTREAM_BANK_WEBHOOK_SECRET";
        let webhook_secret = match src.get(SECRET) {
            Some(secret) if secret.len() >= MIN_WEBHOOK_SECRET_BYTES => secret.into_bytes(),
            Some(_) => {
                return Err(ConfigError::new(
                    SECRET,
                    format!("must be at least {MIN_WEBHOOK_SECRET_BYTES} bytes long"),
                ));
            }
            None if embedded => embedded_secret(data_dir, "bank-webhook-secret", SECRET)?,
            None => {
                return Err(ConfigError::new(
                    SECRET,
                    format!(
                        "is required when DATABASE_URL is set (at least {MIN_WEBHOOK_SECRET_BYTES} bytes)"
                    ),
                ));
            }
        };
        Ok(Self {
            hold: parse_secs(src, "FARMSTREAM_PAYMENT_HOLD_SECS", 1800)?,
            sweep_interval: parse_secs(src, "FARMSTREAM_PAYMENT_SWEEP_INTERVAL_SECS", 60)?,
            webhook_secret: Secret(webhook_secret),
        })
    }
}

/// Which bus carries live events between the API's processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventBusConfig {
    /// In-process only: subscribers hear what their own process did.
    Memory,
    /// PostgreSQL LISTEN/NOTIFY on `channel`: every process on the same
    /// database (and channel) hears every other.
    Postgres {
        /// A `postgres://` URL; defaults to `DATABASE_URL`.
        url: String,
        /// The notification channel.
        channel: String,
    },
    /// Redis pub/sub on `channel`: every process on the same Redis server
    /// (and channel, whatever the database number) hears every other.
    Redis {
        /// A `redis://` URL, or `rediss://` for TLS.
        url: String,
        /// The pub/sub channel.
        channel: String,
    },
}

impl EventBusConfig {
    fn from_source(src: &dyn Source, database_url: &str) -> Result<Self, ConfigError> {
        const BUS: &str = "FARMSTREAM_EVENT_BUS";
        const URL: &str = "FARMSTREAM_EVENT_BUS_URL";
        const CHANNEL: &str = "FARMSTREAM_EVENT_BUS_CHANNEL";
        let channel = src
            .get(CHANNEL)
            .unwrap_or_else(|| "farmstream_events".into());
        let valid_channel = (1..=63).contains(&channel.len())
            && channel
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_channel {
            return Err(ConfigError::new(
                CHANNEL,
                format!("`{channel}` is not 1–63 lower-case letters, digits or underscores"),
            ));
        }
        match src.get(BUS).as_deref().map(str::trim) {
            None | Some("memory") => Ok(Self::Memory),
            Some("postgres") => {
                let url = match src.get(URL) {
                    Some(url) => url,
                    None if is_postgres_url(database_url) => database_url.to_owned(),
                    None => {
                        return Err(ConfigError::new(
                            URL,
                            "is required with FARMSTREAM_EVENT_BUS=postgres when DATABASE_URL is not PostgreSQL",
                        ));
                    }
                };
                if !is_postgres_url(&url) {
                    return Err(ConfigError::new(URL, "expected a postgres:// URL"));
                }
                Ok(Self::Postgres { url, channel })
            }
            Some("redis") => {
                let Some(url) = src.get(URL) else {
                    return Err(ConfigError::new(
                        URL,
                        "is required with FARMSTREAM_EVENT_BUS=redis (e.g. redis://127.0.0.1:6379)",
                    ));
                };
                if !url.starts_with("redis://") && !url.starts_with("rediss://") {
                    return Err(ConfigError::new(
                        URL,
                        "expected a redis:// URL (or rediss:// for TLS)",
                    ));
                }
                Ok(Self::Redis { url, channel })
            }
            Some(other) => Err(ConfigError::new(
                BUS,
                format!("`{other}` is not `memory`, `postgres` or `redis`"),
            )),
        }
    }
}

fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// How GraphQL subscriptions over WebSocket treat a client that does not
/// keep up.
#[derive(Clone, Debug)]
pub struct SubscriptionConfig {
    /// Messages that may wait to be written to one connection; while the
    /// queue is full the connection takes no new events and skips ahead.
    pub send_queue: usize,
    /// The longest one message may take to be written before the
    /// connection is closed as a client that stopped reading.
    pub send_timeout: Duration,
    /// How often each connection is pinged (clients answer by themselves).
    pub ping_interval: Duration,
    /// A connection from which nothing, not even a pong, was heard this
    /// long is closed.
    pub idle_timeout: Duration,
}

impl SubscriptionConfig {
    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        const QUEUE: &str = "FARMSTREAM_WS_SEND_QUEUE";
        let send_queue = parse_num(src, QUEUE, 64usize)?;
        if !(1..=10_000).contains(&send_queue) {
            return Err(ConfigError::new(
                QUEUE,
                "must be between 1 and 10000 messages",
            ));
        }
        let ping_interval = parse_secs(src, "FARMSTREAM_WS_PING_SECS", 30)?;
        let idle_timeout = parse_secs(src, "FARMSTREAM_WS_IDLE_SECS", 90)?;
        if idle_timeout <= ping_interval {
            return Err(ConfigError::new(
                "FARMSTREAM_WS_IDLE_SECS",
                "must be longer than FARMSTREAM_WS_PING_SECS (a live client answers each ping)",
            ));
        }
        Ok(Self {
            send_queue,
            send_timeout: parse_secs(src, "FARMSTREAM_WS_SEND_TIMEOUT_SECS", 10)?,
            ping_interval,
            idle_timeout,
        })
    }
}

/// Bounds on the work an anonymous caller can make the server do: password
/// hashing (19 MiB and tens of milliseconds of a core per Argon2id check)
/// and where a request's client address is read from for throttling.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Password hashes (login, registration) computed at once; more wait.
    pub password_hash_concurrency: usize,
    /// The longest a request waits for a hashing slot before it is refused
    /// with `SERVICE_UNAVAILABLE`.
    pub password_hash_queue_timeout: Duration,
    /// Reverse proxies in front of the service that append the address
    /// they saw to `X-Forwarded-For`; 0 (no proxy) uses the peer address.
    pub trusted_proxy_hops: usize,
}

impl AuthConfig {
    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        const CONCURRENCY: &str = "FARMSTREAM_PASSWORD_HASH_CONCURRENCY";
        const QUEUE: &str = "FARMSTREAM_PASSWORD_HASH_QUEUE_MS";
        const HOPS: &str = "FARMSTREAM_TRUSTED_PROXY_HOPS";
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let password_hash_concurrency = parse_num(src, CONCURRENCY, cores)?;
        if !(1..=1024).contains(&password_hash_concurrency) {
            return Err(ConfigError::new(
                CONCURRENCY,
                "must be between 1 and 1024 (each hash holds 19 MiB while it runs)",
            ));
        }
        let queue_ms: u64 = parse_num(src, QUEUE, 5000)?;
        if !(1..=60_000).contains(&queue_ms) {
            return Err(ConfigError::new(
                QUEUE,
                "must be between 1 and 60000 milliseconds",
            ));
        }
        let trusted_proxy_hops = parse_num(src, HOPS, 0usize)?;
        if trusted_proxy_hops > 10 {
            return Err(ConfigError::new(HOPS, "must be between 0 and 10"));
        }
        Ok(Self {
            password_hash_concurrency,
            password_hash_queue_timeout: Duration::from_millis(queue_ms),
            trusted_proxy_hops,
        })
    }
}

/// Everything the service needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub db_max_connections: u32,
    /// True when no `DATABASE_URL` was given: SQLite under the data folder.
    pub embedded: bool,
    pub jwt_secret: Vec<u8>,
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

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A source of settings: the process environment, or a map in tests.
pub trait Source {
    /// The raw value of `name`, if set and not empty.
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct Env;

impl Source for Env {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name)
            .cloned()
            .filter(|v| !v.trim().is_empty())
    }
}

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
    /// data folder and, on first run, the JWT secret kept in it.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(
            src.get("FARMSTREAM_DATA_DIR")
                .unwrap_or_else(|| "./data".into()),
        );
        let listen = parse_addr(src, "FARMSTREAM_LISTEN", "127.0.0.1:8080")?;
        let database_url = src.get("DATABASE_URL");
        let embedded = database_url.is_none();
        if embedded {
            std::fs::create_dir_all(&data_dir).map_err(|e| {
                ConfigError::new(
                    "FARMSTREAM_DATA_DIR",
                    format!("cannot create {}: {e}", data_dir.display()),
                )
            })?;
        }
        let database_url = database_url.unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("farmstream.db").display()
            )
        });
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "expected a sqlite:// or postgres:// URL",
            ));
        }
        // SQLite reads each run on a connection's own thread: more connections
        // than cores only adds thread switches (measured: 4 serve a catalogue
        // page 45% faster than 10 on 2 cores). PostgreSQL is a server of its own.
        let default_pool = if database_url.starts_with("sqlite:") {
            4u32
        } else {
            10
        };
        let db_max_connections = parse_num(src, "FARMSTREAM_DB_MAX_CONNECTIONS", default_pool)?;
        if db_max_connections == 0 {
            return Err(ConfigError::new(
                "FARMSTREAM_DB_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }

        let jwt_secret = match src.get("FARMSTREAM_JWT_SECRET") {
            Some(secret) if secret.len() >= MIN_JWT_SECRET_BYTES => secret.into_bytes(),
            Some(_) => {
                return Err(ConfigError::new(
                    "FARMSTREAM_JWT_SECRET",
                    format!("must be at least {MIN_JWT_SECRET_BYTES} bytes long"),
                ));
            }
            None if embedded => embedded_jwt_secret(&data_dir)?,
            None => {
                return Err(ConfigError::new(
                    "FARMSTREAM_JWT_SECRET",
                    format!(
                        "is required when DATABASE_URL is set (at least {MIN_JWT_SECRET_BYTES} bytes)"
                    ),
                ));
            }
        };

        let storage = match src.get("FARMSTREAM_S3_ENDPOINT") {
            Some(endpoint) if endpoint == "aws" => StorageConfig::External { endpoint: None },
            Some(endpoint) => {
                if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                    return Err(ConfigError::new(
                        "FARMSTREAM_S3_ENDPOINT",
                        "expected an http:// or https:// URL (or `aws`)",
                    ));
                }
                StorageConfig::External {
                    endpoint: Some(endpoint.trim_end_matches('/').to_owned()),
                }
            }
            None => StorageConfig::Embedded {
                listen: parse_addr(src, "FARMSTREAM_EMBEDDED_S3_LISTEN", "127.0.0.1:8081")?,
                root: src
                    .get("FARMSTREAM_EMBEDDED_S3_ROOT")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| data_dir.join("media")),
            },
        };
        let external = matches!(storage, StorageConfig::External { .. });
        let key = |name: &'static str, default: &str| -> Result<String, ConfigError> {
            match src.get(name) {
                Some(v) => Ok(v),
                None if !external => Ok(default.to_owned()),
                None => Err(ConfigError::new(
                    name,
                    "is required with FARMSTREAM_S3_ENDPOINT",
                )),
            }
        };
        let s3 = S3Config {
            storage,
            region: src
                .get("FARMSTREAM_S3_REGION")
                .unwrap_or_else(|| "us-east-1".into()),
            bucket: parse_bucket(src)?,
            access_key_id: key("FARMSTREAM_S3_ACCESS_KEY_ID", "farmstream")?,
            secret_access_key: key(
                "FARMSTREAM_S3_SECRET_ACCESS_KEY",
                "farmstream-embedded-secret",
            )?,
            force_path_style: parse_bool(src, "FARMSTREAM_S3_FORCE_PATH_STYLE", true)?,
        };

        let public_base_url = src
            .get("FARMSTREAM_PUBLIC_BASE_URL")
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();

        let cors_origins = src
            .get("FARMSTREAM_CORS_ORIGINS")
            .unwrap_or_else(|| "*".into())
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>();
        for origin in &cors_origins {
            if origin != "*" && !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(ConfigError::new(
                    "FARMSTREAM_CORS_ORIGINS",
                    format!("`{origin}` is not `*` or an http(s) origin"),
                ));
            }
        }

        let shutdown_timeout = parse_secs(src, "FARMSTREAM_SHUTDOWN_TIMEOUT_SECS", 25)?;
        if shutdown_timeout > Duration::from_secs(30) {
            return Err(ConfigError::new(
                "FARMSTREAM_SHUTDOWN_TIMEOUT_SECS",
                "must be at most 30 seconds",
            ));
        }

        let payments = PaymentsConfig::from_source(src, embedded, &data_dir)?;
        let event_bus = EventBusConfig::from_source(src, &database_url)?;

        Ok(Self {
            listen,
            data_dir,
            database_url,
            db_max_connections,
            embedded,
            jwt_secret,
            jwt_issuer: src
                .get("FARMSTREAM_JWT_ISSUER")
                .unwrap_or_else(|| "farmstream".into()),
            jwt_audience: src
                .get("FARMSTREAM_JWT_AUDIENCE")
                .unwrap_or_else(|| "farmstream-api".into()),
            access_token_ttl: parse_secs(src, "FARMSTREAM_ACCESS_TOKEN_TTL_SECS", 15 * 60)?,
            refresh_token_ttl: parse_secs(
                src,
                "FARMSTREAM_REFRESH_TOKEN_TTL_SECS",
                30 * 24 * 3600,
            )?,
            s3,
            media: MediaConfig::from_source(src)?,
            payments,
            public_base_url,
            cors_origins,
            body_limit_bytes: parse_num(src, "FARMSTREAM_BODY_LIMIT_BYTES", 1024 * 1024usize)?,
            request_timeout: parse_secs(src, "FARMSTREAM_REQUEST_TIMEOUT_SECS", 30)?,
            shutdown_timeout,
            graphql: GraphqlLimits {
                max_depth: parse_num(src, "FARMSTREAM_GRAPHQL_MAX_DEPTH", 12)?,
                max_complexity: parse_num(src, "FARMSTREAM_GRAPHQL_MAX_COMPLEXITY", 5000)?,
                max_aliases: parse_num(src, "FARMSTREAM_GRAPHQL_MAX_ALIASES", 30)?,
                max_directives: parse_num(src, "FARMSTREAM_GRAPHQL_MAX_DIRECTIVES", 10)?,
                introspection: parse_bool(src, "FARMSTREAM_GRAPHQL_INTROSPECTION", embedded)?,
            },
            event_bus,
            subscriptions: SubscriptionConfig::from_source(src)?,
            log_format: match src.get("FARMSTREAM_LOG_FORMAT").as_deref() {
                None | Some("text") => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some(other) => {
                    return Err(ConfigError::new(
                        "FARMSTREAM_LOG_FORMAT",
                        format!("`{other}` is not `text` or `json`"),
                    ));
                }
            },
            checkin_grace_minutes: match parse_num(src, "FARMSTREAM_CHECKIN_GRACE_MINUTES", 15u32)?
            {
                minutes @ 0..=240 => minutes,
                _ => {
                    return Err(ConfigError::new(
                        "FARMSTREAM_CHECKIN_GRACE_MINUTES",
                        "must be between 0 and 240 minutes",
                    ));
                }
            },
            reminder_interval: parse_secs(src, "FARMSTREAM_REMINDER_INTERVAL_SECS", 30)?,
            response_cache_ttl: Duration::from_millis(parse_num(
                src,
                "FARMSTREAM_RESPONSE_CACHE_TTL_MS",
                1000u64,
            )?),
            response_cache_entries: parse_num(src, "FARMSTREAM_RESPONSE_CACHE_ENTRIES", 1024usize)?,
            guest_cart_ttl: match parse_num(src, "FARMSTREAM_GUEST_CART_DAYS", 30u64)? {
                days @ 1..=3650 => Duration::from_secs(days * 24 * 3600),
                _ => {
                    return Err(ConfigError::new(
                        "FARMSTREAM_GUEST_CART_DAYS",
                        "must be between 1 and 3650 days",
                    ));
                }
            },
            auth: AuthConfig::from_source(src)?,
        })
    }

    /// True when the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// Reads the JWT secret kept in the data folder, writing a new random one on
/// first run (readable by the owner only).
fn embedded_jwt_secret(data_dir: &std::path::Path) -> Result<Vec<u8>, ConfigError> {
    embedded_secret(data_dir, "jwt-secret", "FARMSTREAM_JWT_SECRET")
}

/// Reads the secret `setting` falls back to in embedded mode, kept in the
/// data folder as `file`; writes a new random one on first run (readable by
/// the owner only).
fn embedded_secret(
    data_dir: &std::path::Path,
    file: &str,
    setting: &'static str,
) -> Result<Vec<u8>, ConfigError> {
    let path = data_dir.join(file);
    let err = |e: std::io::Error| {
        ConfigError::new(
            setting,
            format!("not set, and {} could not be used: {e}", path.display()),
        )
    };
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= MIN_JWT_SECRET_BYTES => {
            Ok(secret.trim().as_bytes().to_vec())
        }
        Ok(_) => Err(ConfigError::new(
            setting,
            format!(
                "{} holds fewer than {MIN_JWT_SECRET_BYTES} bytes",
                path.display()
            ),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 48];
            rand::rng().fill_bytes(&mut bytes);
            let secret = hex::encode(bytes);
            write_private(&path, secret.as_bytes()).map_err(err)?;
            Ok(secret.into_bytes())
        }
        Err(e) => Err(err(e)),
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn parse_addr(
    src: &dyn Source,
    name: &'static str,
    default: &str,
) -> Result<SocketAddr, ConfigError> {
    let raw = src.get(name).unwrap_or_else(|| default.to_owned());
    raw.parse().map_err(|_| {
        ConfigError::new(
            name,
            format!("`{raw}` is not an address like 127.0.0.1:8080"),
        )
    })
}

fn parse_num<T: std::str::FromStr>(
    src: &dyn Source,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match src.get(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| {
            ConfigError::new(name, format!("`{raw}` is not a whole non-negative number"))
        }),
    }
}

fn parse_secs(src: &dyn Source, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
    let secs: u64 = parse_num(src, name, default)?;
    if secs == 0 {
        return Err(ConfigError::new(name, "must be at least 1 second"));
    }
    Ok(Duration::from_secs(secs))
}

fn parse_bool(src: &dyn Source, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match src.get(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
        Some(v) => Err(ConfigError::new(
            name,
            format!("`{v}` is not true or false"),
        )),
    }
}

fn parse_bucket(src: &dyn Source) -> Result<String, ConfigError> {
    let bucket = src
        .get("FARMSTREAM_S3_BUCKET")
        .unwrap_or_else(|| "farmstream".into());
    let valid = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && !bucket.starts_with(['-', '.'])
        && !bucket.ends_with(['-', '.']);
    if valid {
        Ok(bucket)
    } else {
        Err(ConfigError::new(
            "FARMSTREAM_S3_BUCKET",
            format!(
                "`{bucket}` is not a valid bucket name (3–63 lower-case letters, digits, dots, hyphens)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!("farmstream-config-{}", uuid::Uuid::new_v4()));
        let mut map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        map.entry("FARMSTREAM_DATA_DIR".into())
            .or_insert_with(|| dir.display().to_string());
        Config::from_source(&map)
    }

    #[test]
    fn embedded_defaults_need_no_settings() {
        let config = with(&[]).expect("defaults are valid");
        assert!(config.embedded);
        assert!(config.is_sqlite());
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert!(config.jwt_secret.len() >= MIN_JWT_SECRET_BYTES);
        assert!(config.graphql.introspection);
        assert!(matches!(config.s3.storage, StorageConfig::Embedded { .. }));
    }

    #[test]
    fn the_generated_jwt_secret_is_kept_across_starts() {
        let dir = std::env::temp_dir().join(format!("farmstream-config-{}", uuid::Uuid::new_v4()));
        let dir = dir.display().to_string();
        let first = with(&[("FARMSTREAM_DATA_DIR", &dir)]).expect("valid");
        let second = with(&[("FARMSTREAM_DATA_DIR", &dir)]).expect("valid");
        assert_eq!(first.jwt_secret, second.jwt_secret);
    }

    #[test]
    fn the_bank_webhook_secret_is_generated_when_embedded_and_required_otherwise() {
        let embedded = with(&[]).expect("embedded");
        assert!(embedded.payments.webhook_secret.0.len() >= MIN_WEBHOOK_SECRET_BYTES);
        assert_eq!(
            format!("{:?}", embedded.payments.webhook_secret),
            "Secret(***)"
        );
        assert_eq!(embedded.payments.hold, Duration::from_secs(1800));
        let err = with(&[
            ("DATABASE_URL", "postgres://localhost/x"),
            ("FARMSTREAM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
        .expect_err("webhook secret required");
        assert_eq!(err.name, "FARMSTREAM_BANK_WEBHOOK_SECRET");
        let err = with(&[("FARMSTREAM_BANK_WEBHOOK_SECRET", "short")]).expect_err("too short");
        assert_eq!(err.name, "FARMSTREAM_BANK_WEBHOOK_SECRET");
        let err = with(&[("FARMSTREAM_PAYMENT_HOLD_SECS", "0")]).expect_err("zero hold");
        assert_eq!(err.name, "FARMSTREAM_PAYMENT_HOLD_SECS");
    }

    #[test]
    fn postgres_requires_a_long_jwt_secret() {
        let err = with(&[("DATABASE_URL", "postgres://localhost/x")]).expect_err("secret required");
        assert_eq!(err.name, "FARMSTREAM_JWT_SECRET");
        let err = with(&[
            ("DATABASE_URL", "postgres://localhost/x"),
            ("FARMSTREAM_JWT_SECRET", "short"),
        ])
        .expect_err("too short");
        assert_eq!(err.name, "FARMSTREAM_JWT_SECRET");
        let ok = with(&[
            ("DATABASE_URL", "postgres://localhost/x"),
            ("FARMSTREAM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            (
                "FARMSTREAM_BANK_WEBHOOK_SECRET",
                "fedcba9876543210fedcba9876543210",
            ),
        ])
        .expect("valid");
        assert!(!ok.embedded);
        assert!(
            !ok.graphql.introspection,
            "introspection is off outside embedded mode by default"
        );
    }

    #[test]
    fn a_wrong_value_is_named() {
        for (name, value) in [
            ("FARMSTREAM_LISTEN", "nowhere"),
            ("FARMSTREAM_BODY_LIMIT_BYTES", "-1"),
            ("FARMSTREAM_S3_BUCKET", "Bad_Bucket"),
            ("FARMSTREAM_S3_ENDPOINT", "s3.example.com"),
            ("FARMSTREAM_SHUTDOWN_TIMEOUT_SECS", "60"),
            ("FARMSTREAM_GRAPHQL_INTROSPECTION", "maybe"),
            ("FARMSTREAM_CORS_ORIGINS", "example.com"),
            ("DATABASE_URL", "mysql://x"),
            ("FARMSTREAM_MEDIA_MAX_IMAGE_BYTES", "0"),
            ("FARMSTREAM_MEDIA_MAX_VIDEO_BYTES", "lots"),
            ("FARMSTREAM_MEDIA_UPLOAD_URL_TTL_SECS", "3600"),
            ("FARMSTREAM_MEDIA_URL_TTL_SECS", "999999999"),
            ("FARMSTREAM_MEDIA_PUBLIC_BASE_URL", "cdn.example.com"),
            ("FARMSTREAM_MEDIA_PENDING_TTL_SECS", "0"),
            ("FARMSTREAM_MEDIA_MAX_PIXELS", "0"),
            ("FARMSTREAM_MEDIA_MAX_PIXELS", "200000000"),
            ("FARMSTREAM_MEDIA_MAX_CONCURRENT_DECODES", "0"),
            ("FARMSTREAM_EVENT_BUS", "kafka"),
            ("FARMSTREAM_EVENT_BUS_CHANNEL", "Events!"),
            ("FARMSTREAM_WS_SEND_QUEUE", "0"),
            ("FARMSTREAM_WS_SEND_TIMEOUT_SECS", "0"),
            ("FARMSTREAM_WS_PING_SECS", "0"),
            // Not longer than the 30 s ping: a live client would be cut.
            ("FARMSTREAM_WS_IDLE_SECS", "30"),
            ("FARMSTREAM_GUEST_CART_DAYS", "0"),
            ("FARMSTREAM_GUEST_CART_DAYS", "9999"),
        ] {
            let err = with(&[(name, value)]).expect_err(name);
            assert_eq!(err.name, name, "{err}");
        }
    }

    #[test]
    fn media_limits_default_to_the_documented_sizes() {
        let media = with(&[]).expect("defaults are valid").media;
        assert_eq!(media.max_image_bytes, 10 * 1024 * 1024);
        assert_eq!(media.max_video_bytes, 2 * 1024 * 1024 * 1024);
        assert_eq!(media.max_document_bytes, 20 * 1024 * 1024);
        assert_eq!(media.url_ttl, Duration::from_secs(3600));
        assert_eq!(media.upload_url_ttl, MAX_UPLOAD_URL_TTL);
        assert_eq!(media.pending_ttl, Duration::from_secs(24 * 3600));
        assert!(media.public_base_url.is_none());
        assert_eq!(media.max_pixels, 40_000_000);
        assert!(media.max_concurrent_decodes >= 1);
    }

    #[test]
    fn the_event_bus_is_in_memory_unless_postgres_or_redis_is_asked_for() {
        assert_eq!(
            with(&[]).expect("defaults").event_bus,
            EventBusConfig::Memory
        );
        let err = with(&[("FARMSTREAM_EVENT_BUS", "postgres")]).expect_err("no postgres URL");
        assert_eq!(err.name, "FARMSTREAM_EVENT_BUS_URL");
        let on_sqlite = with(&[
            ("FARMSTREAM_EVENT_BUS", "postgres"),
            ("FARMSTREAM_EVENT_BUS_URL", "postgres://bus.internal/events"),
            ("FARMSTREAM_EVENT_BUS_CHANNEL", "shop_events"),
        ])
        .expect("valid");
        assert_eq!(
            on_sqlite.event_bus,
            EventBusConfig::Postgres {
                url: "postgres://bus.internal/events".into(),
                channel: "shop_events".into()
            }
        );
        let on_postgres = with(&[
            ("DATABASE_URL", "postgres://db.internal/shop"),
            ("FARMSTREAM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            (
                "FARMSTREAM_BANK_WEBHOOK_SECRET",
                "fedcba9876543210fedcba9876543210",
            ),
            ("FARMSTREAM_EVENT_BUS", "postgres"),
        ])
        .expect("valid");
        assert_eq!(
            on_postgres.event_bus,
            EventBusConfig::Postgres {
                url: "postgres://db.internal/shop".into(),
                channel: "farmstream_events".into()
            },
            "the bus defaults to the database"
        );
        let err = with(&[("FARMSTREAM_EVENT_BUS", "redis")]).expect_err("no redis URL");
        assert_eq!(err.name, "FARMSTREAM_EVENT_BUS_URL");
        let redis = with(&[
            ("FARMSTREAM_EVENT_BUS", "redis"),
            ("FARMSTREAM_EVENT_BUS_URL", "redis://127.0.0.1:6379"),
        ])
        .expect("valid");
        assert_eq!(
            redis.event_bus,
            EventBusConfig::Redis {
                url: "redis://127.0.0.1:6379".into(),
                channel: "farmstream_events".into()
            }
        );
        let tls = with(&[
            ("FARMSTREAM_EVENT_BUS", "redis"),
            ("FARMSTREAM_EVENT_BUS_URL", "rediss://cache.example.vn:6380"),
        ])
        .expect("TLS is accepted");
        assert!(
            matches!(tls.event_bus, EventBusConfig::Redis { url, .. } if url.starts_with("rediss://"))
        );
        let err = with(&[
            ("FARMSTREAM_EVENT_BUS", "redis"),
            ("FARMSTREAM_EVENT_BUS_URL", "http://127.0.0.1:6379"),
        ])
        .expect_err("not a Redis URL");
        assert_eq!(err.name, "FARMSTREAM_EVENT_BUS_URL");
        let subscriptions = with(&[]).expect("defaults").subscriptions;
        assert_eq!(subscriptions.send_queue, 64);
        assert_eq!(subscriptions.send_timeout, Duration::from_secs(10));
    }

    #[test]
    fn an_external_store_needs_its_keys() {
        let err = with(&[("FARMSTREAM_S3_ENDPOINT", "http://127.0.0.1:9000")]).expect_err("keys");
        assert_eq!(err.name, "FARMSTREAM_S3_ACCESS_KEY_ID");
    }

    #[test]
    fn password_hashing_is_bounded_by_the_cores_and_wrong_bounds_are_named() {
        let auth = with(&[]).expect("defaults are valid").auth;
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(auth.password_hash_concurrency, cores);
        assert_eq!(auth.password_hash_queue_timeout, Duration::from_secs(5));
        assert_eq!(auth.trusted_proxy_hops, 0);
        for (name, value) in [
            ("FARMSTREAM_PASSWORD_HASH_CONCURRENCY", "0"),
            ("FARMSTREAM_PASSWORD_HASH_CONCURRENCY", "many"),
            ("FARMSTREAM_PASSWORD_HASH_QUEUE_MS", "0"),
            ("FARMSTREAM_PASSWORD_HASH_QUEUE_MS", "600000"),
            ("FARMSTREAM_TRUSTED_PROXY_HOPS", "11"),
        ] {
            let err = with(&[(name, value)]).expect_err(name);
            assert_eq!(err.name, name, "{err}");
        }
    }
}
