//! Where media objects live: the embedded S3-compatible store or an
//! external one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

use super::source::{Source, addr, is_http_url, read};
use super::{ConfigError, ensure};

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
    pub secret_access_key: SecretString,
    pub force_path_style: bool,
}

const ENDPOINT: &str = "FARMSTREAM_S3_ENDPOINT";
const BUCKET: &str = "FARMSTREAM_S3_BUCKET";

/// The storage settings as declared.
#[derive(Deserialize)]
#[serde(default)]
struct S3Settings {
    #[serde(rename = "FARMSTREAM_S3_ENDPOINT")]
    endpoint: Option<String>,
    #[serde(rename = "FARMSTREAM_EMBEDDED_S3_LISTEN", deserialize_with = "addr")]
    embedded_listen: SocketAddr,
    #[serde(rename = "FARMSTREAM_EMBEDDED_S3_ROOT")]
    embedded_root: Option<PathBuf>,
    #[serde(rename = "FARMSTREAM_S3_REGION")]
    region: String,
    #[serde(rename = "FARMSTREAM_S3_BUCKET")]
    bucket: String,
    #[serde(rename = "FARMSTREAM_S3_ACCESS_KEY_ID")]
    access_key_id: Option<String>,
    #[serde(rename = "FARMSTREAM_S3_SECRET_ACCESS_KEY")]
    secret_access_key: Option<SecretString>,
    #[serde(rename = "FARMSTREAM_S3_FORCE_PATH_STYLE")]
    force_path_style: bool,
}

impl Default for S3Settings {
    fn default() -> Self {
        Self {
            endpoint: None,
            embedded_listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            embedded_root: None,
            region: "us-east-1".into(),
            bucket: "farmstream".into(),
            access_key_id: None,
            secret_access_key: None,
            force_path_style: true,
        }
    }
}

impl S3Config {
    /// Reads the storage settings; the embedded store keeps its files under
    /// `data_dir` unless told otherwise.
    pub(super) fn from_source(src: &dyn Source, data_dir: &Path) -> Result<Self, ConfigError> {
        let settings: S3Settings = read(src)?;
        let storage = match settings.endpoint {
            None => StorageConfig::Embedded {
                listen: settings.embedded_listen,
                root: settings
                    .embedded_root
                    .unwrap_or_else(|| data_dir.join("media")),
            },
            Some(endpoint) if endpoint == "aws" => StorageConfig::External { endpoint: None },
            Some(endpoint) if is_http_url(&endpoint) => StorageConfig::External {
                endpoint: Some(endpoint.trim_end_matches('/').to_owned()),
            },
            Some(_) => {
                return Err(ConfigError::new(
                    ENDPOINT,
                    "expected an http:// or https:// URL (or `aws`)",
                ));
            }
        };
        let external = matches!(storage, StorageConfig::External { .. });
        ensure(
            is_bucket_name(&settings.bucket),
            BUCKET,
            format!(
                "`{}` is not a valid bucket name (3–63 lower-case letters, digits, dots, hyphens)",
                settings.bucket
            ),
        )?;
        Ok(Self {
            storage,
            region: settings.region,
            bucket: settings.bucket,
            access_key_id: key(
                settings.access_key_id,
                "FARMSTREAM_S3_ACCESS_KEY_ID",
                external,
                "farmstream",
            )?,
            secret_access_key: key(
                settings.secret_access_key,
                "FARMSTREAM_S3_SECRET_ACCESS_KEY",
                external,
                "farmstream-embedded-secret",
            )?,
            force_path_style: settings.force_path_style,
        })
    }
}

/// A key of the store: required for an external one, `embedded` otherwise.
fn key<T: for<'a> From<&'a str>>(
    given: Option<T>,
    setting: &'static str,
    external: bool,
    embedded: &str,
) -> Result<T, ConfigError> {
    match given {
        Some(key) => Ok(key),
        None if !external => Ok(T::from(embedded)),
        None => Err(ConfigError::new(
            setting,
            format!("is required with {ENDPOINT}"),
        )),
    }
}

/// True for a valid S3 bucket name.
fn is_bucket_name(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && !bucket.starts_with(['-', '.'])
        && !bucket.ends_with(['-', '.'])
}
