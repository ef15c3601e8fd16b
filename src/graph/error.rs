//! How an [`AppError`] reaches a GraphQL client.
//!
//! Resolvers return [`ApiResult`], whose error [`ApiError`] deliberately does
//! not implement `Display`: async-graphql turns any displayable error into
//! bare text, dropping `extensions.code`, so the only way out of a resolver
//! is through [`to_graphql`].

use async_graphql::ErrorExtensions;

use crate::error::AppError;

/// The GraphQL error a client sees for `err`; internal causes are logged here.
pub fn to_graphql(err: &AppError) -> async_graphql::Error {
    match err {
        AppError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
        AppError::Unavailable { message, cause } => {
            tracing::error!(error = ?cause, "{message}");
        }
        _ => {}
    }
    let code = err.code().as_str();
    let error = async_graphql::Error::new(err.to_string());
    match err {
        AppError::Invalid { field, .. } => error.extend_with(|_, e| {
            e.set("code", code);
            e.set("field", field.as_str());
        }),
        AppError::RateLimited {
            retry_after_secs, ..
        } => error.extend_with(|_, e| {
            e.set("code", code);
            e.set("retryAfter", *retry_after_secs);
        }),
        _ => error.extend_with(|_, e| e.set("code", code)),
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
        Self(to_graphql(&err))
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
            (
                AppError::OutOfStock {
                    message: "x".into(),
                    variant: crate::ids::VariantId::new(),
                    available: 0,
                },
                "OUT_OF_STOCK",
            ),
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
            assert_eq!(code_of(&to_graphql(&err)).as_deref(), Some(code));
        }
    }

    #[test]
    fn internal_causes_are_never_shown() {
        let err = AppError::internal(anyhow::anyhow!("password=hunter2"));
        let err = to_graphql(&err);
        assert_eq!(err.message, "internal error");
    }

    #[test]
    fn an_unavailable_dependency_is_internal_but_says_which() {
        let err = AppError::Unavailable {
            message: "media storage is unavailable right now; try again later",
            cause: anyhow::anyhow!("connection refused to secret-host:9000"),
        };
        let err = to_graphql(&err);
        assert_eq!(code_of(&err).as_deref(), Some("INTERNAL"));
        assert_eq!(
            err.message,
            "media storage is unavailable right now; try again later"
        );
    }

    #[test]
    fn invalid_input_names_the_field() {
        let err = AppError::invalid("input.email", "is not an e-mail address");
        let err = to_graphql(&err);
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
