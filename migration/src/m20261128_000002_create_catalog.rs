//! Cooperatives, membership, products and variants, the stock ledger, origin
//! stories, lots and certifications.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
    Name,
    Slug,
    Province,
    Ward,
    Street,
    Area,
    Description,
    Phone,
    Email,
    BankBin,
    BankAccountNumber,
    BankAccountName,
    LogoAssetId,
    CoverAssetId,
    VerifiedAt,
    VerifiedBy,
    SearchText,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CooperativeMembers {
    Table,
    CooperativeId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SlugHistory {
    Table,
    Kind,
    Slug,
    TargetId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    CooperativeId,
    Name,
    Slug,
    Description,
    Category,
    Status,
    HarvestMonths,
    Tags,
    SearchName,
    SearchText,
    MinPriceVnd,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
    ProductId,
    CooperativeId,
    Name,
    Sku,
    Unit,
    NetQuantity,
    PriceVnd,
    CompareAtPriceVnd,
    Stock,
    Position,
    RemovedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StockMovements {
    Table,
    Id,
    VariantId,
    Delta,
    StockAfter,
    Kind,
    Reason,
    ActorId,
    OrderId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OriginStories {
    Table,
    ProductId,
    FarmName,
    GrowerName,
    Province,
    Commune,
    Area,
    Latitude,
    Longitude,
    AltitudeM,
    CultivationPractice,
    HarvestSeason,
    Story,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Lots {
    Table,
    Id,
    Code,
    ProductId,
    VariantId,
    CooperativeId,
    HarvestedOn,
    Quantity,
    Unit,
    Plot,
    Notes,
    ScanCount,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Certifications {
    Table,
    Id,
    CooperativeId,
    Kind,
    Stars,
    Issuer,
    Number,
    ValidFrom,
    ValidUntil,
    Scope,
    ProductId,
    LotId,
    DocumentAssetId,
    RevokedAt,
    CreatedAt,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    cascade: bool,
) -> ForeignKeyCreateStatement {
    let mut fk = ForeignKey::create();
    fk.from(from.0, from.1).to(to.0, to.1);
    if cascade {
        fk.on_delete(ForeignKeyAction::Cascade);
    }
    fk.to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(
        clippy::too_many_lines,
        reason = "a released migration: the catalog tables, statement by statement, kept as shipped"
    )]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cooperatives::Table)
                    .col(uuid(Cooperatives::Id).primary_key())
                    .col(string_len(Cooperatives::Name, 200))
                    .col(string_len_uniq(Cooperatives::Slug, 100))
                    .col(string_len(Cooperatives::Province, 64))
                    .col(string_len(Cooperatives::Ward, 100))
                    .col(string_len_null(Cooperatives::Street, 200))
                    .col(string_len_null(Cooperatives::Area, 100))
                    .col(text(Cooperatives::Description))
                    .col(string_len_null(Cooperatives::Phone, 20))
                    .col(string_len_null(Cooperatives::Email, 254))
                    .col(string_len_null(Cooperatives::BankBin, 6))
                    .col(string_len_null(Cooperatives::BankAccountNumber, 19))
                    .col(string_len_null(Cooperatives::BankAccountName, 100))
                    .col(uuid_null(Cooperatives::LogoAssetId))
                    .col(uuid_null(Cooperatives::CoverAssetId))
                    .col(timestamp_with_time_zone_null(Cooperatives::VerifiedAt))
                    .col(uuid_null(Cooperatives::VerifiedBy))
                    .col(text(Cooperatives::SearchText))
                    .col(timestamp_with_time_zone(Cooperatives::CreatedAt))
                    .col(timestamp_with_time_zone(Cooperatives::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CooperativeMembers::Table)
                    .col(uuid(CooperativeMembers::CooperativeId))
                    .col(uuid(CooperativeMembers::UserId))
                    .col(string_len(CooperativeMembers::Role, 16))
                    .col(timestamp_with_time_zone(CooperativeMembers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(CooperativeMembers::CooperativeId)
                            .col(CooperativeMembers::UserId),
                    )
                    .foreign_key(&mut fk(
                        (CooperativeMembers::Table, CooperativeMembers::CooperativeId),
                        (Cooperatives::Table, Cooperatives::Id),
                        true,
                    ))
                    .foreign_key(&mut fk(
                        (CooperativeMembers::Table, CooperativeMembers::UserId),
                        (Users::Table, Users::Id),
                        true,
                    ))
                    .check(Expr::col(CooperativeMembers::Role).is_in(["OWNER", "MANAGER", "STAFF"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_cooperative_members_user",
                CooperativeMembers::Table,
                &["user_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SlugHistory::Table)
                    .col(string_len(SlugHistory::Kind, 16))
                    .col(string_len(SlugHistory::Slug, 100))
                    .col(uuid(SlugHistory::TargetId))
                    .col(timestamp_with_time_zone(SlugHistory::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(SlugHistory::Kind)
                            .col(SlugHistory::Slug),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(uuid(Products::Id).primary_key())
                    .col(uuid(Products::CooperativeId))
                    .col(string_len(Products::Name, 200))
                    .col(string_len_uniq(Products::Slug, 100))
                    .col(text(Products::Description))
                    .col(string_len(Products::Category, 32))
                    .col(string_len(Products::Status, 16))
                    .col(string_len(Products::HarvestMonths, 40))
                    .col(text(Products::Tags))
                    .col(text(Products::SearchName))
                    .col(text(Products::SearchText))
                    .col(big_integer_null(Products::MinPriceVnd))
                    .col(timestamp_with_time_zone(Products::CreatedAt))
                    .col(timestamp_with_time_zone(Products::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Products::Table, Products::CooperativeId),
                        (Cooperatives::Table, Cooperatives::Id),
                        false,
                    ))
                    .check(Expr::col(Products::Status).is_in(["DRAFT", "ACTIVE", "ARCHIVED"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_products_cooperative",
                Products::Table,
                &["cooperative_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_products_status_price",
                Products::Table,
                &["status", "min_price_vnd", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProductVariants::Table)
                    .col(uuid(ProductVariants::Id).primary_key())
                    .col(uuid(ProductVariants::ProductId))
                    .col(uuid(ProductVariants::CooperativeId))
                    .col(string_len(ProductVariants::Name, 200))
                    .col(string_len(ProductVariants::Sku, 64))
                    .col(string_len(ProductVariants::Unit, 16))
                    .col(double(ProductVariants::NetQuantity))
                    .col(big_integer(ProductVariants::PriceVnd))
                    .col(big_integer_null(ProductVariants::CompareAtPriceVnd))
                    .col(integer(ProductVariants::Stock))
                    .col(integer(ProductVariants::Position))
                    .col(timestamp_with_time_zone_null(ProductVariants::RemovedAt))
                    .col(timestamp_with_time_zone(ProductVariants::CreatedAt))
                    .col(timestamp_with_time_zone(ProductVariants::UpdatedAt))
                    .foreign_key(&mut fk(
                        (ProductVariants::Table, ProductVariants::ProductId),
                        (Products::Table, Products::Id),
                        false,
                    ))
                    .check(Expr::col(ProductVariants::Stock).gte(0))
                    .check(Expr::col(ProductVariants::PriceVnd).gt(0))
                    .check(Expr::col(ProductVariants::NetQuantity).gt(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "uq_product_variants_sku",
                    ProductVariants::Table,
                    &["cooperative_id", "sku"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_product_variants_product",
                ProductVariants::Table,
                &["product_id", "position"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StockMovements::Table)
                    .col(uuid(StockMovements::Id).primary_key())
                    .col(uuid(StockMovements::VariantId))
                    .col(integer(StockMovements::Delta))
                    .col(integer(StockMovements::StockAfter))
                    .col(string_len(StockMovements::Kind, 16))
                    .col(string_len_null(StockMovements::Reason, 500))
                    .col(uuid_null(StockMovements::ActorId))
                    .col(uuid_null(StockMovements::OrderId))
                    .col(timestamp_with_time_zone(StockMovements::CreatedAt))
                    .foreign_key(&mut fk(
                        (StockMovements::Table, StockMovements::VariantId),
                        (ProductVariants::Table, ProductVariants::Id),
                        false,
                    ))
                    .check(Expr::col(StockMovements::StockAfter).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_stock_movements_variant",
                StockMovements::Table,
                &["variant_id", "created_at"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OriginStories::Table)
                    .col(uuid(OriginStories::ProductId).primary_key())
                    .col(string_len(OriginStories::FarmName, 200))
                    .col(string_len_null(OriginStories::GrowerName, 200))
                    .col(string_len(OriginStories::Province, 64))
                    .col(string_len_null(OriginStories::Commune, 100))
                    .col(string_len_null(OriginStories::Area, 100))
                    .col(double_null(OriginStories::Latitude))
                    .col(double_null(OriginStories::Longitude))
                    .col(integer_null(OriginStories::AltitudeM))
                    .col(text_null(OriginStories::CultivationPractice))
                    .col(string_len_null(OriginStories::HarvestSeason, 200))
                    .col(text(OriginStories::Story))
                    .col(timestamp_with_time_zone(OriginStories::UpdatedAt))
                    .foreign_key(&mut fk(
                        (OriginStories::Table, OriginStories::ProductId),
                        (Products::Table, Products::Id),
                        true,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Lots::Table)
                    .col(uuid(Lots::Id).primary_key())
                    .col(string_len_uniq(Lots::Code, 20))
                    .col(uuid(Lots::ProductId))
                    .col(uuid_null(Lots::VariantId))
                    .col(uuid(Lots::CooperativeId))
                    .col(date(Lots::HarvestedOn))
                    .col(double(Lots::Quantity))
                    .col(string_len(Lots::Unit, 16))
                    .col(string_len_null(Lots::Plot, 200))
                    .col(text_null(Lots::Notes))
                    .col(big_integer(Lots::ScanCount).default(0))
                    .col(timestamp_with_time_zone(Lots::CreatedAt))
                    .foreign_key(&mut fk(
                        (Lots::Table, Lots::ProductId),
                        (Products::Table, Products::Id),
                        false,
                    ))
                    .check(Expr::col(Lots::Quantity).gt(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_lots_product",
                Lots::Table,
                &["product_id", "harvested_on"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Certifications::Table)
                    .col(uuid(Certifications::Id).primary_key())
                    .col(uuid(Certifications::CooperativeId))
                    .col(string_len(Certifications::Kind, 16))
                    .col(integer_null(Certifications::Stars))
                    .col(string_len(Certifications::Issuer, 200))
                    .col(string_len(Certifications::Number, 100))
                    .col(date(Certifications::ValidFrom))
                    .col(date(Certifications::ValidUntil))
                    .col(string_len(Certifications::Scope, 16))
                    .col(uuid_null(Certifications::ProductId))
                    .col(uuid_null(Certifications::LotId))
                    .col(uuid_null(Certifications::DocumentAssetId))
                    .col(timestamp_with_time_zone_null(Certifications::RevokedAt))
                    .col(timestamp_with_time_zone(Certifications::CreatedAt))
                    .foreign_key(&mut fk(
                        (Certifications::Table, Certifications::CooperativeId),
                        (Cooperatives::Table, Cooperatives::Id),
                        false,
                    ))
                    .check(
                        Expr::col(Certifications::ValidUntil)
                            .gte(Expr::col(Certifications::ValidFrom)),
                    )
                    .check(Expr::col(Certifications::Scope).is_in([
                        "COOPERATIVE",
                        "PRODUCT",
                        "LOT",
                    ]))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_certifications_cooperative", "cooperative_id"),
            ("idx_certifications_product", "product_id"),
            ("idx_certifications_lot", "lot_id"),
        ] {
            manager
                .create_index(index(name, Certifications::Table, &[col]))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Certifications::Table.into_iden(),
            Lots::Table.into_iden(),
            OriginStories::Table.into_iden(),
            StockMovements::Table.into_iden(),
            ProductVariants::Table.into_iden(),
            Products::Table.into_iden(),
            SlugHistory::Table.into_iden(),
            CooperativeMembers::Table.into_iden(),
            Cooperatives::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
