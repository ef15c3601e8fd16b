//! The integration suite: one binary, every test through the real API
//! (in-process router or a spawned server), a fresh database per test
//! (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set) and a real
//! S3-compatible store.

mod helpers;

mod auth;
mod catalog;
mod cli;
mod cluster;
mod cooperatives;
mod fanout;
mod flash_deals;
mod galleries;
mod health;
mod http;
mod limits;
mod livestreams;
mod media;
mod media_safety;
mod migrations;
mod orders;
mod payments;
mod realtime;
mod response_cache;
mod schema_file;
mod shutdown;
mod training;
