//! Orders, checkouts and carts as the API shows them, and the order, cart
//! and back-office queries and mutations over [`crate::orders::service`]
//! and [`crate::orders::cart`].

mod enums;
mod inputs;
mod loaders;
mod objects;
mod resolvers;

pub use enums::{OrderStatus, PaymentMethod, PaymentStatus};
pub use inputs::{
    CheckoutCartInput, OrderFilterInput, OrderItemInput, PlaceOrderInput, ShippingAddressInput,
};
pub use loaders::{HistoryByOrder, ItemsByOrder, VariantById};
pub use objects::{
    Cart, CartItem, Checkout, Order, OrderHistoryEntry, OrderItem, Payment, ShippingAddressView,
    VietQr,
};
pub use resolvers::{OrderMutation, OrderQuery};
