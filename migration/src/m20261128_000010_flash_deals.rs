//! Flash deals: a live-only price on a variant, with its units held out of
//! stock for the show; per-buyer claims; and the deal an order line came from.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FlashDeals {
    Table,
    Id,
    LivestreamId,
    CooperativeId,
    ProductId,
    VariantId,
    PriceVnd,
    NormalPriceVnd,
    Quantity,
    Remaining,
    PerBuyerLimit,
    OpenedAt,
    EndsAt,
    ClosedAt,
    CloseReason,
    ReturnedQuantity,
    OpenedBy,
    ClosedBy,
}

#[derive(DeriveIden)]
enum FlashDealClaims {
    Table,
    DealId,
    BuyerKey,
    Quantity,
    PerBuyerLimit,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    FlashDealId,
}

#[derive(DeriveIden)]
enum Livestreams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(
        clippy::too_many_lines,
        reason = "a released migration: the flash-deal tables, statement by statement, kept as shipped"
    )]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FlashDeals::Table)
                    .col(uuid(FlashDeals::Id).primary_key())
                    .col(uuid(FlashDeals::LivestreamId))
                    .col(uuid(FlashDeals::CooperativeId))
                    .col(uuid(FlashDeals::ProductId))
                    .col(uuid(FlashDeals::VariantId))
                    .col(big_integer(FlashDeals::PriceVnd))
                    .col(big_integer(FlashDeals::NormalPriceVnd))
                    .col(integer(FlashDeals::Quantity))
                    .col(integer(FlashDeals::Remaining))
                    .col(integer(FlashDeals::PerBuyerLimit))
                    .col(timestamp_with_time_zone(FlashDeals::OpenedAt))
                    .col(timestamp_with_time_zone(FlashDeals::EndsAt))
                    .col(timestamp_with_time_zone_null(FlashDeals::ClosedAt))
                    .col(string_len_null(FlashDeals::CloseReason, 16))
                    .col(integer_null(FlashDeals::ReturnedQuantity))
                    .col(uuid_null(FlashDeals::OpenedBy))
                    .col(uuid_null(FlashDeals::ClosedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FlashDeals::Table, FlashDeals::LivestreamId)
                            .to(Livestreams::Table, Livestreams::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FlashDeals::Table, FlashDeals::VariantId)
                            .to(ProductVariants::Table, ProductVariants::Id),
                    )
                    .check(Expr::col(FlashDeals::PriceVnd).gt(0))
                    .check(
                        Expr::col(FlashDeals::PriceVnd).lt(Expr::col(FlashDeals::NormalPriceVnd)),
                    )
                    .check(Expr::col(FlashDeals::Quantity).gt(0))
                    .check(Expr::col(FlashDeals::Remaining).gte(0))
                    .check(Expr::col(FlashDeals::Remaining).lte(Expr::col(FlashDeals::Quantity)))
                    .check(Expr::col(FlashDeals::PerBuyerLimit).gt(0))
                    .check(Expr::col(FlashDeals::EndsAt).gt(Expr::col(FlashDeals::OpenedAt)))
                    .check(Expr::col(FlashDeals::CloseReason).is_null().or(
                        Expr::col(FlashDeals::CloseReason).is_in([
                            "CLOSED_BY_STAFF",
                            "EXPIRED",
                            "LIVESTREAM_ENDED",
                        ]),
                    ))
                    // A closed deal holds nothing: what it had went back to stock.
                    .check(
                        Expr::col(FlashDeals::ClosedAt)
                            .is_null()
                            .or(Expr::col(FlashDeals::Remaining).eq(0)),
                    )
                    .to_owned(),
            )
            .await?;
        // At most one open deal per variant per show.
        manager
            .create_index(
                Index::create()
                    .name("ux_flash_deals_open_variant")
                    .table(FlashDeals::Table)
                    .col(FlashDeals::LivestreamId)
                    .col(FlashDeals::VariantId)
                    .unique()
                    .and_where(Expr::col(FlashDeals::ClosedAt).is_null())
                    .to_owned(),
            )
            .await?;
        // The sweeper's question: which open deals ran out of time?
        manager
            .create_index(
                Index::create()
                    .name("idx_flash_deals_open_ends_at")
                    .table(FlashDeals::Table)
                    .col(FlashDeals::EndsAt)
                    .and_where(Expr::col(FlashDeals::ClosedAt).is_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_flash_deals_livestream")
                    .table(FlashDeals::Table)
                    .col(FlashDeals::LivestreamId)
                    .col(FlashDeals::OpenedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FlashDealClaims::Table)
                    .col(uuid(FlashDealClaims::DealId))
                    .col(string_len(FlashDealClaims::BuyerKey, 80))
                    .col(integer(FlashDealClaims::Quantity))
                    .col(integer(FlashDealClaims::PerBuyerLimit))
                    .col(timestamp_with_time_zone(FlashDealClaims::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(FlashDealClaims::DealId)
                            .col(FlashDealClaims::BuyerKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FlashDealClaims::Table, FlashDealClaims::DealId)
                            .to(FlashDeals::Table, FlashDeals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::col(FlashDealClaims::Quantity).gte(0))
                    .check(
                        Expr::col(FlashDealClaims::Quantity)
                            .lte(Expr::col(FlashDealClaims::PerBuyerLimit)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrderItems::Table)
                    .add_column(uuid_null(OrderItems::FlashDealId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_items_flash_deal")
                    .table(OrderItems::Table)
                    .col(OrderItems::FlashDealId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_order_items_flash_deal")
                    .table(OrderItems::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrderItems::Table)
                    .drop_column(OrderItems::FlashDealId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(FlashDealClaims::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(FlashDeals::Table).to_owned())
            .await
    }
}
