//! `checkout-burst`: N concurrent `placeOrder` calls for one variant with
//! limited stock, and `checkout-sustained`: orders one after another over
//! many variants. Prints orders per second, latency, how many were refused
//! as out of stock, the oversell count (must be 0) and the final stock.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::server::Server;

const PLACE: &str =
    "mutation Place($i: PlaceOrderInput!) { placeOrder(input: $i) { orders { number } } }";

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

/// A cooperative with products on sale, made through the API.
struct Seller {
    owner: String,
    cooperative: String,
    /// Every variant's id, product by product.
    variants: Vec<String>,
    /// Every product's slug.
    slugs: Vec<String>,
}

impl Seller {
    /// `products` products of `per_product` variants each, every variant
    /// holding `stock` units.
    async fn create(
        server: &Server,
        client: &reqwest::Client,
        products: usize,
        per_product: usize,
        stock: i32,
    ) -> anyhow::Result<Self> {
        let url = server.graphql_url();
        let owner = server.register("seller@farmstream.test").await?;
        let coop = gql(
            client,
            &url,
            Some(&owner),
            "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { id } }",
            json!({ "i": { "name": "HTX Bench", "address": { "province": "Sơn La", "ward": "Xã Yên Châu" },
                "bankAccount": { "bin": "970415", "accountNumber": "0011001932418", "accountName": "HTX BENCH" } } }),
        )
        .await?;
        let cooperative = coop["data"]["createCooperative"]["id"]
            .as_str()
            .with_context(|| format!("createCooperative failed: {coop}"))?
            .to_owned();
        let mut variants = Vec::with_capacity(products * per_product);
        let mut slugs = Vec::with_capacity(products);
        for p in 0..products {
            let packs: Vec<Value> = (0..per_product)
                .map(|v| json!({ "name": format!("Hộp {} kg", v + 1), "sku": format!("BENCH-{p}-{v}"), "unit": "KG",
                    "netQuantity": (v + 1) as f64, "priceVnd": 120000 + 1000 * v as i64, "stock": stock }))
                .collect();
            let product = gql(
                client,
                &url,
                Some(&owner),
                "mutation($i: CreateProductInput!) { createProduct(input: $i) { slug variants { id } } }",
                json!({ "i": { "cooperativeId": cooperative, "name": format!("Xoài bench {p}"), "category": "FRUIT",
                    "status": "ACTIVE", "variants": packs } }),
            )
            .await?;
            let made = &product["data"]["createProduct"];
            for v in made["variants"]
                .as_array()
                .with_context(|| format!("createProduct failed: {product}"))?
            {
                variants.push(v["id"].as_str().context("variant id")?.to_owned());
            }
            slugs.push(made["slug"].as_str().unwrap_or_default().to_owned());
        }
        Ok(Self {
            owner,
            cooperative,
            variants,
            slugs,
        })
    }
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
        variants.div_ceil(per_product).max(1),
        per_product,
        1_000_000,
    )
    .await?;
    let variants = std::sync::Arc::new(seller.variants.clone());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let cpu_before = server.cpu_ticks()?;
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for w in 0..concurrency {
        let (client, url, variants) = (client.clone(), url.clone(), variants.clone());
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0usize, None);
            let mut n = 0usize;
            while Instant::now() < deadline {
                let variant = &variants[(w + n * concurrency) % variants.len()];
                let sent = Instant::now();
                let body = gql(
                    &client,
                    &url,
                    None,
                    PLACE,
                    one_unit(format!("sustained-{w}-{n}"), variant),
                )
                .await;
                match body {
                    Ok(body) if body.get("errors").is_none() => latencies.push(sent.elapsed()),
                    Ok(body) => {
                        errors += 1;
                        first_error.get_or_insert(body.to_string());
                    }
                    Err(err) => {
                        errors += 1;
                        first_error.get_or_insert(err.to_string());
                    }
                }
                n += 1;
            }
            (latencies, errors, first_error)
        }));
    }
    let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0usize, None);
    for worker in workers {
        let (l, e, f) = worker.await?;
        latencies.extend(l);
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
    }
    let elapsed = started.elapsed();
    let cpu_secs = (server.cpu_ticks()? - cpu_before) as f64 / crate::server::ticks_per_second();
    latencies.sort();
    let placed = latencies.len();
    let counted = gql(
        &client,
        &url,
        Some(&seller.owner),
        "query($c: ID!) { cooperativeOrders(cooperativeId: $c, first: 1) { totalCount } }",
        json!({ "c": seller.cooperative }),
    )
    .await?;
    let counted = counted["data"]["cooperativeOrders"]["totalCount"]
        .as_u64()
        .with_context(|| format!("counting the orders failed: {counted}"))?;
    println!(
        "scenario: checkout-sustained ({concurrency} buyers, {} distinct variants, {seconds} s, {})",
        variants.len(),
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
    let seller = Seller::create(&server, &client, 1, 1, stock).await?;
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
                match body["errors"][0]["extensions"]["code"].as_str() {
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
