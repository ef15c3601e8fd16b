//! Livestream selling: a cooperative's shows on TikTok, Facebook, Zalo,
//! YouTube or our own player, their lineup of products and the product
//! pinned now. (Flash deals, real-time events and sales per session build on
//! this module and on orders.)

pub mod follows;
pub mod loaders;
pub mod realtime;
pub mod reminders;
pub mod resolvers;
pub mod service;
pub mod stats;
pub mod types;

crate::typed_id!(
    /// The public id of a livestream session.
    LivestreamId,
    "livestream"
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
