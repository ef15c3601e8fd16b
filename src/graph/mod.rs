//! The graph layer: every GraphQL object, input, enum, union, resolver and
//! DataLoader, one module per domain, over domain services that know
//! nothing of GraphQL. See `docs/ARCHITECTURE.md`.
//!
//! Also the domain-agnostic GraphQL plumbing: operation limits, the input
//! guard, the operation's name and facts, and loading through DataLoaders.

pub mod auth;
pub mod catalog;
pub mod cooperatives;
pub mod error;
pub mod ids;
pub mod input_guard;
pub mod limits;
pub mod livestream;
pub mod loading;
pub mod media;
pub mod node;
pub mod operation;
pub mod orders;
pub mod payload;
pub mod payments;
pub mod scalars;
pub mod training;
pub mod viewer;

pub use error::{ApiError, ApiResult};
pub use ids::GqlId;
pub use loading::{Total, load_many, load_one};
pub use payload::{Payload, UserError, UserErrorCode, respond};
pub use viewer::viewer;

/// Codes for errors that async-graphql raises before any resolver runs.
pub mod codes {
    /// The document is not valid GraphQL syntax.
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not fit the schema, or breaks a limit.
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
}

#[cfg(test)]
mod layering {
    //! The floors of `docs/ARCHITECTURE.md`, checked on the source tree.

    use std::path::Path;

    /// Every Rust file under `src/`, as (path relative to `src/` with `/`
    /// separators, text).
    fn sources() -> Vec<(String, String)> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
            let entries = std::fs::read_dir(dir).expect("src/ can be read");
            for entry in entries {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let relative = path
                        .strip_prefix(root)
                        .expect("under src/")
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/");
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    out.push((relative, text));
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = Vec::new();
        walk(&root, &root, &mut out);
        out.sort();
        out
    }

    /// The floors above the domains, which may know GraphQL and import
    /// one another.
    fn above_domains(path: &str) -> bool {
        ["graph/", "http/"].iter().any(|dir| path.starts_with(dir))
            || ["schema.rs", "app.rs", "cli.rs", "main.rs", "lib.rs"].contains(&path)
    }

    #[test]
    fn domains_know_nothing_of_graphql() {
        let offenders: Vec<String> = sources()
            .into_iter()
            .filter(|(path, text)| !above_domains(path) && text.contains("async_graphql"))
            .map(|(path, _)| path)
            .collect();
        assert!(
            offenders.is_empty(),
            "these files mention async_graphql outside the graph layer:\n{}",
            offenders.join("\n")
        );
    }

    #[test]
    fn domains_import_no_higher_floor() {
        let higher = ["crate::graph", "crate::schema", "crate::http", "crate::app"];
        let offenders: Vec<String> = sources()
            .into_iter()
            .filter(|(path, text)| {
                !above_domains(path)
                    && text.lines().any(|line| {
                        let line = line.trim_start();
                        !line.starts_with("//") && higher.iter().any(|h| line.contains(h))
                    })
            })
            .map(|(path, _)| path)
            .collect();
        assert!(
            offenders.is_empty(),
            "these files import a floor above the domains:\n{}",
            offenders.join("\n")
        );
    }

    /// The domains from the lowest up: each may use those before it.
    const DOMAINS: [&str; 9] = [
        "auth",
        "cooperatives",
        "media",
        "catalog",
        "orders",
        "payments",
        "livestream",
        "training",
        "seed",
    ];

    /// The domain a file belongs to, by its folder, if any.
    fn domain_of(path: &str) -> Option<usize> {
        DOMAINS
            .iter()
            .position(|d| path.starts_with(&format!("{d}/")) || path == format!("{d}.rs"))
    }

    #[test]
    fn domains_use_only_lower_domains_and_the_ground_floor_none() {
        let mut offenders = Vec::new();
        for (path, text) in sources() {
            if above_domains(&path) {
                continue;
            }
            // The ground floor may use no domain at all.
            let ceiling = domain_of(&path).unwrap_or(0);
            let floor = domain_of(&path).map_or("the ground floor", |d| DOMAINS[d]);
            for line in text.lines().map(str::trim_start) {
                if line.starts_with("//") {
                    continue;
                }
                for (rank, domain) in DOMAINS.iter().enumerate() {
                    let higher = rank > ceiling || (domain_of(&path).is_none() && rank == 0);
                    let named = [":", "}", ";", ","]
                        .iter()
                        .any(|end| line.contains(&format!("crate::{domain}{end}")));
                    if higher && named {
                        offenders.push(format!("{path} ({floor}) uses {domain}"));
                    }
                }
            }
        }
        offenders.dedup();
        assert!(
            offenders.is_empty(),
            "these files reach a domain at or above their floor:\n{}",
            offenders.join("\n")
        );
    }
}
