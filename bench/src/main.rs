//! farmstream's benchmark tool: starts the release server on a fresh data
//! folder, drives load over HTTP, checks every answer, and prints figures.
//!
//! `cargo run --release -p farmstream-bench -- <scenario> [--seconds N] [--concurrency C]`
//!
//! With `FARMSTREAM_BENCH_POSTGRES=postgres://…/db` every scenario runs on a
//! fresh PostgreSQL database made beside `db` (and dropped afterwards)
//! instead of the embedded SQLite file.

mod checkout;
mod deal;
mod fanout;
mod load;
mod login;
mod media;
mod media_bomb;
mod server;
mod training;

use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::load::Load;
use crate::server::Server;

#[derive(Parser, Debug)]
#[command(
    name = "farmstream-bench",
    about = "Benchmarks of farmstream (figures, not pass/fail)"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
    /// How long each load phase runs.
    #[arg(long, default_value_t = 10, global = true)]
    seconds: u64,
    /// Concurrent connections driving load.
    #[arg(long, default_value_t = 32, global = true)]
    concurrency: usize,
}

#[derive(Subcommand, Debug)]
enum Scenario {
    /// Cold start on an empty data folder (migrate + ready) and idle memory.
    Startup {
        /// How many cold starts to time.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// `me` with a valid token: throughput, latency and server CPU per request.
    Me,
    /// A page of 20 products with their variants, on the seed catalogue.
    Catalog,
    /// The same page with each product's cooperative name and badges.
    CatalogRich,
    /// One product by slug with variants, origin story, lots and badges.
    Product,
    /// createUpload + presigned PUT of 1 MiB + confirmUpload, in a loop.
    Media,
    /// Concurrent failed logins, each for a fresh address: server peak RSS
    /// (bounded password hashing: target ≤ 150 MiB at 200 clients),
    /// checked logins/s and latency under that load.
    LoginFlood {
        /// Concurrent clients.
        #[arg(long, default_value_t = 200)]
        clients: usize,
    },
    /// Decompression bombs (PNGs declaring 12,000 × 12,000 RGBA) confirmed
    /// at once: every one refused, and the server's peak RSS.
    MediaBomb {
        /// How many bombs are confirmed at once.
        #[arg(long, default_value_t = 4)]
        bombs: usize,
    },
    /// N concurrent `placeOrder` calls for one variant with limited stock:
    /// orders/s, latency, oversell count (must be 0) and final stock.
    CheckoutBurst {
        /// How many `placeOrder` calls to send.
        #[arg(long, default_value_t = 500)]
        orders: usize,
        /// Units of the variant on hand at the start.
        #[arg(long, default_value_t = 100)]
        stock: i32,
    },
    /// `placeOrder` for as long as `--seconds`, each call for one of many
    /// distinct variants: sustained orders/s, latency, server CPU per order.
    CheckoutSustained {
        /// How many distinct variants the orders spread over.
        #[arg(long, default_value_t = 200)]
        variants: usize,
    },
    /// courseReport and courseOutcomes of a course of 500 participants and
    /// 10 sessions, after placing orders with their cooperatives.
    TrainingReport {
        /// How many orders to place before timing.
        #[arg(long, default_value_t = 50_000)]
        orders: usize,
    },
    /// S WebSocket subscribers on one live show and a stream of pins:
    /// delivery latency from mutation to every subscriber, server memory,
    /// missed events.
    LiveFanout {
        /// WebSocket subscribers watching the show.
        #[arg(long, default_value_t = 5000)]
        subscribers: usize,
        /// Pins to send.
        #[arg(long, default_value_t = 100)]
        events: usize,
        /// Pins per second.
        #[arg(long, default_value_t = 5.0)]
        rate: f64,
        /// A PostgreSQL database URL: run the server on it with
        /// FARMSTREAM_EVENT_BUS=postgres (default: embedded SQLite, in-process bus).
        #[arg(long)]
        postgres: Option<String>,
        /// Subscribers sign in (as the show's owner) rather than watch
        /// anonymously.
        #[arg(long)]
        signed_in: bool,
    },
    /// A live show's flash deal and N buyers racing for it with `placeOrder`:
    /// units sold at the deal price (must be the deal's), latency of every
    /// answer (target: all within 2 s), final deal and stock.
    LiveDealBurst {
        /// How many buyers (distinct guest phones, one unit each).
        #[arg(long, default_value_t = 1000)]
        buyers: usize,
        /// Units on the deal (the variant holds exactly these).
        #[arg(long, default_value_t = 50)]
        units: i32,
        /// How many calls are in flight at once (default: every buyer).
        #[arg(long)]
        in_flight: Option<usize>,
    },
}

const CATALOG: &str = "query Catalog { products(first: 20) { edges { node { id name slug variants { id priceVnd stock } } } totalCount } }";
const CATALOG_RICH: &str = "query CatalogRich { products(first: 20) { edges { node { id name slug variants { id priceVnd stock } cooperative { name badges { kind stars } } badges { kind } } } totalCount } }";
const PRODUCT: &str = "query Product { product(slug: \"xoai-tron-yen-chau\") { id name description variants { id name priceVnd stock unitPrice { amountVnd per } } originStory { farmName growerName area story } lots { code harvestedOn } badges { kind stars validUntil } cooperative { name } } }";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let binary = server::build_release()?;
    match cli.scenario {
        Scenario::Startup { runs } => startup(&binary, runs).await,
        Scenario::Me => me(&binary, cli.seconds, cli.concurrency).await,
        Scenario::Catalog => {
            read_scenario(&binary, "catalog", CATALOG, cli.seconds, cli.concurrency).await
        }
        Scenario::CatalogRich => {
            read_scenario(
                &binary,
                "catalog-rich",
                CATALOG_RICH,
                cli.seconds,
                cli.concurrency,
            )
            .await
        }
        Scenario::Media => media::run(&binary, cli.seconds, cli.concurrency.min(8)).await,
        Scenario::LoginFlood { clients } => login::run(&binary, cli.seconds, clients).await,
        Scenario::MediaBomb { bombs } => media_bomb::run(&binary, bombs).await,
        Scenario::Product => {
            read_scenario(&binary, "product", PRODUCT, cli.seconds, cli.concurrency).await
        }
        Scenario::CheckoutBurst { orders, stock } => {
            checkout::checkout_burst(&binary, orders, stock, cli.concurrency).await
        }
        Scenario::CheckoutSustained { variants } => {
            checkout::checkout_sustained(&binary, variants, cli.seconds, cli.concurrency).await
        }
        Scenario::TrainingReport { orders } => {
            training::run(&binary, orders, cli.seconds, cli.concurrency).await
        }
        Scenario::LiveFanout {
            subscribers,
            events,
            rate,
            postgres,
            signed_in,
        } => {
            fanout::run(
                &binary,
                fanout::Fanout {
                    subscribers,
                    events,
                    rate,
                    postgres,
                    signed_in,
                },
            )
            .await
        }
        Scenario::LiveDealBurst {
            buyers,
            units,
            in_flight,
        } => deal::live_deal_burst(&binary, buyers, units, in_flight.unwrap_or(buyers)).await,
    }
}

/// The name of the one operation of `query` (`query Catalog { … }` → `Catalog`).
fn operation_name(query: &str) -> Option<&str> {
    let rest = query.strip_prefix("query ")?;
    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .filter(|n| !n.is_empty())
}

/// Drives one public query against a seeded server.
async fn read_scenario(
    binary: &std::path::Path,
    name: &str,
    query: &str,
    seconds: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let server = Server::start_seeded(binary).await?;
    let load = Load {
        url: server.graphql_url(),
        // Named as Apollo and Relay clients send it.
        body: serde_json::json!({ "query": query, "operationName": operation_name(query) }),
        token: None,
        seconds,
        concurrency,
    };
    // A short warm-up, so caches and pools are filled before measuring.
    Load {
        seconds: 1,
        ..load.clone()
    }
    .run()
    .await?;
    let cpu_before = server.cpu_ticks()?;
    let report = load.run().await?;
    let cpu_secs = (server.cpu_ticks()? - cpu_before) as f64 / server::ticks_per_second();
    println!(
        "scenario: {name} (seed catalogue on {}, {concurrency} connections, {seconds} s)",
        server.backend()
    );
    report.print();
    println!(
        "server CPU per request: {:.0} µs",
        cpu_secs * 1e6 / report.ok.max(1) as f64
    );
    println!(
        "server peak RSS: {:.1} MiB",
        server.peak_rss_kib()? as f64 / 1024.0
    );
    server.stop().await;
    Ok(())
}

async fn startup(binary: &std::path::Path, runs: usize) -> anyhow::Result<()> {
    let mut times = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs {
        let server = Server::start(binary).await?;
        times.push(server.ready_after);
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push(server.rss_kib()?);
        server.stop().await;
    }
    times.sort();
    rss.sort_unstable();
    println!("scenario: startup ({runs} cold starts on empty data folders, release build)");
    println!(
        "cold start to ready: min {:.0} ms, median {:.0} ms, max {:.0} ms",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    println!(
        "idle RSS 1 s after ready: min {:.1} MiB, max {:.1} MiB",
        rss[0] as f64 / 1024.0,
        rss[rss.len() - 1] as f64 / 1024.0
    );
    Ok(())
}

async fn me(binary: &std::path::Path, seconds: u64, concurrency: usize) -> anyhow::Result<()> {
    let server = Server::start(binary).await?;
    let token = server.register("bench@farmstream.test").await?;
    let body = serde_json::json!({ "query": "query Me { me { id email displayName } }" });
    let load = Load {
        url: server.graphql_url(),
        body,
        token: Some(token),
        seconds,
        concurrency,
    };
    let cpu_before = server.cpu_ticks()?;
    let report = load.run().await?;
    let cpu_after = server.cpu_ticks()?;
    let cpu_secs = (cpu_after - cpu_before) as f64 / server::ticks_per_second();
    println!("scenario: me (valid token, {concurrency} connections, {seconds} s)");
    report.print();
    println!(
        "server CPU per request: {:.0} µs (server and load tool share this machine's cores)",
        cpu_secs * 1e6 / report.ok.max(1) as f64
    );
    println!(
        "server peak RSS: {:.1} MiB",
        server.peak_rss_kib()? as f64 / 1024.0
    );
    server.stop().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
