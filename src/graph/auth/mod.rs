//! Accounts as the API shows them: users, sessions, platform roles, and the
//! account queries and mutations over [`crate::auth::service`].

mod enums;
mod inputs;
mod loaders;
mod objects;
mod resolvers;

pub use enums::PlatformRole;
pub use inputs::{LoginInput, RegisterInput};
pub use loaders::{RolesByUser, is_admin};
pub use objects::{AuthSession, User};
pub use resolvers::{AuthMutation, AuthQuery};
