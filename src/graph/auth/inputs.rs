//! What account mutations take.

use async_graphql::InputObject;

/// A new account.
#[derive(InputObject)]
pub struct RegisterInput {
    /// The address to sign in with.
    pub email: String,
    /// At least 10 characters, not a common password.
    pub password: String,
    /// The name shown to others (1–100 characters).
    pub display_name: String,
    /// Vietnamese phone number, optional.
    pub phone: Option<String>,
}

/// Credentials to sign in with.
#[derive(InputObject)]
pub struct LoginInput {
    /// The address the account signs in with, in any case.
    pub email: String,
    /// The account's password, as typed.
    pub password: String,
}
