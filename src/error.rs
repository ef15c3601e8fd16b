//! The one error type of farmstream and its mapping to GraphQL errors.
//!
//! Services return [`AppError`]. Resolvers return [`ApiResult`], whose error
//! [`ApiError`] deliberately does not implement `Display`: async-graphql turns
//! any displayable error into bare text, dropping `extensions.code`, so the
//! only way out of a resolver is through [`AppError::to_graphql`].

use async_graphql::ErrorExtensions;

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
    /// Not enough stock for the request.
    #[error("{0}")]
    OutOfStock(String),
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
            Self::OutOfStock(_) => ErrorCode::OutOfStock,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Busy(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) | Self::Unavailable { .. } => ErrorCode::Internal,
        }
    }

    /// The GraphQL error a client sees; internal causes are logged here.
    pub fn to_graphql(&self) -> async_graphql::Error {
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            Self::Unavailable { message, cause } => {
                tracing::error!(error = ?cause, "{message}");
            }
            _ => {}
        }
        let code = self.code().as_str();
        let error = async_graphql::Error::new(self.to_string());
        match self {
            Self::Invalid { field, .. } => error.extend_with(|_, e| {
                e.set("code", code);
                e.set("field", field.as_str());
            }),
            Self::RateLimited {
                retry_after_secs, ..
            } => error.extend_with(|_, e| {
                e.set("code", code);
                e.set("retryAfter", *retry_after_secs);
            }),
            _ => error.extend_with(|_, e| e.set("code", code)),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
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

/// The error of a resolver: an [`AppError`] on its way to the client.
///
/// It has no `Display` on purpose (see the module comment).
#[derive(Clone)]
pub struct ApiError(async_graphql::Error);

/// What resolvers return.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        Self(err.to_graphql())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::from(err).into()
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(err: &async_graphql::Error) -> Option<String> {
        let ext = err.extensions.as_ref()?;
        match ext.get("code")? {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    #[test]
    fn every_error_carries_its_code() {
        let cases = [
            (AppError::Unauthenticated("x".into()), "UNAUTHENTICATED"),
            (AppError::Forbidden("x".into()), "FORBIDDEN"),
            (AppError::not_found("product"), "NOT_FOUND"),
            (AppError::invalid("input.email", "bad"), "BAD_USER_INPUT"),
            (AppError::Conflict("x".into()), "CONFLICT"),
            (AppError::OutOfStock("x".into()), "OUT_OF_STOCK"),
            (
                AppError::RateLimited {
                    message: "x".into(),
                    retry_after_secs: 60,
                },
                "RATE_LIMITED",
            ),
            (AppError::Busy("x".into()), "SERVICE_UNAVAILABLE"),
            (
                AppError::internal(anyhow::anyhow!("disk on fire")),
                "INTERNAL",
            ),
        ];
        for (err, code) in cases {
            assert_eq!(code_of(&err.to_graphql()).as_deref(), Some(code));
        }
    }

    #[test]
    fn internal_causes_are_never_shown() {
        let err = AppError::internal(anyhow::anyhow!("password=hunter2")).to_graphql();
        assert_eq!(err.message, "internal error");
    }

    #[test]
    fn an_unavailable_dependency_is_internal_but_says_which() {
        let err = AppError::Unavailable {
            message: "media storage is unavailable right now; try again later",
            cause: anyhow::anyhow!("connection refused to secret-host:9000"),
        }
        .to_graphql();
        assert_eq!(code_of(&err).as_deref(), Some("INTERNAL"));
        assert_eq!(
            err.message,
            "media storage is unavailable right now; try again later"
        );
    }

    #[test]
    fn invalid_input_names_the_field() {
        let err = AppError::invalid("input.email", "is not an e-mail address").to_graphql();
        assert_eq!(err.message, "input.email: is not an e-mail address");
        let field = err
            .extensions
            .as_ref()
            .and_then(|e| e.get("field"))
            .cloned();
        assert_eq!(
            field,
            Some(async_graphql::Value::String("input.email".into()))
        );
    }
}
