//! A covering index for sales over time per cooperative: training outcomes
//! (orders and revenue before and after a course) and a cooperative's sales
//! over a date range read only this index, not the wide order rows.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_orders_cooperative_placed";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Alias::new("orders"))
                    .col(Alias::new("cooperative_id"))
                    .col(Alias::new("placed_at"))
                    .col(Alias::new("status"))
                    .col(Alias::new("subtotal_vnd"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(Alias::new("orders"))
                    .to_owned(),
            )
            .await
    }
}
