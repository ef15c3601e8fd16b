//! Secret settings: kept in `secrecy` types so that no `{:?}` or log line
//! shows them, and generated into the data folder in embedded mode.

use std::path::Path;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::ConfigError;

/// A URL that may carry a password (`postgres://user:pass@host/db`): read
/// only through [`ExposeSecret`], and shown by `Debug` with its password
/// replaced by `[REDACTED]`.
#[derive(Clone, Deserialize)]
#[serde(from = "String")]
pub struct SecretUrl(SecretString);

impl From<String> for SecretUrl {
    fn from(url: String) -> Self {
        Self(url.into())
    }
}

impl From<&str> for SecretUrl {
    fn from(url: &str) -> Self {
        Self(url.into())
    }
}

impl ExposeSecret<str> for SecretUrl {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

/// Two settings naming the same place (the event bus on the database).
impl PartialEq for SecretUrl {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Eq for SecretUrl {}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SecretUrl")
            .field(&redacted(self.expose_secret()))
            .finish()
    }
}

/// `url` with the password of its user part, and any query parameter whose
/// name holds `pass`, replaced by `[REDACTED]`.
fn redacted(url: &str) -> String {
    const HIDDEN: &str = "[REDACTED]";
    let Some((scheme, rest)) = url.split_once("://") else {
        return HIDDEN.into();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:{HIDDEN}@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if key.to_ascii_lowercase().contains("pass") => {
                        format!("{key}={HIDDEN}")
                    }
                    _ => param.to_owned(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// The secret `setting` holds (at least `min_bytes` long); when it is unset,
/// the one kept in `data_dir/file` in embedded mode (`data_dir` given), and
/// an error naming the setting otherwise.
pub(super) fn secret_or_kept(
    given: Option<SecretString>,
    setting: &'static str,
    min_bytes: usize,
    data_dir: Option<&Path>,
    file: &str,
) -> Result<SecretString, ConfigError> {
    match (given, data_dir) {
        (Some(secret), _) if secret.expose_secret().len() >= min_bytes => Ok(secret),
        (Some(_), _) => Err(ConfigError::new(
            setting,
            format!("must be at least {min_bytes} bytes long"),
        )),
        (None, Some(data_dir)) => kept_secret(&data_dir.join(file), setting, min_bytes),
        (None, None) => Err(ConfigError::new(
            setting,
            format!("is required when DATABASE_URL is set (at least {min_bytes} bytes)"),
        )),
    }
}

/// Reads the secret kept at `path`, writing a new random one on first run
/// (readable by the owner only).
fn kept_secret(
    path: &Path,
    setting: &'static str,
    min_bytes: usize,
) -> Result<SecretString, ConfigError> {
    let err = |e: std::io::Error| {
        ConfigError::new(
            setting,
            format!("not set, and {} could not be used: {e}", path.display()),
        )
    };
    match std::fs::read_to_string(path).map(SecretString::from) {
        Ok(secret) if secret.expose_secret().trim().len() >= min_bytes => {
            Ok(secret.expose_secret().trim().into())
        }
        Ok(_) => Err(ConfigError::new(
            setting,
            format!("{} holds fewer than {min_bytes} bytes", path.display()),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 48];
            rand::rng().fill_bytes(&mut bytes);
            let secret = SecretString::from(hex::encode(bytes));
            write_private(path, secret.expose_secret().as_bytes()).map_err(err)?;
            Ok(secret)
        }
        Err(e) => Err(err(e)),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_shows_without_its_password() {
        for (url, shown) in [
            (
                "postgres://shop:hunter2@db.internal:5432/shop?sslmode=require",
                "postgres://shop:[REDACTED]@db.internal:5432/shop?sslmode=require",
            ),
            (
                "rediss://:hunter2@cache.example.vn:6380",
                "rediss://:[REDACTED]@cache.example.vn:6380",
            ),
            (
                "postgres://db.internal/shop?user=shop&password=hunter2",
                "postgres://db.internal/shop?user=shop&password=[REDACTED]",
            ),
            (
                "sqlite://./data/farmstream.db?mode=rwc",
                "sqlite://./data/farmstream.db?mode=rwc",
            ),
            ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
            ("not a url hunter2", "[REDACTED]"),
        ] {
            assert_eq!(redacted(url), shown);
            assert_eq!(
                format!("{:?}", SecretUrl::from(url)),
                format!("SecretUrl({shown:?})")
            );
        }
    }
}
