//! Password hashing with Argon2id at OWASP's parameters (m = 19456 KiB, t = 2,
//! p = 1), run on the blocking pool so that it never stalls the runtime.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::auth::inputs::Password;
use crate::error::{AppError, AppResult};

fn argon2() -> Argon2<'static> {
    // The parameters are constants known to be valid.
    #[expect(clippy::unwrap_used, reason = "constant, valid parameters")]
    let params = Params::new(19 * 1024, 2, 1, None).unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` into a PHC string.
pub async fn hash(password: Password) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password failed: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Checks `password` against `phc`. With no hash (unknown account) it hashes
/// anyway, so that the answer takes as long either way.
pub async fn verify(password: Password, phc: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
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
