//! The integration suite: one binary, every test through the real API
//! (in-process router or a spawned server), a fresh database per test
//! (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set) and a real
//! S3-compatible store.

mod helpers;

mod auth;
mod catalog;
mod catalog_races;
mod cli;
mod cluster;
mod cooperatives;
mod existence_leaks;
mod fanout;
mod flash_deals;
mod galleries;
mod guessing;
mod headers;
mod health;
mod http;
mod input_limits;
mod introspection;
mod limits;
mod livestream_races;
mod livestreams;
mod media;
mod media_safety;
mod migrations;
mod nodes;
mod orders;
mod orders_races;
mod payments;
mod payments_races;
mod realtime;
mod response_cache;
mod schema_file;
mod shutdown;
mod trace_page;
mod training;
mod training_safety;
