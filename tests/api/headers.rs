//! Headers every response carries, whichever route or layer answered.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::helpers::TestApp;

#[tokio::test]
async fn every_response_forbids_content_sniffing_and_names_no_server() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_BODY_LIMIT_BYTES".into(), "4096".into());
    })
    .await;
    let gql = |body: &str| {
        Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .expect("request")
    };
    let get = |path: &str| Request::get(path).body(Body::empty()).expect("request");
    let cases = [
        (
            "graphql",
            gql(r#"{"query":"{ __typename }"}"#),
            StatusCode::OK,
        ),
        (
            "graphql error",
            gql(r#"{"query":"{ nope }"}"#),
            StatusCode::OK,
        ),
        (
            "graphql parse error",
            gql("not json"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "graphql too large",
            gql(&format!(r#"{{"query":"{}"}}"#, " ".repeat(8192))),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "graphiql",
            Request::get("/graphql")
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .expect("request"),
            StatusCode::OK,
        ),
        ("health", get("/healthz"), StatusCode::OK),
        ("ready", get("/readyz"), StatusCode::OK),
        ("metrics", get("/metrics"), StatusCode::OK),
        (
            "trace 404",
            get("/trace/LOT-2222-3333"),
            StatusCode::NOT_FOUND,
        ),
        (
            "qr 404",
            get("/trace/LOT-2222-3333/qr.svg"),
            StatusCode::NOT_FOUND,
        ),
        (
            "webhook",
            Request::post("/webhooks/bank-transfers")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .expect("request"),
            StatusCode::UNAUTHORIZED,
        ),
        ("no such route", get("/wp-admin/"), StatusCode::NOT_FOUND),
        (
            "wrong method",
            Request::builder()
                .method(Method::DELETE)
                .uri("/healthz")
                .body(Body::empty())
                .expect("request"),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    for (what, req, expected) in cases {
        let (status, headers, _) = app.request(req).await;
        assert_eq!(status, expected, "{what}");
        assert_eq!(
            headers
                .get(header::X_CONTENT_TYPE_OPTIONS)
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{what} ({status}): {headers:?}"
        );
        assert!(
            !headers.contains_key(header::SERVER),
            "{what} ({status}) names its server: {headers:?}"
        );
    }
}
