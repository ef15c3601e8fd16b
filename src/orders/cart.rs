//! The server-side cart: one per signed-in shopper, or one per guest reached
//! by a random token (only its hash is stored). Checking a cart out goes
//! through [`crate::orders::service::place_order`] like any order. A guest's
//! cart nobody touched for `FARMSTREAM_GUEST_CART_DAYS` is deleted by an
//! hourly purge ([`spawn_purger`]).

use std::collections::HashMap;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use entity::{cart, cart_item, product, product_variant};

use crate::auth::Viewer;
use crate::catalog::ProductStatus;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::VariantId;
use crate::values::{MAX_UNITS, Units};

/// A cart line with what it refers to, priced now.
#[derive(Clone, Debug)]
pub struct CartLine {
    pub item: cart_item::Model,
    pub variant: product_variant::Model,
    pub product: product::Model,
}

impl CartLine {
    /// True when the variant is on sale with enough stock for this line.
    pub fn available(&self) -> bool {
        self.variant.removed_at.is_none()
            && self.product.status == ProductStatus::Active
            && self.variant.stock >= self.item.quantity
    }
}

/// A cart and its lines; `token` is the guest token, shown when known.
#[derive(Clone, Debug, Default)]
pub struct CartView {
    pub id: Option<Uuid>,
    pub token: Option<String>,
    pub lines: Vec<CartLine>,
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The viewer's cart: a signed-in shopper's own, or the guest's by token.
async fn find(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    token: Option<&str>,
) -> AppResult<Option<cart::Model>> {
    let query = match (viewer.user()?, token) {
        (Some(user), _) => cart::Entity::find().filter(cart::Column::UserId.eq(user.uuid())),
        (None, Some(token)) => {
            cart::Entity::find().filter(cart::Column::TokenHash.eq(hash_token(token)))
        }
        (None, None) => return Ok(None),
    };
    Ok(query.one(conn).await?)
}

/// The viewer's cart, made if there is none yet; a guest with an unknown
/// token gets `NOT_FOUND` (the cart is gone), with none a new token. Made
/// with `ON CONFLICT DO NOTHING` and read again, so a shopper's first two
/// requests at once share one cart instead of one failing on
/// `carts_user_id_key`.
async fn find_or_create(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    token: Option<&str>,
) -> AppResult<(cart::Model, Option<String>)> {
    if let Some(found) = find(conn, viewer, token).await? {
        // Touched first: the row lock orders this add after a purge of
        // the cart (then it is gone) or the purge after it (then the cart
        // is recent and stays).
        if touch(conn, found.id).await? == 0 {
            return Err(AppError::not_found("cart"));
        }
        return Ok((found, token.map(str::to_owned)));
    }
    let user = viewer.user()?;
    if user.is_none() && token.is_some() {
        return Err(AppError::not_found("cart"));
    }
    let token = user.is_none().then(new_token);
    let now = Utc::now();
    let model = cart::Model {
        id: Uuid::now_v7(),
        user_id: user.map(|u| u.uuid()),
        token_hash: token.as_deref().map(hash_token),
        created_at: now,
        updated_at: now,
    };
    let unique = if user.is_some() {
        cart::Column::UserId
    } else {
        cart::Column::TokenHash
    };
    let inserted = cart::Entity::insert(cart::ActiveModel::from(model.clone()))
        .on_conflict(OnConflict::column(unique).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    if inserted == 1 {
        return Ok((model, token));
    }
    // Another request made this shopper's cart meanwhile (committed: the
    // insert waited for it).
    let found = find(conn, viewer, token.as_deref())
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a cart that conflicted is missing")))?;
    Ok((found, token))
}

/// The lines of a cart, oldest first, with their variants and products
/// (three queries, however many lines).
async fn lines(conn: &impl ConnectionTrait, cart: Uuid) -> AppResult<Vec<CartLine>> {
    let items = cart_item::Entity::find()
        .filter(cart_item::Column::CartId.eq(cart))
        .order_by_asc(cart_item::Column::AddedAt)
        .order_by_asc(cart_item::Column::VariantId)
        .all(conn)
        .await?;
    let variants: HashMap<Uuid, product_variant::Model> = product_variant::Entity::find()
        .filter(product_variant::Column::Id.is_in(items.iter().map(|i| i.variant_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let products: HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(variants.values().map(|v| v.product_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(items
        .into_iter()
        .filter_map(|item| {
            let variant = variants.get(&item.variant_id)?.clone();
            let product = products.get(&variant.product_id)?.clone();
            Some(CartLine {
                item,
                variant,
                product,
            })
        })
        .collect())
}

async fn view(
    conn: &impl ConnectionTrait,
    cart: &cart::Model,
    token: Option<String>,
) -> AppResult<CartView> {
    Ok(CartView {
        id: Some(cart.id),
        token,
        lines: lines(conn, cart.id).await?,
    })
}

/// The viewer's cart; an empty one when there is none yet.
pub async fn get(db: &Db, viewer: &Viewer, token: Option<&str>) -> AppResult<CartView> {
    match find(db.conn(), viewer, token).await? {
        Some(cart) => view(db.conn(), &cart, token.map(str::to_owned)).await,
        None if viewer.user()?.is_none() && token.is_some() => Err(AppError::not_found("cart")),
        None => Ok(CartView::default()),
    }
}

/// The id of the viewer's cart, `None` when there is none yet; a guest's
/// unknown token is `NOT_FOUND`.
pub async fn id_of(db: &Db, viewer: &Viewer, token: Option<&str>) -> AppResult<Option<Uuid>> {
    match find(db.conn(), viewer, token).await? {
        Some(cart) => Ok(Some(cart.id)),
        None if viewer.user()?.is_none() && token.is_some() => Err(AppError::not_found("cart")),
        None => Ok(None),
    }
}

async fn on_sale(conn: &impl ConnectionTrait, variant: VariantId, field: &str) -> AppResult<()> {
    let found = product_variant::Entity::find_by_id(variant.uuid())
        .one(conn)
        .await?;
    let active = match &found {
        Some(v) if v.removed_at.is_none() => product::Entity::find_by_id(v.product_id)
            .one(conn)
            .await?
            .is_some_and(|p| p.status == ProductStatus::Active),
        _ => false,
    };
    if active {
        Ok(())
    } else {
        Err(AppError::invalid(field, "is not a variant on sale"))
    }
}

/// Adds units of a variant to the viewer's cart (making the cart if
/// needed); a guest's new cart comes back with its token. The quantity is
/// added in the statement (`ON CONFLICT … DO UPDATE SET quantity =
/// quantity + excluded.quantity`, bounded there too), so concurrent adds
/// of one variant all count.
pub async fn add_item(
    db: &Db,
    viewer: &Viewer,
    token: Option<&str>,
    variant: VariantId,
    quantity: Units,
) -> AppResult<CartView> {
    db.write(async |txn| -> AppResult<_> {
        let txn: &sea_orm::DatabaseTransaction = txn;
        on_sale(txn, variant, "variantId").await?;
        let (cart, token) = find_or_create(txn, viewer, token).await?;
        let added = txn
            .query_one_raw(crate::db::statement(
                txn.get_database_backend(),
                "INSERT INTO cart_items (cart_id, variant_id, quantity, added_at) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (cart_id, variant_id) DO UPDATE \
                 SET quantity = cart_items.quantity + excluded.quantity \
                 WHERE cart_items.quantity + excluded.quantity <= ? RETURNING quantity",
                vec![
                    cart.id.into(),
                    variant.uuid().into(),
                    quantity.get().into(),
                    Utc::now().into(),
                    MAX_UNITS.into(),
                ],
            ))
            .await?;
        if added.is_none() {
            return Err(AppError::invalid(
                "quantity",
                format!("a cart holds at most {MAX_UNITS} units of one variant"),
            ));
        }
        view(txn, &cart, token).await
    })
    .await
}

/// Sets the quantity of a variant already in the cart.
pub async fn update_item(
    db: &Db,
    viewer: &Viewer,
    token: Option<&str>,
    variant: VariantId,
    quantity: Units,
) -> AppResult<CartView> {
    db.write(async |txn| -> AppResult<_> {
        let txn: &sea_orm::DatabaseTransaction = txn;
        let cart = find(txn, viewer, token)
            .await?
            .ok_or_else(|| AppError::not_found("cart"))?;
        let changed = cart_item::Entity::update_many()
            .col_expr(
                cart_item::Column::Quantity,
                sea_orm::sea_query::Expr::value(quantity.get()),
            )
            .filter(cart_item::Column::CartId.eq(cart.id))
            .filter(cart_item::Column::VariantId.eq(variant.uuid()))
            .exec(txn)
            .await?
            .rows_affected;
        if changed == 0 {
            return Err(AppError::not_found("cart item"));
        }
        touch(txn, cart.id).await?;
        view(txn, &cart, token.map(str::to_owned)).await
    })
    .await
}

/// Takes a variant out of the cart.
pub async fn remove_item(
    db: &Db,
    viewer: &Viewer,
    token: Option<&str>,
    variant: VariantId,
) -> AppResult<CartView> {
    db.write(async |txn| -> AppResult<_> {
        let txn: &sea_orm::DatabaseTransaction = txn;
        let cart = find(txn, viewer, token)
            .await?
            .ok_or_else(|| AppError::not_found("cart"))?;
        let removed = cart_item::Entity::delete_many()
            .filter(cart_item::Column::CartId.eq(cart.id))
            .filter(cart_item::Column::VariantId.eq(variant.uuid()))
            .exec(txn)
            .await?
            .rows_affected;
        if removed == 0 {
            return Err(AppError::not_found("cart item"));
        }
        touch(txn, cart.id).await?;
        view(txn, &cart, token.map(str::to_owned)).await
    })
    .await
}

/// Takes every line out of a cart and returns them, oldest first, in one
/// statement (`DELETE … RETURNING`), inside the checkout's transaction:
/// what it returns is exactly what that checkout orders. A line added
/// after it stays in the cart; of two checkouts of one cart, the second
/// finds it empty (on PostgreSQL it waits on the first's row locks).
pub async fn claim_lines(conn: &impl ConnectionTrait, cart: Uuid) -> AppResult<Vec<(Uuid, i32)>> {
    let rows = conn
        .query_all_raw(crate::db::statement(
            conn.get_database_backend(),
            "DELETE FROM cart_items WHERE cart_id = ? RETURNING variant_id, quantity, added_at",
            vec![cart.into()],
        ))
        .await?;
    let mut lines = rows
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<DateTime<Utc>>("", "added_at")?,
                row.try_get::<Uuid>("", "variant_id")?,
                row.try_get::<i32>("", "quantity")?,
            ))
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    lines.sort();
    Ok(lines.into_iter().map(|(_, v, q)| (v, q)).collect())
}

/// Notes that a cart was just used (the purge goes by this); returns how
/// many carts it touched (none when the cart is gone).
async fn touch(conn: &impl ConnectionTrait, cart: Uuid) -> AppResult<u64> {
    Ok(cart::Entity::update_many()
        .col_expr(
            cart::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(cart::Column::Id.eq(cart))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Guest carts deleted per statement by the purge.
const PURGE_BATCH: i64 = 500;

/// Deletes the guests' carts (and, by cascade, their lines) last touched
/// before `untouched_since`; signed-in shoppers' carts stay. Returns how
/// many went. One statement a batch, whose `WHERE` is checked again on
/// each row it deletes (on PostgreSQL after waiting for a writer of the
/// row), so a cart touched meanwhile is kept.
pub async fn purge_forgotten(db: &Db, untouched_since: DateTime<Utc>) -> AppResult<u64> {
    let mut purged = 0;
    loop {
        let batch = db
            .write(async |txn| -> AppResult<_> {
                Ok(txn
                    .execute_raw(crate::db::statement(
                        txn.get_database_backend(),
                        "DELETE FROM carts WHERE user_id IS NULL AND updated_at < ? AND id IN \
                     (SELECT id FROM carts WHERE user_id IS NULL AND updated_at < ? LIMIT ?)",
                        vec![
                            untouched_since.into(),
                            untouched_since.into(),
                            PURGE_BATCH.into(),
                        ],
                    ))
                    .await?
                    .rows_affected())
            })
            .await?;
        purged += batch;
        if batch < PURGE_BATCH.unsigned_abs() {
            return Ok(purged);
        }
    }
}

/// How often the purge of forgotten guest carts runs.
const PURGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// Every hour (and once at start), deletes guest carts untouched for
/// `ttl`; safe with several processes (a cart deleted twice is gone once).
pub fn spawn_purger(
    db: Db,
    ttl: std::time::Duration,
    shutdown: tokio_util::sync::CancellationToken,
) -> tokio::task::JoinHandle<()> {
    crate::tasks::every(PURGE_INTERVAL, shutdown, move || {
        let db = db.clone();
        async move {
            let since =
                Utc::now() - chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
            match purge_forgotten(&db, since).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "forgotten guest carts deleted"),
                Err(err) => tracing::warn!(error = %err, "purging guest carts failed"),
            }
        }
    })
}
