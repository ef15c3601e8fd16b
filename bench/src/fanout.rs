//! `live-fanout`: S WebSocket subscribers on one live show, and a stream of
//! `pinProduct` mutations. Prints the delivery latency (from just before the
//! mutation is sent to the moment each subscriber has the event, with the
//! pinned product's name, prices and stock resolved), the server's memory,
//! and how many deliveries were missed.
//!
//! Every subscriber asks for what a storefront shows on a pin:
//! `product { id name variants { priceVnd stock } }`, so the figures include
//! resolving it for every subscriber.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::server::Server;

/// Products in the show; the k-th event pins product k mod this.
const PRODUCTS: usize = 20;

/// WebSocket handshakes in flight at once while subscribers connect.
const CONNECTING: usize = 200;

const SUBSCRIBE: &str = "subscription Fanout($id: ID!) { livestreamEvents(livestreamId: $id) { __typename ... on ProductPinned { product { id name variants { priceVnd stock } } } ... on EventsSkipped { missed } } }";

/// How the scenario runs.
pub struct Fanout {
    pub subscribers: usize,
    pub events: usize,
    /// Events per second.
    pub rate: f64,
    /// Run on this PostgreSQL database with the PostgreSQL event bus
    /// instead of embedded SQLite and the in-process bus.
    pub postgres: Option<String>,
    /// Subscribers sign in (as the show's owner) instead of watching
    /// anonymously.
    pub signed_in: bool,
}

async fn gql(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let mut req = client
        .post(url)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res: Value = req.send().await?.json().await?;
    anyhow::ensure!(
        crate::server::failure(&res).is_none(),
        "GraphQL errors: {res}"
    );
    Ok(res["data"].clone())
}

/// What one subscriber saw.
#[derive(Default)]
struct Seen {
    /// Microseconds from send to receipt, per event received.
    latencies: Vec<u64>,
    /// `EventsSkipped` notices.
    skipped_notices: u64,
    /// Set when the connection failed.
    error: Option<String>,
}

/// Raises the open-file limit to what S sockets on each side need (the
/// server inherits it).
fn raise_file_limit(subscribers: usize) -> anyhow::Result<()> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let want = (subscribers as u64) * 2 + 1024;
    let mut limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= want {
        return Ok(());
    }
    let max = limit.maximum.unwrap_or(u64::MAX);
    anyhow::ensure!(
        max >= want,
        "{subscribers} subscribers need {want} open files but the hard limit is {max}: raise it (ulimit -Hn) or use fewer --subscribers"
    );
    limit.current = Some(want);
    setrlimit(Resource::Nofile, limit).context("raising the open-file limit")?;
    Ok(())
}

/// Runs the scenario and prints its figures.
#[expect(
    clippy::too_many_lines,
    reason = "one benchmark scenario: start, subscribe, publish, measure, report"
)]
pub async fn run(binary: &std::path::Path, plan: Fanout) -> anyhow::Result<()> {
    raise_file_limit(plan.subscribers)?;
    let env: Vec<(&str, String)> = match &plan.postgres {
        None => Vec::new(),
        Some(url) => vec![
            ("DATABASE_URL", url.clone()),
            (
                "FARMSTREAM_JWT_SECRET",
                "bench-jwt-secret-long-enough-0000000000".into(),
            ),
            (
                "FARMSTREAM_BANK_WEBHOOK_SECRET",
                "bench-webhook-secret-long-enough-000000".into(),
            ),
            ("FARMSTREAM_EVENT_BUS", "postgres".into()),
        ],
    };
    let server = Server::start_with(binary, &env, false).await?;
    let url = server.graphql_url();
    let client = reqwest::Client::new();
    let email = format!("fanout-{}@farmstream.test", std::process::id());
    let owner = server.register(&email).await?;
    let t = Some(owner.as_str());
    let coop = gql(
        &client,
        &url,
        t,
        "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { cooperative { id } userErrors { code message } } }",
        json!({ "i": { "name": format!("HTX Fanout {}", std::process::id()), "address": { "province": "Sơn La", "ward": "Xã Yên Châu" } } }),
    )
    .await?["createCooperative"]["cooperative"]["id"]
        .as_str()
        .context("cooperative id")?
        .to_owned();
    let mut products = Vec::new();
    for n in 0..PRODUCTS {
        let data = gql(
            &client,
            &url,
            t,
            "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id } userErrors { code message } } }",
            json!({ "i": { "cooperativeId": coop, "name": format!("Xoài tròn loại {n}"), "category": "FRUIT", "status": "ACTIVE",
                "variants": [
                    { "name": "Hộp 2 kg", "sku": format!("FAN-{}-{n}-2", std::process::id()), "unit": "KG", "netQuantity": 2.0, "priceVnd": 120000, "stock": 500 },
                    { "name": "Thùng 5 kg", "sku": format!("FAN-{}-{n}-5", std::process::id()), "unit": "KG", "netQuantity": 5.0, "priceVnd": 280000, "stock": 200 }
                ] } }),
        )
        .await?;
        products.push(
            data["createProduct"]["product"]["id"]
                .as_str()
                .context("product id")?
                .to_owned(),
        );
    }
    let show = gql(
        &client,
        &url,
        t,
        "mutation($i: ScheduleLivestreamInput!) { scheduleLivestream(input: $i) { livestream { id } userErrors { code message } } }",
        json!({ "i": { "cooperativeId": coop, "title": "Xoài chín cây", "platform": "IN_APP", "hostName": "Hoa", "scheduledStartAt": "2030-12-01T12:00:00Z", "productIds": products } }),
    )
    .await?["scheduleLivestream"]["livestream"]["id"]
        .as_str()
        .context("show id")?
        .to_owned();
    gql(
        &client,
        &url,
        t,
        "mutation($id: ID!) { startLivestream(id: $id) { livestream { status } userErrors { code message } } }",
        json!({ "id": show }),
    )
    .await?;
    let rss_idle = server.rss_kib()?;

    // Subscribers.
    let ws_url = url.replacen("http://", "ws://", 1);
    let sent_at: Arc<Vec<OnceLock<Instant>>> =
        Arc::new((0..plan.events).map(|_| OnceLock::new()).collect());
    let products = Arc::new(products);
    let (stop_tx, stop_rx) = watch::channel(false);
    let connecting = Arc::new(Semaphore::new(CONNECTING));
    let connect_started = Instant::now();
    let mut tasks = Vec::with_capacity(plan.subscribers);
    let token: Option<Arc<str>> = plan.signed_in.then(|| Arc::from(owner.as_str()));
    for _ in 0..plan.subscribers {
        tasks.push(tokio::spawn(subscriber(
            ws_url.clone(),
            show.clone(),
            token.clone(),
            products.clone(),
            sent_at.clone(),
            connecting.clone(),
            stop_rx.clone(),
        )));
    }
    // Everyone is watching once the server counts them all.
    loop {
        let data = gql(
            &client,
            &url,
            None,
            "query($id: ID!) { livestream(id: $id) { viewers } }",
            json!({ "id": show }),
        )
        .await?;
        let viewers = data["livestream"]["viewers"].as_u64().unwrap_or(0) as usize;
        if viewers >= plan.subscribers {
            break;
        }
        anyhow::ensure!(
            connect_started.elapsed() < Duration::from_secs(300),
            "only {viewers} of {} subscribers connected after 300 s",
            plan.subscribers
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let connected_after = connect_started.elapsed();
    // Let the viewer-count announcements settle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_connected = server.rss_kib()?;

    // The stream of pins.
    let cpu_before = server.cpu_ticks()?;
    let interval = Duration::from_secs_f64(1.0 / plan.rate);
    let mut ticker = tokio::time::interval(interval);
    let mut mutation_ms = Vec::with_capacity(plan.events);
    let publish_started = Instant::now();
    for (k, sent) in sent_at.iter().enumerate() {
        ticker.tick().await;
        let product = &products[k % PRODUCTS];
        let started = Instant::now();
        let _ = sent.set(started);
        gql(
            &client,
            &url,
            t,
            "mutation Pin($l: ID!, $p: ID!) { pinProduct(livestreamId: $l, productId: $p) { livestream { id } userErrors { code message } } }",
            json!({ "l": show, "p": product }),
        )
        .await?;
        mutation_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let publish_secs = publish_started.elapsed().as_secs_f64();
    // Stragglers get a few seconds.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let cpu_secs = (server.cpu_ticks()? - cpu_before) as f64 / crate::server::ticks_per_second();
    let rss_end = server.rss_kib()?;
    let rss_peak = server.peak_rss_kib()?;
    let _ = stop_tx.send(true);

    let mut latencies = Vec::with_capacity(plan.subscribers * plan.events);
    let mut skipped_notices = 0;
    let mut failed = 0usize;
    let mut first_error = None;
    for task in tasks {
        let seen = task.await?;
        latencies.extend(seen.latencies);
        skipped_notices += seen.skipped_notices;
        if let Some(e) = seen.error {
            failed += 1;
            first_error.get_or_insert(e);
        }
    }
    server.stop().await;
    latencies.sort_unstable();
    let expected = plan.subscribers * plan.events;
    let pct = |p: f64| {
        if latencies.is_empty() {
            return 0.0;
        }
        latencies[((latencies.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0
    };
    mutation_ms.sort_by(f64::total_cmp);
    let bus = if plan.postgres.is_some() {
        "PostgreSQL with the postgres event bus"
    } else {
        "SQLite with the in-process event bus"
    };
    let build = if std::env::var_os("FARMSTREAM_BENCH_BINARY").is_some() {
        "server from FARMSTREAM_BENCH_BINARY"
    } else {
        "release build"
    };
    println!(
        "scenario: live-fanout ({} {} subscribers on one show, {} pins at {}/s, {bus}, {build})",
        plan.subscribers,
        if plan.signed_in {
            "signed-in"
        } else {
            "anonymous"
        },
        plan.events,
        plan.rate
    );
    println!(
        "subscribers connected in {:.1} s; {failed} connections failed",
        connected_after.as_secs_f64()
    );
    println!(
        "delivery latency (pin sent → event with product received): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "deliveries: {} of {expected} ({} missed, {skipped_notices} EventsSkipped notices)",
        latencies.len(),
        expected - latencies.len().min(expected)
    );
    println!(
        "pinProduct mutation: p50 {:.1} ms, max {:.1} ms; {:.1} events/s sent",
        mutation_ms
            .get(mutation_ms.len() / 2)
            .copied()
            .unwrap_or(0.0),
        mutation_ms.last().copied().unwrap_or(0.0),
        plan.events as f64 / publish_secs
    );
    println!(
        "server RSS: {:.1} MiB idle, {:.1} MiB with subscribers connected, {:.1} MiB at the end, peak {:.1} MiB",
        rss_idle as f64 / 1024.0,
        rss_connected as f64 / 1024.0,
        rss_end as f64 / 1024.0,
        rss_peak as f64 / 1024.0
    );
    println!(
        "server CPU while pinning: {:.2} s over {:.1} s ({:.0} µs per delivery)",
        cpu_secs,
        publish_secs,
        cpu_secs * 1e6 / latencies.len().max(1) as f64
    );
    if let Some(e) = first_error {
        println!("first connection error: {e}");
    }
    Ok(())
}

/// One subscriber: connects, subscribes, and records when each pin arrives.
async fn subscriber(
    url: String,
    show: String,
    token: Option<Arc<str>>,
    products: Arc<Vec<String>>,
    sent_at: Arc<Vec<OnceLock<Instant>>>,
    connecting: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) -> Seen {
    let mut seen = Seen::default();
    let permit = connecting.acquire_owned().await;
    let mut ws = match open(&url, &show, token.as_deref()).await {
        Ok(ws) => ws,
        Err(e) => {
            seen.error = Some(format!("{e:#}"));
            return seen;
        }
    };
    drop(permit);
    // The next event this subscriber expects.
    let mut next_k = 0usize;
    // Like a graphql-ws client with keepAlive set, so the server knows it is there.
    let mut keepalive = tokio::time::interval(Duration::from_secs(20));
    keepalive.tick().await;
    loop {
        let msg = tokio::select! {
            msg = ws.next() => msg,
            _ = keepalive.tick() => {
                let _ = ws.send(Message::text(r#"{"type":"ping"}"#)).await;
                continue;
            }
            _ = stop.changed() => break,
        };
        let text = match msg {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            Some(Err(e)) => {
                seen.error = Some(e.to_string());
                break;
            }
            None => {
                seen.error = Some("closed by the server".into());
                break;
            }
        };
        let received = Instant::now();
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let event = &v["payload"]["data"]["livestreamEvents"];
        match event["__typename"].as_str() {
            Some("ProductPinned") => {
                let product = event["product"]["id"].as_str().unwrap_or_default();
                // The first event at or after `next_k` that pinned this
                // product (earlier ones, if any, were missed).
                let found = (next_k..sent_at.len())
                    .take(PRODUCTS)
                    .find(|k| products[k % PRODUCTS] == product);
                if let Some(k) = found
                    && let Some(sent) = sent_at[k].get()
                {
                    seen.latencies
                        .push(received.duration_since(*sent).as_micros() as u64);
                    next_k = k + 1;
                }
            }
            Some("EventsSkipped") => seen.skipped_notices += 1,
            _ => {}
        }
    }
    seen
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(url: &str, show: &str, token: Option<&str>) -> anyhow::Result<Socket> {
    let mut req = url.into_client_request()?;
    req.headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(config), false)
        .await
        .context("WebSocket handshake")?;
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": match token {
            Some(token) => json!({ "token": token }),
            None => json!({}),
        } })
        .to_string(),
    ))
    .await?;
    let ack = tokio::time::timeout(Duration::from_secs(30), ws.next())
        .await
        .context("no connection_ack within 30 s")?
        .context("closed before connection_ack")??;
    anyhow::ensure!(
        ack.to_text().unwrap_or_default().contains("connection_ack"),
        "expected connection_ack, got {ack:?}"
    );
    ws.send(Message::text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "id": show } } })
            .to_string(),
    ))
    .await?;
    Ok(ws)
}
