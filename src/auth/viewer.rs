//! Who is making a request, taken from its `Authorization` header.

use crate::auth::tokens::TokenKeys;
use crate::error::{AppError, AppResult};
use crate::ids::UserId;

/// The caller of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// No credentials: may read public data.
    Anonymous,
    /// A valid access token for this user.
    User(UserId),
    /// A token was sent but refused; the reason is shown when it matters.
    Invalid(&'static str),
}

impl Viewer {
    /// Reads an `Authorization` header value (`Bearer <token>`).
    pub fn from_authorization(header: Option<&str>, keys: &TokenKeys) -> Self {
        let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
            return Self::Anonymous;
        };
        let Some(token) = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
        else {
            return Self::Invalid("the Authorization header must be `Bearer <access token>`");
        };
        match keys.verify_access(token.trim()) {
            Ok(user) => Self::User(user),
            Err(reason) => Self::Invalid(reason),
        }
    }

    /// The signed-in user, if any; a refused token is an error, not anonymity.
    pub fn user(&self) -> AppResult<Option<UserId>> {
        match self {
            Self::Anonymous => Ok(None),
            Self::User(id) => Ok(Some(*id)),
            Self::Invalid(reason) => Err(AppError::Unauthenticated((*reason).to_owned())),
        }
    }

    /// The signed-in user, or `UNAUTHENTICATED`.
    pub fn require_user(&self) -> AppResult<UserId> {
        self.user()?.ok_or_else(|| {
            AppError::Unauthenticated("sign in first: this needs an access token".into())
        })
    }
}

/// Put in a request's data (as `Arc<ViewerProbe>`), notes whether any
/// resolver asked who the viewer is: shared subscription feeds use it to
/// know whether an answer computed for one viewer holds for all.
#[derive(Debug, Default)]
pub struct ViewerProbe(std::sync::atomic::AtomicBool);

impl ViewerProbe {
    /// Notes that the viewer was read.
    pub fn note(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Forgets earlier reads; returns whether there were any.
    pub fn take(&self) -> bool {
        self.0.swap(false, std::sync::atomic::Ordering::Relaxed)
    }
}
