//! The enums stored in text columns, spelled as the database stores them
//! (SCREAMING_CASE). A value the database holds but no variant names is an
//! error when the row is read (`DbErr::Type`), never a silent default.
//!
//! The domains re-export these (`crate::orders::OrderStatus`, …) and add no
//! behaviour the database does not need; the graph layer mirrors them for
//! the API.

use sea_orm::entity::prelude::*;

/// Shows each enum as stored (`PENDING_PAYMENT`), for logs, messages and
/// the rare raw SQL string.
macro_rules! display_as_stored {
    ($($name:ident),+ $(,)?) => {$(
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&sea_orm::ActiveEnum::to_value(self))
            }
        }
    )+};
}

display_as_stored!(
    PlatformRole,
    OrderStatus,
    PaymentMethod,
    TransferOutcome,
    CourseStatus,
    EnrolmentStatus,
    AttendanceStatus,
    Gender,
);

/// A platform-wide role; every user can shop without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum PlatformRole {
    /// Runs the platform: verifies cooperatives, grants roles.
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    /// Runs training courses.
    #[sea_orm(string_value = "ORGANISER")]
    Organiser,
}

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum OrderStatus {
    /// A VietQR order waiting for its transfer; its stock is held until the
    /// payment is due, then it is cancelled.
    #[sea_orm(string_value = "PENDING_PAYMENT")]
    PendingPayment,
    /// The transfer arrived.
    #[sea_orm(string_value = "PAID")]
    Paid,
    /// A cash-on-delivery order the cooperative will prepare.
    #[sea_orm(string_value = "CONFIRMED")]
    Confirmed,
    /// Packed and waiting for the carrier.
    #[sea_orm(string_value = "PACKED")]
    Packed,
    /// Handed to the carrier.
    #[sea_orm(string_value = "SHIPPED")]
    Shipped,
    /// Received by the shopper.
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// Cancelled before shipping; its stock went back.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    /// Cancelled after payment: the money must go back.
    #[sea_orm(string_value = "REFUND_PENDING")]
    RefundPending,
    /// The money went back.
    #[sea_orm(string_value = "REFUNDED")]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum PaymentMethod {
    /// A bank transfer by scanning the order's VietQR code.
    #[sea_orm(string_value = "VIETQR")]
    Vietqr,
    /// Cash to the carrier on delivery.
    #[sea_orm(string_value = "COD")]
    Cod,
}

impl PaymentMethod {
    /// The status a new order starts in.
    pub fn first_status(self) -> OrderStatus {
        match self {
            Self::Vietqr => OrderStatus::PendingPayment,
            Self::Cod => OrderStatus::Confirmed,
        }
    }
}

/// What became of a bank transfer notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TransferOutcome {
    /// It paid its order in full.
    #[sea_orm(string_value = "PAID")]
    Paid,
    /// Less than the order's total: recorded, the order flagged, not paid.
    #[sea_orm(string_value = "UNDERPAID")]
    Underpaid,
    /// More than the order's total: recorded, the order flagged, not paid.
    #[sea_orm(string_value = "OVERPAID")]
    Overpaid,
    /// It names an order that is not awaiting payment (already paid,
    /// cancelled) or another account: the order is flagged for staff.
    #[sea_orm(string_value = "REVIEW")]
    Review,
    /// No order matches its memo; staff can assign it.
    #[sea_orm(string_value = "UNMATCHED")]
    Unmatched,
    /// Staff assigned it to an order, which it paid.
    #[sea_orm(string_value = "ASSIGNED")]
    Assigned,
}

/// Where a course stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum CourseStatus {
    /// Being prepared; only its organisers see it.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Open: anyone sees it and signed-in users may enrol themselves.
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    /// Called off; kept for the record.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    /// Closed by `completeCourse`; certificates issued.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
}

/// A participant's place in a course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum EnrolmentStatus {
    /// Holds a seat.
    #[sea_orm(string_value = "ENROLLED")]
    Enrolled,
    /// Waits for a seat, in order of enrolment.
    #[sea_orm(string_value = "WAITLISTED")]
    Waitlisted,
    /// Left the course.
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// Attendance at one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AttendanceStatus {
    /// Came on time (counts towards completion).
    #[sea_orm(string_value = "PRESENT")]
    Present,
    /// Came after the grace period (counts towards completion).
    #[sea_orm(string_value = "LATE")]
    Late,
    /// Missed it with an excuse (does not count).
    #[sea_orm(string_value = "EXCUSED")]
    Excused,
    /// Missed it (does not count).
    #[sea_orm(string_value = "ABSENT")]
    Absent,
}

impl AttendanceStatus {
    /// True when the mark counts as attended for completion.
    pub fn counts(self) -> bool {
        matches!(self, Self::Present | Self::Late)
    }
}

/// A participant's gender, as reported in the course statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Gender {
    /// Nữ.
    #[sea_orm(string_value = "FEMALE")]
    Female,
    /// Nam.
    #[sea_orm(string_value = "MALE")]
    Male,
    /// Khác.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ActiveEnum;

    #[test]
    fn statuses_round_trip_through_the_database_form() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::try_from_value(&s.to_value()).ok(), Some(s));
        }
        assert!(OrderStatus::try_from_value(&"LOST".to_owned()).is_err());
    }
}
