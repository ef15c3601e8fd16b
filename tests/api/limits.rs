//! Operation limits: depth, aliases, directives, complexity, introspection.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_too_deep_query_is_rejected_with_a_clear_message() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_GRAPHQL_MAX_DEPTH".into(), "3".into());
    })
    .await;
    let deep = "{ products { edges { node { id } } } }";
    let res = app.gql(deep, json!({})).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        res.message().contains("nested too deep"),
        "{}",
        res.message()
    );
}

#[tokio::test]
async fn a_query_with_too_many_aliases_is_rejected() {
    let app = TestApp::spawn().await;
    let many: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let res = app.gql(&format!("{{ {many} }}"), json!({})).await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        res.message().contains("31 aliases; at most 30"),
        "{}",
        res.message()
    );
    // Aliases hidden in a fragment spread twice count twice.
    let inner: String = (0..16).map(|i| format!("b{i}: id ")).collect();
    let q = format!("{{ x: me {{ ...F }} y: me {{ ...F }} }} fragment F on User {{ {inner} }}");
    assert_eq!(
        app.gql(&q, json!({})).await.code(),
        "GRAPHQL_VALIDATION_FAILED"
    );
    let few: String = (0..30).map(|i| format!("a{i}: __typename ")).collect();
    assert!(app.gql(&format!("{{ {few} }}"), json!({})).await.body["errors"].is_null());
}

#[tokio::test]
async fn a_query_with_too_many_directives_is_rejected() {
    let app = TestApp::spawn().await;
    let many: String = (0..11)
        .map(|i| format!("a{i}: __typename @include(if: true) "))
        .collect();
    let res = app.gql(&format!("{{ {many} }}"), json!({})).await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(res.message().contains("directives"), "{}", res.message());
}

#[tokio::test]
async fn a_too_complex_query_is_rejected() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_GRAPHQL_MAX_COMPLEXITY".into(), "5".into());
    })
    .await;
    let res = app
        .gql(
            "{ me { id email displayName phone createdAt roles } }",
            json!({}),
        )
        .await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(res.message().contains("complex"), "{}", res.message());
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_GRAPHQL_INTROSPECTION".into(), "false".into());
    })
    .await;
    let res = app
        .gql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(
        res.body["data"]["__schema"],
        serde_json::Value::Null,
        "introspection must be off: {}",
        res.body
    );
    let res = app
        .gql("{ __type(name: \"User\") { fields { name } } }", json!({}))
        .await;
    assert_eq!(
        res.body["data"]["__type"],
        serde_json::Value::Null,
        "{}",
        res.body
    );
    let on = TestApp::spawn().await;
    let res = on
        .gql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(res.data()["__schema"]["queryType"]["name"], "Query");
}
