//! Sales per livestream, computed from the orders it brought (cancelled and
//! refunded ones excluded).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ColumnTrait;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};

use entity::livestream;

use crate::auth::Viewer;
use crate::catalog::ProductId;
use crate::cooperatives::service::require_member;
use crate::cooperatives::{CooperativeId, MemberRole};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::livestream::LivestreamId;

/// Order statuses that do not count as sales.
const NOT_SALES: &str = "('CANCELLED', 'REFUND_PENDING', 'REFUNDED')";

/// What one product sold.
#[derive(Clone, Debug, Default)]
pub struct ProductSales {
    pub product: ProductId,
    pub units: i64,
    pub revenue_vnd: i64,
}

/// What a show (or a set of shows) sold.
#[derive(Clone, Debug, Default)]
pub struct Sales {
    pub orders: i64,
    pub units: i64,
    pub revenue_vnd: i64,
    pub peak_viewers: i64,
    pub by_product: Vec<ProductSales>,
}

impl Sales {
    /// Orders per peak viewer (0 without viewers).
    pub fn conversion_rate(&self) -> f64 {
        if self.peak_viewers > 0 {
            self.orders as f64 / self.peak_viewers as f64
        } else {
            0.0
        }
    }
}

/// Sums the sales of the shows `ids`.
async fn sales_of(db: &Db, ids: &[uuid::Uuid]) -> AppResult<Sales> {
    if ids.is_empty() {
        return Ok(Sales::default());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let values: Vec<sea_orm::Value> = ids.iter().map(|id| (*id).into()).collect();
    let orders_sql = format!(
        "SELECT COUNT(*) AS n FROM orders WHERE livestream_id IN ({marks}) AND status NOT IN {NOT_SALES}"
    );
    let orders = db
        .conn()
        .query_one_raw(db.statement(&orders_sql, values.clone()))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let items_sql = format!(
        "SELECT oi.product_id AS product_id, CAST(SUM(oi.quantity) AS BIGINT) AS units, CAST(SUM(oi.line_total_vnd) AS BIGINT) AS revenue \
         FROM order_items oi JOIN orders o ON o.id = oi.order_id \
         WHERE o.livestream_id IN ({marks}) AND o.status NOT IN {NOT_SALES} GROUP BY oi.product_id"
    );
    let rows = db
        .conn()
        .query_all_raw(db.statement(&items_sql, values))
        .await?;
    let mut by_product: HashMap<uuid::Uuid, ProductSales> = HashMap::new();
    for row in rows {
        let product: uuid::Uuid = row.try_get("", "product_id")?;
        let units: i64 = row.try_get("", "units")?;
        let revenue: i64 = row.try_get("", "revenue")?;
        let entry = by_product.entry(product).or_insert_with(|| ProductSales {
            product: ProductId(product),
            ..ProductSales::default()
        });
        entry.units += units;
        entry.revenue_vnd += revenue;
    }
    let mut by_product: Vec<ProductSales> = by_product.into_values().collect();
    by_product.sort_by(|a, b| {
        b.revenue_vnd
            .cmp(&a.revenue_vnd)
            .then(a.product.cmp(&b.product))
    });
    Ok(Sales {
        orders,
        units: by_product.iter().map(|p| p.units).sum(),
        revenue_vnd: by_product.iter().map(|p| p.revenue_vnd).sum(),
        peak_viewers: 0,
        by_product,
    })
}

/// The sales of one show; its cooperative's staff only.
pub async fn for_show(db: &Db, viewer: &Viewer, id: LivestreamId) -> AppResult<Sales> {
    let show = livestream::Entity::find_by_id(id.0)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("livestream"))?;
    require_member(
        db,
        viewer,
        CooperativeId(show.cooperative_id),
        MemberRole::Staff,
    )
    .await?;
    let mut sales = sales_of(db, &[show.id]).await?;
    sales.peak_viewers = i64::from(show.peak_viewers);
    Ok(sales)
}

/// The sales of a cooperative's shows that started in `[from, to)`; its staff only.
pub async fn for_cooperative(
    db: &Db,
    viewer: &Viewer,
    coop: CooperativeId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Sales> {
    require_member(db, viewer, coop, MemberRole::Staff).await?;
    if to <= from {
        return Err(AppError::invalid("to", "must be after from"));
    }
    let shows = livestream::Entity::find()
        .filter(livestream::Column::CooperativeId.eq(coop.0))
        .filter(livestream::Column::ScheduledStartAt.gte(from))
        .filter(livestream::Column::ScheduledStartAt.lt(to))
        .all(db.conn())
        .await?;
    let ids: Vec<uuid::Uuid> = shows.iter().map(|s| s.id).collect();
    let mut sales = sales_of(db, &ids).await?;
    sales.peak_viewers = shows.iter().map(|s| i64::from(s.peak_viewers)).sum();
    Ok(sales)
}
