//! Catalogue queries and mutations: thin, over `catalog::service` and
//! `cooperatives::service`.

pub mod cooperatives;
pub mod lots;
pub mod products;
