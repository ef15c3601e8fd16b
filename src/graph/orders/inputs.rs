//! What order and cart mutations take.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use crate::graph::orders::{OrderStatus, PaymentMethod};

/// One line of an order request.
#[derive(InputObject)]
pub struct OrderItemInput {
    /// The variant to buy.
    pub variant_id: ID,
    /// Units: 1 to 1000.
    pub quantity: i32,
}

/// Where to deliver. Every field is required: a missing one fails
/// validation, an empty or malformed one is a `BAD_USER_INPUT` naming it.
#[derive(InputObject)]
pub struct ShippingAddressInput {
    /// Who receives the parcel.
    pub recipient_name: String,
    /// A Vietnamese phone number; a guest's orders are found by it.
    pub phone: String,
    /// One of the 34 provinces and centrally-run cities.
    pub province: String,
    /// Commune or ward.
    pub ward: String,
    /// Street, hamlet and house number.
    pub street: String,
}

/// An order request; prices and totals are the server's.
#[derive(InputObject)]
pub struct PlaceOrderInput {
    /// A key the client makes per order attempt (a UUID): sending the same
    /// request again with it returns the same checkout.
    pub idempotency_key: String,
    /// What to buy; lines of several cooperatives make several orders.
    pub items: Vec<OrderItemInput>,
    /// The livestream the shopper bought from, if any.
    pub livestream_id: Option<ID>,
    /// Where to deliver.
    pub shipping_address: ShippingAddressInput,
    /// How to pay.
    pub payment_method: PaymentMethod,
    /// A note to the cooperative.
    pub note: Option<String>,
}

/// Checking out the viewer's cart.
#[derive(InputObject)]
pub struct CheckoutCartInput {
    /// A guest's cart token (ignored for a signed-in shopper).
    pub cart_token: Option<String>,
    /// As in `placeOrder`.
    pub idempotency_key: String,
    /// The livestream the shopper bought from, if any.
    pub livestream_id: Option<ID>,
    /// Where to deliver.
    pub shipping_address: ShippingAddressInput,
    /// How to pay.
    pub payment_method: PaymentMethod,
    /// A note to the cooperative.
    pub note: Option<String>,
}

/// Filters of a cooperative's order list.
#[derive(InputObject, Default)]
pub struct OrderFilterInput {
    /// Only orders in this status.
    pub status: Option<OrderStatus>,
    /// Only orders from this livestream.
    pub livestream_id: Option<ID>,
    /// Placed at or after this time.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before this time.
    pub placed_to: Option<DateTime<Utc>>,
}
