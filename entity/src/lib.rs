//! SeaORM entities of farmstream: one module per table, nothing else.
//!
//! These structs mirror the database; they carry no GraphQL derives. The app
//! converts them into its own GraphQL types so that a column never leaks by
//! accident and the schema can change without a migration.

pub mod attendance;
pub mod bank_transfer;
pub mod cart;
pub mod cart_item;
pub mod certification;
pub mod checkout;
pub mod cooperative;
pub mod cooperative_member;
pub mod course;
pub mod course_organiser;
pub mod enrolment;
pub mod enums;
pub mod flash_deal;
pub mod flash_deal_claim;
pub mod follow;
pub mod livestream;
pub mod livestream_product;
pub mod lot;
pub mod media_asset;
pub mod media_attachment;
pub mod order;
pub mod order_event;
pub mod order_item;
pub mod origin_story;
pub mod participant;
pub mod product;
pub mod product_variant;
pub mod refresh_token;
pub mod slug_history;
pub mod stock_movement;
pub mod training_certificate;
pub mod training_session;
pub mod user;
pub mod user_role;
