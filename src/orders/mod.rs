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

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// A VietQR order waiting for its transfer; its stock is held until the
    /// payment is due, then it is cancelled.
    PendingPayment,
    /// The transfer arrived.
    Paid,
    /// A cash-on-delivery order the cooperative will prepare.
    Confirmed,
    /// Packed and waiting for the carrier.
    Packed,
    /// Handed to the carrier.
    Shipped,
    /// Received by the shopper.
    Delivered,
    /// Cancelled before shipping; its stock went back.
    Cancelled,
    /// Cancelled after payment: the money must go back.
    RefundPending,
    /// The money went back.
    Refunded,
}

impl OrderStatus {
    /// Every status.
    pub const ALL: [Self; 9] = [
        Self::PendingPayment,
        Self::Paid,
        Self::Confirmed,
        Self::Packed,
        Self::Shipped,
        Self::Delivered,
        Self::Cancelled,
        Self::RefundPending,
        Self::Refunded,
    ];

    /// As stored in `orders.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "PENDING_PAYMENT",
            Self::Paid => "PAID",
            Self::Confirmed => "CONFIRMED",
            Self::Packed => "PACKED",
            Self::Shipped => "SHIPPED",
            Self::Delivered => "DELIVERED",
            Self::Cancelled => "CANCELLED",
            Self::RefundPending => "REFUND_PENDING",
            Self::Refunded => "REFUNDED",
        }
    }

    /// The status stored as `raw`.
    pub fn from_db(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The statuses an order may move to from this one.
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::PendingPayment => &[Self::Paid, Self::Cancelled],
            Self::Paid => &[Self::Packed, Self::RefundPending],
            Self::Confirmed => &[Self::Packed, Self::Cancelled],
            Self::Packed => &[Self::Shipped, Self::Cancelled, Self::RefundPending],
            Self::Shipped => &[Self::Delivered],
            Self::RefundPending => &[Self::Refunded],
            Self::Delivered | Self::Cancelled | Self::Refunded => &[],
        }
    }

    /// True when an order in this status still holds stock that a
    /// cancellation gives back (nothing has left the farm yet).
    pub fn before_shipping(self) -> bool {
        matches!(
            self,
            Self::PendingPayment | Self::Paid | Self::Confirmed | Self::Packed
        )
    }
}

/// How an order is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// A bank transfer by scanning the order's VietQR code.
    Vietqr,
    /// Cash to the carrier on delivery.
    Cod,
}

impl PaymentMethod {
    /// As stored in `orders.payment_method`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vietqr => "VIETQR",
            Self::Cod => "COD",
        }
    }

    /// The method stored as `raw`.
    pub fn from_db(raw: &str) -> Option<Self> {
        match raw {
            "VIETQR" => Some(Self::Vietqr),
            "COD" => Some(Self::Cod),
            _ => None,
        }
    }

    /// The status a new order starts in.
    pub fn first_status(self) -> OrderStatus {
        match self {
            Self::Vietqr => OrderStatus::PendingPayment,
            Self::Cod => OrderStatus::Confirmed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_the_database_form() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_db(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::from_db("LOST"), None);
    }

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
