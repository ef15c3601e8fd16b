//! Payment enums as the API shows them: mirrors of the domain's.

/// What became of a bank transfer notice.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::payments::TransferOutcome")]
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
