//! farmstream: the GraphQL backend of a storefront where farming cooperatives
//! sell produce through livestreams.
//!
//! Floors, each using only those below it (see `docs/ARCHITECTURE.md`):
//! `main`/`cli` → `app` → `http` → `schema` → `graph` (every GraphQL type
//! and resolver) → the domains (`auth`, `cooperatives`, `media`, `catalog`,
//! `orders`, `payments`, `livestream`, `training`, `seed`) → the ground
//! floor (`error`, `ids`, `values`, `db`, `config`, `events`, …).

pub mod app;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod cooperatives;
pub mod csv_export;
pub mod db;
pub mod error;
pub mod events;
pub mod graph;
pub mod http;
pub mod ids;
pub mod livestream;
pub mod media;
pub mod metrics;
pub mod orders;
pub mod pagination;
pub mod payments;
pub mod places;
pub mod schema;
pub mod seed;
pub mod storage;
pub mod tasks;
pub mod text;
pub mod training;
pub mod values;
