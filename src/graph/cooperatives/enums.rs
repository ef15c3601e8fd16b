//! Cooperatives' enums as the API spells them, mirrors of the domain's.

/// A member's role in a cooperative, strongest first.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "CooperativeRole", remote = "crate::cooperatives::MemberRole")]
pub enum MemberRole {
    /// Runs the cooperative's account; a cooperative always keeps one.
    Owner,
    /// Manages members, bank details, products, orders and livestreams.
    Manager,
    /// Edits products, handles orders and runs livestreams.
    Staff,
}
