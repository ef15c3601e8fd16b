//! The graph layer: every GraphQL object, input, enum, union, resolver and
//! DataLoader, one module per domain, over domain services that know
//! nothing of GraphQL. See `docs/ARCHITECTURE.md`.

pub mod auth;
pub mod error;
pub mod ids;
pub mod orders;
pub mod payments;
pub mod training;
pub mod viewer;

pub use error::{ApiError, ApiResult};
pub use ids::GqlId;
pub use viewer::viewer;
