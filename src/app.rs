//! Start-up: connect and migrate the database, start or reach the media
//! store, build the schema, and serve until told to stop.

use std::net::SocketAddr;
use std::sync::Arc;

use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::db::Db;
use crate::events::EventBus;
use crate::http::{self, AppState};
use crate::livestream;
use crate::media;
use crate::metrics::Metrics;
use crate::orders;
use crate::schema;
use crate::storage::{self, EmbeddedS3};

/// A started service: its state, and the embedded store if it runs one.
pub struct App {
    pub state: AppState,
    embedded_s3: Option<EmbeddedS3>,
}

impl App {
    /// Connects, migrates and builds everything `config` describes.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        let db = Db::connect(
            config.database_url.expose_secret(),
            config.db_max_connections,
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
        db.migrate()
            .await
            .map_err(|e| anyhow::anyhow!("migrating the database failed: {e}"))?;
        let (storage, embedded_s3) = storage::connect(&config.s3).await?;
        let keys = TokenKeys::new(&config);
        let events = EventBus::connect(&config.event_bus)
            .await
            .map_err(|e| anyhow::anyhow!("cannot start the event bus: {e:#}"))?;
        let schema = schema::build(
            &config,
            db.clone(),
            keys.clone(),
            storage.clone(),
            events.clone(),
        );
        let metrics = Arc::new(Metrics::new(config.db_max_connections)?);
        let response_cache = Arc::new(http::response_cache::ResponseCache::new(
            config.response_cache_ttl,
            config.response_cache_entries,
        ));
        http::response_cache::invalidate_on_events(&response_cache, &events);
        let feeds = crate::http::fanout::Feeds::new(schema.clone(), crate::events::CAPACITY);
        Ok(Self {
            state: AppState {
                config: Arc::new(config),
                db,
                storage,
                keys,
                schema,
                metrics,
                events,
                response_cache,
                feeds,
            },
            embedded_s3,
        })
    }

    /// The routes, ready to serve or to call in process.
    pub fn router(&self) -> axum::Router {
        http::router(self.state.clone())
    }

    /// Where the embedded media store listens, if this app runs one.
    pub fn embedded_s3_addr(&self) -> Option<SocketAddr> {
        self.embedded_s3.as_ref().map(|s| s.addr)
    }

    /// Serves on `listener` until `shutdown` is cancelled; then finishes the
    /// requests in flight, waiting at most the configured shutdown timeout.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let grace = self.state.config.shutdown_timeout;
        let router = self.router();
        let sweeper = media::service::spawn_sweeper(
            self.state.db.clone(),
            self.state.storage.clone(),
            self.state.config.media.clone(),
            shutdown.child_token(),
        );
        // Cancels unpaid VietQR orders whose hold ran out; safe with several
        // processes (each order is claimed with a conditional update).
        let hold_sweeper = orders::service::spawn_hold_sweeper(
            self.state.db.clone(),
            self.state.events.clone(),
            self.state.config.payments.sweep_interval,
            shutdown.child_token(),
        );
        // Reminds followers 15 minutes before a show; each show is claimed
        // with a conditional update, so several processes remind once.
        let reminders = livestream::reminders::spawn_sweeper(
            self.state.db.clone(),
            self.state.events.clone(),
            self.state.config.reminder_interval,
            shutdown.child_token(),
        );
        // Closes flash deals whose time ran out and gives their units back
        // to stock; safe with several processes (each deal is closed with a
        // conditional update).
        let deal_sweeper = crate::livestream::flash_deals::spawn_sweeper(
            self.state.db.clone(),
            self.state.events.clone(),
            shutdown.child_token(),
        );
        // Deletes guests' carts nobody touched for FARMSTREAM_GUEST_CART_DAYS.
        let cart_purger = orders::cart::spawn_purger(
            self.state.db.clone(),
            self.state.config.guest_cart_ttl,
            shutdown.child_token(),
        );
        // Deletes throttle rows whose window is over.
        let throttle_purger = crate::tasks::every(
            std::time::Duration::from_secs(15 * 60),
            shutdown.child_token(),
            {
                let db = self.state.db.clone();
                move || {
                    let db = db.clone();
                    async move {
                        if let Err(err) = crate::auth::throttle::purge_expired(&db).await {
                            tracing::warn!(error = %err, "purging expired throttles failed");
                        }
                    }
                }
            },
        );
        // The peer address reaches handlers, for per-address throttles.
        let server = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown.clone().cancelled_owned());
        let deadline = async {
            shutdown.cancelled().await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = server => result?,
            () = deadline => tracing::warn!(?grace, "requests still running at the shutdown deadline were cut off"),
        }
        sweeper.abort();
        hold_sweeper.abort();
        reminders.abort();
        deal_sweeper.abort();
        cart_purger.abort();
        throttle_purger.abort();
        self.state.events.stop();
        if let Some(s3) = self.embedded_s3 {
            s3.stop().await;
        }
        if let Err(err) = self.state.db.close().await {
            tracing::warn!(error = %err, "closing the database pool failed");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested: finishing requests in flight");
}
