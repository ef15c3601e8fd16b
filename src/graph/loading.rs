//! Loading through the request's DataLoaders, and the total beside a
//! connection's edges.

use std::hash::Hash;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};

use crate::error::{AppError, AppResult};

/// Loads one value through the request's DataLoader `L`.
pub async fn load_one<L, K>(ctx: &Context<'_>, key: K) -> AppResult<Option<L::Value>>
where
    L: Loader<K, Error = Arc<sea_orm::DbErr>>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    ctx.data_unchecked::<DataLoader<L>>()
        .load_one(key)
        .await
        .map_err(AppError::from)
}

/// The total of a connection, beside its edges.
#[derive(async_graphql::SimpleObject)]
pub struct Total {
    /// How many items match, over all pages.
    pub total_count: u64,
}

/// Loads many values through the request's DataLoader `L`, in one batch.
pub async fn load_many<L, K>(
    ctx: &Context<'_>,
    keys: impl IntoIterator<Item = K>,
) -> AppResult<std::collections::HashMap<K, L::Value>>
where
    L: Loader<K, Error = Arc<sea_orm::DbErr>>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    ctx.data_unchecked::<DataLoader<L>>()
        .load_many(keys)
        .await
        .map_err(AppError::from)
}
