//! The bus that carries live events between processes, and how WebSocket
//! subscriptions treat a client that does not keep up.

use std::time::Duration;

use secrecy::ExposeSecret;
use serde::Deserialize;

use super::secrets::SecretUrl;
use super::source::{Source, read, secs};
use super::{ConfigError, ensure};

/// Which bus carries live events between the API's processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventBusConfig {
    /// In-process only: subscribers hear what their own process did.
    Memory,
    /// PostgreSQL LISTEN/NOTIFY on `channel`: every process on the same
    /// database (and channel) hears every other.
    Postgres {
        /// A `postgres://` URL; defaults to `DATABASE_URL`.
        url: SecretUrl,
        /// The notification channel.
        channel: String,
    },
    /// Redis pub/sub on `channel`: every process on the same Redis server
    /// (and channel, whatever the database number) hears every other.
    Redis {
        /// A `redis://` URL, or `rediss://` for TLS.
        url: SecretUrl,
        /// The pub/sub channel.
        channel: String,
    },
}

const URL: &str = "FARMSTREAM_EVENT_BUS_URL";
const CHANNEL: &str = "FARMSTREAM_EVENT_BUS_CHANNEL";

/// The event bus settings as declared.
#[derive(Deserialize)]
#[serde(default)]
struct BusSettings {
    #[serde(rename = "FARMSTREAM_EVENT_BUS")]
    kind: BusKind,
    #[serde(rename = "FARMSTREAM_EVENT_BUS_URL")]
    url: Option<SecretUrl>,
    #[serde(rename = "FARMSTREAM_EVENT_BUS_CHANNEL")]
    channel: String,
}

/// `FARMSTREAM_EVENT_BUS`: which bus.
#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum BusKind {
    Memory,
    Postgres,
    Redis,
}

impl Default for BusSettings {
    fn default() -> Self {
        Self {
            kind: BusKind::Memory,
            url: None,
            channel: "farmstream_events".into(),
        }
    }
}

impl EventBusConfig {
    /// Reads the bus settings; a PostgreSQL bus defaults to `database_url`
    /// when that is PostgreSQL.
    pub(super) fn from_source(
        src: &dyn Source,
        database_url: &SecretUrl,
    ) -> Result<Self, ConfigError> {
        let BusSettings { kind, url, channel } = read(src)?;
        let valid_channel = (1..=63).contains(&channel.len())
            && channel
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        ensure(
            valid_channel,
            CHANNEL,
            format!("`{channel}` is not 1–63 lower-case letters, digits or underscores"),
        )?;
        match kind {
            BusKind::Memory => Ok(Self::Memory),
            BusKind::Postgres => {
                let url = match url {
                    Some(url) => url,
                    None if is_postgres_url(database_url) => database_url.clone(),
                    None => {
                        return Err(ConfigError::new(
                            URL,
                            "is required with FARMSTREAM_EVENT_BUS=postgres when DATABASE_URL is not PostgreSQL",
                        ));
                    }
                };
                ensure(is_postgres_url(&url), URL, "expected a postgres:// URL")?;
                Ok(Self::Postgres { url, channel })
            }
            BusKind::Redis => {
                let Some(url) = url else {
                    return Err(ConfigError::new(
                        URL,
                        "is required with FARMSTREAM_EVENT_BUS=redis (e.g. redis://127.0.0.1:6379)",
                    ));
                };
                let url_text = url.expose_secret();
                ensure(
                    url_text.starts_with("redis://") || url_text.starts_with("rediss://"),
                    URL,
                    "expected a redis:// URL (or rediss:// for TLS)",
                )?;
                Ok(Self::Redis { url, channel })
            }
        }
    }
}

/// True for a `postgres://` (or `postgresql://`) URL.
pub(super) fn is_postgres_url(url: &SecretUrl) -> bool {
    let url = url.expose_secret();
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// How GraphQL subscriptions over WebSocket treat a client that does not
/// keep up.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct SubscriptionConfig {
    /// Messages that may wait to be written to one connection; while the
    /// queue is full the connection takes no new events and skips ahead.
    #[serde(rename = "FARMSTREAM_WS_SEND_QUEUE")]
    pub send_queue: usize,
    /// The longest one message may take to be written before the
    /// connection is closed as a client that stopped reading.
    #[serde(rename = "FARMSTREAM_WS_SEND_TIMEOUT_SECS", deserialize_with = "secs")]
    pub send_timeout: Duration,
    /// How often each connection is pinged (clients answer by themselves).
    #[serde(rename = "FARMSTREAM_WS_PING_SECS", deserialize_with = "secs")]
    pub ping_interval: Duration,
    /// A connection from which nothing, not even a pong, was heard this
    /// long is closed.
    #[serde(rename = "FARMSTREAM_WS_IDLE_SECS", deserialize_with = "secs")]
    pub idle_timeout: Duration,
}

impl Default for SubscriptionConfig {
    fn default() -> Self {
        Self {
            send_queue: 64,
            send_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(90),
        }
    }
}

impl SubscriptionConfig {
    /// Refuses a value outside the bounds its type does not hold.
    pub(super) fn checked(self) -> Result<Self, ConfigError> {
        ensure(
            (1..=10_000).contains(&self.send_queue),
            "FARMSTREAM_WS_SEND_QUEUE",
            "must be between 1 and 10000 messages",
        )?;
        ensure(
            self.idle_timeout > self.ping_interval,
            "FARMSTREAM_WS_IDLE_SECS",
            "must be longer than FARMSTREAM_WS_PING_SECS (a live client answers each ping)",
        )?;
        Ok(self)
    }
}
