//! `checkout-burst`: N concurrent `placeOrder` calls for one variant with
//! limited stock. Prints orders per second, latency, how many were refused
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
    let owner = server.register("seller@farmstream.test").await?;
    let coop = gql(
        &client,
        &url,
        Some(&owner),
        "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { id } }",
        json!({ "i": { "name": "HTX Bench", "address": { "province": "Sơn La", "ward": "Xã Yên Châu" },
            "bankAccount": { "bin": "970415", "accountNumber": "0011001932418", "accountName": "HTX BENCH" } } }),
    )
    .await?;
    let coop = coop["data"]["createCooperative"]["id"]
        .as_str()
        .with_context(|| format!("createCooperative failed: {coop}"))?
        .to_owned();
    let product = gql(
        &client,
        &url,
        Some(&owner),
        "mutation($i: CreateProductInput!) { createProduct(input: $i) { slug variants { id } } }",
        json!({ "i": { "cooperativeId": coop, "name": "Xoài bench", "category": "FRUIT", "status": "ACTIVE",
            "variants": [{ "name": "Hộp 2 kg", "sku": "BENCH-1", "unit": "KG", "netQuantity": 2.0, "priceVnd": 120000, "stock": stock }] } }),
    )
    .await?;
    let variant = product["data"]["createProduct"]["variants"][0]["id"]
        .as_str()
        .with_context(|| format!("createProduct failed: {product}"))?
        .to_owned();
    let slug = product["data"]["createProduct"]["slug"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

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
            let input = json!({
                "idempotencyKey": format!("bench-burst-{n:06}"),
                "items": [{ "variantId": variant, "quantity": 1 }],
                "shippingAddress": { "recipientName": "Khách", "phone": "0912345678", "province": "Hà Nội", "ward": "Phường Ba Đình", "street": "1 Hoàng Diệu" },
                "paymentMethod": "COD",
            });
            let sent = Instant::now();
            let body = gql(&client, &url, None, PLACE, json!({ "i": input })).await?;
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
    let pct = |p: f64| -> Duration {
        latencies
            .get(((latencies.len().saturating_sub(1)) as f64 * p).round() as usize)
            .copied()
            .unwrap_or_default()
    };
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
        "scenario: checkout-burst ({orders} placeOrder calls, {concurrency} in flight, {stock} units, SQLite)"
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
