//! Galleries: the assets shown with a product, an origin story or a lot.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MediaAttachments {
    Table,
    Id,
    CooperativeId,
    TargetKind,
    TargetId,
    AssetId,
    Position,
    AltText,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MediaAssets {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MediaAttachments::Table)
                    .col(uuid(MediaAttachments::Id).primary_key())
                    .col(uuid(MediaAttachments::CooperativeId))
                    .col(string_len(MediaAttachments::TargetKind, 16))
                    .col(uuid(MediaAttachments::TargetId))
                    .col(uuid(MediaAttachments::AssetId))
                    .col(integer(MediaAttachments::Position))
                    .col(string_len_null(MediaAttachments::AltText, 300))
                    .col(timestamp_with_time_zone(MediaAttachments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MediaAttachments::Table, MediaAttachments::AssetId)
                            .to(MediaAssets::Table, MediaAssets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::col(MediaAttachments::TargetKind).is_in([
                        "PRODUCT",
                        "ORIGIN_STORY",
                        "LOT",
                    ]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_media_attachments_target_asset")
                    .table(MediaAttachments::Table)
                    .col(MediaAttachments::TargetKind)
                    .col(MediaAttachments::TargetId)
                    .col(MediaAttachments::AssetId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_media_attachments_asset")
                    .table(MediaAttachments::Table)
                    .col(MediaAttachments::AssetId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MediaAttachments::Table).to_owned())
            .await
    }
}
