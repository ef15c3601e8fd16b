//! Mutation payloads: business errors are data.
//!
//! Every mutation returns its own payload type, `XPayload { x, userErrors }`
//! (Shopify's and Saleor's shape). What is wrong with the caller's input or
//! with the state it meets (an invalid field, a missing or forbidden thing,
//! a conflict, stock that ran out) comes back as a [`UserError`] in
//! `userErrors`, with the result field `null`; the rest of the operation's
//! `data` stays. Only what is not the caller's business input stays a
//! top-level error with `extensions.code`: `UNAUTHENTICATED`, rate limits
//! and the server being busy, parse and validation failures, operation
//! limits and `INTERNAL`.
//!
//! A resolver wraps its body, which returns an [`AppResult`], in
//! [`respond`]:
//!
//! ```ignore
//! async fn verify_cooperative(&self, ctx: &Context<'_>, id: ID) -> ApiResult<VerifyCooperativePayload> {
//!     respond(async {
//!         let id = CooperativeId::parse(&id, "id")?;
//!         Ok(Cooperative(service::verify(db, viewer(ctx), id).await?))
//!     }.await)
//! }
//! ```
//!
//! and declares the payload with [`payload!`](crate::payload).

use async_graphql::{Enum, ID, SimpleObject};

use crate::error::{AppError, AppResult};
use crate::graph::{ApiResult, GqlId};

/// Why a mutation did not do what was asked: the caller's input or the
/// state it met. A client branches on it; `message` is for people.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// An input value is wrong (`field` names it): malformed, out of range,
    /// or not allowed in this state of the thing.
    Invalid,
    /// The thing does not exist, or the caller may not know it does.
    NotFound,
    /// The caller is signed in but may not do this.
    Forbidden,
    /// The request clashes with the current state: a duplicate, a change
    /// someone else made first, a step out of order.
    Conflict,
    /// Not enough stock: `variantId` and `availableQuantity` say where and
    /// how much there is.
    OutOfStock,
}

/// One thing wrong with a mutation's input or with the state it met.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// What kind of error it is, for the client to branch on.
    pub code: UserErrorCode,
    /// The path to the input field at fault (`["input", "items", "0",
    /// "quantity"]`), when one field is.
    pub field: Option<Vec<String>>,
    /// What went wrong, in words for people.
    pub message: String,
    /// For `OUT_OF_STOCK`: the variant that is short.
    pub variant_id: Option<ID>,
    /// For `OUT_OF_STOCK`: how many units of it can be had now.
    pub available_quantity: Option<i32>,
}

impl UserError {
    /// The user error `err` stands for, or `None` when `err` is not the
    /// caller's business (it stays a top-level error).
    pub fn from_app(err: &AppError) -> Option<Self> {
        let error = |code, message: &str| Self {
            code,
            field: None,
            message: message.to_owned(),
            variant_id: None,
            available_quantity: None,
        };
        Some(match err {
            AppError::Invalid { field, message } => Self {
                field: Some(field_path(field)),
                ..error(UserErrorCode::Invalid, message)
            },
            AppError::NotFound(message) => error(UserErrorCode::NotFound, message),
            AppError::Forbidden(message) => error(UserErrorCode::Forbidden, message),
            AppError::Conflict(message) => error(UserErrorCode::Conflict, message),
            AppError::OutOfStock {
                message,
                variant,
                available,
            } => Self {
                variant_id: Some(variant.to_gql()),
                available_quantity: Some(*available),
                ..error(UserErrorCode::OutOfStock, message)
            },
            AppError::Unauthenticated(_)
            | AppError::RateLimited { .. }
            | AppError::Busy(_)
            | AppError::Internal(_)
            | AppError::Unavailable { .. } => return None,
        })
    }
}

/// `input.items[0].quantity` as a path: `["input", "items", "0", "quantity"]`.
fn field_path(field: &str) -> Vec<String> {
    field
        .split(['.', '[', ']'])
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A mutation's payload: its result, or what was wrong.
pub trait Payload: Sized {
    /// What the mutation gives when it succeeds.
    type Value;
    /// The payload of a success.
    fn done(value: Self::Value) -> Self;
    /// The payload of a failure the caller can fix.
    fn failed(errors: Vec<UserError>) -> Self;
}

/// The payload for `result`: a success, user errors, or (for what is not
/// the caller's business) a top-level error.
pub fn respond<P: Payload>(result: AppResult<P::Value>) -> ApiResult<P> {
    match result {
        Ok(value) => Ok(P::done(value)),
        Err(err) => match UserError::from_app(&err) {
            Some(user_error) => Ok(P::failed(vec![user_error])),
            None => Err(err.into()),
        },
    }
}

/// Declares a mutation payload with one result field:
///
/// ```ignore
/// payload!(
///     /// The result of `createCooperative`.
///     CreateCooperativePayload, cooperative: Cooperative
/// );
/// ```
///
/// gives `CreateCooperativePayload { cooperative: Cooperative, userErrors:
/// [UserError!]! }` whose `cooperative` is `null` when `userErrors` is not
/// empty, and its [`Payload`] impl.
#[macro_export]
macro_rules! payload {
    ($(#[$meta:meta])* $name:ident, $field:ident: $ty:ty) => {
        $(#[$meta])*
        #[derive(::async_graphql::SimpleObject)]
        pub struct $name {
            #[doc = concat!("The ", stringify!($field), "; `null` when `userErrors` says why not.")]
            pub $field: Option<$ty>,
            /// What was wrong with the input or the state it met; empty on success.
            pub user_errors: Vec<$crate::graph::payload::UserError>,
        }

        impl $crate::graph::payload::Payload for $name {
            type Value = $ty;

            fn done(value: $ty) -> Self {
                Self {
                    $field: Some(value),
                    user_errors: Vec::new(),
                }
            }

            fn failed(errors: Vec<$crate::graph::payload::UserError>) -> Self {
                Self {
                    $field: None,
                    user_errors: errors,
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_becomes_a_path() {
        assert_eq!(
            field_path("input.items[0].quantity"),
            ["input", "items", "0", "quantity"]
        );
        assert_eq!(field_path("id"), ["id"]);
    }

    #[test]
    fn business_errors_are_user_errors_and_the_rest_stay_top_level() {
        let invalid = UserError::from_app(&AppError::invalid("input.email", "is not an e-mail"));
        let invalid = invalid.expect("a user error");
        assert_eq!(invalid.code, UserErrorCode::Invalid);
        assert_eq!(
            invalid.field.as_deref(),
            Some(&["input".to_owned(), "email".to_owned()][..])
        );
        assert_eq!(invalid.message, "is not an e-mail");

        let short = UserError::from_app(&AppError::OutOfStock {
            message: "short".into(),
            variant: crate::ids::VariantId::new(),
            available: 3,
        })
        .expect("a user error");
        assert_eq!(short.code, UserErrorCode::OutOfStock);
        assert_eq!(short.available_quantity, Some(3));
        assert!(short.variant_id.is_some());

        for err in [
            AppError::Unauthenticated("x".into()),
            AppError::Busy("x".into()),
            AppError::internal(anyhow::anyhow!("x")),
            AppError::RateLimited {
                message: "x".into(),
                retry_after_secs: 1,
            },
        ] {
            assert!(UserError::from_app(&err).is_none(), "{err:?}");
        }
    }
}
