//! Domain-agnostic GraphQL plumbing: operation limits and error codes.

pub mod limits;
pub mod pagination;

/// Codes for errors that async-graphql raises before any resolver runs.
pub mod codes {
    /// The document is not valid GraphQL syntax.
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not fit the schema, or breaks a limit.
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
}

pub mod operation;
