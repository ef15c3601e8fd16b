//! Learns the name of the operation a request ran, as written in the
//! document, for logs and metrics (clients seldom send `operationName`).

use std::sync::{Arc, OnceLock};

use async_graphql::Positioned;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
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
/// name and its type (the HTTP layer empties the response cache after a
/// mutation and keeps only the answers of queries). Put one in each
/// request's data.
#[derive(Clone, Default)]
pub struct OperationFacts(Arc<OnceLock<Vec<OperationFact>>>);

/// One operation of a document: its name and its type.
type OperationFact = (Option<String>, OperationType);

impl OperationFacts {
    fn record(&self, doc: &ExecutableDocument) {
        let facts = match &doc.operations {
            DocumentOperations::Single(op) => vec![(None, op.node.ty)],
            DocumentOperations::Multiple(ops) => ops
                .iter()
                .map(|(name, op)| (Some(name.to_string()), op.node.ty))
                .collect(),
        };
        let _ = self.0.set(facts);
    }

    fn selected(&self, operation_name: Option<&str>) -> Option<OperationType> {
        let facts = self.0.get()?;
        match facts.as_slice() {
            // One operation: it runs whatever name was asked for (a wrong
            // name fails the request anyway).
            [(_, ty)] => Some(*ty),
            _ => facts
                .iter()
                .find(|(name, _)| name.as_deref() == operation_name && operation_name.is_some())
                .map(|(_, ty)| *ty),
        }
    }

    /// True when the operation the request ran was a mutation.
    pub fn is_mutation(&self, operation_name: Option<&str>) -> bool {
        self.selected(operation_name) == Some(OperationType::Mutation)
    }

    /// True when the operation the request ran was a query.
    pub fn is_query(&self, operation_name: Option<&str>) -> bool {
        self.selected(operation_name) == Some(OperationType::Query)
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
