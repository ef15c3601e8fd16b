//! GraphQL subscriptions over WebSocket at `/graphql`, with the
//! `graphql-transport-ws` protocol and the legacy `graphql-ws` one. The
//! access token comes in the `connection_init` payload
//! (`{"Authorization": "Bearer …"}` or `{"token": "…"}`); without one the
//! viewer is anonymous and may follow public events.
//!
//! A client that does not read what it is sent must not make the server
//! hold more and more for it, nor hold up anyone else. Each connection has a
//! writer task fed by a queue of at most `FARMSTREAM_WS_SEND_QUEUE` messages.
//! While the queue is full the connection takes no new events, so a client
//! that is merely slow falls behind on the event bus and skips ahead (see
//! `graph::livestream::realtime`); one that stops reading altogether makes a write
//! wait longer than `FARMSTREAM_WS_SEND_TIMEOUT_SECS`, and the connection is
//! closed (and counted in `/metrics`). Either way the other subscribers
//! never wait for it, and what one connection holds is bounded.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_graphql::Executor;
use async_graphql::http::{
    ALL_WEBSOCKET_PROTOCOLS, WebSocket as GraphQLStream, WebSocketProtocols, WsMessage,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{FromRequestParts, Request, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;

use crate::auth::Viewer;
use crate::auth::tokens::TokenKeys;
use crate::config::SubscriptionConfig;
use crate::http::AppState;
use crate::http::fanout::Feeds;
use crate::metrics::Metrics;
use crate::schema::{self, AppSchema};

/// The largest message a client may send: subscription documents are small.
const MAX_INCOMING_BYTES: usize = 64 * 1024;

/// The read buffer of each connection; tungstenite's default is 128 KiB,
/// which thousands of mostly idle viewers would pay for nothing.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// The most bytes buffered for writing on one connection.
const MAX_WRITE_BUFFER_BYTES: usize = 1024 * 1024;

/// True when the request asks to upgrade to a WebSocket.
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Upgrades to a GraphQL WebSocket connection.
pub async fn upgrade(state: AppState, req: Request) -> Response {
    let (mut parts, _) = req.into_parts();
    let Some(protocol) = protocol(&parts.headers) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let executor = SubscriptionExecutor {
        schema: state.schema.clone(),
        feeds: state.feeds.clone(),
    };
    let keys = state.keys.clone();
    let limits = state.config.subscriptions.clone();
    let metrics = state.metrics.clone();
    ws.protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(MAX_INCOMING_BYTES)
        .max_frame_size(MAX_INCOMING_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| serve(socket, executor, protocol, keys, limits, metrics))
        .into_response()
}

fn millis_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The first GraphQL protocol the client offers that this server speaks.
fn protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|p| p.trim().parse().ok())
}

/// Runs one connection: reads the client's messages and the subscriptions'
/// items in this task, and writes through a bounded queue in another.
async fn serve(
    socket: WebSocket,
    executor: SubscriptionExecutor,
    protocol: WebSocketProtocols,
    keys: TokenKeys,
    limits: SubscriptionConfig,
    metrics: Arc<Metrics>,
) {
    let (mut sink, source) = socket.split();
    let opened = Instant::now();
    // Milliseconds after `opened` when the client was last heard from.
    let heard = Arc::new(AtomicU64::new(0));
    let hearing = heard.clone();
    let input = source
        .take_while(|message| std::future::ready(message.is_ok()))
        .filter_map(move |message| {
            hearing.store(millis_since(opened), Ordering::Relaxed);
            std::future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });
    // No keep-alive timeout of async-graphql's: it closes a connection whose
    // client sends no GraphQL message for a while, which is every viewer who
    // only listens. Pings and pongs below tell a live client from a dead one.
    let mut output = GraphQLStream::new(executor, input, protocol)
        .on_connection_init(move |payload| async move { connection_data(&payload, &keys) });
    // Pings every `ping_interval` (browsers and client libraries answer by
    // themselves); a connection from which nothing at all, not even a pong,
    // was heard for `idle_timeout` is closed. Viewers who only listen are
    // not idle: their pongs count.
    let (ping_every, idle_after) = (limits.ping_interval, limits.idle_timeout);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);

    let (queue, mut queued) = mpsc::channel::<Message>(limits.send_queue);
    let send_timeout = limits.send_timeout;
    let writer_metrics = metrics.clone();
    let mut writer = tokio::spawn(async move {
        while let Some(message) = queued.recv().await {
            match tokio::time::timeout(send_timeout, sink.send(message)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return,
                Err(_) => {
                    writer_metrics.subscription_dropped("send_timeout");
                    tracing::info!(
                        timeout = ?send_timeout,
                        "a subscriber did not read for too long; connection closed"
                    );
                    return;
                }
            }
        }
        let _ = tokio::time::timeout(send_timeout, sink.close()).await;
    });

    loop {
        let message = tokio::select! {
            message = output.next() => message,
            // The writer gave up (client gone or too slow): stop at once.
            _ = &mut writer => return,
            _ = ping.tick() => {
                let silent = millis_since(opened).saturating_sub(heard.load(Ordering::Relaxed));
                if u128::from(silent) > idle_after.as_millis() {
                    tracing::info!(silent_ms = silent, "nothing heard from a subscriber; connection closed");
                    writer.abort();
                    return;
                }
                // A full queue already keeps the writer busy; no ping needed.
                let _ = queue.try_send(Message::Ping(Default::default()));
                continue;
            }
        };
        let Some(message) = message else { break };
        let message = match message {
            WsMessage::Text(text) => Message::Text(text.into()),
            WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })),
        };
        // While the queue is full this connection takes no new events: its
        // place on the bus falls behind and skips ahead, and the writer's
        // timeout ends it if the client has stopped reading altogether.
        tokio::select! {
            sent = queue.send(message) => if sent.is_err() { return },
            _ = &mut writer => return,
        }
    }
    // The client closed or the protocol ended: let what is queued go out.
    drop(queue);
    let _ = writer.await;
}

/// Runs a connection's subscriptions: through a shared feed when they can
/// share one (see `http::fanout`), else on the schema alone.
#[derive(Clone)]
struct SubscriptionExecutor {
    schema: AppSchema,
    feeds: Arc<Feeds>,
}

impl Executor for SubscriptionExecutor {
    fn execute(
        &self,
        request: async_graphql::Request,
    ) -> impl Future<Output = async_graphql::Response> + Send {
        self.schema.execute(request)
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        self.feeds.execute_stream(request, session_data)
    }
}

/// The data of a connection: its viewer (a refused token refuses the
/// connection). Its subscriptions load through the schema's shared
/// DataLoaders (see `schema::connection_data`).
fn connection_data(
    payload: &serde_json::Value,
    keys: &TokenKeys,
) -> async_graphql::Result<async_graphql::Data> {
    let field = |name: &str| {
        payload
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let header = field("Authorization")
        .or_else(|| field("authorization"))
        .or_else(|| field("token").map(|t| format!("Bearer {t}")));
    let viewer = Viewer::from_authorization(header.as_deref(), keys);
    if let Viewer::Invalid(reason) = viewer {
        return Err(async_graphql::Error::new(reason));
    }
    Ok(schema::connection_data(viewer))
}
