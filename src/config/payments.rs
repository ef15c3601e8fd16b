//! Payment holds and the bank webhook.

use std::path::Path;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use super::ConfigError;
use super::secrets::secret_or_kept;
use super::source::{Source, read, secs};

/// The shortest bank webhook secret accepted.
pub const MIN_WEBHOOK_SECRET_BYTES: usize = 32;

/// Payment holds and the bank webhook.
#[derive(Clone, Debug)]
pub struct PaymentsConfig {
    /// How long an unpaid VietQR order holds its stock before it is cancelled.
    pub hold: Duration,
    /// How often the sweeper cancels orders whose hold ran out.
    pub sweep_interval: Duration,
    /// The HMAC-SHA256 key bank transfer notices are signed with.
    pub webhook_secret: SecretString,
}

/// The payment settings as declared.
#[derive(Deserialize)]
#[serde(default)]
struct PaymentSettings {
    #[serde(rename = "FARMSTREAM_PAYMENT_HOLD_SECS", deserialize_with = "secs")]
    hold: Duration,
    #[serde(
        rename = "FARMSTREAM_PAYMENT_SWEEP_INTERVAL_SECS",
        deserialize_with = "secs"
    )]
    sweep_interval: Duration,
    #[serde(rename = "FARMSTREAM_BANK_WEBHOOK_SECRET")]
    webhook_secret: Option<SecretString>,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        Self {
            hold: Duration::from_secs(1800),
            sweep_interval: Duration::from_secs(60),
            webhook_secret: None,
        }
    }
}

impl PaymentsConfig {
    /// Reads the payment settings; in embedded mode (`data_dir` given) an
    /// unset webhook secret is the one kept in the data folder.
    pub(super) fn from_source(
        src: &dyn Source,
        data_dir: Option<&Path>,
    ) -> Result<Self, ConfigError> {
        let settings: PaymentSettings = read(src)?;
        Ok(Self {
            hold: settings.hold,
            sweep_interval: settings.sweep_interval,
            webhook_secret: secret_or_kept(
                settings.webhook_secret,
                "FARMSTREAM_BANK_WEBHOOK_SECRET",
                MIN_WEBHOOK_SECRET_BYTES,
                data_dir,
                "bank-webhook-secret",
            )?,
        })
    }
}
