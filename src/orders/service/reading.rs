//! Reading orders: what a viewer may see, and pages of them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use entity::order;

use super::find;
use crate::auth::throttle::{self, ClientAddr, Rule};
use crate::auth::{PlatformRole, Viewer};
use crate::cooperatives::MemberRole;
use crate::cooperatives::service::{require_member, role_of};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CooperativeId, LivestreamId, OrderId, UserId};
use crate::orders::OrderStatus;
use crate::orders::inputs::normalise_order_number;
use crate::pagination::Page;

/// True when `user` is a member of the order's cooperative or an admin.
pub(super) async fn is_back_office(db: &Db, order: &order::Model, user: UserId) -> AppResult<bool> {
    Ok(
        role_of(db.conn(), CooperativeId::from(order.cooperative_id), user)
            .await?
            .is_some()
            || crate::auth::service::has_role(db, user, PlatformRole::Admin).await?,
    )
}

/// An order as a signed-in viewer may see it: their own, or one of a
/// cooperative they work for; anything else is `NOT_FOUND`.
pub async fn for_viewer(db: &Db, viewer: &Viewer, id: OrderId) -> AppResult<order::Model> {
    let user = viewer.require_user()?;
    let order = find(db.conn(), id)
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    if order.buyer_id == Some(user.uuid()) || is_back_office(db, &order, user).await? {
        Ok(order)
    } else {
        Err(AppError::not_found("order"))
    }
}

/// Guest look-ups per order number: 5 in 15 minutes, counted until the
/// right phone is given.
pub const LOOKUPS_PER_ORDER: Rule = Rule {
    scope: "order-lookup",
    limit: 5,
    window: chrono::Duration::minutes(15),
    refusal: "too many failed look-ups of this order",
};

/// Guest look-ups per client address, whatever the order: 20 failures in
/// 15 minutes (a success gives its attempt back).
pub const LOOKUPS_PER_CLIENT: Rule = Rule {
    scope: "order-lookup-client",
    limit: 20,
    window: chrono::Duration::minutes(15),
    refusal: "too many failed order look-ups from this address",
};

/// A guest's order, by its number and the phone it was placed with;
/// a wrong pair is `NOT_FOUND`, whichever half is wrong. Each look-up is
/// counted per client and per order number before it is checked, so that
/// phones cannot be guessed: past either limit the answer is
/// `RATE_LIMITED`, even for the right phone.
pub async fn by_number(
    db: &Db,
    number: &str,
    phone: &str,
    client: ClientAddr,
) -> AppResult<order::Model> {
    let not_found = || AppError::not_found("order");
    let phone = crate::values::PhoneNumber::parse(phone, "phone")?;
    let client = client.subject();
    if let Some(client) = &client {
        throttle::claim(db, &LOOKUPS_PER_CLIENT, client).await?;
    }
    let number = normalise_order_number(number).ok_or_else(not_found)?;
    throttle::claim(db, &LOOKUPS_PER_ORDER, &number).await?;
    let order = order::Entity::find()
        .filter(order::Column::Number.eq(number.as_str()))
        .one(db.conn())
        .await?
        .filter(|o| o.phone == phone.as_str() || o.guest_phone.as_deref() == Some(phone.as_str()))
        .ok_or_else(not_found)?;
    throttle::forgive(db, &LOOKUPS_PER_ORDER, &number).await?;
    if let Some(client) = &client {
        throttle::refund(db, &LOOKUPS_PER_CLIENT, client).await?;
    }
    Ok(order)
}

/// The order whose transfer memo is `memo` (e.g. `FS7K3M9Q`).
pub async fn find_by_memo(
    conn: &impl ConnectionTrait,
    memo: &str,
) -> AppResult<Option<order::Model>> {
    Ok(order::Entity::find()
        .filter(order::Column::PaymentMemo.eq(memo))
        .one(conn)
        .await?)
}

/// What the back office filters a cooperative's orders by.
#[derive(Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub livestream: Option<LivestreamId>,
    pub placed_from: Option<DateTime<Utc>>,
    pub placed_to: Option<DateTime<Utc>>,
}

type OrderPage = (Vec<order::Model>, bool, u64);

async fn page_of(
    db: &Db,
    mut query: sea_orm::Select<order::Entity>,
    page: &Page<Uuid>,
) -> AppResult<OrderPage> {
    let total = query.clone().count(db.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(order::Column::Id.lt(after));
    }
    let mut rows = query
        .order_by_desc(order::Column::Id)
        .limit(page.first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok((rows, has_next, total))
}

/// A page of a cooperative's orders, newest first; its staff only.
pub async fn cooperative_orders(
    db: &Db,
    viewer: &Viewer,
    coop: CooperativeId,
    filter: &OrderFilter,
    page: &Page<Uuid>,
) -> AppResult<OrderPage> {
    require_member(db, viewer, coop, MemberRole::Staff).await?;
    let mut query = order::Entity::find().filter(order::Column::CooperativeId.eq(coop.uuid()));
    if let Some(status) = filter.status {
        query = query.filter(order::Column::Status.eq(status));
    }
    if let Some(stream) = filter.livestream {
        query = query.filter(order::Column::LivestreamId.eq(stream.uuid()));
    }
    if let Some(from) = filter.placed_from {
        query = query.filter(order::Column::PlacedAt.gte(from));
    }
    if let Some(to) = filter.placed_to {
        query = query.filter(order::Column::PlacedAt.lt(to));
    }
    page_of(db, query, page).await
}

/// A page of the signed-in shopper's orders, newest first.
pub async fn my_orders(db: &Db, viewer: &Viewer, page: &Page<Uuid>) -> AppResult<OrderPage> {
    let user = viewer.require_user()?;
    page_of(
        db,
        order::Entity::find().filter(order::Column::BuyerId.eq(user.uuid())),
        page,
    )
    .await
}
