//! Sales per livestream, computed from the orders it brought (cancelled and
//! refunded ones excluded).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ColumnTrait;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};

use entity::livestream;

use crate::auth::Viewer;
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CooperativeId, ProductId};

/// Order statuses that do not count as sales.
const NOT_SALES: &str = "('CANCELLED', 'REFUND_PENDING', 'REFUNDED')";

/// What one product sold.
#[derive(Clone, Debug)]
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

impl Sales {
    /// Adds `other`'s sales (not its viewers) to these, product by product.
    fn add(&mut self, other: Sales) {
        self.orders += other.orders;
        self.units += other.units;
        self.revenue_vnd += other.revenue_vnd;
        for sold in other.by_product {
            match self
                .by_product
                .iter_mut()
                .find(|p| p.product == sold.product)
            {
                Some(mine) => {
                    mine.units += sold.units;
                    mine.revenue_vnd += sold.revenue_vnd;
                }
                None => self.by_product.push(sold),
            }
        }
        self.sort_products();
    }

    /// Best-selling products first (by revenue, then by id).
    fn sort_products(&mut self) {
        self.by_product.sort_by(|a, b| {
            b.revenue_vnd
                .cmp(&a.revenue_vnd)
                .then(a.product.cmp(&b.product))
        });
    }
}

/// The sales of each of the shows `ids` (without viewers), in two grouped
/// queries whatever their number; shows without sales are missing.
pub async fn sales_by_show(
    db: &Db,
    ids: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, Sales>, sea_orm::DbErr> {
    let mut out: HashMap<uuid::Uuid, Sales> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let values: Vec<sea_orm::Value> = ids.iter().map(|id| (*id).into()).collect();
    let orders_sql = format!(
        "SELECT livestream_id, COUNT(*) AS n FROM orders \
         WHERE livestream_id IN ({marks}) AND status NOT IN {NOT_SALES} GROUP BY livestream_id"
    );
    for row in db
        .conn()
        .query_all_raw(db.statement(&orders_sql, values.clone()))
        .await?
    {
        let show: uuid::Uuid = row.try_get("", "livestream_id")?;
        out.entry(show).or_default().orders = row.try_get("", "n")?;
    }
    let items_sql = format!(
        "SELECT o.livestream_id AS livestream_id, oi.product_id AS product_id, \
         CAST(SUM(oi.quantity) AS BIGINT) AS units, CAST(SUM(oi.line_total_vnd) AS BIGINT) AS revenue \
         FROM order_items oi JOIN orders o ON o.id = oi.order_id \
         WHERE o.livestream_id IN ({marks}) AND o.status NOT IN {NOT_SALES} \
         GROUP BY o.livestream_id, oi.product_id"
    );
    for row in db
        .conn()
        .query_all_raw(db.statement(&items_sql, values))
        .await?
    {
        let show: uuid::Uuid = row.try_get("", "livestream_id")?;
        let sold = ProductSales {
            product: ProductId::from(row.try_get::<uuid::Uuid>("", "product_id")?),
            units: row.try_get("", "units")?,
            revenue_vnd: row.try_get("", "revenue")?,
        };
        let sales = out.entry(show).or_default();
        sales.units += sold.units;
        sales.revenue_vnd += sold.revenue_vnd;
        sales.by_product.push(sold);
    }
    for sales in out.values_mut() {
        sales.sort_products();
    }
    Ok(out)
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
        .filter(livestream::Column::CooperativeId.eq(coop.uuid()))
        .filter(livestream::Column::ScheduledStartAt.gte(from))
        .filter(livestream::Column::ScheduledStartAt.lt(to))
        .all(db.conn())
        .await?;
    let ids: Vec<uuid::Uuid> = shows.iter().map(|s| s.id).collect();
    let mut sales = Sales::default();
    for one in sales_by_show(db, &ids).await?.into_values() {
        sales.add(one);
    }
    sales.peak_viewers = shows.iter().map(|s| i64::from(s.peak_viewers)).sum();
    Ok(sales)
}
