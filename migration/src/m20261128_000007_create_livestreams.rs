//! Livestream sessions and their lineups.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Livestreams {
    Table,
    Id,
    CooperativeId,
    Title,
    Description,
    Platform,
    StreamUrl,
    HostName,
    ScheduledStartAt,
    Status,
    StartedAt,
    EndedAt,
    PinnedProductId,
    ReplayAssetId,
    ReplayUrl,
    PeakViewers,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LivestreamProducts {
    Table,
    LivestreamId,
    ProductId,
    Position,
}

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Livestreams::Table)
                    .col(uuid(Livestreams::Id).primary_key())
                    .col(uuid(Livestreams::CooperativeId))
                    .col(string_len(Livestreams::Title, 200))
                    .col(text(Livestreams::Description))
                    .col(string_len(Livestreams::Platform, 16))
                    .col(string_len_null(Livestreams::StreamUrl, 500))
                    .col(string_len(Livestreams::HostName, 100))
                    .col(timestamp_with_time_zone(Livestreams::ScheduledStartAt))
                    .col(string_len(Livestreams::Status, 16))
                    .col(timestamp_with_time_zone_null(Livestreams::StartedAt))
                    .col(timestamp_with_time_zone_null(Livestreams::EndedAt))
                    .col(uuid_null(Livestreams::PinnedProductId))
                    .col(uuid_null(Livestreams::ReplayAssetId))
                    .col(string_len_null(Livestreams::ReplayUrl, 500))
                    .col(integer(Livestreams::PeakViewers).default(0))
                    .col(timestamp_with_time_zone(Livestreams::CreatedAt))
                    .col(timestamp_with_time_zone(Livestreams::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Livestreams::Table, Livestreams::CooperativeId)
                            .to(Cooperatives::Table, Cooperatives::Id),
                    )
                    .check(Expr::col(Livestreams::Status).is_in([
                        "SCHEDULED",
                        "LIVE",
                        "ENDED",
                        "CANCELLED",
                    ]))
                    .check(
                        Expr::col(Livestreams::Platform)
                            .is_in(["TIKTOK", "FACEBOOK", "ZALO", "YOUTUBE", "IN_APP"]),
                    )
                    .check(Expr::col(Livestreams::PeakViewers).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_livestreams_status_start")
                    .table(Livestreams::Table)
                    .col(Livestreams::Status)
                    .col(Livestreams::ScheduledStartAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_livestreams_cooperative")
                    .table(Livestreams::Table)
                    .col(Livestreams::CooperativeId)
                    .col(Livestreams::ScheduledStartAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LivestreamProducts::Table)
                    .col(uuid(LivestreamProducts::LivestreamId))
                    .col(uuid(LivestreamProducts::ProductId))
                    .col(integer(LivestreamProducts::Position))
                    .primary_key(
                        Index::create()
                            .col(LivestreamProducts::LivestreamId)
                            .col(LivestreamProducts::ProductId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LivestreamProducts::Table, LivestreamProducts::LivestreamId)
                            .to(Livestreams::Table, Livestreams::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LivestreamProducts::Table, LivestreamProducts::ProductId)
                            .to(Products::Table, Products::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_livestream_products_product")
                    .table(LivestreamProducts::Table)
                    .col(LivestreamProducts::ProductId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LivestreamProducts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Livestreams::Table).to_owned())
            .await
    }
}
