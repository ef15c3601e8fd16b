//! Password hashing with Argon2id at OWASP's parameters (m = 19456 KiB, t = 2,
//! p = 1), run on the blocking pool so that it never stalls the runtime.
//!
//! Each hash holds 19 MiB and tens of milliseconds of a core, and anyone can
//! ask for one (a login needs no account), so every hash of the process goes
//! through one [`PasswordHashing`]: at most so many at once (by default one
//! per core), the rest queue for a bounded time and are then refused with
//! `SERVICE_UNAVAILABLE` rather than pile up in memory.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::inputs::Password;
use crate::config::AuthConfig;
use crate::error::{AppError, AppResult};

fn argon2() -> Argon2<'static> {
    // The parameters are constants known to be valid.
    #[expect(clippy::unwrap_used, reason = "constant, valid parameters")]
    let params = Params::new(19 * 1024, 2, 1, None).unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The bound on concurrent password hashing, shared by every request.
#[derive(Clone, Debug)]
pub struct PasswordHashing {
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
}

impl PasswordHashing {
    /// At most `concurrency` hashes at once; a caller waits at most
    /// `queue_timeout` for a slot.
    pub fn new(concurrency: usize, queue_timeout: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            queue_timeout,
        }
    }

    /// The bound `config` sets.
    pub fn from_config(config: &AuthConfig) -> Self {
        Self::new(
            config.password_hash_concurrency,
            config.password_hash_queue_timeout,
        )
    }

    /// For start-up tools (`seed`, `create-admin`), which hash one at a
    /// time and may wait.
    pub fn for_tools() -> Self {
        Self::new(1, Duration::from_secs(600))
    }

    /// A slot, or `SERVICE_UNAVAILABLE` once the queue deadline passes. The
    /// permit moves into the blocking task, so a slot stays taken until the
    /// hash is done even if the request that asked has gone.
    async fn slot(&self) -> AppResult<OwnedSemaphorePermit> {
        match tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(AppError::internal(closed)),
            Err(_) => {
                tracing::warn!(
                    waited_ms = self.queue_timeout.as_millis() as u64,
                    "password hashing is at capacity; a request was refused"
                );
                Err(AppError::Busy(
                    "the server is busy checking passwords; try again in a few seconds".into(),
                ))
            }
        }
    }

    /// Hashes `password` into a PHC string.
    pub async fn hash(&self, password: Password) -> AppResult<String> {
        let permit = self.slot().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password failed: {e}")))
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Checks `password` against `phc`. With no hash (unknown account) it
    /// hashes anyway, so that the answer takes as long either way.
    pub async fn verify(&self, password: Password, phc: Option<String>) -> AppResult<bool> {
        let permit = self.slot().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let Some(phc) = phc else {
                let salt = SaltString::generate(&mut OsRng);
                let _ = argon2().hash_password(password.expose().as_bytes(), &salt);
                return Ok(false);
            };
            let parsed = PasswordHash::new(&phc).map_err(|e| {
                AppError::internal(anyhow::anyhow!("stored password hash is malformed: {e}"))
            })?;
            Ok(argon2()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok())
        })
        .await
        .map_err(AppError::internal)?
    }
}
