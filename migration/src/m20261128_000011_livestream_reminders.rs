//! When the "starting in 15 minutes" reminder of a show went out, so that it
//! goes out once even with several server processes (the sweeper finds due
//! shows through `idx_livestreams_status_start`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Livestreams {
    Table,
    ReminderSentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Livestreams::Table)
                    .add_column(timestamp_with_time_zone_null(Livestreams::ReminderSentAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Livestreams::Table)
                    .drop_column(Livestreams::ReminderSentAt)
                    .to_owned(),
            )
            .await
    }
}
