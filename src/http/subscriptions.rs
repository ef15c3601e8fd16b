//! GraphQL subscriptions over WebSocket at `/graphql`, with the
//! `graphql-transport-ws` protocol and the legacy `graphql-ws` one. The
//! access token comes in the `connection_init` payload
//! (`{"Authorization": "Bearer …"}` or `{"token": "…"}`); without one the
//! viewer is anonymous and may follow public events.

use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{FromRequestParts, Request, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::auth::Viewer;
use crate::auth::tokens::TokenKeys;
use crate::db::Db;
use crate::http::AppState;
use crate::schema;

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
    let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &state).await {
        Ok(p) => p,
        Err(rejection) => return rejection.into_response(),
    };
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let schema = state.schema.clone();
    let (db, keys) = (state.db.clone(), state.keys.clone());
    ws.protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| {
                    let (db, keys) = (db.clone(), keys.clone());
                    async move { connection_data(&payload, &db, &keys) }
                })
                .keepalive_timeout(Duration::from_secs(60))
                .serve()
        })
        .into_response()
}

/// The data of a connection: its viewer (a refused token refuses the
/// connection) and its DataLoaders.
fn connection_data(
    payload: &serde_json::Value,
    db: &Db,
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
    Ok(schema::request_data(db, viewer))
}
