//! The limits on an operation's shape: depth and complexity, and what
//! async-graphql has no setting for (aliases and directives), all counted with
//! fragments expanded, so that a small document cannot ask for the same
//! expensive field thousands of times.
//!
//! Depth and complexity measure the data an operation asks for and leave the
//! schema's introspection (`__schema`, `__type` at the root) out: the
//! standard introspection query of graphql-js, which GraphiQL and code
//! generators send, nests `ofType` nine levels deep and would fail any depth
//! limit sized for data. Introspection has limits of its own instead, just
//! above what that query needs, so its cost stays bounded too.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, ValidationResult, Variables};

use crate::graph::codes;

/// Deepest nesting of an introspection field (`__schema` or `__type` is
/// level 1). graphql-js's `getIntrospectionQuery()` needs 15 (`__schema`
/// `types` `fields` `args` `type`, nine `ofType`, `name`).
pub const MAX_INTROSPECTION_DEPTH: usize = 20;

/// Most list fields (`types`, `fields`, `args`…) nested along one path of an
/// introspection query; each multiplies what the answer holds. graphql-js
/// needs 3 (`types` `fields` `args`).
pub const MAX_INTROSPECTION_LISTS: usize = 3;

/// Most fields in the introspection part of an operation, fragments counted
/// per spread. graphql-js's query with every option has about 250.
pub const MAX_INTROSPECTION_FIELDS: usize = 1000;

/// Introspection fields that return lists.
const INTROSPECTION_LISTS: [&str; 8] = [
    "types",
    "directives",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "enumValues",
    "possibleTypes",
];

/// Refuses operations deeper, more complex, or with more aliases or
/// directives than allowed.
pub struct OperationLimits {
    /// Deepest field nesting allowed (introspection aside).
    pub max_depth: usize,
    /// Highest complexity allowed (introspection aside).
    pub max_complexity: usize,
    /// Aliased fields allowed in one operation.
    pub max_aliases: usize,
    /// Directives allowed in one operation.
    pub max_directives: usize,
}

impl ExtensionFactory for OperationLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationLimitsExt {
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
            max_aliases: self.max_aliases,
            max_directives: self.max_directives,
            introspection_fields: AtomicUsize::new(0),
        })
    }
}

/// One request's limits (async-graphql makes one per request), carrying
/// the introspection fields counted at parsing to validation, where the
/// complexity is known.
struct OperationLimitsExt {
    max_depth: usize,
    max_complexity: usize,
    max_aliases: usize,
    max_directives: usize,
    introspection_fields: AtomicUsize,
}

fn refusal(msg: String) -> ServerError {
    let mut err = ServerError::new(msg, None);
    err.extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", codes::VALIDATION_FAILED);
    err
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
        if counts.aliases > self.max_aliases {
            return Err(refusal(format!(
                "the operation uses {} aliases; at most {} are allowed",
                counts.aliases, self.max_aliases
            )));
        }
        if counts.directives > self.max_directives {
            return Err(refusal(format!(
                "the operation uses {} directives; at most {} are allowed",
                counts.directives, self.max_directives
            )));
        }
        let shape = measure(&doc);
        if shape.depth > self.max_depth {
            return Err(refusal(format!(
                "Query is nested too deep: {} levels; at most {} are allowed",
                shape.depth, self.max_depth
            )));
        }
        if shape.introspection.depth > MAX_INTROSPECTION_DEPTH {
            return Err(refusal(format!(
                "the introspection query is nested {} levels deep; at most {MAX_INTROSPECTION_DEPTH} are allowed",
                shape.introspection.depth
            )));
        }
        if shape.introspection.lists > MAX_INTROSPECTION_LISTS {
            return Err(refusal(format!(
                "the introspection query nests {} lists; at most {MAX_INTROSPECTION_LISTS} are allowed",
                shape.introspection.lists
            )));
        }
        if shape.introspection.fields > MAX_INTROSPECTION_FIELDS {
            return Err(refusal(format!(
                "the introspection query asks for {} fields; at most {MAX_INTROSPECTION_FIELDS} are allowed",
                shape.introspection.fields
            )));
        }
        self.introspection_fields
            .store(shape.introspection.fields, Ordering::Relaxed);
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        // async-graphql counts every field, introspection's too, one each
        // (they have no complexity of their own).
        let data = result
            .complexity
            .saturating_sub(self.introspection_fields.load(Ordering::Relaxed));
        if data > self.max_complexity {
            return Err(vec![refusal(format!(
                "Query is too complex: {data}; at most {} is allowed",
                self.max_complexity
            ))]);
        }
        Ok(result)
    }
}

/// The shape of the introspection part of a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IntrospectionShape {
    /// Deepest nesting, the `__schema` or `__type` field being level 1.
    pub depth: usize,
    /// Most list fields nested along one path.
    pub lists: usize,
    /// Fields, each fragment's counted once per spread.
    pub fields: usize,
}

impl IntrospectionShape {
    fn beside(self, other: Self) -> Self {
        Self {
            depth: self.depth.max(other.depth),
            lists: self.lists.max(other.lists),
            fields: self.fields.saturating_add(other.fields),
        }
    }
}

/// The shape of a document: how deep its data fields nest, and its
/// introspection part apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Deepest nesting of fields outside introspection (a root field is 1).
    pub depth: usize,
    pub introspection: IntrospectionShape,
}

impl Shape {
    fn beside(self, other: Self) -> Self {
        Self {
            depth: self.depth.max(other.depth),
            introspection: self.introspection.beside(other.introspection),
        }
    }
}

/// Measures every operation of `doc`, fragments expanded.
pub fn measure(doc: &ExecutableDocument) -> Shape {
    let mut walk = Walk {
        doc,
        data: HashMap::new(),
        introspection: HashMap::new(),
        stack: Vec::new(),
    };
    doc.operations
        .iter()
        .fold(Shape::default(), |acc, (_, op)| {
            acc.beside(walk.data_set(&op.node.selection_set.node, true))
        })
}

/// Fragments measured so far (each is measured once, however often spread),
/// and the fragments being expanded (a cycle, refused later by validation,
/// measures as nothing here).
struct Walk<'a> {
    doc: &'a ExecutableDocument,
    data: HashMap<(&'a str, bool), Shape>,
    introspection: HashMap<&'a str, IntrospectionShape>,
    stack: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn fragment(&self, name: &str) -> Option<(&'a str, &'a SelectionSet)> {
        self.doc
            .fragments
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(k, def)| (k.as_str(), &def.node.selection_set.node))
    }

    /// A selection set of data; at the operation's root, `__schema` and
    /// `__type` start introspection.
    fn data_set(&mut self, set: &'a SelectionSet, root: bool) -> Shape {
        let mut shape = Shape::default();
        for item in &set.items {
            let here = match &item.node {
                // async-graphql counts `__typename` in neither depth nor
                // complexity; nor does this.
                Selection::Field(field) if field.node.name.node == "__typename" => Shape::default(),
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let inner = &field.node.selection_set.node;
                    if root && (name == "__schema" || name == "__type") {
                        let intro = self.introspection_set(inner);
                        Shape {
                            depth: 0,
                            introspection: IntrospectionShape {
                                depth: intro.depth + 1,
                                lists: intro.lists,
                                fields: intro.fields.saturating_add(1),
                            },
                        }
                    } else {
                        let below = self.data_set(inner, false);
                        Shape {
                            depth: below.depth + 1,
                            introspection: below.introspection,
                        }
                    }
                }
                Selection::InlineFragment(frag) => {
                    self.data_set(&frag.node.selection_set.node, root)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match self.fragment(name) {
                        Some((key, inner)) if !self.stack.contains(&key) => {
                            if let Some(known) = self.data.get(&(key, root)) {
                                *known
                            } else {
                                self.stack.push(key);
                                let measured = self.data_set(inner, root);
                                self.stack.pop();
                                self.data.insert((key, root), measured);
                                measured
                            }
                        }
                        _ => Shape::default(),
                    }
                }
            };
            shape = shape.beside(here);
        }
        shape
    }

    /// A selection set inside `__schema` or `__type`.
    fn introspection_set(&mut self, set: &'a SelectionSet) -> IntrospectionShape {
        let mut shape = IntrospectionShape::default();
        for item in &set.items {
            let here = match &item.node {
                // Not counted by async-graphql's complexity either, so it
                // must not be subtracted from it.
                Selection::Field(field) if field.node.name.node == "__typename" => {
                    IntrospectionShape {
                        depth: 1,
                        ..IntrospectionShape::default()
                    }
                }
                Selection::Field(field) => {
                    let below = self.introspection_set(&field.node.selection_set.node);
                    let list = INTROSPECTION_LISTS.contains(&field.node.name.node.as_str());
                    IntrospectionShape {
                        depth: below.depth + 1,
                        lists: below.lists + usize::from(list),
                        fields: below.fields.saturating_add(1),
                    }
                }
                Selection::InlineFragment(frag) => {
                    self.introspection_set(&frag.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match self.fragment(name) {
                        Some((key, inner)) if !self.stack.contains(&key) => {
                            if let Some(known) = self.introspection.get(key) {
                                *known
                            } else {
                                self.stack.push(key);
                                let measured = self.introspection_set(inner);
                                self.stack.pop();
                                self.introspection.insert(key, measured);
                                measured
                            }
                        }
                        _ => IntrospectionShape::default(),
                    }
                }
            };
            shape = shape.beside(here);
        }
        shape
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

    fn shape(q: &str) -> Shape {
        measure(&async_graphql::parser::parse_query(q).expect("valid query"))
    }

    #[test]
    fn depth_leaves_root_introspection_out() {
        let q =
            "{ me { id } __schema { types { fields { type { ofType { ofType { name } } } } } } }";
        let s = shape(q);
        assert_eq!(s.depth, 2);
        assert_eq!(s.introspection.depth, 7);
        assert_eq!(s.introspection.lists, 2);
        assert_eq!(s.introspection.fields, 7);
        // `__typename` counts for neither, as in async-graphql.
        let s = shape("{ __typename me { __typename } __schema { __typename types { name } } }");
        assert_eq!(s.depth, 1);
        assert_eq!(s.introspection.fields, 3);
        // Not at the root it is just a (badly named) data field.
        assert_eq!(shape("{ me { __type { a { b } } } }").depth, 4);
    }

    #[test]
    fn graphql_js_introspection_fits_its_limits() {
        for file in ["graphql-js-16-default", "graphql-js-16-graphiql"] {
            let path = format!(
                "{}/tests/fixtures/introspection/{file}.graphql",
                env!("CARGO_MANIFEST_DIR")
            );
            let q = std::fs::read_to_string(&path).expect("fixture");
            let s = shape(&q);
            assert_eq!(s.depth, 0, "{file}");
            assert_eq!(s.introspection.depth, 15, "{file}");
            assert_eq!(s.introspection.lists, 3, "{file}");
            assert!(
                s.introspection.fields < MAX_INTROSPECTION_FIELDS / 2,
                "{file}: {s:?}"
            );
        }
    }

    #[test]
    fn fragments_spread_at_the_root_and_below_are_measured_in_place() {
        let q = "{ ...R me { ...U } } fragment R on Query { __type(name: \"User\") { ...T } } \
                 fragment T on __Type { fields { type { ...T2 } } } fragment T2 on __Type { fields { name } } \
                 fragment U on User { id }";
        let s = shape(q);
        assert_eq!(s.depth, 2);
        assert_eq!(s.introspection.lists, 2);
        assert_eq!(s.introspection.depth, 5);
    }

    #[test]
    fn fragment_cycles_do_not_hang() {
        let q =
            "{ me { ...A } } fragment A on User { a: id ...B } fragment B on User { b: id ...A }";
        assert!(counts(q).aliases >= 2);
        assert!(shape(q).depth >= 1);
    }
}
