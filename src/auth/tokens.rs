//! Access tokens (JWT, HS256) and refresh tokens (opaque, stored hashed).

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::ids::UserId;

/// The `typ` claim of an access token; anything else is refused.
const ACCESS_TYP: &str = "access";
/// Clock skew tolerated when checking `exp`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user's public id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub typ: String,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    access_ttl: Duration,
    refresh_ttl: Duration,
}

/// A freshly signed access token.
pub struct AccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl TokenKeys {
    /// Keys from the configured secret, issuer, audience and lifetimes.
    pub fn new(config: &Config) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        Self {
            encoding: EncodingKey::from_secret(config.jwt_secret.expose_secret().as_bytes()),
            decoding: DecodingKey::from_secret(config.jwt_secret.expose_secret().as_bytes()),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            access_ttl: config.access_token_ttl,
            refresh_ttl: config.refresh_token_ttl,
        }
    }

    /// Signs an access token for `user`.
    pub fn issue_access(&self, user: UserId) -> anyhow::Result<AccessToken> {
        let now = Utc::now();
        let expires_at = now + self.access_ttl;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user.to_string(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            typ: ACCESS_TYP.into(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(AccessToken { token, expires_at })
    }

    /// Checks an access token and returns whose it is; the error says why a
    /// token was refused, in words fit for the client.
    pub fn verify_access(&self, token: &str) -> Result<UserId, &'static str> {
        use jsonwebtoken::errors::ErrorKind;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => "access token has expired",
                ErrorKind::InvalidAudience => "access token is not meant for this service",
                ErrorKind::InvalidIssuer => "access token was not issued by this service",
                _ => "access token is invalid",
            })?;
        if data.claims.typ != ACCESS_TYP {
            return Err("token is not an access token");
        }
        uuid::Uuid::parse_str(&data.claims.sub)
            .map(UserId::from)
            .map_err(|_| "access token is invalid")
    }

    /// How long a refresh token lives.
    pub fn refresh_ttl(&self) -> Duration {
        self.refresh_ttl
    }
}

/// A new refresh token: 32 random bytes, base64url; only its hash is stored.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The hash under which a refresh token is stored.
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str, aud: &str) -> TokenKeys {
        let mut map = std::collections::HashMap::new();
        let dir = std::env::temp_dir().join(format!("farmstream-tokens-{}", uuid::Uuid::new_v4()));
        map.insert("FARMSTREAM_DATA_DIR".to_owned(), dir.display().to_string());
        map.insert("FARMSTREAM_JWT_SECRET".to_owned(), secret.to_owned());
        map.insert("FARMSTREAM_JWT_AUDIENCE".to_owned(), aud.to_owned());
        TokenKeys::new(&Config::from_source(&map).expect("valid config"))
    }

    const SECRET: &str = "an-excellent-secret-of-32-bytes-or-more";

    #[test]
    fn a_token_round_trips() {
        let k = keys(SECRET, "farmstream-api");
        let user = UserId::new();
        let token = k.issue_access(user).expect("signs");
        assert_eq!(k.verify_access(&token.token), Ok(user));
    }

    #[test]
    fn tokens_from_another_key_or_audience_are_refused() {
        let user = UserId::new();
        let token = keys("another-secret-of-at-least-32-bytes!!", "farmstream-api")
            .issue_access(user)
            .expect("signs");
        assert!(
            keys(SECRET, "farmstream-api")
                .verify_access(&token.token)
                .is_err()
        );
        let token = keys(SECRET, "someone-else")
            .issue_access(user)
            .expect("signs");
        assert_eq!(
            keys(SECRET, "farmstream-api").verify_access(&token.token),
            Err("access token is not meant for this service")
        );
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token();
        let b = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a).len(), 64);
        assert_ne!(hash_refresh_token(&a), a);
    }
}
