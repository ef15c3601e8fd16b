//! Browsing and searching the public catalogue: filters, sorts, keyset
//! pages. Search folds tone marks on both sides, so it behaves the same on
//! SQLite and PostgreSQL.

use chrono::Utc;
use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Value,
};
use serde::{Deserialize, Serialize};

use entity::product;

use crate::auth::Viewer;
use crate::catalog::{Category, CertificationKind, ProductStatus};
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::require_member;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::CooperativeId;
use crate::pagination::Page;
use crate::places::Province;
use crate::text::{escape_like, fold};

/// How a product list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ProductSort {
    /// Names starting with the words first, then names containing them, then
    /// other matches; newest first within each (newest without a search).
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Cheapest variant first.
    PriceAsc,
    /// Dearest variant first.
    PriceDesc,
}

/// Filters of the product list, parsed.
#[derive(Default)]
pub struct ProductFilter {
    pub search: Option<String>,
    pub category: Option<Category>,
    pub cooperative: Option<CooperativeId>,
    pub province: Option<Province>,
    pub area: Option<String>,
    pub certification: Option<CertificationKind>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub in_stock: Option<bool>,
    /// Statuses other than active; only a member of `cooperative` may ask.
    pub statuses: Option<Vec<ProductStatus>>,
}

/// A position in a product list: the sort key and the id of the last row.
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
pub struct ProductCursor {
    k: i64,
    id: uuid::Uuid,
}

/// One page of products.
#[derive(Clone, Debug)]
pub struct ProductPage {
    pub rows: Vec<(product::Model, ProductCursor)>,
    pub has_next: bool,
    pub total: u64,
}

fn like(word: &str) -> String {
    format!("%{}%", escape_like(word))
}

/// Lists products the viewer may see, filtered, sorted and paged.
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    filter: &ProductFilter,
    sort: ProductSort,
    page: &Page<ProductCursor>,
) -> AppResult<ProductPage> {
    may_list_statuses(db, viewer, filter).await?;
    let words = search_words(filter);
    let query = filtered(db, filter, &words);
    let total = query.clone().count(db.conn()).await?;

    let phrase = words.join(" ");
    let sort = if sort == ProductSort::Relevance && words.is_empty() {
        ProductSort::Newest
    } else {
        sort
    };
    let (query, key_sql, key_values) = order(db, query, sort, &phrase);
    let query = match page.after {
        None => query,
        Some(after) => after_cursor(db, query, sort, &key_sql, &key_values, after),
    };
    let mut rows = query.limit(page.first + 1).all(db.conn()).await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    let rows = rows
        .into_iter()
        .map(|p| {
            let k = match sort {
                ProductSort::Relevance => relevance(&p.search_name, &phrase),
                ProductSort::PriceAsc | ProductSort::PriceDesc => p.min_price_vnd.unwrap_or(0),
                ProductSort::Newest => 0,
            };
            let cursor = ProductCursor { k, id: p.id };
            (p, cursor)
        })
        .collect();
    Ok(ProductPage {
        rows,
        has_next,
        total,
    })
}

/// Allows asking for statuses other than active: only for one cooperative
/// (`filter.statuses` needs `filter.cooperativeId`), and only to its
/// members and platform admins, as every other cooperative-only read
/// ([`require_member`] with the least role).
async fn may_list_statuses(db: &Db, viewer: &Viewer, filter: &ProductFilter) -> AppResult<()> {
    match (&filter.statuses, filter.cooperative) {
        (Some(_), Some(coop)) => {
            require_member(db, viewer, coop, MemberRole::Staff).await?;
            Ok(())
        }
        (Some(_), None) => Err(AppError::invalid(
            "filter.statuses",
            "needs filter.cooperativeId",
        )),
        (None, _) => Ok(()),
    }
}

/// The folded words of the search, in order.
fn search_words(filter: &ProductFilter) -> Vec<String> {
    filter
        .search
        .as_deref()
        .map(fold)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The products matching `filter` (statuses, cooperative, category, place,
/// search `words`, certification, price and stock), unordered.
fn filtered(db: &Db, filter: &ProductFilter, words: &[String]) -> Select<product::Entity> {
    let mut query = product::Entity::find();
    query = match &filter.statuses {
        Some(statuses) => query.filter(product::Column::Status.is_in(statuses.iter().copied())),
        None => query.filter(product::Column::Status.eq(ProductStatus::Active)),
    };
    if let Some(coop) = filter.cooperative {
        query = query.filter(product::Column::CooperativeId.eq(coop.uuid()));
    }
    if let Some(category) = filter.category {
        query = query.filter(product::Column::Category.eq(category));
    }
    if let Some(province) = &filter.province {
        query = query.filter(db.expr(
            "(cooperative_id IN (SELECT id FROM cooperatives WHERE province = ?) \
             OR id IN (SELECT product_id FROM origin_stories WHERE province = ?))",
            vec![province.name().into(), province.name().into()],
        ));
    }
    if let Some(area) = filter.area.as_deref().map(fold).filter(|a| !a.is_empty()) {
        query = query.filter(db.expr(
            "(search_text LIKE ? ESCAPE '\\' OR cooperative_id IN \
             (SELECT id FROM cooperatives WHERE search_text LIKE ? ESCAPE '\\'))",
            vec![like(&area).into(), like(&area).into()],
        ));
    }
    for word in words {
        query = query.filter(db.expr(
            "(search_text LIKE ? ESCAPE '\\' OR cooperative_id IN \
             (SELECT id FROM cooperatives WHERE search_text LIKE ? ESCAPE '\\'))",
            vec![like(word).into(), like(word).into()],
        ));
    }
    if let Some(kind) = filter.certification {
        let today = Utc::now().date_naive();
        query = query.filter(db.expr(
            "(id IN (SELECT product_id FROM certifications WHERE kind = ? AND scope = 'PRODUCT' \
               AND revoked_at IS NULL AND valid_from <= ? AND valid_until >= ?) \
             OR cooperative_id IN (SELECT cooperative_id FROM certifications WHERE kind = ? \
               AND scope = 'COOPERATIVE' AND revoked_at IS NULL AND valid_from <= ? AND valid_until >= ?))",
            vec![
                kind.into(),
                today.into(),
                today.into(),
                kind.into(),
                today.into(),
                today.into(),
            ],
        ));
    }
    if let Some(min) = filter.price_min {
        query = query.filter(product::Column::MinPriceVnd.gte(min));
    }
    if let Some(max) = filter.price_max {
        query = query.filter(product::Column::MinPriceVnd.lte(max));
    }
    match filter.in_stock {
        Some(true) => query.filter(db.expr(
            "id IN (SELECT product_id FROM product_variants WHERE removed_at IS NULL AND stock > 0)",
            vec![],
        )),
        Some(false) => query.filter(db.expr(
            "id NOT IN (SELECT product_id FROM product_variants WHERE removed_at IS NULL AND stock > 0)",
            vec![],
        )),
        None => query,
    }
}

/// `query` (ordered by `sort`, whose key is `key_sql` with `key_values`)
/// from just after the row at `after`: the keyset page.
fn after_cursor(
    db: &Db,
    query: Select<product::Entity>,
    sort: ProductSort,
    key_sql: &str,
    key_values: &[Value],
    after: ProductCursor,
) -> Select<product::Entity> {
    let (cmp, id_cmp) = match sort {
        ProductSort::Relevance | ProductSort::PriceAsc => (
            ">",
            if sort == ProductSort::PriceAsc {
                ">"
            } else {
                "<"
            },
        ),
        ProductSort::PriceDesc => ("<", "<"),
        ProductSort::Newest => ("=", "<"),
    };
    if sort == ProductSort::Newest {
        return query.filter(product::Column::Id.lt(after.id));
    }
    let sql = format!("(({key_sql}) {cmp} ? OR (({key_sql}) = ? AND id {id_cmp} ?))");
    let mut values = key_values.to_vec();
    values.push(after.k.into());
    values.extend(key_values.iter().cloned());
    values.push(after.k.into());
    values.push(after.id.into());
    query.filter(db.expr(&sql, values))
}

/// The first page of each cooperative's published products, exactly as
/// [`list`] gives it for one cooperative with no other filter and no
/// cursor, but for many cooperatives in two queries (a windowed select and
/// a grouped count) rather than two each: what a list of cooperatives with
/// their products needs.
pub async fn first_pages(
    db: &Db,
    coops: &[CooperativeId],
    sort: ProductSort,
    first: u64,
) -> Result<HashMap<CooperativeId, ProductPage>, sea_orm::DbErr> {
    let mut pages: HashMap<CooperativeId, ProductPage> = coops
        .iter()
        .map(|c| {
            let page = ProductPage {
                rows: Vec::new(),
                has_next: false,
                total: 0,
            };
            (*c, page)
        })
        .collect();
    if coops.is_empty() {
        return Ok(pages);
    }
    // Without search words relevance is newest first, as in `list`.
    let sort = if sort == ProductSort::Relevance {
        ProductSort::Newest
    } else {
        sort
    };
    let order = match sort {
        ProductSort::Relevance | ProductSort::Newest => "id DESC",
        ProductSort::PriceAsc => "COALESCE(min_price_vnd, 0) ASC, id ASC",
        ProductSort::PriceDesc => "COALESCE(min_price_vnd, 0) DESC, id DESC",
    };
    let marks = vec!["?"; coops.len()].join(", ");
    let mut values: Vec<Value> = vec![ProductStatus::Active.into()];
    values.extend(coops.iter().map(|c| Value::from(c.uuid())));
    let condition = format!("status = ? AND cooperative_id IN ({marks})");
    let counts = db
        .count_per_group("products", "cooperative_id", &condition, values.clone())
        .await?;
    for (coop, page) in &mut pages {
        page.total = counts.get(&coop.uuid()).copied().unwrap_or(0);
    }
    let ranked = crate::db::first_per_group("products", "cooperative_id", order, &condition);
    values.push(Value::from(i64::try_from(first + 1).unwrap_or(i64::MAX)));
    for row in db
        .conn()
        .query_all_raw(db.statement(&ranked, values))
        .await?
    {
        let p = product::Model::from_query_result(&row, "")?;
        let Some(page) = pages.get_mut(&CooperativeId::from(p.cooperative_id)) else {
            continue;
        };
        if page.rows.len() as u64 == first {
            page.has_next = true;
            continue;
        }
        let k = match sort {
            ProductSort::PriceAsc | ProductSort::PriceDesc => p.min_price_vnd.unwrap_or(0),
            ProductSort::Relevance | ProductSort::Newest => 0,
        };
        let cursor = ProductCursor { k, id: p.id };
        page.rows.push((p, cursor));
    }
    Ok(pages)
}

/// 0 when the name starts with the searched words, 1 when it contains
/// them, 2 when only other text matched (the SQL sort key, in Rust).
fn relevance(search_name: &str, phrase: &str) -> i64 {
    if search_name.starts_with(phrase) {
        0
    } else if search_name.contains(phrase) {
        1
    } else {
        2
    }
}

/// Orders the query and returns the SQL of its sort key (and its values).
fn order(
    db: &Db,
    query: Select<product::Entity>,
    sort: ProductSort,
    phrase: &str,
) -> (Select<product::Entity>, String, Vec<Value>) {
    match sort {
        ProductSort::Relevance => {
            let key = "CASE WHEN search_name LIKE ? ESCAPE '\\' THEN 0 \
                       WHEN search_name LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END"
                .to_owned();
            let values = vec![
                Value::from(format!("{}%", escape_like(phrase))),
                Value::from(like(phrase)),
            ];
            let q = query
                .order_by(db.expr(&key, values.clone()), sea_orm::Order::Asc)
                .order_by_desc(product::Column::Id);
            (q, key, values)
        }
        ProductSort::Newest => (
            query.order_by_desc(product::Column::Id),
            String::new(),
            vec![],
        ),
        ProductSort::PriceAsc => {
            let key = "COALESCE(min_price_vnd, 0)".to_owned();
            let q = query
                .order_by(db.expr(&key, vec![]), sea_orm::Order::Asc)
                .order_by_asc(product::Column::Id);
            (q, key, vec![])
        }
        ProductSort::PriceDesc => {
            let key = "COALESCE(min_price_vnd, 0)".to_owned();
            let q = query
                .order_by(db.expr(&key, vec![]), sea_orm::Order::Desc)
                .order_by_desc(product::Column::Id);
            (q, key, vec![])
        }
    }
}
