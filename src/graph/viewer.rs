//! Who asks, as resolvers learn it.

use crate::auth::{Viewer, ViewerProbe};

/// The viewer of the current GraphQL request. Every resolver learns who
/// asks through this function, so an execution that never called it gave
/// an answer that holds for any viewer (see [`ViewerProbe`]).
pub fn viewer<'a>(ctx: &async_graphql::Context<'a>) -> &'a Viewer {
    if let Some(probe) = ctx.data_opt::<std::sync::Arc<ViewerProbe>>() {
        probe.note();
    }
    ctx.data_opt::<Viewer>().unwrap_or(&Viewer::Anonymous)
}

#[cfg(test)]
mod tests {
    /// Shared subscription feeds trust [`super::viewer`] to notice every
    /// read of the viewer (see `http::fanout`): a resolver reading the
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
                    && !path.ends_with("graph/viewer.rs")
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
            "read the viewer through graph::viewer: {found:?}"
        );
    }
}
