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
    Category,
    ProductStatus,
    Unit,
    CertificationKind,
    CertificationScope,
    MemberRole,
    MediaPurpose,
    MediaStatus,
    Gallery,
    LivestreamStatus,
    Platform,
    FlashDealCloseReason,
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

/// What kind of produce a product is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Category {
    /// Fresh fruit.
    #[sea_orm(string_value = "FRUIT")]
    Fruit,
    /// Vegetables.
    #[sea_orm(string_value = "VEGETABLE")]
    Vegetable,
    /// Tea.
    #[sea_orm(string_value = "TEA")]
    Tea,
    /// Coffee.
    #[sea_orm(string_value = "COFFEE")]
    Coffee,
    /// Rice and other grains.
    #[sea_orm(string_value = "RICE_GRAIN")]
    RiceGrain,
    /// Honey.
    #[sea_orm(string_value = "HONEY")]
    Honey,
    /// Meat and eggs.
    #[sea_orm(string_value = "MEAT_EGGS")]
    MeatEggs,
    /// Milk and dairy products.
    #[sea_orm(string_value = "DAIRY")]
    Dairy,
    /// Dried and processed produce.
    #[sea_orm(string_value = "DRIED_PROCESSED")]
    DriedProcessed,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where a product stands: drafts are seen by their cooperative only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ProductStatus {
    /// Being prepared; only its cooperative sees it.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// On sale and visible to shoppers.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// No longer sold; hidden from shoppers.
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// The unit a variant (or a lot) is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Unit {
    /// Kilogram.
    #[sea_orm(string_value = "KG")]
    Kg,
    /// Gram.
    #[sea_orm(string_value = "G")]
    G,
    /// Box.
    #[sea_orm(string_value = "BOX")]
    Box,
    /// Bunch.
    #[sea_orm(string_value = "BUNCH")]
    Bunch,
    /// Piece.
    #[sea_orm(string_value = "PIECE")]
    Piece,
    /// Litre.
    #[sea_orm(string_value = "LITRE")]
    Litre,
    /// Bottle.
    #[sea_orm(string_value = "BOTTLE")]
    Bottle,
    /// Bag.
    #[sea_orm(string_value = "BAG")]
    Bag,
}

/// A kind of certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum CertificationKind {
    /// Vietnamese Good Agricultural Practices.
    #[sea_orm(string_value = "VIETGAP")]
    Vietgap,
    /// GlobalG.A.P.
    #[sea_orm(string_value = "GLOBALGAP")]
    Globalgap,
    /// Organic farming.
    #[sea_orm(string_value = "ORGANIC")]
    Organic,
    /// One Commune One Product, rated 3 to 5 stars.
    #[sea_orm(string_value = "OCOP")]
    Ocop,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// What a certificate covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum CertificationScope {
    /// The whole cooperative.
    #[sea_orm(string_value = "COOPERATIVE")]
    Cooperative,
    /// One product.
    #[sea_orm(string_value = "PRODUCT")]
    Product,
    /// One harvest lot.
    #[sea_orm(string_value = "LOT")]
    Lot,
}

/// A member's role in a cooperative, strongest first (the order is the
/// variants' order: `Owner < Manager < Staff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum MemberRole {
    /// Runs the cooperative's account; a cooperative always keeps one.
    #[sea_orm(string_value = "OWNER")]
    Owner,
    /// Manages members, bank details, products, orders and livestreams.
    #[sea_orm(string_value = "MANAGER")]
    Manager,
    /// Edits products, handles orders and runs livestreams.
    #[sea_orm(string_value = "STAFF")]
    Staff,
}

impl MemberRole {
    /// True when this role may do what `needed` may.
    pub fn covers(self, needed: MemberRole) -> bool {
        self <= needed
    }
}

/// What a media asset is for; it decides the types and sizes accepted and
/// what the asset can be attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum MediaPurpose {
    /// A photo in a product's gallery.
    #[sea_orm(string_value = "PRODUCT_IMAGE")]
    ProductImage,
    /// A cooperative's logo.
    #[sea_orm(string_value = "COOPERATIVE_LOGO")]
    CooperativeLogo,
    /// The wide picture on top of a cooperative's page.
    #[sea_orm(string_value = "COOPERATIVE_COVER")]
    CooperativeCover,
    /// A photo illustrating a product's origin story.
    #[sea_orm(string_value = "ORIGIN_STORY_IMAGE")]
    OriginStoryImage,
    /// A photo of a harvest lot.
    #[sea_orm(string_value = "LOT_IMAGE")]
    LotImage,
    /// A video in a product's gallery.
    #[sea_orm(string_value = "PRODUCT_VIDEO")]
    ProductVideo,
    /// The recording of a livestream.
    #[sea_orm(string_value = "LIVESTREAM_REPLAY")]
    LivestreamReplay,
    /// A scan or photo of a certificate.
    #[sea_orm(string_value = "CERTIFICATE_DOCUMENT")]
    CertificateDocument,
}

/// A media asset's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum MediaStatus {
    /// An upload URL was issued; the bytes are not confirmed yet.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Confirmed: the bytes are checked and can be shown.
    #[sea_orm(string_value = "READY")]
    Ready,
    /// Being removed from storage.
    #[sea_orm(string_value = "DELETING")]
    Deleting,
    /// Removing it from storage failed; it is detached everywhere and the
    /// sweeper tries again.
    #[sea_orm(string_value = "DELETE_FAILED")]
    DeleteFailed,
}

/// What a gallery of media attachments belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Gallery {
    /// A product's photos and videos.
    #[sea_orm(string_value = "PRODUCT")]
    Product,
    /// The photos of a product's origin story.
    #[sea_orm(string_value = "ORIGIN_STORY")]
    OriginStory,
    /// Photos of a harvest lot.
    #[sea_orm(string_value = "LOT")]
    Lot,
}

/// Where a show is in its life: scheduled → live → ended, or cancelled
/// before going live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum LivestreamStatus {
    /// Announced, not live yet.
    #[sea_orm(string_value = "SCHEDULED")]
    Scheduled,
    /// On air.
    #[sea_orm(string_value = "LIVE")]
    Live,
    /// Over.
    #[sea_orm(string_value = "ENDED")]
    Ended,
    /// Called off before going live.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl LivestreamStatus {
    /// The states a show may move to from this one.
    pub fn next(self) -> &'static [LivestreamStatus] {
        match self {
            Self::Scheduled => &[Self::Live, Self::Cancelled],
            Self::Live => &[Self::Ended],
            Self::Ended | Self::Cancelled => &[],
        }
    }
}

/// Where a show is streamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Platform {
    /// TikTok.
    #[sea_orm(string_value = "TIKTOK")]
    Tiktok,
    /// Facebook.
    #[sea_orm(string_value = "FACEBOOK")]
    Facebook,
    /// Zalo.
    #[sea_orm(string_value = "ZALO")]
    Zalo,
    /// YouTube.
    #[sea_orm(string_value = "YOUTUBE")]
    Youtube,
    /// farmstream's own player.
    #[sea_orm(string_value = "IN_APP")]
    InApp,
}

/// Why a flash deal closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum FlashDealCloseReason {
    /// Staff closed it (`closeFlashDeal`).
    #[sea_orm(string_value = "CLOSED_BY_STAFF")]
    ClosedByStaff,
    /// Its time ran out.
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
    /// The show ended.
    #[sea_orm(string_value = "LIVESTREAM_ENDED")]
    LivestreamEnded,
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

    #[test]
    fn catalog_media_and_show_enums_keep_their_stored_names() {
        assert_eq!(ProductStatus::Active.to_value(), "ACTIVE");
        assert_eq!(Category::RiceGrain.to_value(), "RICE_GRAIN");
        assert_eq!(MediaStatus::DeleteFailed.to_value(), "DELETE_FAILED");
        assert_eq!(Gallery::OriginStory.to_value(), "ORIGIN_STORY");
        assert_eq!(Platform::InApp.to_value(), "IN_APP");
        assert_eq!(
            FlashDealCloseReason::ClosedByStaff.to_string(),
            "CLOSED_BY_STAFF"
        );
        assert!(MemberRole::Owner.covers(MemberRole::Staff));
        assert!(!MemberRole::Staff.covers(MemberRole::Manager));
        assert!(MediaPurpose::try_from_value(&"AVATAR".to_owned()).is_err());
        assert!(LivestreamStatus::try_from_value(&"PAUSED".to_owned()).is_err());
    }
}
