//! Shared feeds: viewers sending the same show subscription share one
//! execution per event, each still counts as a viewer, what depends on who
//! watches is still answered for each, and one that falls behind skips
//! ahead on its own.

use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use farmstream::auth::Viewer;
use farmstream::events::Event;
use farmstream::http::fanout::Feeds;

use crate::helpers::{TestApp, uuid_of};
use crate::realtime::{connect, next};

const EVENTS: &str = "subscription($id: ID!) { livestreamEvents(livestreamId: $id) { __typename ... on ProductPinned { product { name } } ... on ViewerCountChanged { viewers } ... on EventsSkipped { missed } } }";

/// A live show with one product in its lineup: (owner token, show, product).
async fn live_show(app: &TestApp) -> (String, String, String) {
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài").await;
    let (product, _) = app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    let show = app.show(&owner, &coop, &[&product], true).await;
    (owner.access, show, product)
}

/// A gauge of `/metrics`.
async fn gauge(app: &TestApp, name: &str) -> i64 {
    let (_, _, body) = app
        .request(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    let prefix = format!("farmstream_{name} ");
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix(&prefix)?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
}

/// Waits until `name` reads `want`, for up to 5 s.
async fn gauge_reaches(app: &TestApp, name: &str, want: i64) {
    for _ in 0..100 {
        if gauge(app, name).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{name} stayed at {} (wanted {want})",
        gauge(app, name).await
    );
}

/// Subscribes `ws` (acknowledged) to `query` for `show` as subscription "1".
async fn subscribe(ws: &mut crate::realtime::Socket, query: &str, show: &str) {
    assert_eq!(next(ws).await["type"], "connection_ack");
    ws.send(Message::text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": { "id": show } } })
            .to_string(),
    ))
    .await
    .expect("subscribe");
}

/// The next show event on `ws` of `typename`, skipping others.
async fn next_of(ws: &mut crate::realtime::Socket, typename: &str) -> Value {
    loop {
        let msg = next(ws).await;
        let event = &msg["payload"]["data"]["livestreamEvents"];
        if event["__typename"] == typename {
            return event.clone();
        }
    }
}

#[tokio::test]
async fn viewers_with_the_same_subscription_share_one_execution_and_each_counts_as_a_viewer() {
    let app = TestApp::spawn().await;
    let (owner, show, product) = live_show(&app).await;
    let addr = app.listen().await;

    let mut first = connect(addr, "graphql-transport-ws", json!({})).await;
    subscribe(&mut first, EVENTS, &show).await;
    let mut second = connect(addr, "graphql-transport-ws", json!({})).await;
    subscribe(&mut second, EVENTS, &show).await;
    // Another document is another feed; a signed-in viewer shares too.
    let other = EVENTS.replace(
        "... on EventsSkipped",
        "... on LivestreamEnded { livestream { id } } ... on EventsSkipped",
    );
    let mut third = connect(addr, "graphql-transport-ws", json!({})).await;
    subscribe(&mut third, &other, &show).await;
    let mut signed_in = connect(addr, "graphql-transport-ws", json!({ "token": owner })).await;
    subscribe(&mut signed_in, EVENTS, &show).await;

    for ws in [&mut first, &mut second, &mut third, &mut signed_in] {
        loop {
            if next_of(ws, "ViewerCountChanged").await["viewers"] == 4 {
                break;
            }
        }
    }
    assert_eq!(gauge(&app, "subscription_feeds").await, 2);
    assert_eq!(gauge(&app, "subscription_feed_members").await, 4);

    app.gql_as(
        Some(&owner),
        "mutation($l: ID!, $p: ID!) { pinProduct(livestreamId: $l, productId: $p) { livestream { id } userErrors { code field message } } }",
        json!({ "l": show, "p": product }),
    )
    .await
    .payload("pinProduct");
    for ws in [&mut first, &mut second, &mut third, &mut signed_in] {
        let pinned = next_of(ws, "ProductPinned").await;
        assert_eq!(pinned["product"]["name"], "Xoài tròn");
    }

    // Members leave one by one; the feed runs while one is left.
    drop(first);
    assert_eq!(
        next_of(&mut second, "ViewerCountChanged").await["viewers"],
        3
    );
    assert_eq!(gauge(&app, "subscription_feeds").await, 2);
    drop(second);
    drop(third);
    gauge_reaches(&app, "subscription_feeds", 1).await;
    gauge_reaches(&app, "subscription_feed_members", 1).await;
    // The signed-in viewer, alone now, hears the count come down to one.
    while next_of(&mut signed_in, "ViewerCountChanged").await["viewers"] != 1 {}
}

#[tokio::test]
async fn a_signed_in_viewer_sharing_a_feed_still_sees_what_depends_on_who_they_are() {
    let app = TestApp::spawn().await;
    let (owner, show, product) = live_show(&app).await;
    let stranger = app.register("stranger@example.vn").await;
    let addr = app.listen().await;
    let query = "subscription($id: ID!) { livestreamEvents(livestreamId: $id) { __typename ... on ProductPinned { product { name cooperative { name viewerRole } } } ... on ViewerCountChanged { viewers } } }";
    let mut anonymous = connect(addr, "graphql-transport-ws", json!({})).await;
    subscribe(&mut anonymous, query, &show).await;
    let mut staff = connect(addr, "graphql-transport-ws", json!({ "token": owner })).await;
    subscribe(&mut staff, query, &show).await;
    let mut other = connect(
        addr,
        "graphql-transport-ws",
        json!({ "Authorization": format!("Bearer {}", stranger.access) }),
    )
    .await;
    subscribe(&mut other, query, &show).await;
    for ws in [&mut anonymous, &mut staff, &mut other] {
        while next_of(ws, "ViewerCountChanged").await["viewers"] != 3 {}
    }
    assert_eq!(gauge(&app, "subscription_feeds").await, 1);
    assert_eq!(gauge(&app, "subscription_feed_members").await, 3);

    app.gql_as(
        Some(&owner),
        "mutation($l: ID!, $p: ID!) { pinProduct(livestreamId: $l, productId: $p) { livestream { id } userErrors { code field message } } }",
        json!({ "l": show, "p": product }),
    )
    .await
    .payload("pinProduct");
    let role = |pinned: &Value| pinned["product"]["cooperative"]["viewerRole"].clone();
    let pinned = next_of(&mut staff, "ProductPinned").await;
    assert_eq!(pinned["product"]["cooperative"]["name"], "HTX Xoài");
    assert_eq!(role(&pinned), "OWNER", "the owner sees its role");
    assert_eq!(
        role(&next_of(&mut anonymous, "ProductPinned").await),
        Value::Null
    );
    assert_eq!(
        role(&next_of(&mut other, "ProductPinned").await),
        Value::Null
    );
}

/// The next show event a feed member receives, within 5 s.
async fn event_of(member: &mut BoxStream<'static, async_graphql::Response>) -> Value {
    let response = tokio::time::timeout(Duration::from_secs(5), member.next())
        .await
        .expect("an event within 5 s")
        .expect("the subscription goes on");
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().expect("json")["livestreamEvents"].clone()
}

#[tokio::test]
async fn a_viewer_that_falls_behind_its_feed_skips_ahead_alone_and_is_told_how_many_it_missed() {
    let app = TestApp::spawn().await;
    let (_, show, _) = live_show(&app).await;
    let show_id = uuid_of(&show);
    // Room for two responses per member.
    let feeds = Feeds::new(app.app.state.schema.clone(), 2);
    let member = || {
        let request = async_graphql::Request::new(EVENTS)
            .variables(async_graphql::Variables::from_json(json!({ "id": show })));
        let session = farmstream::schema::connection_data(Viewer::Anonymous);
        feeds.execute_stream(request, Some(std::sync::Arc::new(session)))
    };
    let mut slow = member();
    let mut quick = member();
    // Both are counted, and both hear it once the feed listens (after the
    // show's start, on a shared bus, which may arrive late).
    loop {
        let event = event_of(&mut quick).await;
        if event["__typename"] == "ViewerCountChanged" && event["viewers"] == 2 {
            break;
        }
    }
    // Five events; the quick member reads each as it comes.
    for _ in 0..5 {
        app.app.state.events.publish(Event::ProductUnpinned {
            livestream_id: farmstream::ids::LivestreamId::from(show_id),
        });
        loop {
            let event = event_of(&mut quick).await;
            if event["__typename"] == "ProductUnpinned" {
                break;
            }
        }
    }
    // The slow one kept only the last two: it is told what it missed first.
    let mut seen = Vec::new();
    loop {
        let event = event_of(&mut slow).await;
        seen.push(event["__typename"].as_str().expect("typename").to_owned());
        if event["__typename"] == "EventsSkipped" {
            assert!(event["missed"].as_i64().expect("missed") >= 1, "{event}");
            break;
        }
        assert!(seen.len() < 3, "no EventsSkipped notice: {seen:?}");
    }
    for _ in 0..2 {
        let event = event_of(&mut slow).await;
        assert_eq!(event["__typename"], "ProductUnpinned", "{seen:?}");
    }
}
