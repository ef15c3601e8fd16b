//! Certifications and the badges they earn while valid.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter,
    QueryOrder,
};

use entity::{certification, lot, product};

use crate::auth::Viewer;
use crate::catalog::{CertificationKind, CertificationScope};
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CertificationId, CooperativeId, LotId, ProductId};

/// A certification to record, parsed.
pub struct NewCertification {
    pub cooperative: CooperativeId,
    pub kind: CertificationKind,
    pub stars: Option<i32>,
    pub issuer: String,
    pub number: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub scope: CertificationScope,
    pub product: Option<ProductId>,
    pub lot: Option<LotId>,
}

/// Records a certification of the cooperative, one of its products or one
/// of its lots; managers and owners only.
pub async fn add(
    db: &Db,
    viewer: &Viewer,
    new: NewCertification,
) -> AppResult<certification::Model> {
    require_member(db, viewer, new.cooperative, MemberRole::Manager).await?;
    match (new.kind, new.stars) {
        (CertificationKind::Ocop, Some(3..=5)) => {}
        (CertificationKind::Ocop, _) => {
            return Err(AppError::invalid(
                "input.stars",
                "an OCOP certificate has 3 to 5 stars",
            ));
        }
        (_, Some(_)) => {
            return Err(AppError::invalid(
                "input.stars",
                "only OCOP certificates have stars",
            ));
        }
        (_, None) => {}
    }
    let (product_id, lot_id) = match new.scope {
        CertificationScope::Cooperative => (None, None),
        CertificationScope::Product => {
            let id = new.product.ok_or_else(|| {
                AppError::invalid("input.productId", "is required for a product certificate")
            })?;
            let owned = product::Entity::find_by_id(id.uuid())
                .one(db.conn())
                .await?
                .is_some_and(|p| p.cooperative_id == new.cooperative.uuid());
            if !owned {
                return Err(AppError::invalid(
                    "input.productId",
                    "is not a product of this cooperative",
                ));
            }
            (Some(id.uuid()), None)
        }
        CertificationScope::Lot => {
            let id = new.lot.ok_or_else(|| {
                AppError::invalid("input.lotId", "is required for a lot certificate")
            })?;
            let found = lot::Entity::find_by_id(id.uuid())
                .one(db.conn())
                .await?
                .filter(|l| l.cooperative_id == new.cooperative.uuid())
                .ok_or_else(|| {
                    AppError::invalid("input.lotId", "is not a lot of this cooperative")
                })?;
            (Some(found.product_id), Some(id.uuid()))
        }
    };
    let row = db
        .write(async |txn| -> AppResult<_> {
            let row = certification::Entity::insert(certification::ActiveModel {
                id: Set(CertificationId::new().uuid()),
                cooperative_id: Set(new.cooperative.uuid()),
                kind: Set(new.kind),
                stars: Set(new.stars),
                issuer: Set(new.issuer),
                number: Set(new.number),
                valid_from: Set(new.valid_from),
                valid_until: Set(new.valid_until),
                scope: Set(new.scope),
                product_id: Set(product_id),
                lot_id: Set(lot_id),
                document_asset_id: Set(None),
                revoked_at: Set(None),
                created_at: Set(Utc::now()),
            })
            .exec_with_returning(&**txn)
            .await?;
            Ok(row)
        })
        .await?;
    Ok(row)
}

/// Revokes a certification; it stops showing at once.
pub async fn revoke(
    db: &Db,
    viewer: &Viewer,
    id: CertificationId,
) -> AppResult<certification::Model> {
    viewer.require_user()?;
    let cert = certification::Entity::find_by_id(id.uuid())
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("certification"))?;
    require_member(
        db,
        viewer,
        CooperativeId::from(cert.cooperative_id),
        MemberRole::Manager,
    )
    .await?;
    // Revoked once: a second revocation keeps the first one's time.
    db.write(async |txn| {
        let revoked = certification::Entity::update_many()
            .col_expr(
                certification::Column::RevokedAt,
                Expr::value(Some(Utc::now())),
            )
            .filter(certification::Column::Id.eq(cert.id))
            .filter(certification::Column::RevokedAt.is_null())
            .exec(&**txn)
            .await?
            .rows_affected;
        if revoked == 0 {
            tracing::debug!(certification.id = %cert.id, "already revoked");
        }
        certification::Entity::find_by_id(cert.id)
            .one(&**txn)
            .await?
            .ok_or_else(|| AppError::not_found("certification"))
    })
    .await
}

/// True when the certificate is valid on `day` (and not revoked).
pub fn valid_on(cert: &certification::Model, day: NaiveDate) -> bool {
    cert.revoked_at.is_none() && cert.valid_from <= day && day <= cert.valid_until
}

/// What decides which certificates apply to a lot: the lot, its product and
/// cooperative, and its harvest date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LotOnHarvest {
    pub lot: uuid::Uuid,
    pub product: uuid::Uuid,
    pub cooperative: uuid::Uuid,
    pub harvested_on: NaiveDate,
}

impl From<&lot::Model> for LotOnHarvest {
    fn from(lot: &lot::Model) -> Self {
        Self {
            lot: lot.id,
            product: lot.product_id,
            cooperative: lot.cooperative_id,
            harvested_on: lot.harvested_on,
        }
    }
}

/// Certificates of a lot valid on its harvest date: its own, its product's
/// and its cooperative's.
pub async fn for_lot_on_harvest(db: &Db, lot: &lot::Model) -> AppResult<Vec<certification::Model>> {
    let key = LotOnHarvest::from(lot);
    let mut found = for_lots_on_harvest(db, &[key]).await?;
    Ok(found.remove(&key).unwrap_or_default())
}

/// [`for_lot_on_harvest`] for many lots in one query, by kind.
pub async fn for_lots_on_harvest(
    db: &Db,
    lots: &[LotOnHarvest],
) -> Result<HashMap<LotOnHarvest, Vec<certification::Model>>, sea_orm::DbErr> {
    let rows = certification::Entity::find()
        .filter(
            Condition::any()
                .add(certification::Column::LotId.is_in(lots.iter().map(|l| l.lot)))
                .add(
                    Condition::all()
                        .add(certification::Column::ProductId.is_in(lots.iter().map(|l| l.product)))
                        .add(certification::Column::Scope.eq(CertificationScope::Product)),
                )
                .add(
                    Condition::all()
                        .add(
                            certification::Column::CooperativeId
                                .is_in(lots.iter().map(|l| l.cooperative)),
                        )
                        .add(certification::Column::Scope.eq(CertificationScope::Cooperative)),
                ),
        )
        .order_by_asc(certification::Column::Kind)
        .all(db.conn())
        .await?;
    let applies = |c: &certification::Model, l: &LotOnHarvest| {
        let own = c.lot_id == Some(l.lot);
        let product = c.scope == CertificationScope::Product && c.product_id == Some(l.product);
        let coop = c.scope == CertificationScope::Cooperative && c.cooperative_id == l.cooperative;
        (own || product || coop) && valid_on(c, l.harvested_on)
    };
    Ok(lots
        .iter()
        .map(|l| (*l, rows.iter().filter(|c| applies(c, l)).cloned().collect()))
        .collect())
}

/// Attaches (or with `None` detaches) the scan of a certificate; managers
/// and owners only.
pub async fn set_document(
    db: &Db,
    viewer: &Viewer,
    id: CertificationId,
    asset: Option<crate::ids::MediaAssetId>,
) -> AppResult<certification::Model> {
    viewer.require_user()?;
    let cert = certification::Entity::find_by_id(id.uuid())
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("certification"))?;
    let coop = CooperativeId::from(cert.cooperative_id);
    require_member(db, viewer, coop, MemberRole::Manager).await?;
    db.write(async |txn| {
        // Checked (and on PostgreSQL locked) in the transaction that
        // attaches it, so a deletion cannot slip between the two.
        let document = match asset {
            Some(asset) => Some(
                crate::media::service::check_attachable(
                    &**txn,
                    asset,
                    coop,
                    &[crate::media::MediaPurpose::CertificateDocument],
                )
                .await?
                .id,
            ),
            None => None,
        };
        let mut model: certification::ActiveModel = cert.into();
        model.document_asset_id = Set(document);
        Ok(model.update(&**txn).await?)
    })
    .await
}
