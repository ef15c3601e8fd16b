//! `login-flood`: C anonymous clients sending failed logins as fast as they
//! are answered, each for a fresh address (so the per-address lock never
//! spares the server a hash). Each check is Argon2id over 19 MiB: without a
//! bound on concurrent hashing, 200 clients took the server to 4 GiB. Prints
//! peak and settled RSS, checked logins per second, latency percentiles and
//! how many were turned away as busy.

use std::time::{Duration, Instant};

use crate::server::Server;

/// What one client saw.
#[derive(Default)]
struct Tally {
    /// Latency of every answer that checked the password.
    checked: Vec<Duration>,
    /// Latency of every `SERVICE_UNAVAILABLE` (queue deadline passed).
    busy: Vec<Duration>,
    other: usize,
    first_other: Option<String>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs the flood for `seconds` with `clients` concurrent connections.
#[expect(
    clippy::too_many_lines,
    reason = "one benchmark scenario: start, flood, measure, report"
)]
pub async fn run(binary: &std::path::Path, seconds: u64, clients: usize) -> anyhow::Result<()> {
    let server = Server::start(binary).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = server.rss_kib()?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let url = server.graphql_url();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for worker in 0..clients {
        let client = client.clone();
        let url = url.clone();
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let body = serde_json::json!({
                    "query": "mutation Login($i: LoginInput!) { login(input: $i) { session { accessToken } userErrors { code message } } }",
                    "variables": { "i": {
                        "email": format!("flood-{worker}-{n}@bench.test"),
                        "password": "not the password at all",
                    } },
                });
                let sent = Instant::now();
                let answer = match client.post(&url).json(&body).send().await {
                    Ok(res) => res
                        .json::<serde_json::Value>()
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                let took = sent.elapsed();
                let code = answer
                    .as_ref()
                    .ok()
                    .and_then(|a| a["errors"][0]["extensions"]["code"].as_str());
                match code {
                    Some("UNAUTHENTICATED") => tally.checked.push(took),
                    Some("SERVICE_UNAVAILABLE") => tally.busy.push(took),
                    _ => {
                        tally.other += 1;
                        tally.first_other.get_or_insert_with(|| match &answer {
                            Ok(a) => a.to_string(),
                            Err(e) => e.clone(),
                        });
                    }
                }
            }
            tally
        }));
    }
    // Sample RSS while the flood runs (VmHWM is the true peak; this shows
    // the curve).
    let mut highest_sample = 0u64;
    while Instant::now() < deadline {
        highest_sample = highest_sample.max(server.rss_kib()?);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut total = Tally::default();
    for worker in workers {
        let tally = worker.await?;
        total.checked.extend(tally.checked);
        total.busy.extend(tally.busy);
        total.other += tally.other;
        if total.first_other.is_none() {
            total.first_other = tally.first_other;
        }
    }
    let elapsed = started.elapsed();
    let peak = server.peak_rss_kib()?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let settled = server.rss_kib()?;
    let mut all: Vec<Duration> = total.checked.iter().chain(&total.busy).copied().collect();
    all.sort();
    total.checked.sort();
    println!(
        "scenario: login-flood ({clients} concurrent failed logins for fresh addresses, {seconds} s, {})",
        server.backend()
    );
    println!(
        "checked: {} logins in {:.1} s → {:.1} checked logins/s; busy (SERVICE_UNAVAILABLE): {}; other answers: {}",
        total.checked.len(),
        elapsed.as_secs_f64(),
        total.checked.len() as f64 / elapsed.as_secs_f64(),
        total.busy.len(),
        total.other
    );
    println!(
        "latency of checked logins: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        ms(percentile(&total.checked, 0.50)),
        ms(percentile(&total.checked, 0.99)),
        ms(total.checked.last().copied().unwrap_or_default())
    );
    println!(
        "latency of every answer: p50 {:.0} ms, p99 {:.0} ms",
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.99))
    );
    println!(
        "server RSS: {:.1} MiB idle, peak {:.1} MiB (highest sample {:.1} MiB), {:.1} MiB 2 s after",
        rss_idle as f64 / 1024.0,
        peak as f64 / 1024.0,
        highest_sample as f64 / 1024.0,
        settled as f64 / 1024.0
    );
    if let Some(other) = &total.first_other {
        println!(
            "first other answer: {}",
            other.chars().take(300).collect::<String>()
        );
    }
    server.stop().await;
    Ok(())
}
