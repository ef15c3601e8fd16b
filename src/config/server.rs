//! How the HTTP server listens, answers and logs.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::source::{Source, addr, is_http_url, millis, read, secs};
use super::{ConfigError, ensure};

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The server settings as declared.
#[derive(Deserialize)]
#[serde(default)]
pub(super) struct ServerSettings {
    #[serde(rename = "FARMSTREAM_LISTEN", deserialize_with = "addr")]
    pub listen: SocketAddr,
    #[serde(rename = "FARMSTREAM_PUBLIC_BASE_URL")]
    public_base_url: Option<String>,
    #[serde(rename = "FARMSTREAM_CORS_ORIGINS", deserialize_with = "origins")]
    pub cors_origins: Vec<String>,
    #[serde(rename = "FARMSTREAM_BODY_LIMIT_BYTES")]
    pub body_limit_bytes: usize,
    #[serde(rename = "FARMSTREAM_REQUEST_TIMEOUT_SECS", deserialize_with = "secs")]
    pub request_timeout: Duration,
    #[serde(rename = "FARMSTREAM_SHUTDOWN_TIMEOUT_SECS", deserialize_with = "secs")]
    pub shutdown_timeout: Duration,
    #[serde(rename = "FARMSTREAM_LOG_FORMAT")]
    pub log_format: LogFormat,
    #[serde(
        rename = "FARMSTREAM_RESPONSE_CACHE_TTL_MS",
        deserialize_with = "millis"
    )]
    pub response_cache_ttl: Duration,
    #[serde(rename = "FARMSTREAM_RESPONSE_CACHE_ENTRIES")]
    pub response_cache_entries: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_base_url: None,
            cors_origins: vec!["*".into()],
            body_limit_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(25),
            log_format: LogFormat::Text,
            response_cache_ttl: Duration::from_millis(1000),
            response_cache_entries: 1024,
        }
    }
}

impl ServerSettings {
    /// Reads and checks the server settings.
    pub(super) fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let settings: Self = read(src)?;
        ensure(
            settings.shutdown_timeout <= Duration::from_secs(30),
            "FARMSTREAM_SHUTDOWN_TIMEOUT_SECS",
            "must be at most 30 seconds",
        )?;
        Ok(settings)
    }

    /// The URL clients reach the API at, without a trailing slash;
    /// `http://LISTEN` by default.
    pub(super) fn public_base_url(&self) -> String {
        self.public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }
}

/// Comma-separated origins, each `*` or an http(s) origin.
fn origins<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let origins: Vec<String> = String::deserialize(d)?
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    match origins.iter().find(|o| *o != "*" && !is_http_url(o)) {
        Some(origin) => Err(de::Error::custom(format!(
            "`{origin}` is not `*` or an http(s) origin"
        ))),
        None => Ok(origins),
    }
}
