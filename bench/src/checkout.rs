//! `checkout-burst`: N concurrent `placeOrder` calls for one variant with
//! limited stock, and `checkout-sustained`: orders one after another over
//! many variants. Prints orders per second, latency, how many were refused
//! as out of stock, the oversell count (must be 0) and the final stock.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::server::Server;

const PLACE: &str = "mutation Place($i: PlaceOrderInput!) { placeOrder(input: $i) { checkout { orders { number } } userErrors { code message } } }";

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
    Ok(req.send().await?.json().await?)
}

/// Cooperatives with products on sale, made through the API by one owner.
pub struct Seller {
    pub owner: String,
    /// Each cooperative's (id, slug).
    pub cooperatives: Vec<(String, String)>,
    /// Every variant's id, product by product.
    pub variants: Vec<String>,
    /// Every product's slug.
    pub slugs: Vec<String>,
}

impl Seller {
    /// `cooperatives` cooperatives, each with `products` products of
    /// `per_product` variants, every variant holding `stock` units.
    pub async fn create(
        server: &Server,
        client: &reqwest::Client,
        cooperatives: usize,
        (products, per_product): (usize, usize),
        stock: i32,
    ) -> anyhow::Result<Self> {
        let url = server.graphql_url();
        let owner = server.register("seller@farmstream.test").await?;
        let mut seller = Self {
            owner,
            cooperatives: Vec::with_capacity(cooperatives),
            variants: Vec::with_capacity(cooperatives * products * per_product),
            slugs: Vec::with_capacity(cooperatives * products),
        };
        for c in 0..cooperatives {
            let coop = gql(
                client,
                &url,
                Some(&seller.owner),
                "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { cooperative { id slug } userErrors { code message } } }",
                json!({ "i": { "name": format!("HTX Bench {c}"), "address": { "province": "Sơn La", "ward": "Xã Yên Châu" },
                    "bankAccount": { "bin": "970415", "accountNumber": "0011001932418", "accountName": "HTX BENCH" } } }),
            )
            .await?;
            let made = &coop["data"]["createCooperative"]["cooperative"];
            let id = made["id"]
                .as_str()
                .with_context(|| format!("createCooperative failed: {coop}"))?
                .to_owned();
            seller.cooperatives.push((
                id.clone(),
                made["slug"].as_str().unwrap_or_default().to_owned(),
            ));
            for p in 0..products {
                let packs: Vec<Value> = (0..per_product)
                    .map(|v| json!({ "name": format!("Hộp {} kg", v + 1), "sku": format!("BENCH-{c}-{p}-{v}"), "unit": "KG",
                        "netQuantity": (v + 1) as f64, "priceVnd": 120000 + 1000 * v as i64, "stock": stock }))
                    .collect();
                let product = gql(
                    client,
                    &url,
                    Some(&seller.owner),
                    "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { slug variants { id } } userErrors { code message } } }",
                    json!({ "i": { "cooperativeId": id, "name": format!("Xoài bench {c}-{p}"), "category": "FRUIT",
                        "status": "ACTIVE", "variants": packs } }),
                )
                .await?;
                let made = &product["data"]["createProduct"]["product"];
                for v in made["variants"]
                    .as_array()
                    .with_context(|| format!("createProduct failed: {product}"))?
                {
                    seller
                        .variants
                        .push(v["id"].as_str().context("variant id")?.to_owned());
                }
                seller
                    .slugs
                    .push(made["slug"].as_str().unwrap_or_default().to_owned());
            }
        }
        Ok(seller)
    }
}

/// When a run of orders stops.
#[derive(Clone, Copy)]
pub enum Until {
    /// After this many orders in all.
    Count(usize),
    /// At this instant.
    Deadline(Instant),
}

/// What a run of orders gave.
#[derive(Default)]
pub struct Placed {
    /// The latency of each placed order, sorted.
    pub latencies: Vec<Duration>,
    pub errors: usize,
    pub first_error: Option<String>,
}

/// `concurrency` buyers each placing one-unit orders one after another
/// until `until`, spread over `variants` so that calls in flight want
/// different ones. Keys are prefixed with `tag`, so runs never collide.
pub async fn place_orders(
    url: &str,
    variants: &[String],
    until: Until,
    concurrency: usize,
    tag: &str,
) -> anyhow::Result<Placed> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let variants = std::sync::Arc::new(variants.to_vec());
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let (client, url, variants, next) = (
            client.clone(),
            url.to_owned(),
            variants.clone(),
            next.clone(),
        );
        let tag = tag.to_owned();
        workers.push(tokio::spawn(async move {
            let mut placed = Placed::default();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                match until {
                    Until::Count(count) if n >= count => break,
                    Until::Deadline(at) if Instant::now() >= at => break,
                    _ => {}
                }
                let variant = &variants[n % variants.len()];
                let sent = Instant::now();
                match gql(
                    &client,
                    &url,
                    None,
                    PLACE,
                    one_unit(format!("{tag}-{n}"), variant),
                )
                .await
                {
                    Ok(body) if crate::server::failure(&body).is_none() => {
                        placed.latencies.push(sent.elapsed())
                    }
                    Ok(body) => {
                        placed.errors += 1;
                        placed.first_error.get_or_insert(body.to_string());
                    }
                    Err(err) => {
                        placed.errors += 1;
                        placed.first_error.get_or_insert(err.to_string());
                    }
                }
            }
            placed
        }));
    }
    let mut all = Placed::default();
    for worker in workers {
        let placed = worker.await?;
        all.latencies.extend(placed.latencies);
        all.errors += placed.errors;
        if all.first_error.is_none() {
            all.first_error = placed.first_error;
        }
    }
    all.latencies.sort();
    Ok(all)
}

/// A guest's COD order of one unit of `variant`.
fn one_unit(key: String, variant: &str) -> Value {
    json!({ "i": {
        "idempotencyKey": key,
        "items": [{ "variantId": variant, "quantity": 1 }],
        "shippingAddress": { "recipientName": "Khách", "phone": "0912345678", "province": "Hà Nội", "ward": "Phường Ba Đình", "street": "1 Hoàng Diệu" },
        "paymentMethod": "COD",
    } })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted
        .get(((sorted.len().saturating_sub(1)) as f64 * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

/// `checkout-sustained`: `concurrency` buyers each placing one order after
/// another for `seconds`, spread over `variants` distinct variants so that
/// no two calls in flight want the same one. Checks afterwards that the
/// cooperative's order count equals the orders answered as placed.
pub async fn checkout_sustained(
    binary: &std::path::Path,
    variants: usize,
    seconds: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let server = Server::start(binary).await?;
    let url = server.graphql_url();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let per_product = 4;
    let seller = Seller::create(
        &server,
        &client,
        1,
        (variants.div_ceil(per_product).max(1), per_product),
        1_000_000,
    )
    .await?;
    let cpu_before = server.cpu_ticks()?;
    let started = Instant::now();
    let deadline = Until::Deadline(started + Duration::from_secs(seconds));
    let Placed {
        latencies,
        errors,
        first_error,
    } = place_orders(&url, &seller.variants, deadline, concurrency, "sustained").await?;
    let elapsed = started.elapsed();
    let cpu_secs = (server.cpu_ticks()? - cpu_before) as f64 / crate::server::ticks_per_second();
    let placed = latencies.len();
    let counted = gql(
        &client,
        &url,
        Some(&seller.owner),
        "query($c: ID!) { cooperativeOrders(cooperativeId: $c, first: 1) { totalCount } }",
        json!({ "c": seller.cooperatives[0].0 }),
    )
    .await?;
    let counted = counted["data"]["cooperativeOrders"]["totalCount"]
        .as_u64()
        .with_context(|| format!("counting the orders failed: {counted}"))?;
    println!(
        "scenario: checkout-sustained ({concurrency} buyers, {} distinct variants, {seconds} s, {})",
        seller.variants.len(),
        server.backend()
    );
    println!(
        "orders: {placed} placed, {errors} errors in {:.2} s → {:.0} orders/s",
        elapsed.as_secs_f64(),
        placed as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        percentile(&latencies, 1.0).as_secs_f64() * 1000.0
    );
    println!(
        "server CPU per order: {:.0} µs; orders the cooperative sees: {counted}",
        cpu_secs * 1e6 / placed.max(1) as f64
    );
    if let Some(e) = first_error {
        println!("first error: {}", e.chars().take(300).collect::<String>());
    }
    server.stop().await;
    anyhow::ensure!(
        counted == placed as u64,
        "the cooperative sees {counted} orders, {placed} were answered as placed"
    );
    Ok(())
}

/// Runs the scenario: `orders` calls, at most `concurrency` in flight,
/// against a variant holding `stock` units.
pub async fn checkout_burst(
    binary: &std::path::Path,
    orders: usize,
    stock: i32,
    concurrency: usize,
) -> anyhow::Result<()> {
    let server = Server::start(binary).await?;
    let url = server.graphql_url();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let seller = Seller::create(&server, &client, 1, (1, 1), stock).await?;
    let variant = seller.variants[0].clone();
    let slug = seller.slugs[0].clone();

    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(orders);
    for n in 0..orders {
        let client = client.clone();
        let url = url.clone();
        let variant = variant.clone();
        let semaphore = semaphore.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = semaphore.acquire_owned().await?;
            let sent = Instant::now();
            let body = gql(
                &client,
                &url,
                None,
                PLACE,
                one_unit(format!("bench-burst-{n:06}"), &variant),
            )
            .await?;
            anyhow::Ok((sent.elapsed(), body))
        }));
    }
    let (mut ok, mut out_of_stock, mut failed) = (0usize, 0usize, 0usize);
    let mut first_error = None;
    let mut latencies = Vec::with_capacity(orders);
    for task in tasks {
        match task.await? {
            Ok((latency, body)) => {
                latencies.push(latency);
                match crate::server::failure(&body) {
                    None => ok += 1,
                    Some("OUT_OF_STOCK") => out_of_stock += 1,
                    Some(_) => {
                        failed += 1;
                        first_error.get_or_insert(body.to_string());
                    }
                }
            }
            Err(err) => {
                failed += 1;
                first_error.get_or_insert(err.to_string());
            }
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| percentile(&latencies, p);
    let after = gql(
        &client,
        &url,
        None,
        "query($s: String!) { product(slug: $s) { variants { stock } } }",
        json!({ "s": slug }),
    )
    .await?;
    let final_stock = after["data"]["product"]["variants"][0]["stock"]
        .as_i64()
        .with_context(|| format!("reading the stock failed: {after}"))?;
    let oversold = (ok as i64 - i64::from(stock)).max(0) + (-final_stock).max(0);
    println!(
        "scenario: checkout-burst ({orders} placeOrder calls, {concurrency} in flight, {stock} units, {})",
        server.backend()
    );
    println!(
        "orders: {ok} placed, {out_of_stock} out of stock, {failed} other errors in {:.2} s → {:.0} orders/s ({:.0} calls/s)",
        elapsed.as_secs_f64(),
        ok as f64 / elapsed.as_secs_f64(),
        orders as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:.2} ms, p99 {:.2} ms",
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0
    );
    println!(
        "oversold: {oversold} (must be 0); final stock {final_stock} (expected {})",
        i64::from(stock) - ok as i64
    );
    if let Some(e) = first_error {
        println!("first error: {}", e.chars().take(300).collect::<String>());
    }
    server.stop().await;
    anyhow::ensure!(oversold == 0, "stock was oversold");
    anyhow::ensure!(
        final_stock == i64::from(stock) - ok as i64,
        "final stock does not match the orders placed"
    );
    Ok(())
}
