//! `/trace/{code}`: a lot's public origin page and its QR code.
//!
//! The page is public HTML showing what cooperatives typed, so it goes out
//! with a Content-Security-Policy that allows no script at all, its one
//! inline stylesheet by hash, and images only from here and the media host.

use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::catalog::trace::{self, TracePage};
use crate::error::AppError;
use crate::http::AppState;

fn internal(err: &AppError) -> Response {
    if let AppError::Internal(cause) = err {
        tracing::error!(error = ?cause, "trace page failed");
    }
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// The CSP source of the pages' one inline stylesheet.
static STYLE_SOURCE: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(trace::STYLESHEET.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

/// The Content-Security-Policy of an HTML page whose images come from
/// `image_origins` (besides this server).
fn content_security_policy(image_origins: &[String]) -> String {
    let mut img = String::from("'self'");
    for origin in image_origins {
        img.push(' ');
        img.push_str(origin);
    }
    format!(
        "default-src 'none'; img-src {img}; style-src {style}; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'",
        style = *STYLE_SOURCE
    )
}

/// An HTML page with the headers every HTML page carries.
fn html_page(status: StatusCode, html: String, image_origins: &[String]) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(&content_security_policy(image_origins)) {
        Ok(csp) => {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        // Origins are checked to be plain ASCII; should one slip through,
        // the page goes out with no image host rather than none at all.
        Err(_) => {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_str(&content_security_policy(&[]))
                    .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
            );
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The HTML page, counting one scan; a Vietnamese 404 page for unknown codes.
pub async fn page(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    match trace::page(&state.db, &state.storage, &state.config.media, &code).await {
        Ok(Some(TracePage {
            html,
            image_origins,
        })) => html_page(StatusCode::OK, html, &image_origins),
        Ok(None) => html_page(StatusCode::NOT_FOUND, trace::not_found_page(&code), &[]),
        Err(err) => internal(&err),
    }
}

/// The page's URL, when the page would show; `Err` with the response to send
/// (404 exactly when the page is a 404) otherwise.
async fn trace_url(state: &AppState, code: &str) -> Result<String, Response> {
    match trace::public_code(&state.db, code).await {
        Ok(Some(code)) => Ok(format!("{}/trace/{code}", state.config.public_base_url)),
        Ok(None) => Err((StatusCode::NOT_FOUND, "unknown lot code").into_response()),
        Err(err) => Err(internal(&err)),
    }
}

/// The QR code of the page, as SVG.
pub async fn qr_svg(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let url = match trace_url(&state, &code).await {
        Ok(url) => url,
        Err(response) => return response,
    };
    match trace::qr_svg(&url) {
        Ok(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
                // An SVG opened on its own is a document: no script in it.
                (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
            ],
            svg,
        )
            .into_response(),
        Err(err) => internal(&err),
    }
}

/// The QR code of the page, as PNG (8 px per module, for printing).
pub async fn qr_png(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let url = match trace_url(&state, &code).await {
        Ok(url) => url,
        Err(response) => return response,
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
