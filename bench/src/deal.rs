//! `live-deal-burst`: a live show opens a flash deal of D units and B buyers
//! (distinct guest phones, one unit each) race for it with `placeOrder`
//! from the show, all at once. The variant holds exactly D units, so every
//! unit is on the deal. Prints how many got the deal price (must be D), how
//! many were refused as out of stock, the latency of every answer (target:
//! all within 2 s) and the final deal and stock figures.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::Server;

const PLACE: &str = "mutation Place($i: PlaceOrderInput!) { placeOrder(input: $i) { checkout { orders { items { quantity unitPriceVnd flashDealId } } } userErrors { code message } } }";
const PRICE: i64 = 120_000;
const DEAL_PRICE: i64 = 89_000;
/// What the issue asks of the burst: every buyer answered within this.
const TARGET: Duration = Duration::from_secs(2);

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

/// `data.<path>` of an answer, or an error showing the answer.
fn field<'a>(answer: &'a Value, path: &[&str], what: &str) -> anyhow::Result<&'a Value> {
    let mut at = &answer["data"];
    for key in path {
        at = &at[*key];
    }
    anyhow::ensure!(!at.is_null(), "{what} failed: {answer}");
    Ok(at)
}

/// How one buyer's call ended.
enum Outcome {
    AtDealPrice,
    AtNormalPrice,
    OutOfStock,
    Failed(String),
}

fn outcome_of(body: &Value) -> Outcome {
    match crate::server::failure(body) {
        Some("OUT_OF_STOCK") => Outcome::OutOfStock,
        Some(_) => Outcome::Failed(body.to_string()),
        None => {
            let item = &body["data"]["placeOrder"]["checkout"]["orders"][0]["items"][0];
            match (item["unitPriceVnd"].as_i64(), item["flashDealId"].is_null()) {
                (Some(DEAL_PRICE), false) => Outcome::AtDealPrice,
                (Some(PRICE), true) => Outcome::AtNormalPrice,
                _ => Outcome::Failed(body.to_string()),
            }
        }
    }
}

/// Runs the scenario: `buyers` calls, at most `in_flight` at once, for a
/// deal of `units` units.
#[expect(
    clippy::too_many_lines,
    reason = "one benchmark scenario: start, arrange, burst, measure, report"
)]
pub async fn live_deal_burst(
    binary: &std::path::Path,
    buyers: usize,
    units: i32,
    in_flight: usize,
) -> anyhow::Result<()> {
    let server = Server::start(binary).await?;
    let url = server.graphql_url();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(in_flight)
        .build()?;
    let owner = server.register("seller@farmstream.test").await?;
    let t = Some(owner.as_str());
    let coop = gql(
        &client,
        &url,
        t,
        "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { cooperative { id } userErrors { code message } } }",
        json!({ "i": { "name": "HTX Bench", "address": { "province": "Sơn La", "ward": "Xã Yên Châu" } } }),
    )
    .await?;
    let coop = field(
        &coop,
        &["createCooperative", "cooperative", "id"],
        "createCooperative",
    )?
    .clone();
    let product = gql(
        &client,
        &url,
        t,
        "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id variants { id } } userErrors { code message } } }",
        json!({ "i": { "cooperativeId": coop, "name": "Xoài bench", "category": "FRUIT", "status": "ACTIVE",
            "variants": [{ "name": "Hộp 2 kg", "sku": "BENCH-DEAL", "unit": "KG", "netQuantity": 2.0, "priceVnd": PRICE, "stock": units }] } }),
    )
    .await?;
    let product_id = field(
        &product,
        &["createProduct", "product", "id"],
        "createProduct",
    )?
    .clone();
    let variant = field(
        &product,
        &["createProduct", "product", "variants"],
        "createProduct",
    )?[0]["id"]
        .clone();
    let show = gql(
        &client,
        &url,
        t,
        "mutation($i: ScheduleLivestreamInput!) { scheduleLivestream(input: $i) { livestream { id } userErrors { code message } } }",
        json!({ "i": { "cooperativeId": coop, "title": "Xoài chín cây", "platform": "IN_APP", "hostName": "Hoa",
            "scheduledStartAt": "2030-12-01T12:00:00Z", "productIds": [product_id] } }),
    )
    .await?;
    let show = field(
        &show,
        &["scheduleLivestream", "livestream", "id"],
        "scheduleLivestream",
    )?
    .clone();
    let started = gql(
        &client,
        &url,
        t,
        "mutation($id: ID!) { startLivestream(id: $id) { livestream { status } userErrors { code message } } }",
        json!({ "id": show }),
    )
    .await?;
    field(
        &started,
        &["startLivestream", "livestream", "status"],
        "startLivestream",
    )?;
    let deal = gql(
        &client,
        &url,
        t,
        "mutation($i: OpenFlashDealInput!) { openFlashDeal(input: $i) { flashDeal { id } userErrors { code message } } }",
        json!({ "i": { "livestreamId": show, "variantId": variant, "priceVnd": DEAL_PRICE, "quantity": units,
            "perBuyerLimit": 1, "durationSeconds": 600 } }),
    )
    .await?;
    field(
        &deal,
        &["openFlashDeal", "flashDeal", "id"],
        "openFlashDeal",
    )?;

    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(in_flight.max(1)));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(buyers);
    for n in 0..buyers {
        let client = client.clone();
        let url = url.clone();
        let (show, variant) = (show.clone(), variant.clone());
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            let input = json!({
                "idempotencyKey": format!("bench-deal-{n:06}"),
                "items": [{ "variantId": variant, "quantity": 1 }],
                "livestreamId": show,
                "shippingAddress": { "recipientName": "Khách", "phone": format!("0912{:06}", n % 1_000_000),
                    "province": "Hà Nội", "ward": "Phường Ba Đình", "street": "1 Hoàng Diệu" },
                "paymentMethod": "COD",
            });
            let sent = Instant::now();
            let body = gql(&client, &url, None, PLACE, json!({ "i": input })).await?;
            // From the start of the burst: a buyer queued behind the
            // in-flight cap waited too.
            anyhow::Ok((sent.elapsed(), start.elapsed(), body))
        }));
    }
    let (mut at_deal, mut at_normal, mut out_of_stock, mut failed) =
        (0usize, 0usize, 0usize, 0usize);
    let mut first_error = None;
    let mut latencies = Vec::with_capacity(buyers);
    let mut last_answer = Duration::ZERO;
    for task in tasks {
        match task.await? {
            Ok((latency, answered_at, body)) => {
                latencies.push(latency);
                last_answer = last_answer.max(answered_at);
                match outcome_of(&body) {
                    Outcome::AtDealPrice => at_deal += 1,
                    Outcome::AtNormalPrice => at_normal += 1,
                    Outcome::OutOfStock => out_of_stock += 1,
                    Outcome::Failed(e) => {
                        failed += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            Err(err) => {
                failed += 1;
                first_error.get_or_insert(err.to_string());
            }
        }
    }
    let elapsed = start.elapsed();
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
        "query($id: ID!) { livestream(id: $id) { flashDeals { remaining variant { stock } } } }",
        json!({ "id": show }),
    )
    .await?;
    let deals = field(&after, &["livestream", "flashDeals"], "reading the deal")?;
    let remaining = deals[0]["remaining"].as_i64().unwrap_or(-1);
    let stock = deals[0]["variant"]["stock"].as_i64().unwrap_or(-1);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "scenario: live-deal-burst ({buyers} buyers, {in_flight} in flight, a {units}-unit deal, per-buyer limit 1, SQLite)"
    );
    println!(
        "sold: {at_deal} at the deal price (must be {units}), {at_normal} at the normal price, {out_of_stock} out of stock, {failed} other errors"
    );
    println!(
        "every buyer answered {:.0} ms after the burst began ({:.0} calls/s); target {} s: {}",
        ms(last_answer),
        buyers as f64 / elapsed.as_secs_f64(),
        TARGET.as_secs(),
        if last_answer <= TARGET && failed == 0 {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(latencies.last().copied().unwrap_or_default())
    );
    println!("after: deal remaining {remaining}, variant stock {stock} (both must be 0)");
    println!(
        "server peak RSS: {:.1} MiB",
        server.peak_rss_kib()? as f64 / 1024.0
    );
    if let Some(e) = first_error {
        println!("first error: {}", e.chars().take(300).collect::<String>());
    }
    server.stop().await;
    anyhow::ensure!(
        at_deal == usize::try_from(units).unwrap_or(0),
        "{at_deal} units sold at the deal price, not {units}"
    );
    anyhow::ensure!(at_normal == 0, "the variant had no stock beyond the deal");
    anyhow::ensure!(remaining == 0 && stock == 0, "deal or stock left over");
    anyhow::ensure!(failed == 0, "some buyers got an unexpected answer");
    Ok(())
}
