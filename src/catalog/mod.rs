//! The catalogue: cooperatives as shoppers see them, products and their
//! variants, stock, origin stories, harvest lots with their public trace
//! page, certifications, and Vietnamese search.

pub mod inputs;
pub mod queries;
pub mod service;
pub mod trace;

pub use entity::enums::{Category, CertificationKind, CertificationScope, ProductStatus, Unit};
