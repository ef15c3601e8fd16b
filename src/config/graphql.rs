//! Limits applied to every GraphQL operation.

use serde::Deserialize;

use super::ConfigError;
use super::source::{Source, read};

/// Limits applied to every GraphQL operation.
#[derive(Clone, Debug)]
pub struct GraphqlLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_directives: usize,
    pub introspection: bool,
}

/// The GraphQL settings as declared.
#[derive(Deserialize)]
#[serde(default)]
struct GraphqlSettings {
    #[serde(rename = "FARMSTREAM_GRAPHQL_MAX_DEPTH")]
    max_depth: usize,
    #[serde(rename = "FARMSTREAM_GRAPHQL_MAX_COMPLEXITY")]
    max_complexity: usize,
    #[serde(rename = "FARMSTREAM_GRAPHQL_MAX_ALIASES")]
    max_aliases: usize,
    #[serde(rename = "FARMSTREAM_GRAPHQL_MAX_DIRECTIVES")]
    max_directives: usize,
    #[serde(rename = "FARMSTREAM_GRAPHQL_INTROSPECTION")]
    introspection: Option<bool>,
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 5000,
            max_aliases: 30,
            max_directives: 10,
            introspection: None,
        }
    }
}

impl GraphqlLimits {
    /// Reads the limits; introspection answers by default in embedded mode
    /// only.
    pub(super) fn from_source(src: &dyn Source, embedded: bool) -> Result<Self, ConfigError> {
        let settings: GraphqlSettings = read(src)?;
        Ok(Self {
            max_depth: settings.max_depth,
            max_complexity: settings.max_complexity,
            max_aliases: settings.max_aliases,
            max_directives: settings.max_directives,
            introspection: settings.introspection.unwrap_or(embedded),
        })
    }
}
