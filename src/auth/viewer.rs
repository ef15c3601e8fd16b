//! Who is making a request, taken from its `Authorization` header.

use crate::auth::UserId;
use crate::auth::tokens::TokenKeys;
use crate::error::{AppError, AppResult};

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

/// The viewer of the current GraphQL request. Every resolver learns who
/// asks through this function, so an execution that never called it gave
/// an answer that holds for any viewer (see [`ViewerProbe`]).
pub fn viewer<'a>(ctx: &async_graphql::Context<'a>) -> &'a Viewer {
    if let Some(probe) = ctx.data_opt::<std::sync::Arc<ViewerProbe>>() {
        probe.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    ctx.data_opt::<Viewer>().unwrap_or(&Viewer::Anonymous)
}

/// Put in a request's data (as `Arc<ViewerProbe>`), notes whether any
/// resolver asked who the viewer is: shared subscription feeds use it to
/// know whether an answer computed for one viewer holds for all.
#[derive(Debug, Default)]
pub struct ViewerProbe(std::sync::atomic::AtomicBool);

impl ViewerProbe {
    /// Forgets earlier reads; returns whether there were any.
    pub fn take(&self) -> bool {
        self.0.swap(false, std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    /// Shared subscription feeds trust [`super::viewer`] to notice every
    /// read of the viewer (see `livestream::fanout`): a resolver reading the
    /// context data directly would show signed-in viewers an answer made
    /// for an anonymous one.
    #[test]
    fn resolvers_learn_the_viewer_only_through_viewer() {
        fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("readable source folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    visit(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("auth/viewer.rs")
                {
                    let text = std::fs::read_to_string(&path).expect("readable source");
                    // `ctx.data::<Viewer>()`, `data_opt::<crate::auth::Viewer>()`…
                    for (at, _) in text.match_indices("Viewer>()") {
                        let before = &text[text[..at].rfind('\n').map_or(0, |n| n + 1)..at];
                        if before.contains(".data") && before.contains("::<") {
                            found.push(format!("{}: {before}Viewer>()", path.display()));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "read the viewer through auth::viewer: {found:?}"
        );
    }
}
