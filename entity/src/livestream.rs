//! A cooperative's selling show on a platform.

use sea_orm::entity::prelude::*;

/// A row of `livestreams`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "livestreams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cooperative_id: Uuid,
    pub title: String,
    pub description: String,
    /// `TIKTOK`, `FACEBOOK`, `ZALO`, `YOUTUBE` or `IN_APP`.
    pub platform: crate::enums::Platform,
    pub stream_url: Option<String>,
    pub host_name: String,
    pub scheduled_start_at: DateTimeUtc,
    /// `SCHEDULED`, `LIVE`, `ENDED` or `CANCELLED`.
    pub status: crate::enums::LivestreamStatus,
    pub started_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub pinned_product_id: Option<Uuid>,
    pub replay_asset_id: Option<Uuid>,
    pub replay_url: Option<String>,
    pub peak_viewers: i32,
    /// When followers were told the show starts in 15 minutes.
    pub reminder_sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
