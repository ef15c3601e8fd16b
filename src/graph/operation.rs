//! Learns the name of the operation a request ran, as written in the
//! document, for logs and metrics (clients seldom send `operationName`).

use std::sync::{Arc, OnceLock};

use async_graphql::Positioned;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
};
use async_graphql::{Response, ServerResult, Variables};

/// Where the running operation's name is written; put one in each request's data.
#[derive(Clone, Default)]
pub struct OperationName(Arc<OnceLock<String>>);

impl OperationName {
    /// The name, once the operation has started.
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// What the parsed document of a request holds: for each operation, its
/// name, its type and whether it only reads the public catalogue (see
/// `http::response_cache`, which keeps their answers). Put one in each request's data.
#[derive(Clone, Default)]
pub struct OperationFacts(Arc<OnceLock<Vec<OperationFact>>>);

/// One operation of a document: its name, its type, and whether it only
/// reads the public catalogue.
type OperationFact = (Option<String>, OperationType, bool);

impl OperationFacts {
    fn record(&self, doc: &ExecutableDocument) {
        let facts = match &doc.operations {
            DocumentOperations::Single(op) => vec![(None, op.node.ty, is_public_read(doc, None))],
            DocumentOperations::Multiple(ops) => ops
                .iter()
                .map(|(name, op)| {
                    (
                        Some(name.to_string()),
                        op.node.ty,
                        is_public_read(doc, Some(name.as_str())),
                    )
                })
                .collect(),
        };
        let _ = self.0.set(facts);
    }

    fn selected(&self, operation_name: Option<&str>) -> Option<(OperationType, bool)> {
        let facts = self.0.get()?;
        match facts.as_slice() {
            // One operation: it runs whatever name was asked for (a wrong
            // name fails the request anyway).
            [(_, ty, public)] => Some((*ty, *public)),
            _ => facts
                .iter()
                .find(|(name, _, _)| name.as_deref() == operation_name && operation_name.is_some())
                .map(|(_, ty, public)| (*ty, *public)),
        }
    }

    /// True when the operation the request ran was a mutation.
    pub fn is_mutation(&self, operation_name: Option<&str>) -> bool {
        self.selected(operation_name)
            .is_some_and(|(ty, _)| ty == OperationType::Mutation)
    }

    /// True when the operation the request ran only reads the public catalogue.
    pub fn is_public_read(&self, operation_name: Option<&str>) -> bool {
        self.selected(operation_name)
            .is_some_and(|(_, public)| public)
    }
}

/// Fills the request's [`OperationName`] and [`OperationFacts`].
pub struct RecordOperationName;

impl ExtensionFactory for RecordOperationName {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RecordOperationNameExt)
    }
}

struct RecordOperationNameExt;

#[async_trait::async_trait]
impl Extension for RecordOperationNameExt {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if let Some(facts) = ctx.data_opt::<OperationFacts>() {
            facts.record(&doc);
        }
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let (Some(slot), Some(name)) = (ctx.data_opt::<OperationName>(), operation_name) {
            let _ = slot.0.set(name.to_owned());
            tracing::Span::current().record("graphql.operation", name);
        }
        next.run(ctx, operation_name).await
    }
}

/// Root query fields whose answers are the same for every anonymous caller.
pub const CACHEABLE_ROOT_FIELDS: &[&str] = &[
    "__typename",
    "cooperative",
    "cooperatives",
    "product",
    "products",
    "lot",
    "livestream",
    "livestreams",
    "liveNow",
    "upcomingLivestreams",
    "course",
    "courses",
];

/// The operation a request with `operation_name` runs out of `operations`,
/// as async-graphql picks it: the one asked for by name, or the only one.
pub fn selected_operation<'a>(
    operations: &'a DocumentOperations,
    operation_name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(map), Some(name)) => map
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op),
        (DocumentOperations::Multiple(map), None) if map.len() == 1 => map.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// True when the operation `operation_name` picks out of `doc` is a query
/// whose root fields are all in [`CACHEABLE_ROOT_FIELDS`] (fragments at the
/// root are not followed: such a query is simply not cached).
pub fn is_public_read(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let Some(operation) = selected_operation(&doc.operations, operation_name) else {
        return false;
    };
    operation.node.ty == OperationType::Query
        && operation
            .node
            .selection_set
            .node
            .items
            .iter()
            .all(|item| match &item.node {
                Selection::Field(field) => {
                    CACHEABLE_ROOT_FIELDS.contains(&field.node.name.node.as_str())
                        && field.node.directives.is_empty()
                }
                _ => false,
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(query: &str, name: Option<&str>) -> bool {
        is_public_read(
            &async_graphql::parser::parse_query(query).expect("parses"),
            name,
        )
    }

    #[test]
    fn only_queries_of_public_root_fields_are_cacheable() {
        assert!(public("{ products(first: 2) { nodes { name } } }", None));
        assert!(public(
            "query A { product(slug: \"x\") { name } liveNow { totalCount } }",
            None
        ));
        assert!(public("query A { products { totalCount } }", Some("A")));
        assert!(!public(
            "{ products { totalCount } cart(token: \"t\") { id } }",
            None
        ));
        assert!(!public("{ me { id } }", None));
        assert!(!public("mutation { logout }", None));
        assert!(!public(
            "{ ...F } fragment F on Query { products { totalCount } }",
            None
        ));
        assert!(public(
            "query A { products { totalCount } } query B { me { id } }",
            Some("A")
        ));
        assert!(!public(
            "query A { products { totalCount } } query B { me { id } }",
            Some("B")
        ));
        assert!(!public(
            "query A { products { totalCount } } query B { me { id } }",
            None
        ));
    }
}
