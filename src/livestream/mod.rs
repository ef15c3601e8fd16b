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

pub use entity::enums::{FlashDealCloseReason, LivestreamStatus, Platform};
