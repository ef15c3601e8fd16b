//! Cooperatives and their membership: who may act for which cooperative.
//!
//! This floor holds the rules (profile, members, roles, authorisation) that
//! every domain above it relies on; the GraphQL face of a cooperative lives
//! in `catalog`, the floor where a cooperative meets its products, badges and
//! media (async-graphql cannot add fields to a type from a higher module).

pub mod inputs;
pub mod loaders;
pub mod service;

pub use crate::ids::CooperativeId;

/// A member's role in a cooperative, strongest first.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(name = "CooperativeRole")]
pub enum MemberRole {
    /// Runs the cooperative's account; a cooperative always keeps one.
    Owner,
    /// Manages members, bank details, products, orders and livestreams.
    Manager,
    /// Edits products, handles orders and runs livestreams.
    Staff,
}

impl MemberRole {
    /// As stored in `cooperative_members.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "OWNER",
            Self::Manager => "MANAGER",
            Self::Staff => "STAFF",
        }
    }

    /// The role stored as `raw`.
    pub fn from_db(raw: &str) -> Option<Self> {
        match raw {
            "OWNER" => Some(Self::Owner),
            "MANAGER" => Some(Self::Manager),
            "STAFF" => Some(Self::Staff),
            _ => None,
        }
    }

    /// True when this role may do what `needed` may.
    pub fn covers(self, needed: MemberRole) -> bool {
        self <= needed
    }
}
