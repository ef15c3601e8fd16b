//! Starting and measuring a release `farmstream serve` process.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::process::{Child, Command};

/// Builds the release server binary next to this tool (same target folder,
/// so nothing is built twice) and returns its path;
/// `FARMSTREAM_BENCH_BINARY` names a ready-built one instead (e.g. a debug
/// build, to try a scenario out without a release build).
pub fn build_release() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("FARMSTREAM_BENCH_BINARY") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("bench binary has a folder")?;
    let target = dir.parent().context("release folder has a parent")?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "--quiet", "--bin", "farmstream"])
        .env("CARGO_TARGET_DIR", target)
        .status()
        .context("running cargo build")?;
    anyhow::ensure!(status.success(), "cargo build --release failed");
    Ok(dir.join("farmstream"))
}

/// A running server on a scratch data folder (and a scratch PostgreSQL
/// database when `FARMSTREAM_BENCH_POSTGRES` is set).
pub struct Server {
    child: Child,
    pid: u32,
    port: u16,
    /// From spawn to the first 200 from `/readyz`.
    pub ready_after: Duration,
    postgres: Option<ScratchDatabase>,
    _data: tempfile::TempDir,
}

/// A fresh PostgreSQL database beside the one `FARMSTREAM_BENCH_POSTGRES`
/// names (e.g. `postgres://postgres@127.0.0.1:5432/test`), dropped when the
/// run ends. Made and dropped with `psql`, which a PostgreSQL machine has.
struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    fn from_env() -> anyhow::Result<Option<Self>> {
        let Ok(admin_url) = std::env::var("FARMSTREAM_BENCH_POSTGRES") else {
            return Ok(None);
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos();
        let name = format!("farmstream_bench_{}_{nanos}", std::process::id());
        let (prefix, _) = admin_url
            .rsplit_once('/')
            .context("FARMSTREAM_BENCH_POSTGRES ends with a database name")?;
        let url = format!("{prefix}/{name}");
        let db = Self {
            admin_url,
            name,
            url,
        };
        db.psql(&format!("CREATE DATABASE {}", db.name))?;
        Ok(Some(db))
    }

    fn psql(&self, sql: &str) -> anyhow::Result<()> {
        let status = std::process::Command::new("psql")
            .args([
                "-q",
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                &self.admin_url,
                "-c",
                sql,
            ])
            .stdout(Stdio::null())
            .status()
            .context("running psql")?;
        anyhow::ensure!(status.success(), "psql failed: {sql}");
        Ok(())
    }

    /// The settings that point the server at this database.
    fn settings(&self) -> [(&'static str, String); 3] {
        [
            ("DATABASE_URL", self.url.clone()),
            (
                "FARMSTREAM_JWT_SECRET",
                "bench-jwt-secret-that-is-long-enough-0000".into(),
            ),
            (
                "FARMSTREAM_BANK_WEBHOOK_SECRET",
                "bench-webhook-secret-that-is-long-enough-00".into(),
            ),
        ]
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Err(err) = self.psql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )) {
            eprintln!("dropping the bench database {} failed: {err}", self.name);
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    /// Starts the server on an empty data folder and waits until it is ready.
    pub async fn start(binary: &Path) -> anyhow::Result<Self> {
        Self::start_with(binary, &[], false).await
    }

    /// Starts the server on a data folder loaded by `farmstream seed`.
    pub async fn start_seeded(binary: &Path) -> anyhow::Result<Self> {
        Self::start_with(binary, &[], true).await
    }

    /// Starts the server with extra environment settings, seeded or not.
    pub async fn start_with(
        binary: &Path,
        env: &[(&str, String)],
        seed: bool,
    ) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let port = free_port()?;
        let postgres = ScratchDatabase::from_env()?;
        let database: Vec<(&str, String)> = postgres
            .as_ref()
            .map(|db| db.settings().to_vec())
            .unwrap_or_default();
        if seed {
            let status = Command::new(binary)
                .arg("seed")
                .envs(database.iter().map(|(k, v)| (k, v)))
                .env("FARMSTREAM_DATA_DIR", data.path())
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .status()
                .await
                .context("running farmstream seed")?;
            anyhow::ensure!(status.success(), "farmstream seed failed");
        }
        let started = Instant::now();
        let mut cmd = Command::new(binary);
        cmd.arg("serve")
            .envs(database.iter().map(|(k, v)| (k, v)))
            .env("FARMSTREAM_DATA_DIR", data.path())
            .env("FARMSTREAM_LISTEN", format!("127.0.0.1:{port}"))
            .env(
                "FARMSTREAM_EMBEDDED_S3_LISTEN",
                format!("127.0.0.1:{}", free_port()?),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().context("starting farmstream")?;
        let pid = child.id().context("server pid")?;
        let client = reqwest::Client::new();
        let url = format!("http://127.0.0.1:{port}/readyz");
        loop {
            if let Ok(res) = client.get(&url).send().await
                && res.status().is_success()
            {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(30),
                "server not ready after 30 s"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Self {
            child,
            pid,
            port,
            ready_after: started.elapsed(),
            postgres,
            _data: data,
        })
    }

    /// The database the server runs on, for the printed figures.
    pub fn backend(&self) -> &'static str {
        if self.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// `http://127.0.0.1:PORT/graphql`.
    pub fn graphql_url(&self) -> String {
        format!("http://127.0.0.1:{}/graphql", self.port)
    }

    /// Registers an account and returns its access token.
    pub async fn register(&self, email: &str) -> anyhow::Result<String> {
        let res: serde_json::Value = reqwest::Client::new()
            .post(self.graphql_url())
            .json(&serde_json::json!({
                "query": "mutation($i: RegisterInput!) { register(input: $i) { session { accessToken } userErrors { code message } } }",
                "variables": { "i": { "email": email, "password": "bench password 2026", "displayName": "Bench" } }
            }))
            .send()
            .await?
            .json()
            .await?;
        res["data"]["register"]["session"]["accessToken"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("register failed: {res}"))
    }

    fn status_field(&self, field: &str) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{field} not in /proc status"))
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        self.status_field("VmRSS:")
    }

    /// Peak resident memory so far, in KiB.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        self.status_field("VmHWM:")
    }

    /// User + system CPU time so far, in clock ticks.
    pub fn cpu_ticks(&self) -> anyhow::Result<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))?;
        let after_name = stat.rsplit_once(')').context("stat format")?.1;
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        // Fields 14 and 15 of stat (utime, stime), counted after the name.
        let utime: u64 = fields.get(11).context("utime")?.parse()?;
        let stime: u64 = fields.get(12).context("stime")?.parse()?;
        Ok(utime + stime)
    }

    /// Stops the server with SIGTERM and waits for it (then drops its
    /// scratch database, if any).
    pub async fn stop(mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.pid.to_string())
            .status();
        let _ = tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await;
        drop(self.postgres.take());
    }
}

/// Clock ticks per second for `/proc/*/stat` times (USER_HZ, 100 on Linux).
pub fn ticks_per_second() -> f64 {
    100.0
}

/// The code of what went wrong in a GraphQL answer: the first top-level
/// error's `extensions.code` (`"ERROR"` when it has none), else the first
/// `userErrors` code of a mutation payload; `None` for a success.
pub fn failure(body: &serde_json::Value) -> Option<&str> {
    if let Some(error) = body.get("errors").and_then(|e| e.get(0)) {
        return Some(error["extensions"]["code"].as_str().unwrap_or("ERROR"));
    }
    body["data"]
        .as_object()?
        .values()
        .find_map(|payload| payload["userErrors"][0]["code"].as_str())
}
