//! `/healthz` (the process is up), `/readyz` (it can serve: database and
//! storage answer) and `/metrics` (Prometheus text format).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::AppState;

/// How long `/readyz` waits for each dependency.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    let (db, storage) = tokio::join!(
        async {
            match tokio::time::timeout(READY_TIMEOUT, state.db.ping()).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(err)) => Err(format!("database unreachable: {err}")),
                Err(_) => Err("database did not answer in time".to_owned()),
            }
        },
        state.storage.ping(READY_TIMEOUT),
    );
    let storage = storage.map_err(|e| format!("storage unreachable: {e}"));
    for problem in [&db, &storage].into_iter().filter_map(|r| r.as_ref().err()) {
        tracing::warn!(problem = %problem, "not ready");
    }
    let word = |r: &Result<(), String>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.clone(),
    };
    let ready = db.is_ok() && storage.is_ok();
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": word(&db),
        "storage": word(&storage),
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state
            .metrics
            .render(&state.db, &state.events, state.feeds.counts()),
    )
        .into_response()
}
