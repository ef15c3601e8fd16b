//! S3-compatible object storage: the client every media feature uses, and the
//! embedded in-process S3 server (s3s-fs) of the default set-up.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, timeout::TimeoutConfig};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{S3Config, StorageConfig};

/// A handle on the media bucket.
#[derive(Clone)]
pub struct Storage {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl Storage {
    /// A client for `config`, talking to `endpoint` (the embedded server's URL
    /// when there is one).
    pub fn new(config: &S3Config, endpoint: Option<&str>) -> Self {
        let credentials = Credentials::new(
            &config.access_key_id,
            config.secret_access_key.expose_secret(),
            None,
            None,
            "farmstream-config",
        );
        let mut builder = aws_sdk_s3::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()))
            .credentials_provider(credentials)
            .force_path_style(config.force_path_style)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(endpoint) = endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        Self {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            bucket: config.bucket.clone(),
        }
    }

    /// The S3 client.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// The bucket media lives in.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Checks that the bucket can be reached, within `timeout`.
    pub async fn ping(&self, timeout: Duration) -> anyhow::Result<()> {
        let head = self.client.head_bucket().bucket(&self.bucket).send();
        match tokio::time::timeout(timeout, head).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(anyhow::anyhow!(
                aws_sdk_s3::error::DisplayErrorContext(err).to_string()
            )),
            Err(_) => Err(anyhow::anyhow!("storage did not answer within {timeout:?}")),
        }
    }

    /// Creates the bucket when it does not exist yet (embedded store, test
    /// servers); on a managed service the bucket is expected to exist.
    pub async fn ensure_bucket(&self) -> anyhow::Result<()> {
        if self.ping(Duration::from_secs(5)).await.is_ok() {
            return Ok(());
        }
        self.client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(aws_sdk_s3::error::DisplayErrorContext(e).to_string()))?;
        Ok(())
    }
}

/// The embedded S3-compatible server, running in this process.
pub struct EmbeddedS3 {
    /// The address it listens on.
    pub addr: SocketAddr,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl EmbeddedS3 {
    /// Serves the folder `root` (one sub-folder per bucket) on `listen`, with
    /// `bucket` created if missing, accepting only the configured keys.
    pub async fn start(listen: SocketAddr, root: &Path, config: &S3Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root.join(&config.bucket))
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", root.display()))?;
        let fs = s3s_fs::FileSystem::new(root)
            .map_err(|e| anyhow::anyhow!("cannot open {} as a store: {e:?}", root.display()))?;
        let service = {
            let mut builder = s3s::service::S3ServiceBuilder::new(fs);
            builder.set_auth(s3s::auth::SimpleAuth::from_single(
                config.access_key_id.clone(),
                config.secret_access_key.expose_secret().to_owned(),
            ));
            builder.build()
        };
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("embedded S3 store cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let task = tokio::spawn(async move {
            let http = ConnBuilder::new(TokioExecutor::new());
            let graceful = hyper_util::server::graceful::GracefulShutdown::new();
            loop {
                let socket = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((socket, _)) => socket,
                        Err(err) => {
                            tracing::warn!(error = %err, "embedded S3 store could not accept a connection");
                            continue;
                        }
                    },
                    () = stop.cancelled() => break,
                };
                let conn = http.serve_connection(TokioIo::new(socket), service.clone());
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
        });
        tracing::info!(s3.addr = %addr, "embedded S3 store listening");
        Ok(Self {
            addr,
            shutdown,
            task,
        })
    }

    /// The URL clients use to reach it.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for open ones (5 s at most).
    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }
}

/// Builds the storage for `config`, starting the embedded server when the
/// configuration asks for it.
pub async fn connect(config: &S3Config) -> anyhow::Result<(Storage, Option<EmbeddedS3>)> {
    match &config.storage {
        StorageConfig::Embedded { listen, root } => {
            let server = EmbeddedS3::start(*listen, root, config).await?;
            let storage = Storage::new(config, Some(&server.endpoint()));
            Ok((storage, Some(server)))
        }
        StorageConfig::External { endpoint } => {
            let storage = Storage::new(config, endpoint.as_deref());
            if let Err(err) = storage.ensure_bucket().await {
                tracing::warn!(error = %err, s3.bucket = %config.bucket, "media bucket is not reachable yet");
            }
            Ok((storage, None))
        }
    }
}
