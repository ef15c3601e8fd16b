//! The PostgreSQL backend of the event bus: `pg_notify` to publish, `LISTEN`
//! on a dedicated connection to receive (sqlx's `PgListener`).

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};

use super::remote::{Heard, Listen, Transmit};

/// The largest payload PostgreSQL accepts in a notification, less one.
pub(super) const MAX_PAYLOAD: usize = 7999;

/// A connection listening on the channel.
pub(super) struct Listener(PgListener);

impl Listen for Listener {
    async fn connect(url: &str, channel: &str) -> Result<Self, String> {
        let mut listener = PgListener::connect(url).await.map_err(|e| e.to_string())?;
        // A lost connection is reported, and opened again by the caller.
        listener.eager_reconnect(false);
        listener.listen(channel).await.map_err(|e| e.to_string())?;
        Ok(Self(listener))
    }

    async fn next(&mut self) -> Heard {
        match self.0.try_recv().await {
            Ok(Some(notification)) => Heard::Payload(notification.payload().to_owned()),
            Ok(None) => Heard::Lost("the connection closed".into()),
            Err(err) => Heard::Lost(err.to_string()),
        }
    }
}

/// One pooled connection that sends notifications.
pub(super) struct Sender {
    pool: PgPool,
    channel: String,
}

impl Sender {
    /// Connects now, so that a wrong URL stops start-up.
    pub(super) async fn connect(url: &str, channel: &str) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot connect to the PostgreSQL event bus (FARMSTREAM_EVENT_BUS_URL): {e}"
                )
            })?;
        Ok(Self {
            pool,
            channel: channel.to_owned(),
        })
    }
}

impl Transmit for Sender {
    async fn send(&mut self, payloads: &[String]) -> Result<(), String> {
        // One statement, so the batch arrives in order and in one go.
        sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
            .bind(&self.channel)
            .bind(payloads)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
