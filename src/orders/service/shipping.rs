//! Shipping fees: a flat fee per order, free above a threshold.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use entity::cooperative;

use crate::auth::Viewer;
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::CooperativeId;

/// The most a flat shipping fee or free-shipping threshold may be.
pub const MAX_SHIPPING_VND: i64 = 100_000_000;

/// The shipping fee of a cooperative's order with `subtotal`.
pub fn shipping_fee(coop: &cooperative::Model, subtotal: i64) -> i64 {
    match coop.shipping_free_above_vnd {
        Some(free_above) if subtotal >= free_above => 0,
        _ => coop.shipping_flat_fee_vnd,
    }
}

/// Sets a cooperative's shipping policy: a flat fee per order, waived at or
/// above `free_above`; managers and owners only.
pub async fn set_shipping_policy(
    db: &Db,
    viewer: &Viewer,
    coop: CooperativeId,
    flat_fee: i64,
    free_above: Option<i64>,
) -> AppResult<cooperative::Model> {
    require_member(db, viewer, coop, MemberRole::Manager).await?;
    if !(0..=MAX_SHIPPING_VND).contains(&flat_fee) {
        return Err(AppError::invalid(
            "flatFeeVnd",
            "must be between 0 and 100,000,000 đồng",
        ));
    }
    if free_above.is_some_and(|f| !(1..=MAX_SHIPPING_VND).contains(&f)) {
        return Err(AppError::invalid(
            "freeAboveVnd",
            "must be between 1 and 100,000,000 đồng (or null: never free)",
        ));
    }
    db.write(async |txn| -> AppResult<_> {
        cooperative::Entity::update_many()
            .col_expr(
                cooperative::Column::ShippingFlatFeeVnd,
                Expr::value(flat_fee),
            )
            .col_expr(
                cooperative::Column::ShippingFreeAboveVnd,
                Expr::value(free_above),
            )
            .col_expr(cooperative::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(cooperative::Column::Id.eq(coop.uuid()))
            .exec(&**txn)
            .await?;
        Ok(())
    })
    .await?;
    crate::cooperatives::service::find(db, coop)
        .await?
        .ok_or_else(|| AppError::not_found("cooperative"))
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn coop(flat: i64, free_above: Option<i64>) -> cooperative::Model {
        let now = Utc::now();
        cooperative::Model {
            id: Uuid::nil(),
            name: "HTX".into(),
            slug: "htx".into(),
            province: "Sơn La".into(),
            ward: "Xã".into(),
            street: None,
            area: None,
            description: String::new(),
            phone: None,
            email: None,
            bank_bin: None,
            bank_account_number: None,
            bank_account_name: None,
            logo_asset_id: None,
            cover_asset_id: None,
            verified_at: None,
            verified_by: None,
            search_text: String::new(),
            shipping_flat_fee_vnd: flat,
            shipping_free_above_vnd: free_above,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn shipping_is_flat_until_the_free_threshold() {
        assert_eq!(shipping_fee(&coop(30_000, None), 10_000_000), 30_000);
        assert_eq!(shipping_fee(&coop(30_000, Some(500_000)), 499_999), 30_000);
        assert_eq!(shipping_fee(&coop(30_000, Some(500_000)), 500_000), 0);
        assert_eq!(shipping_fee(&coop(0, None), 1), 0);
    }
}
