//! One table for every throttle of guessing (logins per e-mail address,
//! guest order look-ups per order number and per client address), in place
//! of `login_throttles`: a row counts the attempts at one subject within a
//! window, and an attempt is counted by one conditional upsert before it is
//! checked, so concurrent attempts cannot slip past the limit.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AttemptThrottles {
    Table,
    Scope,
    Subject,
    Attempts,
    WindowEndsAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Email,
    Failures,
    LockedUntil,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AttemptThrottles::Table)
                    .col(string_len(AttemptThrottles::Scope, 32))
                    .col(string_len(AttemptThrottles::Subject, 254))
                    .col(integer(AttemptThrottles::Attempts).default(0))
                    .col(timestamp_with_time_zone(AttemptThrottles::WindowEndsAt))
                    .col(timestamp_with_time_zone(AttemptThrottles::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(AttemptThrottles::Scope)
                            .col(AttemptThrottles::Subject),
                    )
                    .check(Expr::col(AttemptThrottles::Attempts).gte(0))
                    .to_owned(),
            )
            .await?;
        // The purge deletes rows whose window is over.
        manager
            .create_index(
                Index::create()
                    .name("idx_attempt_throttles_window_ends_at")
                    .table(AttemptThrottles::Table)
                    .col(AttemptThrottles::WindowEndsAt)
                    .to_owned(),
            )
            .await?;
        // Counts of the old table are a quarter of an hour's worth at most:
        // nothing worth carrying over.
        manager
            .drop_table(Table::drop().table(LoginThrottles::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottles::Table)
                    .col(string_len(LoginThrottles::Email, 254).primary_key())
                    .col(integer(LoginThrottles::Failures).default(0))
                    .col(timestamp_with_time_zone_null(LoginThrottles::LockedUntil))
                    .col(timestamp_with_time_zone(LoginThrottles::UpdatedAt))
                    .check(Expr::col(LoginThrottles::Failures).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(AttemptThrottles::Table).to_owned())
            .await
    }
}
