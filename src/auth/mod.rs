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

pub use entity::enums::PlatformRole;
