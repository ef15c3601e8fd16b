//! The shop's own rules that can be tuned: training check-in, show
//! reminders and guest carts.

use std::time::Duration;

use serde::Deserialize;

use super::source::{Source, read, secs};
use super::{ConfigError, ensure};

/// The shop's rules as declared.
#[derive(Deserialize)]
#[serde(default)]
pub(super) struct ShopSettings {
    #[serde(rename = "FARMSTREAM_CHECKIN_GRACE_MINUTES")]
    pub checkin_grace_minutes: u32,
    #[serde(
        rename = "FARMSTREAM_REMINDER_INTERVAL_SECS",
        deserialize_with = "secs"
    )]
    pub reminder_interval: Duration,
    #[serde(rename = "FARMSTREAM_GUEST_CART_DAYS")]
    guest_cart_days: u64,
}

impl Default for ShopSettings {
    fn default() -> Self {
        Self {
            checkin_grace_minutes: 15,
            reminder_interval: Duration::from_secs(30),
            guest_cart_days: 30,
        }
    }
}

impl ShopSettings {
    /// Reads and checks the shop's rules.
    pub(super) fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let settings: Self = read(src)?;
        ensure(
            settings.checkin_grace_minutes <= 240,
            "FARMSTREAM_CHECKIN_GRACE_MINUTES",
            "must be between 0 and 240 minutes",
        )?;
        ensure(
            (1..=3650).contains(&settings.guest_cart_days),
            "FARMSTREAM_GUEST_CART_DAYS",
            "must be between 1 and 3650 days",
        )?;
        Ok(settings)
    }

    /// A guest's cart untouched this long is deleted.
    pub(super) fn guest_cart_ttl(&self) -> Duration {
        Duration::from_secs(self.guest_cart_days * 24 * 3600)
    }
}
