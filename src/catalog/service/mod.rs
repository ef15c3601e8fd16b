//! Catalogue rules and queries.

pub mod browse;
pub mod certifications;
pub mod lots;
pub mod products;
