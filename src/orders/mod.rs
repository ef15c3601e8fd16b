//! Orders: the cart, checkout (one order per cooperative), stock taken in
//! the same transaction, idempotency, the order state machine and its
//! history, and the back office's view of a cooperative's orders.
//!
//! Payments (VietQR payloads, the bank webhook) sit a floor above and read
//! this module; nothing here knows about them except through
//! [`VietQrEncoder`], which the schema root fills in.

pub mod cart;
pub mod deals;
pub mod inputs;
pub mod queries;
pub mod service;

/// Builds a VietQR payload from (bank BIN, account number, amount in đồng,
/// memo). The payments module, a floor above, provides it through the
/// schema's data, so that orders never import payments.
#[derive(Clone, Copy)]
pub struct VietQrEncoder(pub fn(&str, &str, i64, &str) -> String);

pub use entity::enums::{OrderStatus, PaymentMethod};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_leaves_a_final_status_and_shipping_cannot_be_cancelled() {
        for s in [
            OrderStatus::Delivered,
            OrderStatus::Cancelled,
            OrderStatus::Refunded,
        ] {
            assert!(s.next().is_empty(), "{s:?}");
        }
        assert!(
            !OrderStatus::Shipped
                .next()
                .contains(&OrderStatus::Cancelled)
        );
        assert!(!OrderStatus::Shipped.before_shipping());
        assert!(OrderStatus::Packed.before_shipping());
    }
}
