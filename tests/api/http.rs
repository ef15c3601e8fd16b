//! The HTTP surface of `/graphql`: GraphQL over HTTP, limits on the wire.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn post(body: impl Into<Body>, accept: &str) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, accept)
        .body(body.into())
        .expect("request")
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let padding = "x".repeat(1024 * 1024 + 1);
    let body = json!({ "query": "{ __typename }", "variables": { "pad": padding } }).to_string();
    let (status, _, _) = app.request(post(body, "application/json")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Streamed without a length, it is cut off all the same.
    let chunks = futures_util::stream::iter(
        (0..20).map(|_| Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b' '; 64 * 1024]))),
    );
    let (status, _, _) = app
        .request(post(Body::from_stream(chunks), "application/json"))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_response_format_follows_the_accept_header() {
    let app = TestApp::spawn().await;
    let q = json!({ "query": "{ __typename }" }).to_string();
    for (accept, want) in [
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (
            "application/graphql-response+json",
            "application/graphql-response+json",
        ),
    ] {
        let (status, headers, _) = app.request(post(q.clone(), accept)).await;
        assert_eq!(status, StatusCode::OK);
        let ct = headers[header::CONTENT_TYPE].to_str().expect("ascii");
        assert!(ct.starts_with(want), "{accept} gave {ct}");
    }
    let (status, _, _) = app.request(post(q, "text/csv")).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn request_errors_are_400_for_graphql_response_json_and_200_for_json() {
    let app = TestApp::spawn().await;
    let broken = json!({ "query": "{ me { id " }).to_string();
    let (status, _, body) = app
        .request(post(broken.clone(), "application/graphql-response+json"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert!(
        body.get("data").is_none(),
        "request errors carry no data: {body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
    let (status, _, _) = app.request(post(broken, "application/json")).await;
    assert_eq!(status, StatusCode::OK);

    let invalid = json!({ "query": "{ noSuchField }" }).to_string();
    let (status, _, body) = app
        .request(post(invalid, "application/graphql-response+json"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
}

#[tokio::test]
async fn malformed_requests_get_400_with_a_reason() {
    let app = TestApp::spawn().await;
    for (body, reason) in [
        ("{ \"not json", "not valid JSON"),
        (
            "[{\"query\":\"{ __typename }\"}]",
            "batched requests are not supported",
        ),
        ("{\"qeury\":\"{ __typename }\"}", "no `query`"),
        (
            "{\"query\":\"{ __typename }\",\"variables\":\"x\"}",
            "`variables`",
        ),
        (
            "{\"query\":\"{ __typename }\",\"extensions\":[1]}",
            "`extensions`",
        ),
    ] {
        let (status, _, bytes) = app.request(post(body.to_owned(), "application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let json: Value = serde_json::from_slice(&bytes).expect("json");
        let msg = json["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(reason), "{body}: {msg}");
    }
    let no_type = Request::post("/graphql")
        .body(Body::from("{\"query\":\"{ __typename }\"}"))
        .expect("request");
    let (status, _, _) = app.request(no_type).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn get_runs_queries_but_never_mutations() {
    let app = TestApp::spawn().await;
    let get = |q: &str| {
        let url = format!("/graphql?query={}", urlencode(q));
        Request::get(url)
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .expect("request")
    };
    let (status, _, body) = app.request(get("{ __typename }")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).expect("json")["data"]["__typename"],
        "Query"
    );
    let mutation =
        "mutation { logout(refreshToken: \"x\") { loggedOut userErrors { code field message } } }";
    let (status, headers, _) = app.request(get(mutation)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");
    // A named mutation, alone and without `operationName`, is refused too.
    let named = "mutation Out { logout(refreshToken: \"x\") { loggedOut } }";
    let (status, _, _) = app.request(get(named)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_browser_gets_graphiql() {
    let app = TestApp::spawn().await;
    let req = Request::get("/graphql")
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .body(Body::empty())
        .expect("request");
    let (status, headers, body) = app.request(req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    assert!(String::from_utf8_lossy(&body).contains("graphiql"));
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let (_, headers, _) = app
        .request(Request::get("/healthz").body(Body::empty()).expect("req"))
        .await;
    let id = headers["x-request-id"].to_str().expect("ascii");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let req = Request::get("/healthz")
        .header("x-request-id", "from-the-client-42")
        .body(Body::empty())
        .expect("req");
    let (_, headers, _) = app.request(req).await;
    assert_eq!(headers["x-request-id"], "from-the-client-42");
}

#[tokio::test]
async fn cors_answers_preflight_requests() {
    let app = TestApp::spawn_with(|s| {
        s.insert(
            "FARMSTREAM_CORS_ORIGINS".into(),
            "https://admin.farmstream.vn".into(),
        );
    })
    .await;
    let req = Request::options("/graphql")
        .header(header::ORIGIN, "https://admin.farmstream.vn")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .body(Body::empty())
        .expect("req");
    let (_, headers, _) = app.request(req).await;
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://admin.farmstream.vn"
    );
    let req = Request::options("/graphql")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .expect("req");
    let (_, headers, _) = app.request(req).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
