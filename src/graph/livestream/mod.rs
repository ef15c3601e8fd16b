//! The GraphQL face of livestreams: shows, flash deals, their events and
//! the real-time subscriptions.

pub mod feed;

pub use feed::{FeedExecution, Replay};
