//! farmstream: the GraphQL backend of a storefront where farming cooperatives
//! sell produce through livestreams.
//!
//! Layers, each using only those below it (see `docs/DESIGN.md`):
//! `cli` → `app` → `http` → `schema` → domain modules (`auth`, …) →
//! plumbing (`graphql`, `storage`, `db`, `metrics`) → `config`, `error`, `ids`.

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
pub mod graphql;
pub mod http;
pub mod ids;
pub mod livestream;
pub mod media;
pub mod metrics;
pub mod orders;
pub mod payments;
pub mod places;
pub mod schema;
pub mod seed;
pub mod storage;
pub mod tasks;
pub mod text;
pub mod training;
pub mod values;
