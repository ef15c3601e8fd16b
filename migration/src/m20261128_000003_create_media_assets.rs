//! Media assets: objects in S3-compatible storage, each owned by one
//! cooperative.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MediaAssets {
    Table,
    Id,
    CooperativeId,
    Purpose,
    Status,
    ObjectKey,
    ContentType,
    ByteSize,
    ChecksumSha256,
    Width,
    Height,
    RenditionWidths,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    ConfirmedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MediaAssets::Table)
                    .col(uuid(MediaAssets::Id).primary_key())
                    .col(uuid(MediaAssets::CooperativeId))
                    .col(string_len(MediaAssets::Purpose, 32))
                    .col(string_len(MediaAssets::Status, 16))
                    .col(string_len_uniq(MediaAssets::ObjectKey, 200))
                    .col(string_len(MediaAssets::ContentType, 100))
                    .col(big_integer(MediaAssets::ByteSize))
                    .col(string_len_null(MediaAssets::ChecksumSha256, 64))
                    .col(integer_null(MediaAssets::Width))
                    .col(integer_null(MediaAssets::Height))
                    .col(string_len(MediaAssets::RenditionWidths, 64).default(""))
                    .col(uuid(MediaAssets::CreatedBy))
                    .col(timestamp_with_time_zone(MediaAssets::CreatedAt))
                    .col(timestamp_with_time_zone(MediaAssets::UpdatedAt))
                    .col(timestamp_with_time_zone_null(MediaAssets::ConfirmedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MediaAssets::Table, MediaAssets::CooperativeId)
                            .to(Cooperatives::Table, Cooperatives::Id),
                    )
                    .check(Expr::col(MediaAssets::Purpose).is_in([
                        "PRODUCT_IMAGE",
                        "COOPERATIVE_LOGO",
                        "COOPERATIVE_COVER",
                        "ORIGIN_STORY_IMAGE",
                        "LOT_IMAGE",
                        "PRODUCT_VIDEO",
                        "LIVESTREAM_REPLAY",
                        "CERTIFICATE_DOCUMENT",
                    ]))
                    .check(Expr::col(MediaAssets::Status).is_in([
                        "PENDING",
                        "READY",
                        "DELETING",
                        "DELETE_FAILED",
                    ]))
                    .check(Expr::col(MediaAssets::ByteSize).gt(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_media_assets_cooperative")
                    .table(MediaAssets::Table)
                    .col(MediaAssets::CooperativeId)
                    .to_owned(),
            )
            .await?;
        // The sweeper looks for old PENDING rows.
        manager
            .create_index(
                Index::create()
                    .name("idx_media_assets_status_created")
                    .table(MediaAssets::Table)
                    .col(MediaAssets::Status)
                    .col(MediaAssets::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MediaAssets::Table).to_owned())
            .await
    }
}
