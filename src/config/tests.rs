//! The configuration as operators meet it: defaults, wrong values named,
//! secrets never shown.

use std::collections::HashMap;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::*;

fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = std::env::temp_dir().join(format!("farmstream-config-{}", uuid::Uuid::new_v4()));
    let mut map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    map.entry("FARMSTREAM_DATA_DIR".into())
        .or_insert_with(|| dir.display().to_string());
    Config::from_source(&map)
}

#[test]
fn embedded_defaults_need_no_settings() {
    let config = with(&[]).expect("defaults are valid");
    assert!(config.embedded);
    assert!(config.is_sqlite());
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert!(config.jwt_secret.expose_secret().len() >= MIN_JWT_SECRET_BYTES);
    assert!(config.graphql.introspection);
    assert!(matches!(config.s3.storage, StorageConfig::Embedded { .. }));
}

#[test]
fn the_generated_jwt_secret_is_kept_across_starts() {
    let dir = std::env::temp_dir().join(format!("farmstream-config-{}", uuid::Uuid::new_v4()));
    let dir = dir.display().to_string();
    let first = with(&[("FARMSTREAM_DATA_DIR", &dir)]).expect("valid");
    let second = with(&[("FARMSTREAM_DATA_DIR", &dir)]).expect("valid");
    assert_eq!(
        first.jwt_secret.expose_secret(),
        second.jwt_secret.expose_secret()
    );
}

#[test]
fn the_bank_webhook_secret_is_generated_when_embedded_and_required_otherwise() {
    let embedded = with(&[]).expect("embedded");
    assert!(embedded.payments.webhook_secret.expose_secret().len() >= MIN_WEBHOOK_SECRET_BYTES);
    assert_eq!(
        format!("{:?}", embedded.payments.webhook_secret),
        "SecretBox<str>([REDACTED])"
    );
    assert_eq!(embedded.payments.hold, Duration::from_secs(1800));
    let err = with(&[
        ("DATABASE_URL", "postgres://localhost/x"),
        ("FARMSTREAM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
    ])
    .expect_err("webhook secret required");
    assert_eq!(err.name, "FARMSTREAM_BANK_WEBHOOK_SECRET");
    let err = with(&[("FARMSTREAM_BANK_WEBHOOK_SECRET", "short")]).expect_err("too short");
    assert_eq!(err.name, "FARMSTREAM_BANK_WEBHOOK_SECRET");
    let err = with(&[("FARMSTREAM_PAYMENT_HOLD_SECS", "0")]).expect_err("zero hold");
    assert_eq!(err.name, "FARMSTREAM_PAYMENT_HOLD_SECS");
}

#[test]
fn postgres_requires_a_long_jwt_secret() {
    let err = with(&[("DATABASE_URL", "postgres://localhost/x")]).expect_err("secret required");
    assert_eq!(err.name, "FARMSTREAM_JWT_SECRET");
    let err = with(&[
        ("DATABASE_URL", "postgres://localhost/x"),
        ("FARMSTREAM_JWT_SECRET", "short"),
    ])
    .expect_err("too short");
    assert_eq!(err.name, "FARMSTREAM_JWT_SECRET");
    let ok = with(&[
        ("DATABASE_URL", "postgres://localhost/x"),
        ("FARMSTREAM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        (
            "FARMSTREAM_BANK_WEBHOOK_SECRET",
            "fedcba9876543210fedcba9876543210",
        ),
    ])
    .expect("valid");
    assert!(!ok.embedded);
    assert!(
        !ok.graphql.introspection,
        "introspection is off outside embedded mode by default"
    );
}

#[test]
fn a_wrong_value_is_named() {
    for (name, value) in [
        ("FARMSTREAM_LISTEN", "nowhere"),
        ("FARMSTREAM_BODY_LIMIT_BYTES", "-1"),
        ("FARMSTREAM_S3_BUCKET", "Bad_Bucket"),
        ("FARMSTREAM_S3_ENDPOINT", "s3.example.com"),
        ("FARMSTREAM_SHUTDOWN_TIMEOUT_SECS", "60"),
        ("FARMSTREAM_GRAPHQL_INTROSPECTION", "maybe"),
        ("FARMSTREAM_CORS_ORIGINS", "example.com"),
        ("DATABASE_URL", "mysql://x"),
        ("FARMSTREAM_MEDIA_MAX_IMAGE_BYTES", "0"),
        ("FARMSTREAM_MEDIA_MAX_VIDEO_BYTES", "lots"),
        ("FARMSTREAM_MEDIA_UPLOAD_URL_TTL_SECS", "3600"),
        ("FARMSTREAM_MEDIA_URL_TTL_SECS", "999999999"),
        ("FARMSTREAM_MEDIA_PUBLIC_BASE_URL", "cdn.example.com"),
        ("FARMSTREAM_MEDIA_PENDING_TTL_SECS", "0"),
        ("FARMSTREAM_MEDIA_MAX_PIXELS", "0"),
        ("FARMSTREAM_MEDIA_MAX_PIXELS", "200000000"),
        ("FARMSTREAM_MEDIA_MAX_CONCURRENT_DECODES", "0"),
        ("FARMSTREAM_EVENT_BUS", "kafka"),
        ("FARMSTREAM_EVENT_BUS_CHANNEL", "Events!"),
        ("FARMSTREAM_WS_SEND_QUEUE", "0"),
        ("FARMSTREAM_WS_SEND_TIMEOUT_SECS", "0"),
        ("FARMSTREAM_WS_PING_SECS", "0"),
        // Not longer than the 30 s ping: a live client would be cut.
        ("FARMSTREAM_WS_IDLE_SECS", "30"),
        ("FARMSTREAM_GUEST_CART_DAYS", "0"),
        ("FARMSTREAM_GUEST_CART_DAYS", "9999"),
    ] {
        let err = with(&[(name, value)]).expect_err(name);
        assert_eq!(err.name, name, "{err}");
    }
}

#[test]
fn media_limits_default_to_the_documented_sizes() {
    let media = with(&[]).expect("defaults are valid").media;
    assert_eq!(media.max_image_bytes, 10 * 1024 * 1024);
    assert_eq!(media.max_video_bytes, 2 * 1024 * 1024 * 1024);
    assert_eq!(media.max_document_bytes, 20 * 1024 * 1024);
    assert_eq!(media.url_ttl, Duration::from_secs(3600));
    assert_eq!(media.upload_url_ttl, MAX_UPLOAD_URL_TTL);
    assert_eq!(media.pending_ttl, Duration::from_secs(24 * 3600));
    assert!(media.public_base_url.is_none());
    assert_eq!(media.max_pixels, 40_000_000);
    assert!(media.max_concurrent_decodes >= 1);
}

#[test]
fn the_event_bus_is_in_memory_unless_postgres_or_redis_is_asked_for() {
    assert_eq!(
        with(&[]).expect("defaults").event_bus,
        EventBusConfig::Memory
    );
    let err = with(&[("FARMSTREAM_EVENT_BUS", "postgres")]).expect_err("no postgres URL");
    assert_eq!(err.name, "FARMSTREAM_EVENT_BUS_URL");
    let on_sqlite = with(&[
        ("FARMSTREAM_EVENT_BUS", "postgres"),
        ("FARMSTREAM_EVENT_BUS_URL", "postgres://bus.internal/events"),
        ("FARMSTREAM_EVENT_BUS_CHANNEL", "shop_events"),
    ])
    .expect("valid");
    assert_eq!(
        on_sqlite.event_bus,
        EventBusConfig::Postgres {
            url: "postgres://bus.internal/events".into(),
            channel: "shop_events".into()
        }
    );
    let on_postgres = with(&[
        ("DATABASE_URL", "postgres://db.internal/shop"),
        ("FARMSTREAM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        (
            "FARMSTREAM_BANK_WEBHOOK_SECRET",
            "fedcba9876543210fedcba9876543210",
        ),
        ("FARMSTREAM_EVENT_BUS", "postgres"),
    ])
    .expect("valid");
    assert_eq!(
        on_postgres.event_bus,
        EventBusConfig::Postgres {
            url: "postgres://db.internal/shop".into(),
            channel: "farmstream_events".into()
        },
        "the bus defaults to the database"
    );
}

#[test]
fn a_redis_event_bus_needs_a_redis_url() {
    let err = with(&[("FARMSTREAM_EVENT_BUS", "redis")]).expect_err("no redis URL");
    assert_eq!(err.name, "FARMSTREAM_EVENT_BUS_URL");
    let redis = with(&[
        ("FARMSTREAM_EVENT_BUS", "redis"),
        ("FARMSTREAM_EVENT_BUS_URL", "redis://127.0.0.1:6379"),
    ])
    .expect("valid");
    assert_eq!(
        redis.event_bus,
        EventBusConfig::Redis {
            url: "redis://127.0.0.1:6379".into(),
            channel: "farmstream_events".into()
        }
    );
    let tls = with(&[
        ("FARMSTREAM_EVENT_BUS", "redis"),
        ("FARMSTREAM_EVENT_BUS_URL", "rediss://cache.example.vn:6380"),
    ])
    .expect("TLS is accepted");
    assert!(
        matches!(tls.event_bus, EventBusConfig::Redis { url, .. } if url.expose_secret().starts_with("rediss://"))
    );
    let err = with(&[
        ("FARMSTREAM_EVENT_BUS", "redis"),
        ("FARMSTREAM_EVENT_BUS_URL", "http://127.0.0.1:6379"),
    ])
    .expect_err("not a Redis URL");
    assert_eq!(err.name, "FARMSTREAM_EVENT_BUS_URL");
}

#[test]
fn websocket_limits_default_to_the_documented_values() {
    let subscriptions = with(&[]).expect("defaults").subscriptions;
    assert_eq!(subscriptions.send_queue, 64);
    assert_eq!(subscriptions.send_timeout, Duration::from_secs(10));
    assert_eq!(subscriptions.ping_interval, Duration::from_secs(30));
    assert_eq!(subscriptions.idle_timeout, Duration::from_secs(90));
}

#[test]
fn an_external_store_needs_its_keys() {
    let err = with(&[("FARMSTREAM_S3_ENDPOINT", "http://127.0.0.1:9000")]).expect_err("keys");
    assert_eq!(err.name, "FARMSTREAM_S3_ACCESS_KEY_ID");
}

#[test]
fn password_hashing_is_bounded_by_the_cores_and_wrong_bounds_are_named() {
    let auth = with(&[]).expect("defaults are valid").auth;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    assert_eq!(auth.password_hash_concurrency, cores);
    assert_eq!(auth.password_hash_queue_timeout, Duration::from_secs(5));
    assert_eq!(auth.trusted_proxy_hops, 0);
    for (name, value) in [
        ("FARMSTREAM_PASSWORD_HASH_CONCURRENCY", "0"),
        ("FARMSTREAM_PASSWORD_HASH_CONCURRENCY", "many"),
        ("FARMSTREAM_PASSWORD_HASH_QUEUE_MS", "0"),
        ("FARMSTREAM_PASSWORD_HASH_QUEUE_MS", "600000"),
        ("FARMSTREAM_TRUSTED_PROXY_HOPS", "11"),
    ] {
        let err = with(&[(name, value)]).expect_err(name);
        assert_eq!(err.name, name, "{err}");
    }
}

#[test]
fn no_secret_shows_in_the_debug_output() {
    let secrets = [
        "jwt-secret-0123456789abcdef0123456789",
        "webhook-secret-0123456789abcdef01234567",
        "s3-secret-key-0123456789",
        "database-password-0123",
        "redis-password-0123",
    ];
    let config = with(&[
        (
            "DATABASE_URL",
            "postgres://shop:database-password-0123@db.internal:5432/shop",
        ),
        ("FARMSTREAM_JWT_SECRET", secrets[0]),
        ("FARMSTREAM_BANK_WEBHOOK_SECRET", secrets[1]),
        ("FARMSTREAM_S3_ENDPOINT", "https://s3.example.com"),
        ("FARMSTREAM_S3_ACCESS_KEY_ID", "shop-access-key"),
        ("FARMSTREAM_S3_SECRET_ACCESS_KEY", secrets[2]),
        ("FARMSTREAM_EVENT_BUS", "redis"),
        (
            "FARMSTREAM_EVENT_BUS_URL",
            "rediss://:redis-password-0123@cache.example.vn:6380",
        ),
    ])
    .expect("valid");
    let shown = format!("{config:?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret} shows in {shown}");
    }
    assert!(shown.contains("postgres://shop:[REDACTED]@db.internal:5432/shop"));
    assert!(shown.contains("rediss://:[REDACTED]@cache.example.vn:6380"));
    assert_eq!(config.jwt_secret.expose_secret(), secrets[0]);
    assert_eq!(config.payments.webhook_secret.expose_secret(), secrets[1]);
    assert_eq!(config.s3.secret_access_key.expose_secret(), secrets[2]);
}

#[test]
fn a_wrong_value_is_told_what_is_expected() {
    for (name, value, message) in [
        (
            "FARMSTREAM_MEDIA_MAX_VIDEO_BYTES",
            "lots",
            "`lots` is not a whole non-negative number",
        ),
        (
            "FARMSTREAM_MEDIA_MAX_IMAGE_BYTES",
            "0",
            "must be at least 1 byte",
        ),
        (
            "FARMSTREAM_PAYMENT_HOLD_SECS",
            "0",
            "must be at least 1 second",
        ),
        (
            "FARMSTREAM_LISTEN",
            "nowhere",
            "`nowhere` is not an address like 127.0.0.1:8080",
        ),
        (
            "FARMSTREAM_GRAPHQL_INTROSPECTION",
            "Maybe",
            "`maybe` is not true or false",
        ),
        (
            "FARMSTREAM_LOG_FORMAT",
            "xml",
            "`xml` is not `text` or `json`",
        ),
        (
            "FARMSTREAM_EVENT_BUS",
            "kafka",
            "`kafka` is not `memory`, `postgres` or `redis`",
        ),
        (
            "FARMSTREAM_CORS_ORIGINS",
            "*, example.com",
            "`example.com` is not `*` or an http(s) origin",
        ),
    ] {
        let err = with(&[(name, value)]).expect_err(name);
        assert_eq!(
            err.to_string(),
            format!("configuration error in {name}: {message}")
        );
    }
}
