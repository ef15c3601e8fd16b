//! A closed-loop HTTP load generator: C workers, each sending the next
//! request as soon as the last one answered, for a fixed time.

use std::time::{Duration, Instant};

/// One GraphQL request sent over and over.
#[derive(Clone)]
pub struct Load {
    pub url: String,
    pub body: serde_json::Value,
    pub token: Option<String>,
    pub seconds: u64,
    pub concurrency: usize,
}

/// What a load run measured.
pub struct Report {
    pub ok: usize,
    pub errors: usize,
    pub elapsed: Duration,
    latencies: Vec<Duration>,
    first_error: Option<String>,
}

impl Load {
    /// Runs the load; every answer must be a 200 without GraphQL errors.
    pub async fn run(&self) -> anyhow::Result<Report> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(self.concurrency)
            .build()?;
        let deadline = Instant::now() + Duration::from_secs(self.seconds);
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..self.concurrency {
            let client = client.clone();
            let url = self.url.clone();
            let body = self.body.to_string();
            let token = self.token.clone();
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0usize;
                let mut first_error = None;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let mut req = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone());
                    if let Some(token) = &token {
                        req = req.bearer_auth(token);
                    }
                    let outcome = match req.send().await {
                        Ok(res) if res.status().is_success() => match res.bytes().await {
                            Ok(bytes) if !contains(&bytes, b"\"errors\"") => Ok(()),
                            Ok(bytes) => Err(String::from_utf8_lossy(&bytes).into_owned()),
                            Err(e) => Err(e.to_string()),
                        },
                        Ok(res) => Err(format!("HTTP {}", res.status())),
                        Err(e) => Err(e.to_string()),
                    };
                    match outcome {
                        Ok(()) => latencies.push(sent.elapsed()),
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert(e);
                        }
                    }
                }
                (latencies, errors, first_error)
            }));
        }
        let mut report = Report {
            ok: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
            first_error: None,
        };
        for worker in workers {
            let (latencies, errors, first_error) = worker.await?;
            report.ok += latencies.len();
            report.latencies.extend(latencies);
            report.errors += errors;
            if report.first_error.is_none() {
                report.first_error = first_error;
            }
        }
        report.elapsed = started.elapsed();
        report.latencies.sort();
        Ok(report)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl Report {
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let idx = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[idx]
    }

    /// Prints throughput, latency percentiles and errors.
    pub fn print(&self) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "requests: {} ok, {} errors in {:.1} s → {:.0} requests/s",
            self.ok,
            self.errors,
            self.elapsed.as_secs_f64(),
            self.ok as f64 / self.elapsed.as_secs_f64()
        );
        println!(
            "latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(self.percentile(0.50)),
            ms(self.percentile(0.99)),
            ms(self.latencies.last().copied().unwrap_or_default())
        );
        if let Some(e) = &self.first_error {
            println!("first error: {}", e.chars().take(300).collect::<String>());
        }
    }
}
