//! `/healthz`, `/readyz` and `/metrics`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).expect("request")
}

#[tokio::test]
async fn healthz_says_the_process_is_up() {
    let app = TestApp::spawn().await;
    let (status, _, body) = app.request(get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).expect("json")["status"],
        "ok"
    );
}

#[tokio::test]
async fn readyz_is_ready_when_database_and_storage_answer() {
    let app = TestApp::spawn().await;
    let (status, _, body) = app.request(get("/readyz")).await;
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "status": "ready", "database": "ok", "storage": "ok" })
    );
}

#[tokio::test]
async fn readyz_turns_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.app.state.db.clone().close().await.expect("pool closes");
    let (status, _, body) = app.request(get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["status"], "unavailable");
    assert_ne!(body["database"], "ok");
    assert_eq!(body["storage"], "ok");
}

#[tokio::test]
async fn readyz_turns_503_when_storage_is_gone() {
    let app = TestApp::spawn_with(|s| {
        // An external store nobody listens on.
        s.insert("FARMSTREAM_S3_ENDPOINT".into(), "http://127.0.0.1:9".into());
        s.insert("FARMSTREAM_S3_ACCESS_KEY_ID".into(), "k".into());
        s.insert("FARMSTREAM_S3_SECRET_ACCESS_KEY".into(), "s".into());
    })
    .await;
    let (status, _, body) = app.request(get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["database"], "ok");
    assert_ne!(body["storage"], "ok");
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_errors_by_code() {
    let app = TestApp::spawn().await;
    app.gql("query WhoAmI { me { id } }", json!({})).await;
    app.gql("query WhoAmI { me { id } }", json!({})).await;
    app.gql_as(Some("forged"), "query WhoAmI { me { id } }", json!({}))
        .await;
    let (status, headers, body) = app.request(get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    let text = String::from_utf8(body).expect("utf-8");
    assert!(
        text.contains("farmstream_graphql_requests_total{operation=\"WhoAmI\",type=\"POST\"} 3"),
        "{text}"
    );
    assert!(
        text.contains("farmstream_graphql_errors_total{code=\"UNAUTHENTICATED\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("farmstream_graphql_request_duration_seconds_bucket{operation=\"WhoAmI\"")
    );
    assert!(
        text.contains("farmstream_db_pool_max_connections 5"),
        "{text}"
    );
    assert!(text.contains("farmstream_db_pool_connections"));
}
