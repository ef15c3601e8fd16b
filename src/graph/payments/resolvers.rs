//! Payment queries and mutations for staff: thin, over
//! [`crate::payments::service`].

use crate::graph::respond;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};

use crate::db::Db;
use crate::events::EventBus;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::Total;
use crate::graph::orders::Order;
use crate::graph::payments::{AssignTransferPayload, BankTransfer};
use crate::graph::viewer;
use crate::ids::{OrderId, TransferId};
use crate::pagination::{Page, encode_cursor};
use crate::payments::service;

/// Payment queries.
#[derive(Default)]
pub struct PaymentQuery;

#[Object]
impl PaymentQuery {
    /// Bank transfers whose memo matched no order, newest first; admins only.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(private)
    )]
    async fn unmatched_transfers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, BankTransfer, Total>> {
        let page = Page::parse(first, after.as_deref())?;
        let (rows, has_next, total) =
            service::unmatched(ctx.data_unchecked::<Db>(), viewer(ctx), &page).await?;
        let mut conn = Connection::with_additional_fields(
            page.after.is_some(),
            has_next,
            Total { total_count: total },
        );
        conn.edges.extend(
            rows.into_iter()
                .map(|t| Edge::new(encode_cursor(&t.id), BankTransfer(t))),
        );
        Ok(conn)
    }
}

/// Payment mutations.
#[derive(Default)]
pub struct PaymentMutation;

#[Object]
impl PaymentMutation {
    /// Assigns an unmatched transfer to the order it was meant for, which
    /// it pays; admins only. The order must await exactly that amount.
    async fn assign_transfer(
        &self,
        ctx: &Context<'_>,
        transfer_id: ID,
        order_id: ID,
    ) -> ApiResult<AssignTransferPayload> {
        respond(
            async {
                let transfer = TransferId::parse(&transfer_id, "transferId")?;
                let order = OrderId::parse(&order_id, "orderId")?;
                let (transfer, order) = service::assign(
                    ctx.data_unchecked::<Db>(),
                    ctx.data_unchecked::<EventBus>(),
                    viewer(ctx),
                    transfer,
                    order,
                )
                .await?;
                Ok((BankTransfer(transfer), Order(order)))
            }
            .await,
        )
    }
}
