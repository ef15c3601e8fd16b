//! Account enums as the API shows them: mirrors of the domain's.

/// A platform-wide role; every user can shop without one.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::auth::PlatformRole")]
pub enum PlatformRole {
    /// Runs the platform: verifies cooperatives, grants roles.
    Admin,
    /// Runs training courses.
    Organiser,
}
