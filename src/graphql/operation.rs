//! Learns the name of the operation a request ran, as written in the
//! document, for logs and metrics (clients seldom send `operationName`).

use std::sync::{Arc, OnceLock};

use async_graphql::Response;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};

/// Where the running operation's name is written; put one in each request's data.
#[derive(Clone, Default)]
pub struct OperationName(Arc<OnceLock<String>>);

impl OperationName {
    /// The name, once the operation has started.
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// Fills the request's [`OperationName`].
pub struct RecordOperationName;

impl ExtensionFactory for RecordOperationName {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RecordOperationNameExt)
    }
}

struct RecordOperationNameExt;

#[async_trait::async_trait]
impl Extension for RecordOperationNameExt {
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
