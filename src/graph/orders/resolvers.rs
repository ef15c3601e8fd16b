//! Order, cart and back-office queries and mutations: thin, over
//! [`crate::orders::service`] and [`crate::orders::cart`].

use crate::graph::respond;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};

use crate::auth::throttle::ClientAddr;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::EventBus;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::Total;
use crate::graph::cooperatives::Cooperative;
use crate::graph::orders::{
    Cart, Checkout, CheckoutCartInput, Order, OrderFilterInput, OrderItemInput, PlaceOrderInput,
    ShippingAddressInput,
};
use crate::graph::viewer;
use crate::ids::{CooperativeId, LivestreamId, OrderId, VariantId};
use crate::orders::inputs::{IdempotencyKey, PlaceOrder, ShippingAddress};
use crate::orders::service::{self, HoldPolicy, OrderFilter};
use crate::orders::{PaymentMethod, cart};
use crate::pagination::{Page, encode_cursor};
use crate::values::{Units, text};

/// Order queries.
#[derive(Default)]
pub struct OrderQuery;

/// A look-up's result with "none, or not yours to see" as `None`; other
/// errors stay errors.
fn none_if_not_found<T>(found: AppResult<T>) -> AppResult<Option<T>> {
    match found {
        Ok(value) => Ok(Some(value)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

fn connection(
    rows: Vec<entity::order::Model>,
    had_cursor: bool,
    has_next: bool,
    total: u64,
) -> Connection<String, Order, Total> {
    let mut conn =
        Connection::with_additional_fields(had_cursor, has_next, Total { total_count: total });
    conn.edges.extend(
        rows.into_iter()
            .map(|o| Edge::new(encode_cursor(&o.id), Order(o))),
    );
    conn
}

#[Object]
impl OrderQuery {
    /// An order: the signed-in shopper's own, or one of a cooperative the
    /// viewer works for; `null` for any other, whether or not it exists.
    #[graphql(cache_control(private))]
    async fn order(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Order>> {
        let id = OrderId::parse(&id, "id")?;
        Ok(none_if_not_found(
            service::for_viewer(ctx.data_unchecked::<Db>(), viewer(ctx), id).await,
        )?
        .map(Order))
    }

    /// A guest's order, by its number and the phone it was placed with;
    /// `null` when no order has both. Failed look-ups (a `null`) are
    /// throttled per order number (5 in 15 minutes) and per client address
    /// (20 in 15 minutes): past either, `RATE_LIMITED` with
    /// `extensions.retryAfter` in seconds, even for the right phone.
    #[graphql(cache_control(private))]
    async fn order_by_number(
        &self,
        ctx: &Context<'_>,
        number: String,
        phone: String,
    ) -> ApiResult<Option<Order>> {
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        Ok(none_if_not_found(
            service::by_number(ctx.data_unchecked::<Db>(), &number, &phone, client).await,
        )?
        .map(Order))
    }

    /// The signed-in shopper's orders, newest first.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(private)
    )]
    async fn my_orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Order, Total>> {
        let page = Page::parse(first, after.as_deref())?;
        let (rows, has_next, total) =
            service::my_orders(ctx.data_unchecked::<Db>(), viewer(ctx), &page).await?;
        Ok(connection(rows, page.after.is_some(), has_next, total))
    }

    /// A cooperative's orders, newest first, filtered; its staff only.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(private)
    )]
    async fn cooperative_orders(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        filter: Option<OrderFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Order, Total>> {
        let coop = CooperativeId::parse(&cooperative_id, "cooperativeId")?;
        let input = filter.unwrap_or_default();
        let filter = OrderFilter {
            status: input.status.map(Into::into),
            livestream: input
                .livestream_id
                .as_ref()
                .map(|id| LivestreamId::parse(id, "filter.livestreamId"))
                .transpose()?,
            placed_from: input.placed_from,
            placed_to: input.placed_to,
        };
        let page = Page::parse(first, after.as_deref())?;
        let (rows, has_next, total) = service::cooperative_orders(
            ctx.data_unchecked::<Db>(),
            viewer(ctx),
            coop,
            &filter,
            &page,
        )
        .await?;
        Ok(connection(rows, page.after.is_some(), has_next, total))
    }

    /// The viewer's cart: a signed-in shopper's, or a guest's by token.
    #[graphql(cache_control(private))]
    async fn cart(&self, ctx: &Context<'_>, cart_token: Option<String>) -> ApiResult<Cart> {
        Ok(Cart(
            cart::get(
                ctx.data_unchecked::<Db>(),
                viewer(ctx),
                cart_token.as_deref(),
            )
            .await?,
        ))
    }
}

/// Order mutations.
#[derive(Default)]
pub struct OrderMutation;

fn parse_address(input: &ShippingAddressInput, field: &str) -> AppResult<ShippingAddress> {
    ShippingAddress::parse(
        &input.recipient_name,
        &input.phone,
        &input.province,
        &input.ward,
        &input.street,
        field,
    )
}

/// The parts of a request `placeOrder` and `checkoutCart` share, parsed.
struct Common<'a> {
    idempotency_key: &'a str,
    livestream_id: Option<&'a ID>,
    address: &'a ShippingAddressInput,
    payment_method: PaymentMethod,
    note: Option<&'a str>,
}

fn parse_request(
    common: Common<'_>,
    lines: Vec<(VariantId, Units)>,
    items_field: &str,
    cart: Option<uuid::Uuid>,
) -> AppResult<PlaceOrder> {
    // A cart's retry after checkout finds it empty; it is looked up, not placed.
    let items = if cart.is_some() && lines.is_empty() {
        Vec::new()
    } else {
        PlaceOrder::merge_items(lines, items_field)?
    };
    Ok(PlaceOrder {
        idempotency_key: IdempotencyKey::parse(common.idempotency_key, "input.idempotencyKey")?,
        items,
        livestream: common
            .livestream_id
            .map(|id| LivestreamId::parse(id, "input.livestreamId"))
            .transpose()?,
        address: parse_address(common.address, "input.shippingAddress")?,
        payment_method: common.payment_method,
        note: text(common.note, "input.note", 500)?,
        cart,
    })
}

fn parse_lines(items: &[OrderItemInput]) -> AppResult<Vec<(VariantId, Units)>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            Ok((
                VariantId::parse(&item.variant_id, &format!("input.items[{i}].variantId"))?,
                Units::parse(item.quantity, &format!("input.items[{i}].quantity"))?,
            ))
        })
        .collect()
}

#[Object]
impl OrderMutation {
    /// Places an order, signed in or as a guest (known by the address's
    /// phone): one order per cooperative, prices and totals computed here,
    /// stock taken at once (`OUT_OF_STOCK` when short). VietQR orders hold
    /// their stock until the payment is due. The same idempotencyKey with
    /// the same request returns the same checkout; with another, `CONFLICT`.
    async fn place_order(
        &self,
        ctx: &Context<'_>,
        input: PlaceOrderInput,
    ) -> ApiResult<PlaceOrderPayload> {
        respond(
            async {
                let req = parse_request(
                    Common {
                        idempotency_key: &input.idempotency_key,
                        livestream_id: input.livestream_id.as_ref(),
                        address: &input.shipping_address,
                        payment_method: input.payment_method.into(),
                        note: input.note.as_deref(),
                    },
                    parse_lines(&input.items)?,
                    "input.items",
                    None,
                )?;
                let placed = service::place_order(
                    ctx.data_unchecked::<Db>(),
                    ctx.data_unchecked::<EventBus>(),
                    viewer(ctx),
                    &req,
                    ctx.data_unchecked::<HoldPolicy>().hold,
                )
                .await?;
                Ok(Checkout(placed))
            }
            .await,
        )
    }

    /// Checks out the viewer's cart the way `placeOrder` places an order,
    /// at today's prices, and empties it. An empty cart is `BAD_USER_INPUT`.
    async fn checkout_cart(
        &self,
        ctx: &Context<'_>,
        input: CheckoutCartInput,
    ) -> ApiResult<CheckoutCartPayload> {
        respond(
            async {
                let db = ctx.data_unchecked::<Db>();
                let common = Common {
                    idempotency_key: &input.idempotency_key,
                    livestream_id: input.livestream_id.as_ref(),
                    address: &input.shipping_address,
                    payment_method: input.payment_method.into(),
                    note: input.note.as_deref(),
                };
                let Some(cart) = cart::id_of(db, viewer(ctx), input.cart_token.as_deref()).await?
                else {
                    return Err(AppError::invalid("input.cartToken", "the cart is empty"));
                };
                // The lines are read (and claimed) inside the checkout's transaction.
                let req = parse_request(common, Vec::new(), "input.cartToken", Some(cart))?;
                let placed = service::checkout_cart(
                    db,
                    ctx.data_unchecked::<EventBus>(),
                    viewer(ctx),
                    &req,
                    ctx.data_unchecked::<HoldPolicy>().hold,
                )
                .await?;
                Ok(Checkout(placed))
            }
            .await,
        )
    }

    /// Adds units of a variant to the viewer's cart. A guest without a
    /// token gets a new cart; keep its `token`.
    async fn add_cart_item(
        &self,
        ctx: &Context<'_>,
        cart_token: Option<String>,
        variant_id: ID,
        quantity: i32,
    ) -> ApiResult<AddCartItemPayload> {
        respond(
            async {
                let variant = VariantId::parse(&variant_id, "variantId")?;
                let quantity = Units::parse(quantity, "quantity")?;
                Ok(Cart(
                    cart::add_item(
                        ctx.data_unchecked::<Db>(),
                        viewer(ctx),
                        cart_token.as_deref(),
                        variant,
                        quantity,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Sets how many units of a variant the cart holds (1 to 1000).
    async fn update_cart_item(
        &self,
        ctx: &Context<'_>,
        cart_token: Option<String>,
        variant_id: ID,
        quantity: i32,
    ) -> ApiResult<UpdateCartItemPayload> {
        respond(
            async {
                let variant = VariantId::parse(&variant_id, "variantId")?;
                let quantity = Units::parse(quantity, "quantity")?;
                Ok(Cart(
                    cart::update_item(
                        ctx.data_unchecked::<Db>(),
                        viewer(ctx),
                        cart_token.as_deref(),
                        variant,
                        quantity,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Takes a variant out of the cart.
    async fn remove_cart_item(
        &self,
        ctx: &Context<'_>,
        cart_token: Option<String>,
        variant_id: ID,
    ) -> ApiResult<RemoveCartItemPayload> {
        respond(
            async {
                let variant = VariantId::parse(&variant_id, "variantId")?;
                Ok(Cart(
                    cart::remove_item(
                        ctx.data_unchecked::<Db>(),
                        viewer(ctx),
                        cart_token.as_deref(),
                        variant,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Sets a cooperative's shipping fee: `flatFeeVnd` per order, free at
    /// or above `freeAboveVnd` (null: never free); managers and owners.
    async fn set_shipping_policy(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        flat_fee_vnd: i64,
        free_above_vnd: Option<i64>,
    ) -> ApiResult<SetShippingPolicyPayload> {
        respond(
            async {
                let coop = CooperativeId::parse(&cooperative_id, "cooperativeId")?;
                Ok(Cooperative(
                    service::set_shipping_policy(
                        ctx.data_unchecked::<Db>(),
                        viewer(ctx),
                        coop,
                        flat_fee_vnd,
                        free_above_vnd,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Marks a paid (VietQR) or confirmed (COD) order packed; the
    /// cooperative's staff only.
    async fn mark_order_packed(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> ApiResult<MarkOrderPackedPayload> {
        respond(
            async {
                let id = OrderId::parse(&order_id, "orderId")?;
                Ok(Order(
                    service::mark_packed(
                        ctx.data_unchecked::<Db>(),
                        ctx.data_unchecked::<EventBus>(),
                        viewer(ctx),
                        id,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Hands a packed order to a carrier; the cooperative's staff only.
    async fn ship_order(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        carrier: String,
        tracking_number: String,
    ) -> ApiResult<ShipOrderPayload> {
        respond(
            async {
                let id = OrderId::parse(&order_id, "orderId")?;
                let carrier = crate::values::required_text(&carrier, "carrier", 100)?;
                let tracking =
                    crate::values::required_text(&tracking_number, "trackingNumber", 100)?;
                Ok(Order(
                    service::ship(
                        ctx.data_unchecked::<Db>(),
                        ctx.data_unchecked::<EventBus>(),
                        viewer(ctx),
                        id,
                        carrier,
                        tracking,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Records that a shipped order arrived; the cooperative's staff only.
    async fn mark_order_delivered(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> ApiResult<MarkOrderDeliveredPayload> {
        respond(
            async {
                let id = OrderId::parse(&order_id, "orderId")?;
                Ok(Order(
                    service::mark_delivered(
                        ctx.data_unchecked::<Db>(),
                        ctx.data_unchecked::<EventBus>(),
                        viewer(ctx),
                        id,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Cancels an order and returns its stock: its shopper until it is
    /// packed (a guest gives `guestPhone`, the phone the order was placed
    /// with), its cooperative's staff until it is shipped. A paid order
    /// becomes `REFUND_PENDING`.
    async fn cancel_order(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        reason: String,
        guest_phone: Option<String>,
    ) -> ApiResult<CancelOrderPayload> {
        respond(
            async {
                let id = OrderId::parse(&order_id, "orderId")?;
                let reason = crate::values::required_text(&reason, "reason", 500)?;
                let guest_phone = guest_phone
                    .as_deref()
                    .map(|p| crate::values::PhoneNumber::parse(p, "guestPhone"))
                    .transpose()?;
                Ok(Order(
                    service::cancel(
                        ctx.data_unchecked::<Db>(),
                        ctx.data_unchecked::<EventBus>(),
                        viewer(ctx),
                        id,
                        reason,
                        guest_phone,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Records the cash collected for a shipped or delivered COD order (a
    /// shipped one becomes delivered); the cooperative's staff only.
    async fn confirm_cash_payment(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> ApiResult<ConfirmCashPaymentPayload> {
        respond(
            async {
                let id = OrderId::parse(&order_id, "orderId")?;
                Ok(Order(
                    service::confirm_cash_payment(
                        ctx.data_unchecked::<Db>(),
                        ctx.data_unchecked::<EventBus>(),
                        viewer(ctx),
                        id,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Records that the money of a cancelled paid order went back
    /// (`REFUND_PENDING` → `REFUNDED`); the cooperative's staff only.
    async fn record_refund(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        note: Option<String>,
    ) -> ApiResult<RecordRefundPayload> {
        respond(
            async {
                let id = OrderId::parse(&order_id, "orderId")?;
                let note = text(note.as_deref(), "note", 500)?;
                Ok(Order(
                    service::record_refund(
                        ctx.data_unchecked::<Db>(),
                        ctx.data_unchecked::<EventBus>(),
                        viewer(ctx),
                        id,
                        note,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }
}

crate::payload!(
    /// The result of `placeOrder`.
    PlaceOrderPayload,
    checkout: Checkout
);

crate::payload!(
    /// The result of `checkoutCart`.
    CheckoutCartPayload,
    checkout: Checkout
);

crate::payload!(
    /// The result of `addCartItem`.
    AddCartItemPayload,
    cart: Cart
);

crate::payload!(
    /// The result of `updateCartItem`.
    UpdateCartItemPayload,
    cart: Cart
);

crate::payload!(
    /// The result of `removeCartItem`.
    RemoveCartItemPayload,
    cart: Cart
);

crate::payload!(
    /// The result of `setShippingPolicy`.
    SetShippingPolicyPayload,
    cooperative: Cooperative
);

crate::payload!(
    /// The result of `markOrderPacked`.
    MarkOrderPackedPayload,
    order: Order
);

crate::payload!(
    /// The result of `shipOrder`.
    ShipOrderPayload,
    order: Order
);

crate::payload!(
    /// The result of `markOrderDelivered`.
    MarkOrderDeliveredPayload,
    order: Order
);

crate::payload!(
    /// The result of `cancelOrder`.
    CancelOrderPayload,
    order: Order
);

crate::payload!(
    /// The result of `confirmCashPayment`.
    ConfirmCashPaymentPayload,
    order: Order
);

crate::payload!(
    /// The result of `recordRefund`.
    RecordRefundPayload,
    order: Order
);
