//! Limits async-graphql has no setting for: aliases and directives per
//! operation, counted with fragments expanded, so that a small document cannot
//! ask for the same expensive field thousands of times.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, Variables};

use crate::graphql::codes;

/// Refuses operations with more aliases or directives than allowed.
pub struct OperationLimits {
    /// Aliased fields allowed in one operation.
    pub max_aliases: usize,
    /// Directives allowed in one operation.
    pub max_directives: usize,
}

impl ExtensionFactory for OperationLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationLimitsExt {
            max_aliases: self.max_aliases,
            max_directives: self.max_directives,
        })
    }
}

struct OperationLimitsExt {
    max_aliases: usize,
    max_directives: usize,
}

#[async_trait::async_trait]
impl Extension for OperationLimitsExt {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let counts = count(&doc);
        let refuse = |msg: String| -> ServerResult<ExecutableDocument> {
            let mut err = ServerError::new(msg, None);
            err.extensions
                .get_or_insert_with(ErrorExtensionValues::default)
                .set("code", codes::VALIDATION_FAILED);
            Err(err)
        };
        if counts.aliases > self.max_aliases {
            return refuse(format!(
                "the operation uses {} aliases; at most {} are allowed",
                counts.aliases, self.max_aliases
            ));
        }
        if counts.directives > self.max_directives {
            return refuse(format!(
                "the operation uses {} directives; at most {} are allowed",
                counts.directives, self.max_directives
            ));
        }
        Ok(doc)
    }
}

/// Aliases and directives in a document, with every fragment spread counted
/// as many times as it is spread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub aliases: usize,
    pub directives: usize,
}

impl Counts {
    fn add(self, other: Self) -> Self {
        Self {
            aliases: self.aliases.saturating_add(other.aliases),
            directives: self.directives.saturating_add(other.directives),
        }
    }
}

/// Counts the operation(s) of `doc`.
pub fn count(doc: &ExecutableDocument) -> Counts {
    let mut memo = HashMap::new();
    doc.operations
        .iter()
        .fold(Counts::default(), |acc, (_, op)| {
            let own = Counts {
                aliases: 0,
                directives: op.node.directives.len(),
            };
            acc.add(own).add(count_set(
                doc,
                &op.node.selection_set.node,
                &mut memo,
                &mut Vec::new(),
            ))
        })
}

fn count_set<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    memo: &mut HashMap<&'a str, Counts>,
    stack: &mut Vec<&'a str>,
) -> Counts {
    let mut total = Counts::default();
    for item in &set.items {
        let here = match &item.node {
            Selection::Field(field) => Counts {
                aliases: usize::from(field.node.alias.is_some()),
                directives: field.node.directives.len(),
            }
            .add(count_set(doc, &field.node.selection_set.node, memo, stack)),
            Selection::InlineFragment(frag) => Counts {
                aliases: 0,
                directives: frag.node.directives.len(),
            }
            .add(count_set(doc, &frag.node.selection_set.node, memo, stack)),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                let own = Counts {
                    aliases: 0,
                    directives: spread.node.directives.len(),
                };
                own.add(count_fragment(doc, name, memo, stack))
            }
        };
        total = total.add(here);
    }
    total
}

fn count_fragment<'a>(
    doc: &'a ExecutableDocument,
    name: &'a str,
    memo: &mut HashMap<&'a str, Counts>,
    stack: &mut Vec<&'a str>,
) -> Counts {
    if let Some(c) = memo.get(name) {
        return *c;
    }
    // A cycle is refused by validation later; here it just counts nothing.
    if stack.contains(&name) {
        return Counts::default();
    }
    let Some((key, def)) = doc.fragments.iter().find(|(k, _)| k.as_str() == name) else {
        return Counts::default();
    };
    stack.push(key.as_str());
    let c = Counts {
        aliases: 0,
        directives: def.node.directives.len(),
    }
    .add(count_set(doc, &def.node.selection_set.node, memo, stack));
    stack.pop();
    memo.insert(key.as_str(), c);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(q: &str) -> Counts {
        count(&async_graphql::parser::parse_query(q).expect("valid query"))
    }

    #[test]
    fn aliases_are_counted_through_fragments() {
        assert_eq!(counts("{ a: me { id } b: me { id } }").aliases, 2);
        let q = "query { x: me { ...F } y: me { ...F } } fragment F on User { a: id b: id c: id }";
        assert_eq!(counts(q).aliases, 2 + 3 * 2);
    }

    #[test]
    fn directives_are_counted_everywhere() {
        let q =
            "query Q @a { me @include(if: true) { id @skip(if: false) ... on User @b { id } } }";
        assert_eq!(counts(q).directives, 4);
    }

    #[test]
    fn fragment_cycles_do_not_hang() {
        let q =
            "{ me { ...A } } fragment A on User { a: id ...B } fragment B on User { b: id ...A }";
        assert!(counts(q).aliases >= 2);
    }
}
