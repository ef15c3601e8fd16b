//! Catalogue queries and mutations: thin, over `catalog::service`.

pub mod lots;
pub mod products;
