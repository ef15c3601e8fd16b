//! The GraphQL face of livestreams: shows, flash deals and their stats,
//! the queries and mutations over `livestream::service`, a show's events
//! and the real-time subscriptions, and the DataLoaders of their relations.

pub mod enums;
pub mod feed;
pub mod loaders;
pub mod objects;
pub mod realtime;
pub mod resolvers;
pub mod show_events;

pub use enums::{FlashDealCloseReason, FlashDealStatus, LivestreamStatus, Platform};
pub use feed::{FeedExecution, Replay};
pub use loaders::{
    CurrentShowsByCooperative, CurrentShowsByProduct, FirstShowsByCooperative, FlashDealLoader,
    FlashDealsByLivestream, LineupLoader, LivestreamLoader, SalesByShow,
};
pub use objects::{
    FlashDeal, Livestream, LivestreamFilterInput, LivestreamStats, OpenFlashDealInput,
    ProductSalesView, ScheduleLivestreamInput, UpdateLivestreamInput,
};
pub use realtime::{LivestreamSubscription, Notification, NotificationKind, OrderUpdate};
pub use resolvers::{LivestreamMutation, LivestreamQuery, cooperative_shows};
pub use show_events::LivestreamEvent;
