//! The Redis backend of the event bus: `PUBLISH` to send, `SUBSCRIBE` on a
//! dedicated connection to receive. `rediss://` URLs connect over TLS and
//! check the server against the system's certificate authorities (or those
//! in the file `SSL_CERT_FILE` names, for a private CA).

use futures_util::StreamExt;
use redis::aio::{MultiplexedConnection, PubSubStream};

use super::remote::{Heard, Listen, Transmit};

/// The largest payload sent; events are far smaller, this only guards
/// against a mistake filling Redis's output buffers.
pub(super) const MAX_PAYLOAD: usize = 64 * 1024;

/// A client for `url`; for TLS, with rustls's crypto provider chosen first.
fn client(url: &str) -> redis::RedisResult<redis::Client> {
    static PROVIDER: std::sync::Once = std::sync::Once::new();
    PROVIDER.call_once(|| {
        // Fails only when the process already chose one: that one stays.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
    redis::Client::open(url)
}

/// A connection subscribed to the channel.
pub(super) struct Listener(PubSubStream);

impl Listen for Listener {
    async fn connect(url: &str, channel: &str) -> Result<Self, String> {
        let client = client(url).map_err(|e| e.to_string())?;
        let mut pubsub = client.get_async_pubsub().await.map_err(|e| e.to_string())?;
        pubsub.subscribe(channel).await.map_err(|e| e.to_string())?;
        Ok(Self(pubsub.into_on_message()))
    }

    async fn next(&mut self) -> Heard {
        match self.0.next().await {
            Some(message) => match message.get_payload::<String>() {
                Ok(payload) => Heard::Payload(payload),
                // Not ours (not UTF-8): let the reader count it as unreadable.
                Err(err) => Heard::Payload(format!("unreadable: {err}")),
            },
            None => Heard::Lost("the connection closed".into()),
        }
    }
}

/// A connection that publishes, opened again after a failure.
pub(super) struct Sender {
    client: redis::Client,
    channel: String,
    connection: Option<MultiplexedConnection>,
}

impl Sender {
    /// Connects now, so that a wrong URL stops start-up.
    pub(super) async fn connect(url: &str, channel: &str) -> anyhow::Result<Self> {
        let fail = |e: redis::RedisError| {
            anyhow::anyhow!("cannot connect to the Redis event bus (FARMSTREAM_EVENT_BUS_URL): {e}")
        };
        let client = client(url).map_err(fail)?;
        let connection = client
            .get_multiplexed_async_connection()
            .await
            .map_err(fail)?;
        Ok(Self {
            client,
            channel: channel.to_owned(),
            connection: Some(connection),
        })
    }
}

impl Transmit for Sender {
    async fn send(&mut self, payloads: &[String]) -> Result<(), String> {
        let connection = match &mut self.connection {
            Some(connection) => connection,
            None => self.connection.insert(
                self.client
                    .get_multiplexed_async_connection()
                    .await
                    .map_err(|e| e.to_string())?,
            ),
        };
        // One pipeline: sent in order, in one round trip.
        let mut pipe = redis::pipe();
        for payload in payloads {
            pipe.publish(&self.channel, payload).ignore();
        }
        let sent: redis::RedisResult<()> = pipe.query_async(connection).await;
        sent.map_err(|e| {
            self.connection = None;
            e.to_string()
        })
    }
}
