//! Harvest lots: created by staff, read by anyone through their code.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{lot, product_variant};

use crate::auth::Viewer;
use crate::catalog::service::products;
use crate::catalog::{ProductStatus, Unit};
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::{AppError, AppResult, constraint_violation};
use crate::ids::{CooperativeId, LotId, ProductId, VariantId};
use crate::values::{LotCode, Measure};

/// A lot to record, parsed.
pub struct NewLot {
    pub product: ProductId,
    pub variant: Option<VariantId>,
    pub harvested_on: NaiveDate,
    pub quantity: Measure,
    pub unit: Unit,
    pub plot: Option<String>,
    pub notes: Option<String>,
}

/// Records a harvest lot with a fresh unique code; staff of the product's
/// cooperative only.
pub async fn create(db: &Db, viewer: &Viewer, new: NewLot) -> AppResult<lot::Model> {
    viewer.require_user()?;
    let product = products::find(db.conn(), new.product)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    let coop = CooperativeId::from(product.cooperative_id);
    require_member(db, viewer, coop, MemberRole::Staff).await?;
    if let Some(variant) = new.variant {
        let belongs = product_variant::Entity::find_by_id(variant.uuid())
            .one(db.conn())
            .await?
            .is_some_and(|v| v.product_id == product.id);
        if !belongs {
            return Err(AppError::invalid(
                "input.variantId",
                "is not a variant of this product",
            ));
        }
    }
    // Codes are random over 31^8 values; a clash is rare and simply retried.
    for _ in 0..5 {
        let inserted = db
            .write(async |txn| {
                lot::Entity::insert(lot::ActiveModel {
                    id: Set(LotId::new().uuid()),
                    code: Set(LotCode::random().into_inner()),
                    product_id: Set(product.id),
                    variant_id: Set(new.variant.map(|v| v.uuid())),
                    cooperative_id: Set(coop.uuid()),
                    harvested_on: Set(new.harvested_on),
                    quantity: Set(new.quantity.get()),
                    unit: Set(new.unit),
                    plot: Set(new.plot.clone()),
                    notes: Set(new.notes.clone()),
                    scan_count: Set(0),
                    created_at: Set(Utc::now()),
                })
                .exec_with_returning(&**txn)
                .await
            })
            .await;
        match inserted {
            Ok(lot) => {
                tracing::info!(lot.code = %lot.code, product.id = %product.id, "lot recorded");
                return Ok(lot);
            }
            // Only a clash of the random code is retried.
            Err(err) if constraint_violation(&err).is_some_and(|v| v.is_on("code")) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(AppError::internal(anyhow::anyhow!(
        "could not find a free lot code"
    )))
}

/// The lot with this code (typed loosely: case, spaces, hyphens), if its
/// product is published. Lots of drafts stay private.
pub async fn find_public(db: &Db, code: &str) -> AppResult<Option<lot::Model>> {
    let Some(code) = LotCode::parse(code).map(LotCode::into_inner) else {
        return Ok(None);
    };
    let Some(lot) = lot::Entity::find()
        .filter(lot::Column::Code.eq(code))
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    let published = products::find(db.conn(), ProductId::from(lot.product_id))
        .await?
        .is_some_and(|p| p.status != ProductStatus::Draft);
    Ok(published.then_some(lot))
}

/// Counts one scan of a lot's trace page.
pub async fn count_scan(db: &Db, id: LotId) -> AppResult<()> {
    db.write(async |txn| -> AppResult<_> {
        lot::Entity::update_many()
            .col_expr(
                lot::Column::ScanCount,
                Expr::col(lot::Column::ScanCount).add(1),
            )
            .filter(lot::Column::Id.eq(id.uuid()))
            .exec(&**txn)
            .await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// The lots of a product, newest harvest first.
pub async fn of_product(db: &Db, id: ProductId) -> AppResult<Vec<lot::Model>> {
    Ok(lot::Entity::find()
        .filter(lot::Column::ProductId.eq(id.uuid()))
        .order_by_desc(lot::Column::HarvestedOn)
        .all(db.conn())
        .await?)
}

/// Replaces the photos of a lot; its cooperative's staff only.
pub async fn set_photos(
    db: &Db,
    viewer: &Viewer,
    id: LotId,
    items: Vec<crate::media::attachments::GalleryItem>,
) -> AppResult<Vec<crate::media::attachments::Attached>> {
    viewer.require_user()?;
    let lot = lot::Entity::find_by_id(id.uuid())
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("lot"))?;
    let coop = CooperativeId::from(lot.cooperative_id);
    require_member(db, viewer, coop, MemberRole::Staff).await?;
    crate::media::attachments::set_gallery(
        db,
        crate::media::attachments::Gallery::Lot,
        lot.id,
        coop,
        items,
    )
    .await
}
