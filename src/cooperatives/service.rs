//! Cooperative rules: profile, verification, members and roles, and the
//! authorisation check every cooperative-scoped write goes through.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use entity::{cooperative, cooperative_member, slug_history, user};

use crate::auth::service::{find_by_email, has_role};
use crate::auth::{PlatformRole, Viewer};
use crate::cooperatives::MemberRole;
use crate::cooperatives::inputs::BankAccount;
use crate::db::Db;
use crate::error::{AppError, AppResult, constraint_violation};
use crate::ids::{CooperativeId, UserId};
use crate::pagination::Page;
use crate::places::Province;
use crate::text::{escape_like, fold, slugify};
use crate::values::{Email, Name, PhoneNumber, Slug};

/// The `slug_history.kind` of cooperatives.
pub const SLUG_KIND: &str = "cooperative";

/// A new cooperative, parsed.
pub struct NewCooperative {
    pub name: Name,
    pub slug: Option<Slug>,
    pub province: Province,
    pub ward: String,
    pub street: Option<String>,
    pub area: Option<String>,
    pub description: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<Email>,
    pub bank: Option<BankAccount>,
}

/// Changes to a cooperative; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct CooperativeChanges {
    pub name: Option<Name>,
    pub slug: Option<Slug>,
    pub province: Option<Province>,
    pub ward: Option<String>,
    pub street: Option<Option<String>>,
    pub area: Option<Option<String>>,
    pub description: Option<String>,
    pub phone: Option<Option<PhoneNumber>>,
    pub email: Option<Option<Email>>,
    pub bank: Option<Option<BankAccount>>,
}

/// Who is acting for a cooperative, once allowed.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub user: UserId,
    /// The actor's role there; `None` for a platform admin who is no member.
    pub role: Option<MemberRole>,
}

impl Actor {
    /// True when the actor may act as `needed` (admins may do anything).
    pub fn covers(&self, needed: MemberRole) -> bool {
        self.role.is_none_or(|r| r.covers(needed))
    }
}

/// The role `user` holds in `coop`, if any.
pub async fn role_of(
    conn: &impl ConnectionTrait,
    coop: CooperativeId,
    user: UserId,
) -> AppResult<Option<MemberRole>> {
    let row = cooperative_member::Entity::find_by_id((coop.uuid(), user.uuid()))
        .one(conn)
        .await?;
    Ok(row.map(|m| m.role))
}

/// Why a user with `role` here (or none) may not do what needs `needed`.
pub fn refusal(role: Option<MemberRole>, needed: MemberRole) -> AppError {
    AppError::Forbidden(match role {
        Some(_) => format!("this needs the {} role in this cooperative", needed),
        None => "you are not a member of this cooperative".into(),
    })
}

/// Allows the viewer to act for `coop` with at least `needed`'s rights;
/// platform admins always may. Unknown cooperative → `NOT_FOUND`, anonymous
/// → `UNAUTHENTICATED`, anyone else → `FORBIDDEN`.
pub async fn require_member(
    db: &Db,
    viewer: &Viewer,
    coop: CooperativeId,
    needed: MemberRole,
) -> AppResult<Actor> {
    let user = viewer.require_user()?;
    if cooperative::Entity::find_by_id(coop.uuid())
        .one(db.conn())
        .await?
        .is_none()
    {
        return Err(AppError::not_found("cooperative"));
    }
    match role_of(db.conn(), coop, user).await? {
        Some(role) if role.covers(needed) => Ok(Actor {
            user,
            role: Some(role),
        }),
        role => {
            if has_role(db, user, PlatformRole::Admin).await? {
                return Ok(Actor { user, role });
            }
            Err(refusal(role, needed))
        }
    }
}

/// Records `slug` as pointing at `target` unless some row already holds it:
/// one `INSERT … ON CONFLICT DO NOTHING`, so two requests claiming the same
/// slug at once never meet a unique-key error (which on PostgreSQL would
/// also abort the transaction). Returns whether this call took it.
async fn insert_slug(
    conn: &impl ConnectionTrait,
    kind: &str,
    slug: &str,
    target: uuid::Uuid,
) -> AppResult<bool> {
    let taken = conn
        .execute_raw(crate::db::statement(
            conn.get_database_backend(),
            "INSERT INTO slug_history (kind, slug, target_id, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (kind, slug) DO NOTHING",
            vec![kind.into(), slug.into(), target.into(), Utc::now().into()],
        ))
        .await?
        .rows_affected();
    Ok(taken == 1)
}

/// Claims for `target` the given slug, or else one derived from `name`
/// that no `kind` row ever used: the name's slug, or it with `-2`, `-3`…
/// appended. Each candidate is claimed by its insert, so concurrent
/// creations with the same name get different slugs.
pub async fn claim_new_slug(
    conn: &impl ConnectionTrait,
    kind: &str,
    given: Option<Slug>,
    name: &str,
    fallback: &str,
    target: uuid::Uuid,
) -> AppResult<Slug> {
    if let Some(slug) = given {
        claim_slug(conn, kind, &slug, target).await?;
        return Ok(slug);
    }
    let mut base = slugify(name);
    if base.len() < 2 {
        base = fallback.to_owned();
    }
    base.truncate(72);
    let base = base.trim_end_matches('-').to_owned();
    let mut candidate = base.clone();
    let mut n = 2;
    while !insert_slug(conn, kind, &candidate, target).await? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(Slug::derived(candidate))
}

/// Records `slug` as (now) pointing at `target`; `CONFLICT` if another owns it.
pub async fn claim_slug(
    conn: &impl ConnectionTrait,
    kind: &str,
    slug: &Slug,
    target: uuid::Uuid,
) -> AppResult<()> {
    if insert_slug(conn, kind, slug.as_str(), target).await? {
        return Ok(());
    }
    let holder = slug_history::Entity::find_by_id((kind.to_owned(), slug.as_str().to_owned()))
        .one(conn)
        .await?
        .map(|h| h.target_id);
    if holder == Some(target) {
        return Ok(());
    }
    Err(AppError::Conflict(format!(
        "the slug `{}` is already taken",
        slug.as_str()
    )))
}

/// The id a slug points at now or pointed at before.
pub async fn resolve_slug(db: &Db, kind: &str, slug: &str) -> AppResult<Option<uuid::Uuid>> {
    Ok(
        slug_history::Entity::find_by_id((kind.to_owned(), slug.to_owned()))
            .one(db.conn())
            .await?
            .map(|h| h.target_id),
    )
}

fn search_text(name: &str, area: Option<&str>, province: &str, ward: &str) -> String {
    fold(&format!(
        "{name} {} {province} {ward}",
        area.unwrap_or_default()
    ))
}

/// Creates a cooperative; the caller becomes its owner.
pub async fn create(
    db: &Db,
    viewer: &Viewer,
    new: NewCooperative,
) -> AppResult<cooperative::Model> {
    let owner = viewer.require_user()?;
    let id = CooperativeId::new();
    let now = Utc::now();
    let coop = db
        .write(async |txn| -> AppResult<_> {
            let slug = claim_new_slug(
                &**txn,
                SLUG_KIND,
                new.slug,
                new.name.as_str(),
                "htx",
                id.uuid(),
            )
            .await?;
            let model = cooperative::ActiveModel {
                id: Set(id.uuid()),
                search_text: Set(search_text(
                    new.name.as_str(),
                    new.area.as_deref(),
                    new.province.name(),
                    &new.ward,
                )),
                name: Set(new.name.as_str().to_owned()),
                slug: Set(slug.as_str().to_owned()),
                province: Set(new.province.name().to_owned()),
                ward: Set(new.ward),
                street: Set(new.street),
                area: Set(new.area),
                description: Set(new.description.unwrap_or_default()),
                phone: Set(new.phone.map(|p| p.as_str().to_owned())),
                email: Set(new.email.map(|e| e.as_str().to_owned())),
                bank_bin: Set(new.bank.as_ref().map(|b| b.bin.clone())),
                bank_account_number: Set(new.bank.as_ref().map(|b| b.number.clone())),
                bank_account_name: Set(new.bank.map(|b| b.name)),
                logo_asset_id: Set(None),
                cover_asset_id: Set(None),
                verified_at: Set(None),
                verified_by: Set(None),
                shipping_flat_fee_vnd: Set(0),
                shipping_free_above_vnd: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            };
            let coop = cooperative::Entity::insert(model)
                .exec_with_returning(&**txn)
                .await?;
            cooperative_member::Entity::insert(cooperative_member::ActiveModel {
                cooperative_id: Set(id.uuid()),
                user_id: Set(owner.uuid()),
                role: Set(MemberRole::Owner),
                created_at: Set(now),
            })
            .exec_without_returning(&**txn)
            .await?;
            Ok(coop)
        })
        .await?;
    tracing::info!(cooperative.id = %id, user.id = %owner, "cooperative created");
    Ok(coop)
}

/// Changes a cooperative's profile; managers and owners only. An old slug
/// keeps resolving after a new one is set.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: CooperativeId,
    changes: CooperativeChanges,
) -> AppResult<cooperative::Model> {
    require_member(db, viewer, id, MemberRole::Manager).await?;
    let updated = db
        .write(async |txn| -> AppResult<_> {
            // Locked before it is read: the fields this change keeps (and the
            // search text made from them) are the ones a concurrent change wrote.
            let current = cooperative::Entity::find_by_id(id.uuid())
                .lock_exclusive()
                .one(&**txn)
                .await?
                .ok_or_else(|| AppError::not_found("cooperative"))?;
            let mut model: cooperative::ActiveModel = current.clone().into();
            if let Some(slug) = &changes.slug {
                claim_slug(&**txn, SLUG_KIND, slug, id.uuid()).await?;
                model.slug = Set(slug.as_str().to_owned());
            }
            let name = changes.name.map_or(current.name, |n| n.as_str().to_owned());
            let province = changes
                .province
                .map_or(current.province, |p| p.name().to_owned());
            let ward = changes.ward.unwrap_or(current.ward);
            let area = changes.area.unwrap_or(current.area);
            model.search_text = Set(search_text(&name, area.as_deref(), &province, &ward));
            model.name = Set(name);
            model.province = Set(province);
            model.ward = Set(ward);
            model.area = Set(area);
            if let Some(street) = changes.street {
                model.street = Set(street);
            }
            if let Some(description) = changes.description {
                model.description = Set(description);
            }
            if let Some(phone) = changes.phone {
                model.phone = Set(phone.map(|p| p.as_str().to_owned()));
            }
            if let Some(email) = changes.email {
                model.email = Set(email.map(|e| e.as_str().to_owned()));
            }
            if let Some(bank) = changes.bank {
                model.bank_bin = Set(bank.as_ref().map(|b| b.bin.clone()));
                model.bank_account_number = Set(bank.as_ref().map(|b| b.number.clone()));
                model.bank_account_name = Set(bank.map(|b| b.name));
            }
            model.updated_at = Set(Utc::now());
            let updated = model.update(&**txn).await?;
            Ok(updated)
        })
        .await?;
    Ok(updated)
}

/// Marks a cooperative verified (or not); platform admins only.
pub async fn verify(
    db: &Db,
    viewer: &Viewer,
    id: CooperativeId,
    verified: bool,
) -> AppResult<cooperative::Model> {
    let admin = crate::auth::service::require_role(db, viewer, PlatformRole::Admin).await?;
    let current = find(db, id)
        .await?
        .ok_or_else(|| AppError::not_found("cooperative"))?;
    let mut model: cooperative::ActiveModel = current.into();
    model.verified_at = Set(verified.then(Utc::now));
    model.verified_by = Set(verified.then_some(admin.uuid()));
    model.updated_at = Set(Utc::now());
    let updated = db
        .write(async |txn| -> AppResult<_> {
            let updated = model.update(&**txn).await?;
            Ok(updated)
        })
        .await?;
    tracing::info!(cooperative.id = %id, verified, "cooperative verification changed");
    Ok(updated)
}

/// The cooperative with this id.
pub async fn find(db: &Db, id: CooperativeId) -> AppResult<Option<cooperative::Model>> {
    Ok(cooperative::Entity::find_by_id(id.uuid())
        .one(db.conn())
        .await?)
}

/// The cooperative with this slug, current or former.
pub async fn find_by_slug(db: &Db, slug: &str) -> AppResult<Option<cooperative::Model>> {
    match resolve_slug(db, SLUG_KIND, slug).await? {
        Some(id) => find(db, CooperativeId::from(id)).await,
        None => Ok(None),
    }
}

/// Filters of the cooperative list.
#[derive(Default)]
pub struct CooperativeFilter {
    pub province: Option<Province>,
    pub area: Option<String>,
    pub search: Option<String>,
    pub verified: Option<bool>,
}

/// One page of cooperatives, oldest first, and the total matching.
pub async fn list(
    db: &Db,
    filter: &CooperativeFilter,
    page: &Page<uuid::Uuid>,
) -> AppResult<(Vec<cooperative::Model>, bool, u64)> {
    let mut query = cooperative::Entity::find();
    if let Some(province) = &filter.province {
        query = query.filter(cooperative::Column::Province.eq(province.name()));
    }
    if let Some(area) = &filter.area {
        let pattern = format!("%{}%", escape_like(&fold(area)));
        query = query.filter(db.expr("search_text LIKE ? ESCAPE '\\'", vec![pattern.into()]));
    }
    if let Some(search) = &filter.search {
        for word in fold(search).split_whitespace() {
            let pattern = format!("%{}%", escape_like(word));
            query = query.filter(db.expr("search_text LIKE ? ESCAPE '\\'", vec![pattern.into()]));
        }
    }
    match filter.verified {
        Some(true) => query = query.filter(cooperative::Column::VerifiedAt.is_not_null()),
        Some(false) => query = query.filter(cooperative::Column::VerifiedAt.is_null()),
        None => {}
    }
    let total = query.clone().count(db.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(cooperative::Column::Id.gt(after));
    }
    let mut rows = query
        .order_by_asc(cooperative::Column::Id)
        .limit(page.first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok((rows, has_next, total))
}

/// The cooperatives the viewer is a member of, with their role.
pub async fn mine(db: &Db, viewer: &Viewer) -> AppResult<Vec<(cooperative::Model, MemberRole)>> {
    let user = viewer.require_user()?;
    let memberships = cooperative_member::Entity::find()
        .filter(cooperative_member::Column::UserId.eq(user.uuid()))
        .all(db.conn())
        .await?;
    let coops = cooperative::Entity::find()
        .filter(cooperative::Column::Id.is_in(memberships.iter().map(|m| m.cooperative_id)))
        .order_by_asc(cooperative::Column::Name)
        .all(db.conn())
        .await?;
    Ok(coops
        .into_iter()
        .filter_map(|c| {
            let role = memberships
                .iter()
                .find(|m| m.cooperative_id == c.id)
                .map(|m| m.role)?;
            Some((c, role))
        })
        .collect())
}

/// A member and their account.
#[derive(Clone, Debug)]
pub struct Member {
    pub user: user::Model,
    pub role: MemberRole,
    pub since: chrono::DateTime<Utc>,
}

/// The members of each of the cooperatives `ids`, oldest first, in two
/// queries whatever their number (no authorisation: see
/// `loaders::require_role`).
pub async fn members_of(
    db: &Db,
    ids: &[CooperativeId],
) -> Result<HashMap<CooperativeId, Vec<Member>>, sea_orm::DbErr> {
    let rows = cooperative_member::Entity::find()
        .filter(cooperative_member::Column::CooperativeId.is_in(ids.iter().map(|c| c.uuid())))
        .order_by_asc(cooperative_member::Column::CreatedAt)
        .order_by_asc(cooperative_member::Column::UserId)
        .all(db.conn())
        .await?;
    let users: HashMap<uuid::Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|m| m.user_id)))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut out: HashMap<CooperativeId, Vec<Member>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for m in rows {
        let (Some(user), role) = (users.get(&m.user_id), m.role) else {
            continue;
        };
        out.entry(CooperativeId::from(m.cooperative_id))
            .or_default()
            .push(Member {
                user: user.clone(),
                role,
                since: m.created_at,
            });
    }
    Ok(out)
}

/// Locks the cooperative's member rows until the transaction ends
/// (PostgreSQL; on SQLite the write gate already serialises writers).
async fn lock_members(txn: &impl ConnectionTrait, id: CooperativeId) -> AppResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        cooperative_member::Entity::find()
            .filter(cooperative_member::Column::CooperativeId.eq(id.uuid()))
            .lock_exclusive()
            .all(txn)
            .await?;
    }
    Ok(())
}

async fn ensure_an_owner_remains(txn: &impl ConnectionTrait, id: CooperativeId) -> AppResult<()> {
    let owners = cooperative_member::Entity::find()
        .filter(cooperative_member::Column::CooperativeId.eq(id.uuid()))
        .filter(cooperative_member::Column::Role.eq(MemberRole::Owner))
        .count(txn)
        .await?;
    if owners == 0 {
        return Err(AppError::Conflict(
            "a cooperative must keep at least one owner".into(),
        ));
    }
    Ok(())
}

fn require_owner_for(actor: &Actor, role: MemberRole) -> AppResult<()> {
    if role == MemberRole::Owner && !actor.covers(MemberRole::Owner) {
        return Err(AppError::Forbidden(
            "only an owner can grant or take the OWNER role".into(),
        ));
    }
    Ok(())
}

/// Adds the account with `email` as a member; managers and owners only.
pub async fn add_member(
    db: &Db,
    viewer: &Viewer,
    id: CooperativeId,
    email: Email,
    role: MemberRole,
) -> AppResult<Member> {
    let actor = require_member(db, viewer, id, MemberRole::Manager).await?;
    require_owner_for(&actor, role)?;
    let user = find_by_email(db, &email).await?.ok_or_else(|| {
        AppError::NotFound("no account has this email; ask them to register first".into())
    })?;
    let now = Utc::now();
    db.write(async |txn| -> AppResult<_> {
        let inserted = cooperative_member::Entity::insert(cooperative_member::ActiveModel {
            cooperative_id: Set(id.uuid()),
            user_id: Set(user.id),
            role: Set(role),
            created_at: Set(now),
        })
        .exec_without_returning(&**txn)
        .await;
        match inserted {
            Err(err) if constraint_violation(&err).is_some_and(|v| v.is_on("userId")) => {
                return Err(AppError::Conflict(
                    "this account is already a member".into(),
                ));
            }
            other => {
                other?;
            }
        }
        Ok(())
    })
    .await?;
    tracing::info!(cooperative.id = %id, user.id = %user.id, role = %role, "member added");
    Ok(Member {
        user,
        role,
        since: now,
    })
}

/// Changes a member's role; managers and owners only, owners for `OWNER`.
pub async fn change_member_role(
    db: &Db,
    viewer: &Viewer,
    id: CooperativeId,
    member: UserId,
    role: MemberRole,
) -> AppResult<Member> {
    let actor = require_member(db, viewer, id, MemberRole::Manager).await?;
    require_owner_for(&actor, role)?;
    let (row, user) = db
        .write(async |txn| -> AppResult<_> {
            lock_members(&**txn, id).await?;
            let current = role_of(&**txn, id, member)
                .await?
                .ok_or_else(|| AppError::not_found("member"))?;
            require_owner_for(&actor, current)?;
            cooperative_member::Entity::update_many()
                .col_expr(cooperative_member::Column::Role, Expr::value(role))
                .filter(cooperative_member::Column::CooperativeId.eq(id.uuid()))
                .filter(cooperative_member::Column::UserId.eq(member.uuid()))
                .exec(&**txn)
                .await?;
            ensure_an_owner_remains(&**txn, id).await?;
            let row = cooperative_member::Entity::find_by_id((id.uuid(), member.uuid()))
                .one(&**txn)
                .await?
                .ok_or_else(|| AppError::not_found("member"))?;
            let user = user::Entity::find_by_id(member.uuid())
                .one(&**txn)
                .await?
                .ok_or_else(|| AppError::not_found("user"))?;
            Ok((row, user))
        })
        .await?;
    Ok(Member {
        user,
        role,
        since: row.created_at,
    })
}

/// Removes a member; managers and owners may remove others (owners for an
/// owner), and anyone may leave. The last owner stays.
pub async fn remove_member(
    db: &Db,
    viewer: &Viewer,
    id: CooperativeId,
    member: UserId,
) -> AppResult<()> {
    let me = viewer.require_user()?;
    let actor = if me == member {
        require_member(db, viewer, id, MemberRole::Staff).await?
    } else {
        require_member(db, viewer, id, MemberRole::Manager).await?
    };
    db.write(async |txn| -> AppResult<_> {
        lock_members(&**txn, id).await?;
        let current = role_of(&**txn, id, member)
            .await?
            .ok_or_else(|| AppError::not_found("member"))?;
        if me != member {
            require_owner_for(&actor, current)?;
        }
        cooperative_member::Entity::delete_by_id((id.uuid(), member.uuid()))
            .exec(&**txn)
            .await?;
        ensure_an_owner_remains(&**txn, id).await?;
        Ok(())
    })
    .await?;
    tracing::info!(cooperative.id = %id, user.id = %member, "member removed");
    Ok(())
}
