//! Livestream selling: a cooperative's shows on TikTok, Facebook, Zalo,
//! YouTube or our own player, their lineup of products, the product pinned
//! now and the flash deals open in them. (Real-time events and sales per
//! session build on this module and on orders.)

pub mod flash_deals;
pub mod follows;
pub mod inputs;
pub mod queries;
pub mod reminders;
pub mod service;
pub mod stats;
pub mod viewers;

crate::stored_enum!(
    /// Why a flash deal closed.
    FlashDealCloseReason {
        /// Staff closed it (`closeFlashDeal`).
        ClosedByStaff => "CLOSED_BY_STAFF",
        /// Its time ran out.
        Expired => "EXPIRED",
        /// The show ended.
        LivestreamEnded => "LIVESTREAM_ENDED",
    }
);

crate::stored_enum!(
    /// Where a show is streamed.
    Platform {
        Tiktok => "TIKTOK",
        Facebook => "FACEBOOK",
        Zalo => "ZALO",
        Youtube => "YOUTUBE",
        /// farmstream's own player.
        InApp => "IN_APP",
    }
);

crate::stored_enum!(
    /// Where a show is in its life: scheduled → live → ended, or cancelled
    /// before going live.
    LivestreamStatus {
        Scheduled => "SCHEDULED",
        Live => "LIVE",
        Ended => "ENDED",
        Cancelled => "CANCELLED",
    }
);

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
