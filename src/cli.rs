//! The command line: `serve` (the default), `migrate`, `seed`, `schema`,
//! `create-admin`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use tokio_util::sync::CancellationToken;

use crate::app::{self, App};
use crate::auth::inputs::Password;
use crate::auth::service::{self, AdminCreated};
use crate::auth::tokens::TokenKeys;
use crate::config::{Config, LogFormat};
use crate::db::Db;
use crate::values::Email;
use crate::{schema, seed};

/// farmstream: the GraphQL backend where farming cooperatives sell produce
/// through livestreams. Configured by environment variables (see README).
#[derive(Parser, Debug)]
#[command(name = "farmstream", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Migrate the database, then serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load demo data (idempotent: running it twice changes nothing).
    Seed,
    /// Print the GraphQL schema (SDL), or write it to a file.
    Schema {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Create a platform admin, or make an existing account one.
    CreateAdmin {
        /// The admin's e-mail address.
        #[arg(long)]
        email: String,
        /// The password for a new account (at least 10 characters); may
        /// also come from FARMSTREAM_ADMIN_PASSWORD to keep it out of shell history.
        #[arg(long, env = "FARMSTREAM_ADMIN_PASSWORD", hide_env_values = true, value_parser = secret)]
        password: SecretString,
    },
}

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema { output }) = &cli.command {
        return write_schema(output.as_deref());
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("farmstream: {err}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("farmstream: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(&config).await,
            Command::Seed => run_seed(&config).await,
            Command::CreateAdmin { email, password } => {
                create_admin(&config, &email, password.expose_secret()).await
            }
            Command::Schema { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("farmstream: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// A secret argument, kept out of `{:?}`.
fn secret(raw: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(raw.into())
}

fn write_schema(output: Option<&std::path::Path>) -> ExitCode {
    let sdl = schema::sdl();
    match output {
        None => {
            print!("{sdl}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(path, sdl) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("farmstream: cannot write {}: {err}", path.display());
                ExitCode::FAILURE
            }
        },
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        "info,sqlx=warn,sea_orm=warn,s3s=warn,aws_smithy_runtime=warn,aws_config=warn".into()
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let listen = config.listen;
    let app = App::start(config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen} (FARMSTREAM_LISTEN): {e}"))?;
    let listen = listener.local_addr().unwrap_or(listen);
    tracing::info!(
        addr = %listen,
        startup_ms = started.elapsed().as_millis() as u64,
        "farmstream is serving GraphQL at http://{listen}/graphql"
    );
    let shutdown = CancellationToken::new();
    let trigger = shutdown.clone();
    tokio::spawn(async move {
        app::shutdown_signal().await;
        trigger.cancel();
    });
    app.serve(listener, shutdown).await
}

async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(
        config.database_url.expose_secret(),
        config.db_max_connections,
    )
    .await?;
    db.migrate().await?;
    Ok(db)
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    open_db(config).await?;
    println!("database is up to date");
    Ok(())
}

async fn run_seed(config: &Config) -> anyhow::Result<()> {
    let db = open_db(config).await?;
    let report = seed::run(&db, &TokenKeys::new(config))
        .await
        .map_err(|e| anyhow::anyhow!("seeding failed: {e}"))?;
    println!(
        "seeded: {} accounts, {} cooperatives, {} products, {} courses, {} certificates (password of every demo account: {})",
        report.accounts_created,
        report.cooperatives_created,
        report.products_created,
        report.courses_created,
        report.certificates_issued,
        seed::DEMO_PASSWORD
    );
    Ok(())
}

async fn create_admin(config: &Config, email: &str, password: &str) -> anyhow::Result<()> {
    let email = Email::parse(email, "--email").map_err(|e| anyhow::anyhow!("{e}"))?;
    let password =
        Password::parse_new(password, "--password").map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = open_db(config).await?;
    let (id, outcome) = service::create_admin(&db, email, password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match outcome {
        AdminCreated::NewAccount => println!("created admin account {id}"),
        AdminCreated::ExistingAccount => {
            println!("account {id} existed (password unchanged) and is now an admin")
        }
    }
    Ok(())
}
