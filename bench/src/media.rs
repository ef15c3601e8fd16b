//! The `media` scenario: createUpload, a presigned PUT straight to storage,
//! confirmUpload, over and over; the bytes never pass through the API.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::server::Server;

pub(crate) async fn gql(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let res: Value = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(
        crate::server::failure(&res).is_none(),
        "GraphQL errors: {res}"
    );
    Ok(res["data"].clone())
}

/// A video file of `size` bytes: an MP4 signature, then padding.
fn video(size: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".to_vec();
    bytes.resize(size, 0x5a);
    bytes
}

async fn one_upload(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    coop: &str,
    body: &[u8],
) -> anyhow::Result<()> {
    let data = gql(
        client,
        url,
        token,
        "mutation($i: CreateUploadInput!) { createUpload(input: $i) { upload { asset { id } uploadUrl requiredHeaders { name value } } userErrors { code message } } }",
        json!({ "i": { "cooperativeId": coop, "purpose": "PRODUCT_VIDEO", "contentType": "video/mp4", "byteSize": body.len() } }),
    )
    .await?;
    let upload = &data["createUpload"]["upload"];
    let mut put = client.put(upload["uploadUrl"].as_str().context("uploadUrl")?);
    for h in upload["requiredHeaders"].as_array().context("headers")? {
        let name = h["name"].as_str().unwrap_or_default();
        if !name.eq_ignore_ascii_case("content-length") {
            put = put.header(name, h["value"].as_str().unwrap_or_default());
        }
    }
    let status = put.body(body.to_vec()).send().await?.status();
    anyhow::ensure!(status.is_success(), "PUT to storage: {status}");
    let id = upload["asset"]["id"].as_str().context("asset id")?;
    let done = gql(
        client,
        url,
        token,
        "mutation($id: ID!) { confirmUpload(assetId: $id) { mediaAsset { status } userErrors { code message } } }",
        json!({ "id": id }),
    )
    .await?;
    anyhow::ensure!(
        done["confirmUpload"]["mediaAsset"]["status"] == "READY",
        "not ready: {done}"
    );
    Ok(())
}

/// Runs the scenario and prints its figures.
pub async fn run(binary: &std::path::Path, seconds: u64, concurrency: usize) -> anyhow::Result<()> {
    let server = Server::start(binary).await?;
    let token = server.register("media@farmstream.test").await?;
    let client = reqwest::Client::new();
    let url = server.graphql_url();
    let coop = gql(
        &client,
        &url,
        &token,
        "mutation { createCooperative(input: { name: \"HTX Bench\", address: { province: \"Sơn La\", ward: \"Xã Vân Hồ\" } }) { cooperative { id } userErrors { code message } } }",
        json!({}),
    )
    .await?["createCooperative"]["cooperative"]["id"]
        .as_str()
        .context("cooperative id")?
        .to_owned();
    let rss_before = server.rss_kib()?;
    let body = video(1024 * 1024);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, token, coop, body) =
            (client.clone(), token.clone(), coop.clone(), body.clone());
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let t = Instant::now();
                match one_upload(&client, &url, &token, &coop, &body).await {
                    Ok(()) => latencies.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        if errors == 1 {
                            eprintln!("upload failed: {e:#}");
                        }
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len().max(1) - 1) as f64 * p) as usize)
            .copied()
            .unwrap_or_default()
    };
    let rss_after_1mib = server.rss_kib()?;
    // One large upload: the API's memory must not follow its size.
    let big = video(64 * 1024 * 1024);
    one_upload(&client, &url, &token, &coop, &big).await?;
    let rss_after_big = server.rss_kib()?;
    println!(
        "scenario: media (1 MiB videos: createUpload + presigned PUT + confirmUpload, {concurrency} workers, {seconds} s)"
    );
    println!(
        "uploads: {} ok, {errors} errors in {:.1} s → {:.1} uploads/s",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency per upload: p50 {:.1} ms, p99 {:.1} ms",
        pct(0.5).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0
    );
    println!(
        "server RSS: {:.1} MiB before, {:.1} MiB after the 1 MiB uploads, {:.1} MiB after one 64 MiB upload (peak {:.1} MiB)",
        rss_before as f64 / 1024.0,
        rss_after_1mib as f64 / 1024.0,
        rss_after_big as f64 / 1024.0,
        server.peak_rss_kib()? as f64 / 1024.0
    );
    println!(
        "(the embedded S3 store runs inside the server process, so its buffers count in that RSS)"
    );
    server.stop().await;
    Ok(())
}
