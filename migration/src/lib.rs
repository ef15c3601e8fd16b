//! Database migrations of farmstream, applied in order on start-up
//! (`farmstream migrate` applies them alone). Each one runs on SQLite and on
//! PostgreSQL; invariants live in the schema too (unique keys, checks).

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_auth_tables;
mod m20261128_000002_create_catalog;
mod m20261128_000003_create_media_assets;
mod m20261128_000004_create_orders;
mod m20261128_000005_create_training;
mod m20261128_000006_create_media_attachments;
mod m20261128_000007_create_livestreams;
mod m20261128_000008_index_product_listing;
mod m20261128_000009_create_follows;
mod m20261128_000010_flash_deals;
mod m20261128_000011_livestream_reminders;
mod m20261128_000012_index_order_sales;
mod m20261203_120000_training_enrolment_copies;
mod m20261203_130000_create_attempt_throttles;
mod m20261203_140000_product_lists_as_json;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_auth_tables::Migration),
            Box::new(m20261128_000002_create_catalog::Migration),
            Box::new(m20261128_000003_create_media_assets::Migration),
            Box::new(m20261128_000004_create_orders::Migration),
            Box::new(m20261128_000006_create_media_attachments::Migration),
            Box::new(m20261128_000007_create_livestreams::Migration),
            Box::new(m20261128_000005_create_training::Migration),
            Box::new(m20261128_000008_index_product_listing::Migration),
            Box::new(m20261128_000009_create_follows::Migration),
            Box::new(m20261128_000010_flash_deals::Migration),
            Box::new(m20261128_000011_livestream_reminders::Migration),
            Box::new(m20261128_000012_index_order_sales::Migration),
            Box::new(m20261203_120000_training_enrolment_copies::Migration),
            Box::new(m20261203_130000_create_attempt_throttles::Migration),
            Box::new(m20261203_140000_product_lists_as_json::Migration),
        ]
    }
}
