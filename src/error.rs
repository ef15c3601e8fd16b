//! The one error type of farmstream: services return [`AppError`], and the
//! graph layer (`crate::graph::error`) shows it to clients.

mod constraints;

pub use constraints::{CONSTRAINTS, Constraint, Violation, ViolationKind, constraint_violation};

/// Machine-readable error codes, as clients see them in `extensions.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    OutOfStock,
    RateLimited,
    ServiceUnavailable,
    Internal,
}

impl ErrorCode {
    /// The code as written in responses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::OutOfStock => "OUT_OF_STOCK",
            Self::RateLimited => "RATE_LIMITED",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }
}

/// Everything that can go wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credentials (missing, expired or forged token; wrong password).
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or the caller may not know it does.
    #[error("{0}")]
    NotFound(String),
    /// An input value is wrong; `field` names it (e.g. `input.email`).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request clashes with the current state (duplicate, bad transition).
    #[error("{0}")]
    Conflict(String),
    /// Not enough stock for the request: `variant` has `available` units
    /// (or a deal allows that many) where more were wanted.
    #[error("{message}")]
    OutOfStock {
        message: String,
        variant: crate::ids::VariantId,
        available: i32,
    },
    /// Too many attempts at guessing (logins, guest order look-ups): refused
    /// unchecked until `retry_after_secs` have passed.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// The server is at capacity for this kind of work (e.g. password
    /// hashing) and the request waited its longest; nothing was done, so it
    /// can be sent again.
    #[error("{0}")]
    Busy(String),
    /// A bug or an unavailable dependency; the cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// A dependency (e.g. media storage) cannot be reached: `INTERNAL`, with
    /// a message saying which; the cause is logged, never shown.
    #[error("{message}")]
    Unavailable {
        message: &'static str,
        #[source]
        cause: anyhow::Error,
    },
}

/// What services return.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A `BAD_USER_INPUT` error naming the field at fault.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A `NOT_FOUND` error saying which kind of thing was not found.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// An internal error carrying its cause for the log.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Invalid { .. } => ErrorCode::BadUserInput,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::OutOfStock { .. } => ErrorCode::OutOfStock,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Busy(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) | Self::Unavailable { .. } => ErrorCode::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err {
            // Every pooled connection stayed busy for the whole acquire
            // timeout: the server is overloaded, not broken, and says so
            // (the statement that wanted the connection never ran; mutations
            // that matter take idempotency keys, so a retry is safe).
            sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout) => {
                tracing::warn!("no database connection free within the acquire timeout");
                Self::Busy("the server is too busy right now; try again in a moment".into())
            }
            err => Self::Internal(err.into()),
        }
    }
}

impl From<std::sync::Arc<sea_orm::DbErr>> for AppError {
    fn from(err: std::sync::Arc<sea_orm::DbErr>) -> Self {
        Self::Internal(anyhow::anyhow!("{err}"))
    }
}

impl<E> From<sea_orm::TransactionError<E>> for AppError
where
    E: Into<AppError> + std::error::Error,
{
    fn from(err: sea_orm::TransactionError<E>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_connection_pool_is_busy_not_internal() {
        let err = AppError::from(sea_orm::DbErr::ConnectionAcquire(
            sea_orm::error::ConnAcquireErr::Timeout,
        ));
        assert_eq!(err.code(), ErrorCode::ServiceUnavailable);
        let closed = AppError::from(sea_orm::DbErr::ConnectionAcquire(
            sea_orm::error::ConnAcquireErr::ConnectionClosed,
        ));
        assert_eq!(closed.code(), ErrorCode::Internal);
    }
}
