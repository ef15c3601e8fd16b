//! Payments: VietQR payloads and pictures for orders, the signed bank
//! webhook that marks them paid, and the transfers staff must sort out.
//! This floor reads orders (and changes them through
//! [`crate::orders::service`]); orders never read it.

pub mod service;
pub mod vietqr;
pub mod webhook;

pub use entity::enums::TransferOutcome;
