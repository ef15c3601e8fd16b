//! Orders, checkouts and carts as the API shows them.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::config::PublicBaseUrl;
use crate::error::AppError;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::catalog::{Product, ProductLoader, Variant};
use crate::graph::cooperatives::Cooperative;
use crate::graph::cooperatives::CooperativeLoader;
use crate::graph::ids::global_id;
use crate::graph::livestream::Livestream;
use crate::graph::load_one;
use crate::graph::orders::{
    HistoryByOrder, ItemsByOrder, OrderStatus, PaymentMethod, PaymentStatus, VariantById,
};
use crate::graph::training::UserLoader;
use crate::ids::{
    CheckoutId, CooperativeId, FlashDealId, LivestreamId, OrderId, ProductId, UserId, VariantId,
};
use crate::orders::cart::{CartLine, CartView};
use crate::orders::service::Placed;
use crate::orders::{self, VietQrEncoder};

/// An order: what one shopper bought from one cooperative.
pub struct Order(pub entity::order::Model);

impl Order {
    fn status_enum(&self) -> ApiResult<orders::OrderStatus> {
        Ok(self.0.status)
    }

    fn method(&self) -> ApiResult<orders::PaymentMethod> {
        Ok(self.0.payment_method)
    }
}

/// Where an order goes.
#[derive(SimpleObject)]
pub struct ShippingAddressView {
    /// Who receives the parcel.
    pub recipient_name: String,
    /// The recipient's phone, in national form.
    pub phone: String,
    /// One of the 34 provinces and centrally-run cities.
    pub province: String,
    /// Commune or ward.
    pub ward: String,
    /// Street, hamlet (bản, thôn) and house number.
    pub street: String,
}

/// An order: what one shopper bought from one cooperative, with its
/// prices, shipping and total as they were at placement, its payment and
/// its history. Its shopper and the cooperative's staff may read it.
#[Object]
impl Order {
    /// The order's id.
    pub async fn id(&self) -> ID {
        OrderId::from(self.0.id).to_gql()
    }
    /// Short and readable over the phone, e.g. `FS-7K3M9Q`.
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// Where the order is in its life.
    async fn status(&self) -> ApiResult<OrderStatus> {
        Ok(self.status_enum()?.into())
    }
    /// The statuses it may move to next.
    async fn next_statuses(&self) -> ApiResult<Vec<OrderStatus>> {
        Ok(self
            .status_enum()?
            .next()
            .iter()
            .map(|s| OrderStatus::from(*s))
            .collect())
    }
    /// The cooperative selling.
    async fn cooperative(&self, ctx: &Context<'_>) -> ApiResult<Cooperative> {
        load_one::<CooperativeLoader, _>(ctx, CooperativeId::from(self.0.cooperative_id))
            .await?
            .map(Cooperative)
            .ok_or_else(|| AppError::not_found("cooperative").into())
    }
    /// What was bought, with names and prices as they were at placement.
    async fn items(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrderItem>> {
        Ok(load_one::<ItemsByOrder, _>(ctx, OrderId::from(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(OrderItem)
            .collect())
    }
    /// The items' total, in whole đồng.
    async fn subtotal_vnd(&self) -> i64 {
        self.0.subtotal_vnd
    }
    /// The cooperative's shipping fee for this order, in whole đồng.
    async fn shipping_fee_vnd(&self) -> i64 {
        self.0.shipping_fee_vnd
    }
    /// What the shopper pays: subtotal plus shipping, in whole đồng.
    async fn total_vnd(&self) -> i64 {
        self.0.total_vnd
    }
    /// Where it goes.
    async fn shipping_address(&self) -> ShippingAddressView {
        ShippingAddressView {
            recipient_name: self.0.recipient_name.clone(),
            phone: self.0.phone.clone(),
            province: self.0.province.clone(),
            ward: self.0.ward.clone(),
            street: self.0.street.clone(),
        }
    }
    /// The shopper's note to the cooperative.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The livestream the order came from; null when it came from none.
    async fn livestream(&self, ctx: &Context<'_>) -> ApiResult<Option<Livestream>> {
        let Some(id) = self.0.livestream_id else {
            return Ok(None);
        };
        Ok(
            load_one::<crate::graph::livestream::LivestreamLoader, _>(ctx, LivestreamId::from(id))
                .await?
                .map(Livestream),
        )
    }
    /// The id of the livestream the order came from, if any.
    #[graphql(deprecation = "Use `livestream { id }`.")]
    async fn livestream_id(&self) -> Option<ID> {
        self.0
            .livestream_id
            .map(|id| LivestreamId::from(id).to_gql())
    }
    /// How it is paid and where the payment stands.
    async fn payment(&self) -> ApiResult<Payment<'_>> {
        Ok(Payment {
            order: &self.0,
            method: self.method()?,
            status: self.status_enum()?,
        })
    }
    /// The carrier, once shipped.
    async fn carrier(&self) -> Option<&str> {
        self.0.carrier.as_deref()
    }
    /// The carrier's tracking number, once shipped.
    async fn tracking_number(&self) -> Option<&str> {
        self.0.tracking_number.as_deref()
    }
    /// Why it was cancelled, if it was.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// True when a bank transfer did not fit the order (wrong amount, too
    /// late) and staff should look.
    async fn needs_review(&self) -> bool {
        self.0.needs_review
    }
    /// What staff should look at.
    async fn review_note(&self) -> Option<&str> {
        self.0.review_note.as_deref()
    }
    /// Every status change: who, when, from, to, and a note.
    async fn history(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrderHistoryEntry>> {
        Ok(load_one::<HistoryByOrder, _>(ctx, OrderId::from(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(OrderHistoryEntry)
            .collect())
    }
    /// When it was placed.
    async fn placed_at(&self) -> DateTime<Utc> {
        self.0.placed_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One line of an order.
pub struct OrderItem(pub entity::order_item::Model);

/// One line of an order: a variant, how many units and at what price, as
/// they were at placement (the names and prices do not follow later
/// changes of the catalogue).
#[Object]
impl OrderItem {
    /// The line's id.
    async fn id(&self) -> ID {
        global_id("OrderItem", self.0.id)
    }
    /// The variant bought, as it is now (its name and price may have
    /// changed since; `variantName` and `unitPriceVnd` are the placement's).
    async fn variant(&self, ctx: &Context<'_>) -> ApiResult<Option<Variant>> {
        Ok(
            load_one::<VariantById, _>(ctx, VariantId::from(self.0.variant_id))
                .await?
                .map(Variant),
        )
    }
    /// The product bought, as it is now (`productName` is the placement's).
    async fn product(&self, ctx: &Context<'_>) -> ApiResult<Option<Product>> {
        Ok(
            load_one::<ProductLoader, _>(ctx, ProductId::from(self.0.product_id))
                .await?
                .map(Product),
        )
    }
    /// The id of the variant bought.
    #[graphql(deprecation = "Use `variant { id }`.")]
    async fn variant_id(&self) -> ID {
        VariantId::from(self.0.variant_id).to_gql()
    }
    /// The id of its product.
    #[graphql(deprecation = "Use `product { id }`.")]
    async fn product_id(&self) -> ID {
        ProductId::from(self.0.product_id).to_gql()
    }
    /// The product's name at placement.
    async fn product_name(&self) -> &str {
        &self.0.product_name
    }
    /// The variant's name at placement (e.g. "Hộp 2 kg").
    async fn variant_name(&self) -> &str {
        &self.0.variant_name
    }
    /// The price of one unit at placement, in whole đồng.
    async fn unit_price_vnd(&self) -> i64 {
        self.0.unit_price_vnd
    }
    /// Units bought.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// Unit price times quantity, in whole đồng.
    async fn line_total_vnd(&self) -> i64 {
        self.0.line_total_vnd
    }
    /// The flash deal whose price this line got; null at the normal price.
    /// (An order takes what a show's deal allows at its price and the rest
    /// at the normal price, as two lines of the same variant.)
    async fn flash_deal_id(&self) -> Option<ID> {
        self.0
            .flash_deal_id
            .map(|id| FlashDealId::from(id).to_gql())
    }
}

/// One status change of an order.
pub struct OrderHistoryEntry(pub entity::order_event::Model);

/// One status change of an order: who moved it, from what to what, when,
/// and why.
#[Object]
impl OrderHistoryEntry {
    /// The status before; null for the placement.
    async fn from_status(&self) -> Option<OrderStatus> {
        self.0.from_status.map(Into::into)
    }
    /// The status after.
    async fn to_status(&self) -> Option<OrderStatus> {
        Some(self.0.to_status.into())
    }
    /// Who made the change; null for the system (payment, hold expiry) or a guest.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<OrderActor>> {
        let Some(id) = self.0.actor_id else {
            return Ok(None);
        };
        Ok(load_one::<UserLoader, _>(ctx, UserId::from(id))
            .await?
            .map(OrderActor))
    }
    /// The id of who made the change; null for the system or a guest.
    #[graphql(deprecation = "Use `actor { id }`.")]
    async fn actor_id(&self) -> Option<ID> {
        self.0
            .actor_id
            .map(|id| crate::ids::UserId::from(id).to_gql())
    }
    /// Why, or what came with it (a reason, a tracking number).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Who changed an order: a shopper or a cooperative's staff member, by the
/// name they show to others (never their sign-in e-mail or phone).
pub struct OrderActor(pub entity::user::Model);

/// Who changed an order, by the name they show to others.
#[Object]
impl OrderActor {
    /// The user's id.
    async fn id(&self) -> ID {
        UserId::from(self.0.id).to_gql()
    }
    /// The name they show to others.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
}

/// How an order is paid.
pub struct Payment<'a> {
    order: &'a entity::order::Model,
    method: orders::PaymentMethod,
    status: orders::OrderStatus,
}

/// What a shopper's banking app needs to pay an order: the VietQR payload
/// and a picture of it.
#[derive(SimpleObject)]
pub struct VietQr {
    /// The NAPAS VietQR (EMVCo) string, for apps that draw their own code.
    pub payload: String,
    /// A PNG of the code (`.svg` beside it for vector).
    pub image_url: String,
}

/// How an order is paid and where the payment stands; the VietQR code to
/// scan while a transfer is awaited.
#[Object]
impl Payment<'_> {
    /// VietQR transfer or cash on delivery.
    async fn method(&self) -> PaymentMethod {
        self.method.into()
    }
    /// Where the payment stands.
    async fn status(&self) -> PaymentStatus {
        match (self.status, self.order.paid_at.is_some(), self.method) {
            (orders::OrderStatus::RefundPending, _, _) => PaymentStatus::RefundPending,
            (orders::OrderStatus::Refunded, _, _) => PaymentStatus::Refunded,
            (_, true, _) => PaymentStatus::Paid,
            (orders::OrderStatus::Cancelled, false, _) => PaymentStatus::Cancelled,
            (_, false, orders::PaymentMethod::Vietqr) => PaymentStatus::AwaitingTransfer,
            (_, false, orders::PaymentMethod::Cod) => PaymentStatus::AwaitingCash,
        }
    }
    /// What to pay, in whole đồng: the order's total.
    async fn amount_vnd(&self) -> i64 {
        self.order.total_vnd
    }
    /// What to write in the transfer's memo: the order number without its dash.
    async fn memo(&self) -> &str {
        &self.order.payment_memo
    }
    /// When an unpaid VietQR order is cancelled and its stock released.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.order.payment_due_at
    }
    /// When the money arrived.
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.order.paid_at
    }
    /// When a refund was recorded.
    async fn refunded_at(&self) -> Option<DateTime<Utc>> {
        self.order.refunded_at
    }
    /// The code to scan, while a VietQR transfer is awaited; null otherwise.
    async fn vietqr(&self, ctx: &Context<'_>) -> Option<VietQr> {
        if self.method != orders::PaymentMethod::Vietqr
            || self.status != orders::OrderStatus::PendingPayment
        {
            return None;
        }
        let (Some(bin), Some(account)) = (
            self.order.bank_bin.as_deref(),
            self.order.bank_account_number.as_deref(),
        ) else {
            return None;
        };
        let encode = ctx.data_opt::<VietQrEncoder>()?;
        let base = ctx
            .data_opt::<PublicBaseUrl>()
            .map(|b| b.0.as_str())
            .unwrap_or_default();
        Some(VietQr {
            payload: (encode.0)(bin, account, self.order.total_vnd, &self.order.payment_memo),
            image_url: format!("{base}/payments/{}/vietqr.png", self.order.number),
        })
    }
}

/// What one `placeOrder` or `checkoutCart` made: one order per cooperative.
pub struct Checkout(pub Placed);

/// What one `placeOrder` or `checkoutCart` made: one order per
/// cooperative, under the request's idempotency key.
#[Object]
impl Checkout {
    /// The checkout's id.
    async fn id(&self) -> ID {
        CheckoutId::from(self.0.checkout.id).to_gql()
    }
    /// The idempotency key it was placed with.
    async fn idempotency_key(&self) -> &str {
        &self.0.checkout.idempotency_key
    }
    /// One order per cooperative.
    async fn orders(&self) -> Vec<Order> {
        self.0.orders.iter().cloned().map(Order).collect()
    }
    /// The sum of the orders' totals, in whole đồng.
    async fn total_vnd(&self) -> i64 {
        self.0.orders.iter().map(|o| o.total_vnd).sum()
    }
    /// When it was placed.
    async fn placed_at(&self) -> DateTime<Utc> {
        self.0.checkout.created_at
    }
}

/// A shopper's cart, priced now (prices are settled only at checkout).
pub struct Cart(pub CartView);

/// A shopper's cart, priced now (prices are settled only at checkout).
#[Object]
impl Cart {
    /// A guest's cart token: keep it and send it back to reach this cart.
    /// Null for a signed-in shopper's cart.
    async fn token(&self) -> Option<&str> {
        self.0.token.as_deref()
    }
    /// What is in it, oldest first.
    async fn items(&self) -> Vec<CartItem> {
        self.0.lines.iter().cloned().map(CartItem).collect()
    }
    /// The items at today's prices, in whole đồng (shipping comes at checkout).
    async fn subtotal_vnd(&self) -> i64 {
        self.0
            .lines
            .iter()
            .map(|l| l.variant.price_vnd * i64::from(l.item.quantity))
            .sum()
    }
}

/// A variant and quantity in a cart.
pub struct CartItem(pub CartLine);

/// The id of the line of `variant` in `cart`:
/// `gid://farmstream/CartLine/<cart uuid>:<variant uuid>` (a line has no
/// row id of its own).
pub fn cart_line_id(cart: uuid::Uuid, variant: uuid::Uuid) -> ID {
    ID(format!("gid://farmstream/CartLine/{cart}:{variant}"))
}

/// A variant and how many units of it a cart holds.
#[Object]
impl CartItem {
    /// The line's id: stable while the variant stays in the cart.
    async fn id(&self) -> ID {
        cart_line_id(self.0.item.cart_id, self.0.item.variant_id)
    }
    /// The variant wanted, as it is now.
    async fn variant(&self) -> Variant {
        Variant(self.0.variant.clone())
    }
    /// Its product, as it is now.
    async fn product(&self) -> Product {
        Product(self.0.product.clone())
    }
    /// The id of the variant wanted.
    #[graphql(deprecation = "Use `variant { id }`.")]
    async fn variant_id(&self) -> ID {
        VariantId::from(self.0.variant.id).to_gql()
    }
    /// The id of its product.
    #[graphql(deprecation = "Use `product { id }`.")]
    async fn product_id(&self) -> ID {
        ProductId::from(self.0.product.id).to_gql()
    }
    /// The product's name.
    async fn product_name(&self) -> &str {
        &self.0.product.name
    }
    /// The variant's name.
    async fn variant_name(&self) -> &str {
        &self.0.variant.name
    }
    /// The price of one unit today, in whole đồng.
    async fn unit_price_vnd(&self) -> i64 {
        self.0.variant.price_vnd
    }
    /// Units wanted.
    async fn quantity(&self) -> i32 {
        self.0.item.quantity
    }
    /// False when the variant is off sale or has too little stock now.
    async fn available(&self) -> bool {
        self.0.available()
    }
}
