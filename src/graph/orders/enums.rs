//! Order enums as the API shows them: mirrors of the domain's, and where
//! a payment stands.

/// Where an order is in its life.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::orders::OrderStatus")]
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

/// How an order is paid.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::orders::PaymentMethod")]
pub enum PaymentMethod {
    /// A bank transfer by scanning the order's VietQR code.
    Vietqr,
    /// Cash to the carrier on delivery.
    Cod,
}

/// Where an order's payment stands.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentStatus {
    /// A VietQR transfer is expected.
    AwaitingTransfer,
    /// Cash is collected on delivery.
    AwaitingCash,
    /// The money arrived.
    Paid,
    /// The order was cancelled after payment; the money must go back.
    RefundPending,
    /// The money went back.
    Refunded,
    /// Cancelled before any payment.
    Cancelled,
}
