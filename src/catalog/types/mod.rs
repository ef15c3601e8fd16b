//! GraphQL types of the catalogue.

pub mod cooperative;
pub mod lot;
pub mod product;
