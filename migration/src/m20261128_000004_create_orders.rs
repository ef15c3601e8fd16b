//! Orders and payments: checkouts (with their idempotency keys), orders and
//! their items and history, carts, bank transfers, and each cooperative's
//! shipping policy.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
    ShippingFlatFeeVnd,
    ShippingFreeAboveVnd,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Checkouts {
    Table,
    Id,
    OwnerKey,
    IdempotencyKey,
    RequestHash,
    BuyerId,
    GuestPhone,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    Number,
    CheckoutId,
    CooperativeId,
    BuyerId,
    GuestPhone,
    Status,
    PaymentMethod,
    SubtotalVnd,
    ShippingFeeVnd,
    TotalVnd,
    RecipientName,
    Phone,
    Province,
    Ward,
    Street,
    Note,
    LivestreamId,
    BankBin,
    BankAccountNumber,
    BankAccountName,
    PaymentMemo,
    PaymentDueAt,
    PaidAt,
    RefundedAt,
    NeedsReview,
    ReviewNote,
    Carrier,
    TrackingNumber,
    CancelReason,
    PlacedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    Id,
    OrderId,
    VariantId,
    ProductId,
    ProductName,
    VariantName,
    UnitPriceVnd,
    Quantity,
    LineTotalVnd,
}

#[derive(DeriveIden)]
enum OrderEvents {
    Table,
    Id,
    OrderId,
    FromStatus,
    ToStatus,
    ActorId,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Carts {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CartItems {
    Table,
    CartId,
    VariantId,
    Quantity,
    AddedAt,
}

#[derive(DeriveIden)]
enum BankTransfers {
    Table,
    Id,
    TransactionId,
    AccountNumber,
    AmountVnd,
    Memo,
    OccurredAt,
    ReceivedAt,
    OrderId,
    Outcome,
    AssignedBy,
}

const STATUSES: [&str; 9] = [
    "PENDING_PAYMENT",
    "PAID",
    "CONFIRMED",
    "PACKED",
    "SHIPPED",
    "DELIVERED",
    "CANCELLED",
    "REFUND_PENDING",
    "REFUNDED",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(
        clippy::too_many_lines,
        reason = "a released migration: the order tables, statement by statement, kept as shipped"
    )]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .add_column(big_integer(Cooperatives::ShippingFlatFeeVnd).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .add_column(big_integer_null(Cooperatives::ShippingFreeAboveVnd))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Checkouts::Table)
                    .col(uuid(Checkouts::Id).primary_key())
                    .col(string_len(Checkouts::OwnerKey, 64))
                    .col(string_len(Checkouts::IdempotencyKey, 100))
                    .col(string_len(Checkouts::RequestHash, 64))
                    .col(uuid_null(Checkouts::BuyerId))
                    .col(string_len_null(Checkouts::GuestPhone, 16))
                    .col(timestamp_with_time_zone(Checkouts::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // One checkout per shopper and key: the idempotency guarantee.
        manager
            .create_index(
                Index::create()
                    .name("uq_checkouts_owner_key")
                    .table(Checkouts::Table)
                    .col(Checkouts::OwnerKey)
                    .col(Checkouts::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .col(uuid(Orders::Id).primary_key())
                    .col(string_len_uniq(Orders::Number, 16))
                    .col(uuid(Orders::CheckoutId))
                    .col(uuid(Orders::CooperativeId))
                    .col(uuid_null(Orders::BuyerId))
                    .col(string_len_null(Orders::GuestPhone, 16))
                    .col(string_len(Orders::Status, 16))
                    .col(string_len(Orders::PaymentMethod, 8))
                    .col(big_integer(Orders::SubtotalVnd))
                    .col(big_integer(Orders::ShippingFeeVnd))
                    .col(big_integer(Orders::TotalVnd))
                    .col(string_len(Orders::RecipientName, 100))
                    .col(string_len(Orders::Phone, 16))
                    .col(string_len(Orders::Province, 64))
                    .col(string_len(Orders::Ward, 100))
                    .col(string_len(Orders::Street, 200))
                    .col(string_len_null(Orders::Note, 500))
                    .col(uuid_null(Orders::LivestreamId))
                    .col(string_len_null(Orders::BankBin, 6))
                    .col(string_len_null(Orders::BankAccountNumber, 19))
                    .col(string_len_null(Orders::BankAccountName, 100))
                    .col(string_len_uniq(Orders::PaymentMemo, 16))
                    .col(timestamp_with_time_zone_null(Orders::PaymentDueAt))
                    .col(timestamp_with_time_zone_null(Orders::PaidAt))
                    .col(timestamp_with_time_zone_null(Orders::RefundedAt))
                    .col(boolean(Orders::NeedsReview).default(false))
                    .col(string_len_null(Orders::ReviewNote, 500))
                    .col(string_len_null(Orders::Carrier, 100))
                    .col(string_len_null(Orders::TrackingNumber, 100))
                    .col(string_len_null(Orders::CancelReason, 500))
                    .col(timestamp_with_time_zone(Orders::PlacedAt))
                    .col(timestamp_with_time_zone(Orders::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Orders::Table, Orders::CheckoutId)
                            .to(Checkouts::Table, Checkouts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Orders::Table, Orders::CooperativeId)
                            .to(Cooperatives::Table, Cooperatives::Id),
                    )
                    .check(Expr::col(Orders::Status).is_in(STATUSES))
                    .check(Expr::col(Orders::PaymentMethod).is_in(["VIETQR", "COD"]))
                    .check(Expr::col(Orders::SubtotalVnd).gte(0))
                    .check(Expr::col(Orders::ShippingFeeVnd).gte(0))
                    .check(Expr::col(Orders::TotalVnd).gte(0))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_orders_cooperative",
                vec![Orders::CooperativeId, Orders::Id],
            ),
            ("idx_orders_buyer", vec![Orders::BuyerId, Orders::Id]),
            ("idx_orders_checkout", vec![Orders::CheckoutId]),
            // The hold sweeper looks for unpaid orders past their due time.
            (
                "idx_orders_status_due",
                vec![Orders::Status, Orders::PaymentDueAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Orders::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(OrderItems::Table)
                    .col(uuid(OrderItems::Id).primary_key())
                    .col(uuid(OrderItems::OrderId))
                    .col(uuid(OrderItems::VariantId))
                    .col(uuid(OrderItems::ProductId))
                    .col(string_len(OrderItems::ProductName, 200))
                    .col(string_len(OrderItems::VariantName, 200))
                    .col(big_integer(OrderItems::UnitPriceVnd))
                    .col(integer(OrderItems::Quantity))
                    .col(big_integer(OrderItems::LineTotalVnd))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderItems::Table, OrderItems::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderItems::Table, OrderItems::VariantId)
                            .to(ProductVariants::Table, ProductVariants::Id),
                    )
                    .check(Expr::col(OrderItems::Quantity).gt(0))
                    .check(Expr::col(OrderItems::UnitPriceVnd).gt(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_items_order")
                    .table(OrderItems::Table)
                    .col(OrderItems::OrderId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderEvents::Table)
                    .col(uuid(OrderEvents::Id).primary_key())
                    .col(uuid(OrderEvents::OrderId))
                    .col(string_len_null(OrderEvents::FromStatus, 16))
                    .col(string_len(OrderEvents::ToStatus, 16))
                    .col(uuid_null(OrderEvents::ActorId))
                    .col(string_len_null(OrderEvents::Note, 500))
                    .col(timestamp_with_time_zone(OrderEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderEvents::Table, OrderEvents::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_events_order")
                    .table(OrderEvents::Table)
                    .col(OrderEvents::OrderId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Carts::Table)
                    .col(uuid(Carts::Id).primary_key())
                    .col(uuid_null(Carts::UserId).unique_key())
                    .col(string_len_null(Carts::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(Carts::CreatedAt))
                    .col(timestamp_with_time_zone(Carts::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CartItems::Table)
                    .col(uuid(CartItems::CartId))
                    .col(uuid(CartItems::VariantId))
                    .col(integer(CartItems::Quantity))
                    .col(timestamp_with_time_zone(CartItems::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(CartItems::CartId)
                            .col(CartItems::VariantId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CartItems::Table, CartItems::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CartItems::Table, CartItems::VariantId)
                            .to(ProductVariants::Table, ProductVariants::Id),
                    )
                    .check(Expr::col(CartItems::Quantity).gt(0))
                    .check(Expr::col(CartItems::Quantity).lte(1000))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BankTransfers::Table)
                    .col(uuid(BankTransfers::Id).primary_key())
                    .col(string_len_uniq(BankTransfers::TransactionId, 100))
                    .col(string_len(BankTransfers::AccountNumber, 32))
                    .col(big_integer(BankTransfers::AmountVnd))
                    .col(string_len(BankTransfers::Memo, 500))
                    .col(timestamp_with_time_zone(BankTransfers::OccurredAt))
                    .col(timestamp_with_time_zone(BankTransfers::ReceivedAt))
                    .col(uuid_null(BankTransfers::OrderId))
                    .col(string_len(BankTransfers::Outcome, 16))
                    .col(uuid_null(BankTransfers::AssignedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BankTransfers::Table, BankTransfers::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .check(Expr::col(BankTransfers::Outcome).is_in([
                        "PAID",
                        "UNDERPAID",
                        "OVERPAID",
                        "REVIEW",
                        "UNMATCHED",
                        "ASSIGNED",
                    ]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bank_transfers_outcome")
                    .table(BankTransfers::Table)
                    .col(BankTransfers::Outcome)
                    .col(BankTransfers::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BankTransfers::Table.into_iden(),
            CartItems::Table.into_iden(),
            Carts::Table.into_iden(),
            OrderEvents::Table.into_iden(),
            OrderItems::Table.into_iden(),
            Orders::Table.into_iden(),
            Checkouts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .drop_column(Cooperatives::ShippingFreeAboveVnd)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .drop_column(Cooperatives::ShippingFlatFeeVnd)
                    .to_owned(),
            )
            .await
    }
}
