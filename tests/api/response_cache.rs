//! The response cache: anonymous catalogue reads are answered from memory
//! for a short time, writes empty it, and nothing private is ever kept.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::TestApp;

const NAMES: &str = "query Names { products(first: 5) { nodes { name } } }";

/// Renames the product behind the API's back, so that only a cached answer
/// can still show the old name.
async fn rename_quietly(app: &TestApp, slug: &str, name: &str) {
    app.app
        .state
        .db
        .conn()
        .execute_unprepared(&format!(
            "UPDATE products SET name = '{name}' WHERE slug = '{slug}'"
        ))
        .await
        .expect("renamed");
}

fn names(res: &crate::helpers::Gql) -> serde_json::Value {
    res.data()["products"]["nodes"].clone()
}

#[tokio::test]
async fn an_anonymous_catalogue_read_is_answered_from_memory_until_something_is_written() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_RESPONSE_CACHE_TTL_MS".into(), "60000".into());
    })
    .await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    assert_eq!(
        names(&app.gql(NAMES, json!({})).await),
        json!([{ "name": "Xoài tròn" }])
    );

    rename_quietly(&app, "xoai-tron", "Đổi tên").await;
    assert_eq!(
        names(&app.gql(NAMES, json!({})).await),
        json!([{ "name": "Xoài tròn" }]),
        "the same anonymous read comes from memory"
    );
    assert_eq!(
        names(&app.gql_as(Some(&owner.access), NAMES, json!({})).await),
        json!([{ "name": "Đổi tên" }]),
        "a signed-in caller always gets a fresh answer"
    );
    let with_cart = app
        .gql(
            "query Mixed { products(first: 5) { nodes { name } } cart { items { quantity } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        with_cart.body["data"]["products"]["nodes"],
        json!([{ "name": "Đổi tên" }]),
        "an operation touching a private root field is never cached"
    );

    // Any mutation empties the cache.
    app.product(&owner, &coop, "Mận hậu", 80_000, 10).await;
    let fresh = names(&app.gql(NAMES, json!({})).await);
    let mut fresh: Vec<String> = fresh
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["name"].as_str().expect("name").to_owned())
        .collect();
    fresh.sort();
    assert_eq!(fresh, ["Mận hậu", "Đổi tên"]);
}

#[tokio::test]
async fn a_zero_ttl_turns_the_response_cache_off() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_RESPONSE_CACHE_TTL_MS".into(), "0".into());
    })
    .await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    app.gql(NAMES, json!({})).await.data();
    rename_quietly(&app, "xoai-tron", "Đổi tên").await;
    assert_eq!(
        names(&app.gql(NAMES, json!({})).await),
        json!([{ "name": "Đổi tên" }])
    );
}

#[tokio::test]
async fn an_event_on_the_bus_empties_the_response_cache() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_RESPONSE_CACHE_TTL_MS".into(), "60000".into());
    })
    .await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    app.gql(NAMES, json!({})).await.data();
    rename_quietly(&app, "xoai-tron", "Đổi tên").await;
    // What a background task (the payment-hold sweeper, say) announces.
    app.app
        .state
        .events
        .publish(farmstream::events::Event::LivestreamEnded {
            livestream_id: farmstream::ids::LivestreamId::new(),
        });
    let mut seen = serde_json::Value::Null;
    for _ in 0..50 {
        seen = names(&app.gql(NAMES, json!({})).await);
        if seen == json!([{ "name": "Đổi tên" }]) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("still the cached answer after the event: {seen}");
}

#[tokio::test]
async fn a_query_touching_a_private_field_beside_a_public_one_is_never_cached() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_RESPONSE_CACHE_TTL_MS".into(), "60000".into());
    })
    .await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    let mixed = [
        "query Mixed { products(first: 5) { nodes { name } } me { id } }",
        "query Mixed { products(first: 5) { nodes { name } } cart { items { quantity } } }",
        "query Mixed { ...Page } fragment Page on Query { products(first: 5) { nodes { name } } me { id } }",
    ];
    let mut current = "Xoài tròn".to_owned();
    for (i, query) in mixed.iter().enumerate() {
        let first = app.gql(query, json!({})).await;
        assert!(first.body.get("errors").is_none(), "{}", first.body);
        assert_eq!(names(&first), json!([{ "name": current }]), "{query}");
        current = format!("Đổi tên {i}");
        rename_quietly(&app, "xoai-tron", &current).await;
        assert_eq!(
            names(&app.gql(query, json!({})).await),
            json!([{ "name": current }]),
            "{query} was answered from memory"
        );
    }
}
