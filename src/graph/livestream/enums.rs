//! Livestreams' enums as the API spells them: mirrors of the domain's, and
//! a flash deal's status, which only the API shows.

use async_graphql::Enum;

/// Why a flash deal closed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::livestream::FlashDealCloseReason")]
pub enum FlashDealCloseReason {
    /// Staff closed it (`closeFlashDeal`).
    ClosedByStaff,
    /// Its time ran out.
    Expired,
    /// The show ended.
    LivestreamEnded,
}

/// Whether shoppers can buy at a flash deal's price now.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashDealStatus {
    /// Open and within its time (it may have no units left).
    Open,
    /// Closed, or past its end time.
    Closed,
}

/// Where a show is streamed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::livestream::Platform")]
pub enum Platform {
    Tiktok,
    Facebook,
    Zalo,
    Youtube,
    /// farmstream's own player.
    InApp,
}

/// Where a show is in its life: scheduled → live → ended, or cancelled
/// before going live.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::livestream::LivestreamStatus")]
pub enum LivestreamStatus {
    Scheduled,
    Live,
    Ended,
    Cancelled,
}
