//! Subscriptions over WebSocket: both protocols, events of a show as they
//! happen, viewer counts, and refusals.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, gid, uuid_of};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket to `addr`'s `/graphql` speaking `protocol`, with
/// `connection_init` sent.
pub async fn connect(addr: std::net::SocketAddr, protocol: &str, init: Value) -> Socket {
    let mut req = format!("ws://{addr}/graphql")
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connects");
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": init }).to_string(),
    ))
    .await
    .expect("init");
    ws
}

/// The next message that is not a keep-alive, within 5 s.
pub async fn next(ws: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("a message within 5 s")
            .expect("open")
            .expect("readable");
        if let Message::Text(text) = msg {
            let v: Value = serde_json::from_str(&text).expect("json");
            if v["type"] != "ka" && v["type"] != "ping" {
                return v;
            }
        }
    }
}

const EVENTS: &str = "subscription($id: ID!) { livestreamEvents(livestreamId: $id) { __typename ... on LivestreamStarted { livestream { id status } } ... on ProductPinned { product { name variants { priceVnd stock } } } ... on ViewerCountChanged { viewers } ... on OrderPlaced { message } } }";
const START: &str = "mutation($id: ID!) { startLivestream(id: $id) { livestream { status } userErrors { code field message } } }";
const SCHEDULE: &str = "mutation($i: ScheduleLivestreamInput!) { scheduleLivestream(input: $i) { livestream { id } userErrors { code field message } } }";

#[tokio::test]
async fn viewers_receive_a_shows_events_as_they_happen() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài").await;
    let (product, _) = app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    let show = app.show(&owner, &coop, &[&product], false).await;
    let addr = app.listen().await;

    let mut ws = connect(addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    ws.send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": EVENTS, "variables": { "id": show } } }).to_string()))
        .await
        .expect("subscribe");
    let first = next(&mut ws).await;
    assert_eq!(
        first["payload"]["data"]["livestreamEvents"],
        json!({ "__typename": "ViewerCountChanged", "viewers": 1 })
    );

    // The legacy protocol works too, and counts as a second viewer.
    let mut legacy = connect(
        addr,
        "graphql-ws",
        json!({ "Authorization": format!("Bearer {}", owner.access) }),
    )
    .await;
    assert_eq!(next(&mut legacy).await["type"], "connection_ack");
    legacy
        .send(Message::text(json!({ "id": "a", "type": "start", "payload": { "query": EVENTS, "variables": { "id": show } } }).to_string()))
        .await
        .expect("start");
    let seen = next(&mut legacy).await;
    assert_eq!(seen["type"], "data");
    assert_eq!(
        next(&mut ws).await["payload"]["data"]["livestreamEvents"]["viewers"],
        2
    );

    let t = Some(owner.access.as_str());
    app.gql_as(t, START, json!({ "id": show }))
        .await
        .payload("startLivestream");
    assert_eq!(
        next(&mut ws).await["payload"]["data"]["livestreamEvents"],
        json!({ "__typename": "LivestreamStarted", "livestream": { "id": show, "status": "LIVE" } }),
        "the event carries the show itself"
    );
    app.gql_as(
        t,
        "mutation($l: ID!, $p: ID!) { pinProduct(livestreamId: $l, productId: $p) { livestream { id } userErrors { code field message } } }",
        json!({ "l": show, "p": product }),
    )
    .await
    .payload("pinProduct");
    let pinned = next(&mut ws).await;
    let pinned = &pinned["payload"]["data"]["livestreamEvents"];
    assert_eq!(pinned["__typename"], "ProductPinned");
    assert_eq!(pinned["product"]["name"], "Xoài tròn");
    assert_eq!(pinned["product"]["variants"][0]["priceVnd"], 120000);

    // The second viewer leaves; the first hears the count drop.
    drop(legacy);
    assert_eq!(
        next(&mut ws).await["payload"]["data"]["livestreamEvents"]["viewers"],
        1
    );
    let peak = app
        .gql(
            "query($id: ID!) { livestream(id: $id) { peakViewers } }",
            json!({ "id": show }),
        )
        .await;
    assert_eq!(peak.data()["livestream"]["peakViewers"], 2);
}

#[tokio::test]
async fn an_unknown_show_fails_that_subscription_only_and_a_bad_token_refuses_the_connection() {
    let app = TestApp::spawn().await;
    let addr = app.listen().await;
    let mut ws = connect(addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    let unknown = gid("Livestream", uuid::Uuid::new_v4());
    ws.send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": EVENTS, "variables": { "id": unknown } } }).to_string()))
        .await
        .expect("subscribe");
    let err = next(&mut ws).await;
    assert_eq!(err["type"], "next", "{err}");
    assert_eq!(
        err["payload"]["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );
    // The connection still serves other subscriptions.
    ws.send(Message::text(json!({ "id": "2", "type": "subscribe", "payload": { "query": "subscription { myOrderUpdates { status } }" } }).to_string()))
        .await
        .expect("subscribe");
    let mut err = next(&mut ws).await;
    while err["id"] != "2" {
        err = next(&mut ws).await;
    }
    assert_eq!(
        err["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{err}"
    );

    let mut bad = connect(
        addr,
        "graphql-transport-ws",
        json!({ "Authorization": "Bearer forged" }),
    )
    .await;
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), bad.next())
        .await
        .expect("answers");
    match closed {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert!(frame.reason.contains("invalid"), "{frame:?}")
        }
        other => panic!("expected the connection to be closed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_follower_hears_when_a_followed_cooperative_goes_live() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let fan = app.register("fan@example.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let other = app.cooperative(&owner, "HTX Khác").await;
    let follow = "mutation($c: ID!) { followCooperative(cooperativeId: $c) { cooperative { name } userErrors { code field message } } }";
    assert_eq!(
        app.gql(follow, json!({ "c": coop })).await.code(),
        "UNAUTHENTICATED"
    );
    for _ in 0..2 {
        let res = app
            .gql_as(Some(&fan.access), follow, json!({ "c": coop }))
            .await;
        assert_eq!(
            res.payload("followCooperative")["cooperative"]["name"],
            "HTX Xoài Yên Châu",
            "following twice is harmless"
        );
    }
    let mine = app
        .gql_as(Some(&fan.access), "{ myFollows { name } }", json!({}))
        .await;
    assert_eq!(
        mine.data()["myFollows"],
        json!([{ "name": "HTX Xoài Yên Châu" }])
    );

    let addr = app.listen().await;
    let mut ws = connect(addr, "graphql-transport-ws", json!({ "token": fan.access })).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    ws.send(Message::text(json!({ "id": "n", "type": "subscribe", "payload": { "query": "subscription { myNotifications { kind message livestream { id title } } }" } }).to_string()))
        .await
        .expect("subscribe");
    let mut shows = Vec::new();
    for (c, title) in [(&other, "Không theo dõi"), (&coop, "Xoài chín cây")] {
        let res = app
            .gql_as(
                Some(&owner.access),
                SCHEDULE,
                json!({ "i": { "cooperativeId": c, "title": title, "platform": "TIKTOK", "hostName": "Hoa", "scheduledStartAt": "2030-12-01T12:00:00Z" } }),
            )
            .await;
        shows.push(
            res.payload("scheduleLivestream")["livestream"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    // Give the subscription a moment to be registered before anything happens.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for id in &shows {
        app.gql_as(Some(&owner.access), START, json!({ "id": id }))
            .await
            .payload("startLivestream");
    }
    let heard = next(&mut ws).await;
    assert_eq!(
        heard["payload"]["data"]["myNotifications"],
        json!({
            "kind": "LIVE_NOW",
            "message": "HTX Xoài Yên Châu đang phát trực tiếp: Xoài chín cây",
            "livestream": { "id": shows[1], "title": "Xoài chín cây" },
        }),
        "only the followed cooperative's show is announced"
    );
    let unfollow = "mutation($c: ID!) { unfollowCooperative(cooperativeId: $c) { cooperative { id name } userErrors { code field message } } }";
    // Unfollowing gives the cooperative back, twice as well as once.
    for _ in 0..2 {
        let res = app
            .gql_as(Some(&fan.access), unfollow, json!({ "c": coop }))
            .await;
        assert_eq!(
            res.payload("unfollowCooperative")["cooperative"],
            json!({ "id": coop, "name": "HTX Xoài Yên Châu" })
        );
    }
    let nowhere = app
        .gql_as(
            Some(&fan.access),
            unfollow,
            json!({ "c": gid("Cooperative", uuid::Uuid::new_v4()) }),
        )
        .await;
    assert_eq!(nowhere.user_code("unfollowCooperative"), "NOT_FOUND");
    assert_eq!(
        nowhere.data()["unfollowCooperative"]["cooperative"],
        Value::Null
    );
    assert_eq!(
        app.gql(unfollow, json!({ "c": coop })).await.code(),
        "UNAUTHENTICATED"
    );
    let mine = app
        .gql_as(Some(&fan.access), "{ myFollows { name } }", json!({}))
        .await;
    assert_eq!(mine.data()["myFollows"], json!([]));
}

#[tokio::test]
async fn a_follower_is_reminded_once_fifteen_minutes_before_a_show() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let fan = app.register("fan@example.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let other = app.cooperative(&owner, "HTX Khác").await;
    app.gql_as(
        Some(&fan.access),
        "mutation($c: ID!) { followCooperative(cooperativeId: $c) { cooperative { name } userErrors { code field message } } }",
        json!({ "c": coop }),
    )
    .await
    .payload("followCooperative");
    let addr = app.listen().await;
    let mut ws = connect(addr, "graphql-transport-ws", json!({ "token": fan.access })).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    ws.send(Message::text(json!({ "id": "n", "type": "subscribe", "payload": { "query": "subscription { myNotifications { kind livestream { id } message } }" } }).to_string()))
        .await
        .expect("subscribe");

    let now = chrono::Utc::now();
    // 19:30 in Vietnam is 12:30 UTC; a start 10 minutes away is due.
    let soon = now + chrono::Duration::minutes(10);
    let mut ids = Vec::new();
    for (c, title, at) in [
        (&coop, "Xoài chín cây", soon),
        (&other, "Không theo dõi", soon),
        (&coop, "Còn lâu", now + chrono::Duration::hours(2)),
    ] {
        let res = app
            .gql_as(
                Some(&owner.access),
                SCHEDULE,
                json!({ "i": { "cooperativeId": c, "title": title, "platform": "TIKTOK", "hostName": "Hoa", "scheduledStartAt": at.to_rfc3339() } }),
            )
            .await;
        ids.push(
            res.payload("scheduleLivestream")["livestream"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    // Two processes' sweepers at once: each due show is claimed by one.
    let db = &app.app.state.db;
    let (a, b) = tokio::join!(
        farmstream::livestream::reminders::claim_due(db, now),
        farmstream::livestream::reminders::claim_due(db, now),
    );
    let claimed: Vec<_> = a
        .expect("sweeps")
        .into_iter()
        .chain(b.expect("sweeps"))
        .collect();
    assert_eq!(claimed.len(), 2, "the two shows starting soon, once each");
    app.app.state.events.publish_all(claimed);

    let heard = next(&mut ws).await;
    let clock = soon
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
        .format("%H:%M")
        .to_string();
    assert_eq!(
        heard["payload"]["data"]["myNotifications"],
        json!({ "kind": "STARTING_SOON", "livestream": { "id": ids[0] }, "message": format!("HTX Xoài Yên Châu sẽ phát trực tiếp lúc {clock}: Xoài chín cây") }),
        "only the followed cooperative's show is announced"
    );
    assert!(
        farmstream::livestream::reminders::claim_due(db, now)
            .await
            .expect("sweeps")
            .is_empty(),
        "a reminder goes out once"
    );

    // A new start time deserves a new reminder.
    app.gql_as(
        Some(&owner.access),
        "mutation($id: ID!, $i: UpdateLivestreamInput!) { updateLivestream(id: $id, input: $i) { livestream { id } userErrors { code field message } } }",
        json!({ "id": ids[0], "i": { "scheduledStartAt": (soon + chrono::Duration::minutes(3)).to_rfc3339() } }),
    )
    .await
    .payload("updateLivestream");
    let again = farmstream::livestream::reminders::claim_due(db, now)
        .await
        .expect("sweeps");
    assert_eq!(again.len(), 1);
}

/// The sum of `farmstream_subscription_connections_dropped_total` over reasons.
async fn dropped_connections(app: &TestApp) -> u64 {
    let (_, _, body) = app
        .request(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    String::from_utf8_lossy(&body)
        .lines()
        .filter(|l| l.starts_with("farmstream_subscription_connections_dropped_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: a stalled subscriber beside live ones"
)]
async fn a_subscriber_that_never_reads_is_disconnected_without_holding_up_the_others() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_WS_SEND_QUEUE".into(), "8".into());
        s.insert("FARMSTREAM_WS_SEND_TIMEOUT_SECS".into(), "1".into());
    })
    .await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài").await;
    let show = app.show(&owner, &coop, &[], false).await;
    let addr = app.listen().await;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription($id: ID!) { livestreamEvents(livestreamId: $id) { __typename ... on ViewerCountChanged { viewers } } }", "variables": { "id": show } } }).to_string();

    // A client with a tiny receive buffer that subscribes, then never reads.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("buffer size");
    let stream = socket.connect(addr).await.expect("connects");
    let mut req = format!("ws://{addr}/graphql")
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut stalled, _) = tokio_tungstenite::client_async(req, stream)
        .await
        .expect("handshake");
    stalled
        .send(Message::text(
            json!({ "type": "connection_init", "payload": {} }).to_string(),
        ))
        .await
        .expect("init");
    stalled
        .send(Message::text(subscribe.clone()))
        .await
        .expect("subscribe");

    // A client that reads everything, in its own task.
    let mut reader = connect(addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut reader).await["type"], "connection_ack");
    reader
        .send(Message::text(subscribe))
        .await
        .expect("subscribe");
    loop {
        let msg = next(&mut reader).await;
        if msg["payload"]["data"]["livestreamEvents"]["viewers"] == 2 {
            break;
        }
    }
    let reading = tokio::spawn(async move {
        let mut events = 0u64;
        loop {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(30), reader.next())
                .await
                .expect("the reader keeps hearing events")
                .expect("open")
                .expect("readable");
            if let Message::Text(text) = msg {
                let v: Value = serde_json::from_str(&text).expect("json");
                match v["payload"]["data"]["livestreamEvents"]["__typename"].as_str() {
                    Some("LivestreamEnded") => return (events, reader),
                    Some(_) => events += 1,
                    None => {}
                }
            }
        }
    });

    // A flood, far more than the stalled client's socket buffers hold.
    let id = farmstream::ids::LivestreamId::from(uuid_of(&show));
    let bus = app.app.state.events.clone();
    let started = std::time::Instant::now();
    while dropped_connections(&app).await == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the stalled subscriber was never disconnected"
        );
        for _ in 0..200 {
            bus.publish(farmstream::events::Event::ProductUnpinned { livestream_id: id });
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    // The end, said until the reader hears it: with a shared bus, the flood
    // may have overflowed the publish queue and dropped an early one.
    let end = async {
        loop {
            bus.publish(farmstream::events::Event::LivestreamEnded { livestream_id: id });
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    let (heard, _reader) = tokio::select! {
        read = reading => read.expect("reader task"),
        () = end => unreachable!("the end is said forever"),
    };
    assert!(heard > 0, "the reader heard the flood");

    // Once dropped, the stalled client no longer counts as a viewer.
    let started = std::time::Instant::now();
    loop {
        let res = app
            .gql(
                "query($id: ID!) { livestream(id: $id) { viewers } }",
                json!({ "id": show }),
            )
            .await;
        if res.data()["livestream"]["viewers"] == 1 {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "still counted: {}",
            res.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(stalled);
}

#[tokio::test]
async fn a_connection_that_answers_no_pings_is_closed_and_a_listening_one_stays() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_WS_PING_SECS".into(), "1".into());
        s.insert("FARMSTREAM_WS_IDLE_SECS".into(), "3".into());
    })
    .await;
    let addr = app.listen().await;
    // Two acknowledged connections; only the first keeps reading (and so
    // answers the server's pings).
    let mut listening = connect(addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut listening).await["type"], "connection_ack");
    let mut silent = connect(addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut silent).await["type"], "connection_ack");
    let mut pings = 0;
    let open = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(Ok(msg)) = listening.next().await {
            if matches!(msg, Message::Ping(_)) {
                pings += 1;
            }
        }
    })
    .await
    .is_err();
    assert!(open, "the listening connection stayed open for 5 s");
    assert!(pings >= 3, "pinged every second: {pings} pings in 5 s");
    // Still served: a protocol ping gets its pong.
    listening
        .send(Message::text(json!({ "type": "ping" }).to_string()))
        .await
        .expect("still open");
    assert_eq!(next(&mut listening).await["type"], "pong");

    // The silent one was closed: reading now finds the end after at most
    // the pings it never answered.
    let ended = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        loop {
            match silent.next().await {
                Some(Ok(Message::Ping(_))) => continue,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return true,
                Some(Ok(other)) => panic!("unexpected {other:?}"),
            }
        }
    })
    .await;
    assert_eq!(ended, Ok(true), "the silent connection was closed");
}

#[tokio::test]
async fn a_shopper_hears_the_status_changes_of_their_own_orders_only() {
    let app = TestApp::spawn().await;
    let (owner, _, variant) = crate::orders::seller(&app, "shop@htx.vn", 50_000, 10).await;
    let mine = app.register("mine@example.vn").await;
    let theirs = app.register("theirs@example.vn").await;
    let place = async |who: &crate::helpers::Session, key: &str| {
        let input = crate::orders::order_input(key, &[(variant.as_str(), 1)], "COD", "0912345678");
        let res = app
            .gql_as(
                Some(&who.access),
                "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { checkout { orders { id } } userErrors { code field message } } }",
                json!({ "i": input }),
            )
            .await;
        res.payload("placeOrder")["checkout"]["orders"][0]["id"]
            .as_str()
            .expect("order")
            .to_owned()
    };
    let my_order = place(&mine, "mine-order-1").await;
    let their_order = place(&theirs, "theirs-order-1").await;
    let addr = app.listen().await;
    let mut ws = connect(
        addr,
        "graphql-transport-ws",
        json!({ "token": mine.access }),
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    ws.send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { myOrderUpdates { order { id status } status } }" } }).to_string()))
        .await
        .expect("subscribe");
    // Give the subscription a moment to be listening before anything changes.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for order in [&their_order, &my_order] {
        app.gql_as(
            Some(&owner.access),
            "mutation($o: ID!) { markOrderPacked(orderId: $o) { order { id } userErrors { code field message } } }",
            json!({ "o": order }),
        )
        .await
        .payload("markOrderPacked");
    }
    let heard = next(&mut ws).await;
    assert_eq!(
        heard["payload"]["data"]["myOrderUpdates"],
        json!({ "order": { "id": my_order, "status": "PACKED" }, "status": "PACKED" }),
        "the other shopper's order was packed first and is not heard"
    );
}
