//! The HTTP surface: routes, and the layers every request passes through
//! (request id, tracing, CORS, timeout, body limit, security headers).

pub mod fanout;
pub mod graphql;
mod health;
mod payments;
pub mod response_cache;
mod subscriptions;
mod trace;
mod training;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::routing::{get, post};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::db::Db;
use crate::events::EventBus;
use crate::metrics::Metrics;
use crate::schema::AppSchema;
use crate::storage::Storage;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub storage: Storage,
    pub keys: TokenKeys,
    pub schema: AppSchema,
    pub metrics: Arc<Metrics>,
    /// Where domain events are published (the GraphQL schema holds a clone).
    pub events: EventBus,
    /// Short-lived answers to anonymous catalogue queries.
    pub response_cache: Arc<response_cache::ResponseCache>,
    /// Shared executions of anonymous viewers' show subscriptions.
    pub feeds: Arc<crate::http::fanout::Feeds>,
}

/// The header carrying the request id, set when the client sent none.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route of the service.
pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/trace/{code}", get(trace::page))
        .route("/trace/{code}/qr.svg", get(trace::qr_svg))
        .route("/trace/{code}/qr.png", get(trace::qr_png))
        .route("/payments/{number}/vietqr.png", get(payments::vietqr_png))
        .route("/payments/{number}/vietqr.svg", get(payments::vietqr_svg))
        .route(
            "/webhooks/bank-transfers",
            post(payments::bank_transfer).layer(RequestBodyLimitLayer::new(
                crate::payments::webhook::MAX_BODY_BYTES,
            )),
        )
        .route(
            "/training/sessions/{id}/checkin.svg",
            get(training::checkin_svg),
        )
        .route(
            "/exports/courses/{id}/participants.csv",
            get(training::participants_csv),
        )
        .route(
            "/exports/courses/{id}/attendance.csv",
            get(training::attendance_csv),
        )
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                        let id = req
                            .extensions()
                            .get::<RequestId>()
                            .and_then(|id| id.header_value().to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!(
                            "request",
                            request_id = %id,
                            method = %req.method(),
                            path = %req.uri().path(),
                            graphql.operation = tracing::field::Empty,
                        )
                    }),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(RequestBodyLimitLayer::new(config.body_limit_bytes))
                .layer(cors(&config))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    config.request_timeout,
                )),
        )
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::map_response(security_headers))
}

/// Headers every response carries, whichever layer or route produced it
/// (timeouts, body-limit refusals and 404s included): no content sniffing,
/// and no `Server` header naming the software and its version.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.remove(header::SERVER);
    response
}

fn cors(config: &Config) -> CorsLayer {
    let origins = if config.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .cors_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            REQUEST_ID,
        ])
        .expose_headers([REQUEST_ID])
        .max_age(std::time::Duration::from_secs(3600))
}
