//! Cooperatives and their membership: who may act for which cooperative.
//!
//! This floor holds the rules (profile, members, roles, authorisation) that
//! every domain above it relies on; the API's face of a cooperative, which
//! joins its products, badges, media and shows, is in the graph layer.

pub mod inputs;
pub mod queries;
pub mod service;

/// A member's role in a cooperative, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
