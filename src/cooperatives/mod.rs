//! Cooperatives and their membership: who may act for which cooperative.
//!
//! This floor holds the rules (profile, members, roles, authorisation) that
//! every domain above it relies on; the API's face of a cooperative, which
//! joins its products, badges, media and shows, is in the graph layer.

pub mod inputs;
pub mod queries;
pub mod service;

pub use entity::enums::MemberRole;
