//! Payments: VietQR payloads and pictures for orders, the signed bank
//! webhook that marks them paid, and the transfers staff must sort out.
//! This floor reads orders (and changes them through
//! [`crate::orders::service`]); orders never read it.

pub mod service;
pub mod vietqr;
pub mod webhook;

/// What became of a bank transfer notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferOutcome {
    /// It paid its order in full.
    Paid,
    /// Less than the order's total: recorded, the order flagged, not paid.
    Underpaid,
    /// More than the order's total: recorded, the order flagged, not paid.
    Overpaid,
    /// It names an order that is not awaiting payment (already paid,
    /// cancelled) or another account: the order is flagged for staff.
    Review,
    /// No order matches its memo; staff can assign it.
    Unmatched,
    /// Staff assigned it to an order, which it paid.
    Assigned,
}

impl TransferOutcome {
    /// As stored in `bank_transfers.outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "PAID",
            Self::Underpaid => "UNDERPAID",
            Self::Overpaid => "OVERPAID",
            Self::Review => "REVIEW",
            Self::Unmatched => "UNMATCHED",
            Self::Assigned => "ASSIGNED",
        }
    }

    /// The outcome stored as `raw`.
    pub fn from_db(raw: &str) -> Option<Self> {
        [
            Self::Paid,
            Self::Underpaid,
            Self::Overpaid,
            Self::Review,
            Self::Unmatched,
            Self::Assigned,
        ]
        .into_iter()
        .find(|o| o.as_str() == raw)
    }
}
