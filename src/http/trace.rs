//! `/trace/{code}`: a lot's public origin page and its QR code.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::catalog::inputs::normalise_lot_code;
use crate::catalog::trace;
use crate::error::AppError;
use crate::http::AppState;

fn internal(err: &AppError) -> Response {
    if let AppError::Internal(cause) = err {
        tracing::error!(error = ?cause, "trace page failed");
    }
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// The HTML page, counting one scan; a Vietnamese 404 page for unknown codes.
pub async fn page(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    match trace::page(&state.db, &state.storage, &state.config.media, &code).await {
        Ok(Some(html)) => ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, Html(trace::not_found_page(&code))).into_response(),
        Err(err) => internal(&err),
    }
}

fn trace_url(state: &AppState, code: &str) -> Option<String> {
    normalise_lot_code(code).map(|code| format!("{}/trace/{code}", state.config.public_base_url))
}

/// The QR code of the page, as SVG.
pub async fn qr_svg(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let Some(url) = trace_url(&state, &code) else {
        return (StatusCode::NOT_FOUND, "unknown lot code").into_response();
    };
    match trace::qr_svg(&url) {
        Ok(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            svg,
        )
            .into_response(),
        Err(err) => internal(&err),
    }
}

/// The QR code of the page, as PNG (8 px per module, for printing).
pub async fn qr_png(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let Some(url) = trace_url(&state, &code) else {
        return (StatusCode::NOT_FOUND, "unknown lot code").into_response();
    };
    match trace::qr_png(&url, 8) {
        Ok(png) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            png,
        )
            .into_response(),
        Err(err) => internal(&err),
    }
}
