//! Accounts and access: users, passwords, tokens, platform roles, and the
//! [`Viewer`] every request runs as.

pub mod inputs;
pub mod password;
pub mod queries;
pub mod service;
pub mod throttle;
pub mod tokens;
mod viewer;

pub use viewer::{Viewer, ViewerProbe};

/// A platform-wide role; every user can shop without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlatformRole {
    /// Runs the platform: verifies cooperatives, grants roles.
    Admin,
    /// Runs training courses.
    Organiser,
}

impl PlatformRole {
    /// The role as stored in `user_roles.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::Organiser => "ORGANISER",
        }
    }

    /// The role stored as `raw`, if known.
    pub fn from_db(raw: &str) -> Option<Self> {
        match raw {
            "ADMIN" => Some(Self::Admin),
            "ORGANISER" => Some(Self::Organiser),
            _ => None,
        }
    }
}
