//! The graph layer: every GraphQL object, input, enum, union, resolver and
//! DataLoader, one module per domain, over domain services that know
//! nothing of GraphQL. See `docs/DESIGN.md`.
//!
//! Also the domain-agnostic GraphQL plumbing: operation limits, the input
//! guard, the operation's name and facts, and loading through DataLoaders.

pub mod catalog;
pub mod cooperatives;
pub mod error;
pub mod ids;
pub mod input_guard;
pub mod limits;
pub mod livestream;
pub mod loading;
pub mod media;
pub mod operation;
pub mod viewer;

pub use error::{ApiError, ApiResult};
pub use ids::GqlId;
pub use loading::{Total, load_many, load_one};
pub use viewer::viewer;

/// Codes for errors that async-graphql raises before any resolver runs.
pub mod codes {
    /// The document is not valid GraphQL syntax.
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not fit the schema, or breaks a limit.
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
}
