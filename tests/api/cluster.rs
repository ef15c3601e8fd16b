//! Across nodes: two server processes on one PostgreSQL database, with
//! `FARMSTREAM_EVENT_BUS=postgres`, and a subscriber on one hearing what
//! happens on the other. Node B is this test's in-process app (its fixture
//! helpers make the data); node A is a real `farmstream serve` child process,
//! so nothing can pass between them but PostgreSQL.
//!
//! These tests need `TEST_DATABASE_URL`; on SQLite they print a note and pass.
//! The Redis variant also needs Redis at `TEST_REDIS_URL` (default
//! `redis://127.0.0.1:6379`) and likewise passes with a note without it.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use farmstream::config::EventBusConfig;

use crate::helpers::{Session, TestApp};
use crate::orders::order_input;
use crate::realtime::{Socket, connect, next};

const START: &str = "mutation($id: ID!) { startLivestream(id: $id) { livestream { status } userErrors { code field message } } }";
const PIN: &str = "mutation($l: ID!, $p: ID!) { pinProduct(livestreamId: $l, productId: $p) { livestream { id } userErrors { code field message } } }";
const UNPIN: &str = "mutation($l: ID!) { unpinProduct(livestreamId: $l) { livestream { id } userErrors { code field message } } }";
const PLACE: &str = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { checkout { orders { id } } userErrors { code field message } } }";

/// True (after saying why) when these tests cannot run here.
fn without_postgres(test: &str) -> bool {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        println!(
            "{test}: skipped, it needs two processes on one PostgreSQL (set TEST_DATABASE_URL)"
        );
        return true;
    }
    false
}

/// Node B: this process, on a fresh PostgreSQL database, with the shared bus.
async fn node_b() -> TestApp {
    let b = TestApp::spawn().await;
    assert_eq!(b.app.state.events.backend(), "postgres");
    b
}

/// Node A: a `farmstream serve` process on node B's database and secrets.
struct Node {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Node {
    async fn beside(b: &TestApp) -> Self {
        Self::beside_with(b, &[]).await
    }

    /// Node A with `extra` settings over those it takes from node B.
    async fn beside_with(b: &TestApp, extra: &[(&str, String)]) -> Self {
        let config = &b.app.state.config;
        let bus: Vec<(&str, String)> = match &config.event_bus {
            EventBusConfig::Postgres { .. } => vec![("FARMSTREAM_EVENT_BUS", "postgres".into())],
            EventBusConfig::Redis { url, channel } => vec![
                ("FARMSTREAM_EVENT_BUS", "redis".into()),
                ("FARMSTREAM_EVENT_BUS_URL", url.expose_secret().to_owned()),
                ("FARMSTREAM_EVENT_BUS_CHANNEL", channel.clone()),
            ],
            EventBusConfig::Memory => panic!("node B must use a shared bus"),
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
        let child = Command::new(env!("CARGO_BIN_EXE_farmstream"))
            .arg("serve")
            .current_dir(dir.path())
            .env("FARMSTREAM_DATA_DIR", dir.path())
            .env("FARMSTREAM_LISTEN", addr.to_string())
            .env(
                "FARMSTREAM_EMBEDDED_S3_LISTEN",
                format!("127.0.0.1:{}", free_port()),
            )
            .env("DATABASE_URL", config.database_url.expose_secret())
            .env("FARMSTREAM_JWT_SECRET", config.jwt_secret.expose_secret())
            .env(
                "FARMSTREAM_BANK_WEBHOOK_SECRET",
                config.payments.webhook_secret.expose_secret(),
            )
            .envs(bus)
            .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("farmstream serve starts");
        let node = Self {
            child,
            addr,
            _dir: dir,
        };
        let started = Instant::now();
        let client = reqwest::Client::new();
        loop {
            if let Ok(res) = client.get(format!("http://{addr}/readyz")).send().await
                && res.status().is_success()
            {
                return node;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "node A not ready after 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

const EVENTS: &str = "subscription($id: ID!) { livestreamEvents(livestreamId: $id) { __typename ... on ProductPinned { product { name } } ... on ViewerCountChanged { viewers } ... on OrderPlaced { message } } }";
const ORDERS: &str =
    "subscription($c: ID!) { cooperativeOrderPlaced(cooperativeId: $c) { order { id } status } }";

async fn subscribe(ws: &mut Socket, id: &str, query: &str, variables: Value) {
    ws.send(Message::text(
        json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })
            .to_string(),
    ))
    .await
    .expect("subscribe");
}

/// Reads `ws` until a `next` message of subscription `id` satisfies `wanted`
/// (within 10 s); returns it.
async fn until(ws: &mut Socket, id: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(
            Instant::now() < deadline,
            "nothing wanted on {id} within 10 s"
        );
        let msg = next(ws).await;
        if msg["id"] == id && msg["type"] == "next" && wanted(&msg["payload"]["data"]) {
            return msg;
        }
    }
}

/// The show events of subscription `id` on `ws`, leaving out viewer counts,
/// up to and including the first `last` (within 10 s).
async fn show_events_until(ws: &mut Socket, id: &str, last: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let msg = next(ws).await;
        if msg["id"] != id {
            continue;
        }
        let event = msg["payload"]["data"]["livestreamEvents"].clone();
        let kind = event["__typename"]
            .as_str()
            .unwrap_or_else(|| panic!("an event: {msg}"))
            .to_owned();
        if kind == "ViewerCountChanged" {
            continue;
        }
        seen.push(event);
        if kind == last {
            return seen;
        }
    }
    panic!("no {last} within 10 s; saw {seen:?}");
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["__typename"].as_str().unwrap_or_default())
        .collect()
}

fn viewers(n: i64) -> impl Fn(&Value) -> bool {
    move |data| data["livestreamEvents"]["viewers"] == n
}

/// A cooperative of `owner` with a product and a scheduled show: (coop, product, variant, show).
async fn show_with_a_product(b: &TestApp, owner: &Session) -> (String, String, String, String) {
    let coop = b.cooperative(owner, "HTX Xoài Yên Châu").await;
    let (product, variant) = b.product(owner, &coop, "Xoài tròn", 120_000, 10).await;
    let show = b
        .gql_as(
            Some(&owner.access),
            "mutation($i: ScheduleLivestreamInput!) { scheduleLivestream(input: $i) { livestream { id } userErrors { code field message } } }",
            json!({ "i": { "cooperativeId": coop, "title": "Xoài chín", "platform": "IN_APP", "hostName": "Hoa", "scheduledStartAt": "2030-12-01T12:00:00Z", "productIds": [product] } }),
        )
        .await;
    let show = show.payload("scheduleLivestream")["livestream"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    (coop, product, variant, show)
}

#[tokio::test]
async fn a_subscriber_on_one_node_hears_what_happens_on_another_exactly_once() {
    if without_postgres("a_subscriber_on_one_node_hears_what_happens_on_another_exactly_once") {
        return;
    }
    let b = node_b().await;
    let a = Node::beside(&b).await;
    let owner = b.register("owner@htx.vn").await;
    let (coop, product, variant, show) = show_with_a_product(&b, &owner).await;

    // On A: the show's events, and the cooperative's new orders (staff only).
    let mut show_on_a = connect(a.addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut show_on_a).await["type"], "connection_ack");
    subscribe(&mut show_on_a, "show", EVENTS, json!({ "id": show })).await;
    let mut orders_on_a = connect(
        a.addr,
        "graphql-transport-ws",
        json!({ "token": owner.access }),
    )
    .await;
    assert_eq!(next(&mut orders_on_a).await["type"], "connection_ack");
    subscribe(&mut orders_on_a, "orders", ORDERS, json!({ "c": coop })).await;
    until(&mut show_on_a, "show", viewers(1)).await;

    // On B, the node that will cause everything: a second viewer. Each node
    // counts its own viewers and both hear the sum.
    let b_addr = b.listen().await;
    let mut show_on_b = connect(b_addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut show_on_b).await["type"], "connection_ack");
    subscribe(&mut show_on_b, "show", EVENTS, json!({ "id": show })).await;
    until(&mut show_on_a, "show", viewers(2)).await;
    until(&mut show_on_b, "show", viewers(2)).await;

    let t = Some(owner.access.as_str());
    b.gql_as(t, START, json!({ "id": show }))
        .await
        .payload("startLivestream");
    b.gql_as(t, PIN, json!({ "l": show, "p": product }))
        .await
        .payload("pinProduct");
    let mut input = order_input("cluster-order-1", &[(&variant, 2)], "COD", "0912345678");
    input["livestreamId"] = json!(show);
    let placed = b.gql(PLACE, json!({ "i": input })).await;
    let order = placed.payload("placeOrder")["checkout"]["orders"][0]["id"].clone();
    b.gql_as(t, UNPIN, json!({ "l": show }))
        .await
        .payload("unpinProduct");

    // Both nodes hear every event once, in order; B, the publisher, hears
    // its own through PostgreSQL like everyone else, not twice.
    let expected = [
        "LivestreamStarted",
        "ProductPinned",
        "OrderPlaced",
        "ProductUnpinned",
    ];
    let on_a = show_events_until(&mut show_on_a, "show", "ProductUnpinned").await;
    assert_eq!(kinds(&on_a), expected);
    assert_eq!(on_a[1]["product"]["name"], "Xoài tròn");
    assert_eq!(
        on_a[2]["message"], "Khách H. ở Sơn La vừa mua 2 sản phẩm",
        "A reads the order B committed"
    );
    let on_b = show_events_until(&mut show_on_b, "show", "ProductUnpinned").await;
    assert_eq!(kinds(&on_b), expected);
    let heard = until(&mut orders_on_a, "orders", |_| true).await;
    assert_eq!(
        heard["payload"]["data"]["cooperativeOrderPlaced"],
        json!({ "order": { "id": order }, "status": "CONFIRMED" })
    );

    // A viewer leaving B lowers the count heard on A.
    drop(show_on_b);
    until(&mut show_on_a, "show", viewers(1)).await;
}

#[tokio::test]
async fn every_show_event_caused_on_one_node_reaches_a_subscriber_on_another_in_order() {
    if without_postgres(
        "every_show_event_caused_on_one_node_reaches_a_subscriber_on_another_in_order",
    ) {
        return;
    }
    let b = node_b().await;
    let a = Node::beside(&b).await;
    let owner = b.register("owner@htx.vn").await;
    let (_, product, variant, show) = show_with_a_product(&b, &owner).await;
    let mut on_a = connect(a.addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut on_a).await["type"], "connection_ack");
    subscribe(&mut on_a, "show", EVENTS, json!({ "id": show })).await;
    until(&mut on_a, "show", viewers(1)).await;

    let t = Some(owner.access.as_str());
    b.gql_as(t, START, json!({ "id": show }))
        .await
        .payload("startLivestream");
    for _ in 0..3 {
        b.gql_as(t, PIN, json!({ "l": show, "p": product }))
            .await
            .payload("pinProduct");
        b.gql_as(t, UNPIN, json!({ "l": show }))
            .await
            .payload("unpinProduct");
    }
    let mut input = order_input("cluster-order-2", &[(&variant, 1)], "COD", "0912345678");
    input["livestreamId"] = json!(show);
    b.gql(PLACE, json!({ "i": input }))
        .await
        .payload("placeOrder");
    let mut expected = vec!["LivestreamStarted"];
    for _ in 0..3 {
        expected.extend(["ProductPinned", "ProductUnpinned"]);
    }
    expected.push("OrderPlaced");
    assert_eq!(
        kinds(&show_events_until(&mut on_a, "show", "OrderPlaced").await),
        expected
    );
}

#[tokio::test]
async fn a_node_whose_listener_connection_is_cut_hears_events_again_after_reconnecting() {
    if without_postgres(
        "a_node_whose_listener_connection_is_cut_hears_events_again_after_reconnecting",
    ) {
        return;
    }
    let b = node_b().await;
    let a = Node::beside(&b).await;
    let owner = b.register("owner@htx.vn").await;
    let (_, product, _, show) = show_with_a_product(&b, &owner).await;
    let t = Some(owner.access.as_str());
    b.gql_as(t, START, json!({ "id": show }))
        .await
        .payload("startLivestream");
    let mut on_a = connect(a.addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut on_a).await["type"], "connection_ack");
    subscribe(&mut on_a, "show", EVENTS, json!({ "id": show })).await;
    until(&mut on_a, "show", viewers(1)).await;

    // Cut every LISTEN connection on the database: A's and B's.
    let cut = b
        .app
        .state
        .db
        .conn()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'",
        ))
        .await
        .expect("terminate")
        .expect("a row")
        .try_get::<i64>("", "n")
        .expect("count");
    assert!(cut >= 2, "both nodes were listening ({cut} cut)");

    // Events sent while a node reconnects are lost; keep pinning until A hears one.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(
            Instant::now() < deadline,
            "A never heard B again after its connection was cut"
        );
        b.gql_as(t, PIN, json!({ "l": show, "p": product }))
            .await
            .payload("pinProduct");
        let heard = tokio::time::timeout(Duration::from_millis(1500), async {
            loop {
                let msg = next(&mut on_a).await;
                if msg["payload"]["data"]["livestreamEvents"]["__typename"] == "ProductPinned" {
                    return;
                }
            }
        })
        .await;
        if heard.is_ok() {
            break;
        }
    }
    let metrics = reqwest::get(format!("http://{}/metrics", a.addr))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let reconnects = metrics
        .lines()
        .find(|l| l.starts_with("farmstream_events_total{outcome=\"reconnect\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    assert!(reconnects >= 1, "the reconnection is counted:\n{metrics}");
}

/// The Redis to test with, if one answers.
async fn redis_url(test: &str) -> Option<String> {
    let url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let addr = url
        .trim_start_matches("redis://")
        .trim_end_matches('/')
        .to_owned();
    let reachable = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect(addr.as_str()),
    )
    .await
    .is_ok_and(|c| c.is_ok());
    if !reachable {
        println!("{test}: skipped, no Redis answers at {url} (set TEST_REDIS_URL)");
        return None;
    }
    Some(url)
}

#[tokio::test]
async fn over_redis_a_subscriber_on_one_node_hears_what_happens_on_another_exactly_once() {
    let test = "over_redis_a_subscriber_on_one_node_hears_what_happens_on_another_exactly_once";
    if without_postgres(test) {
        return;
    }
    let Some(url) = redis_url(test).await else {
        return;
    };
    // Redis channels are server-wide: one of its own, so parallel tests do not mix.
    let channel = format!("farmstream_test_{}", uuid::Uuid::new_v4().simple());
    let b = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_EVENT_BUS".into(), "redis".into());
        s.insert("FARMSTREAM_EVENT_BUS_URL".into(), url);
        s.insert("FARMSTREAM_EVENT_BUS_CHANNEL".into(), channel);
    })
    .await;
    assert_eq!(b.app.state.events.backend(), "redis");
    let a = Node::beside(&b).await;
    let owner = b.register("owner@htx.vn").await;
    let (coop, product, variant, show) = show_with_a_product(&b, &owner).await;

    let mut show_on_a = connect(a.addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut show_on_a).await["type"], "connection_ack");
    subscribe(&mut show_on_a, "show", EVENTS, json!({ "id": show })).await;
    let mut orders_on_a = connect(
        a.addr,
        "graphql-transport-ws",
        json!({ "token": owner.access }),
    )
    .await;
    assert_eq!(next(&mut orders_on_a).await["type"], "connection_ack");
    subscribe(&mut orders_on_a, "orders", ORDERS, json!({ "c": coop })).await;
    until(&mut show_on_a, "show", viewers(1)).await;
    let b_addr = b.listen().await;
    let mut show_on_b = connect(b_addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut show_on_b).await["type"], "connection_ack");
    subscribe(&mut show_on_b, "show", EVENTS, json!({ "id": show })).await;
    until(&mut show_on_a, "show", viewers(2)).await;

    let t = Some(owner.access.as_str());
    b.gql_as(t, START, json!({ "id": show }))
        .await
        .payload("startLivestream");
    b.gql_as(t, PIN, json!({ "l": show, "p": product }))
        .await
        .payload("pinProduct");
    let mut input = order_input("redis-order-1", &[(&variant, 1)], "COD", "0912345678");
    input["livestreamId"] = json!(show);
    let placed = b.gql(PLACE, json!({ "i": input })).await;
    let order = placed.payload("placeOrder")["checkout"]["orders"][0]["id"].clone();
    let expected = ["LivestreamStarted", "ProductPinned", "OrderPlaced"];
    let on_a = show_events_until(&mut show_on_a, "show", "OrderPlaced").await;
    assert_eq!(kinds(&on_a), expected);
    assert_eq!(on_a[1]["product"]["name"], "Xoài tròn");
    assert_eq!(
        kinds(&show_events_until(&mut show_on_b, "show", "OrderPlaced").await),
        expected
    );
    let heard = until(&mut orders_on_a, "orders", |_| true).await;
    assert_eq!(
        heard["payload"]["data"]["cooperativeOrderPlaced"],
        json!({ "order": { "id": order }, "status": "CONFIRMED" })
    );
}

/// A Redis server of the test's own, in plain text on one port and over TLS
/// (with a certificate from a throwaway CA) on another.
struct TlsRedis {
    child: Child,
    plain: u16,
    tls: u16,
    ca: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TlsRedis {
    /// Starts one, or says why it cannot (no `redis-server` or `openssl`).
    #[expect(
        clippy::too_many_lines,
        reason = "one test fixture: certificates, config, process, readiness, in order"
    )]
    async fn start(test: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let run = |args: &[&str]| {
            Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        std::fs::write(
            dir.path().join("san.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .expect("writes");
        let made = run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=farmstream test CA",
        ]) && run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]) && run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ]);
        if !made {
            println!("{test}: skipped, openssl could not make test certificates");
            return None;
        }
        let (plain, tls) = (free_port(), free_port());
        let child = Command::new("redis-server")
            .args(["--port", &plain.to_string(), "--tls-port", &tls.to_string()])
            .args([
                "--tls-cert-file",
                "server.pem",
                "--tls-key-file",
                "server.key",
            ])
            .args(["--tls-ca-cert-file", "ca.pem", "--tls-auth-clients", "no"])
            .args(["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else {
            println!("{test}: skipped, no redis-server to start");
            return None;
        };
        let redis = Self {
            child,
            plain,
            tls,
            ca: dir.path().join("ca.pem"),
            _dir: dir,
        };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", tls))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not listen on its TLS port"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(redis)
    }
}

#[tokio::test]
async fn over_redis_with_tls_a_node_hears_and_is_heard() {
    let test = "over_redis_with_tls_a_node_hears_and_is_heard";
    if without_postgres(test) {
        return;
    }
    let Some(redis) = TlsRedis::start(test).await else {
        return;
    };
    let channel = format!("farmstream_test_{}", uuid::Uuid::new_v4().simple());
    // Node B in plain text, node A over TLS, on one Redis.
    let b = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_EVENT_BUS".into(), "redis".into());
        s.insert(
            "FARMSTREAM_EVENT_BUS_URL".into(),
            format!("redis://127.0.0.1:{}", redis.plain),
        );
        s.insert("FARMSTREAM_EVENT_BUS_CHANNEL".into(), channel);
    })
    .await;
    let a = Node::beside_with(
        &b,
        &[
            (
                "FARMSTREAM_EVENT_BUS_URL",
                format!("rediss://localhost:{}", redis.tls),
            ),
            ("SSL_CERT_FILE", redis.ca.display().to_string()),
        ],
    )
    .await;
    let owner = b.register("owner@htx.vn").await;
    let (_, product, _, show) = show_with_a_product(&b, &owner).await;
    let mut show_on_a = connect(a.addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut show_on_a).await["type"], "connection_ack");
    subscribe(&mut show_on_a, "show", EVENTS, json!({ "id": show })).await;
    let b_addr = b.listen().await;
    let mut show_on_b = connect(b_addr, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut show_on_b).await["type"], "connection_ack");
    subscribe(&mut show_on_b, "show", EVENTS, json!({ "id": show })).await;
    // A's count reached B over TLS and B's reached A: both see two viewers.
    until(&mut show_on_a, "show", viewers(2)).await;
    until(&mut show_on_b, "show", viewers(2)).await;

    // Started on B, heard on A; pinned on A, heard on B.
    b.gql_as(Some(&owner.access), START, json!({ "id": show }))
        .await
        .payload("startLivestream");
    until(&mut show_on_a, "show", |d| {
        d["livestreamEvents"]["__typename"] == "LivestreamStarted"
    })
    .await;
    let pinned: Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", a.addr))
        .bearer_auth(&owner.access)
        .json(&json!({
            "query": PIN,
            "variables": { "l": show, "p": product },
        }))
        .send()
        .await
        .expect("node A answers")
        .json()
        .await
        .expect("json");
    assert!(pinned.get("errors").is_none(), "{pinned}");
    assert_eq!(
        pinned["data"]["pinProduct"]["userErrors"],
        json!([]),
        "{pinned}"
    );
    let heard = until(&mut show_on_b, "show", |d| {
        d["livestreamEvents"]["__typename"] == "ProductPinned"
    })
    .await;
    assert_eq!(
        heard["payload"]["data"]["livestreamEvents"]["product"]["name"],
        "Xoài tròn"
    );
}
