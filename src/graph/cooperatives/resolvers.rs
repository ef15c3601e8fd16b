//! Cooperative queries and mutations.

use crate::graph::respond;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, MaybeUndefined, Object};

use crate::cooperatives::inputs::BankAccount;
use crate::cooperatives::service::{self, CooperativeChanges, CooperativeFilter, NewCooperative};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::Total;
use crate::graph::cooperatives::MemberRole;
use crate::graph::cooperatives::{
    BankAccountInput, Cooperative, CooperativeFilterInput, CooperativeMember,
    CreateCooperativeInput, UpdateCooperativeInput,
};
use crate::graph::payload::{Payload, UserError};
use crate::graph::viewer;
use crate::ids::{CooperativeId, UserId};
use crate::pagination::{Page, encode_cursor};
use crate::places::Province;
use crate::values::{Email, Name, PhoneNumber, Slug, line, text};

fn bank(input: &BankAccountInput, field: &str) -> AppResult<BankAccount> {
    BankAccount::parse(
        &input.bin,
        &input.account_number,
        &input.account_name,
        field,
    )
}

fn optional<T>(
    value: MaybeUndefined<String>,
    parse: impl FnOnce(&str) -> AppResult<T>,
) -> AppResult<Option<Option<T>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) if v.trim().is_empty() => Ok(Some(None)),
        MaybeUndefined::Value(v) => parse(&v).map(|p| Some(Some(p))),
    }
}

/// Cooperative queries.
#[derive(Default)]
pub struct CooperativeQuery;

#[Object]
impl CooperativeQuery {
    /// A cooperative by id or by slug (current or former); null when there
    /// is none. Give exactly one of the two (`BAD_USER_INPUT` otherwise).
    #[graphql(cache_control(max_age = 60))]
    async fn cooperative(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> ApiResult<Option<Cooperative>> {
        let db = ctx.data_unchecked::<Db>();
        let found = match (id, slug) {
            (Some(id), None) => service::find(db, CooperativeId::parse(&id, "id")?).await?,
            (None, Some(slug)) => service::find_by_slug(db, &slug).await?,
            _ => return Err(AppError::invalid("id", "give either id or slug").into()),
        };
        Ok(found.map(Cooperative))
    }

    /// Cooperatives, oldest first, filtered.
    #[graphql(
        complexity = "crate::pagination::connection_complexity(child_complexity, first)",
        cache_control(max_age = 60)
    )]
    async fn cooperatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<CooperativeFilterInput>,
    ) -> ApiResult<Connection<String, Cooperative, Total>> {
        let input = filter.unwrap_or_default();
        let filter = CooperativeFilter {
            province: input
                .province
                .as_deref()
                .map(|p| Province::parse(p, "filter.province"))
                .transpose()?,
            area: line(input.area.as_deref(), "filter.area", 100)?,
            search: crate::text::search(input.search.as_deref(), "filter.search")?,
            verified: input.verified,
        };
        let page = Page::parse(first, after.as_deref())?;
        let had_cursor = page.after.is_some();
        let (rows, has_next, total) =
            service::list(ctx.data_unchecked::<Db>(), &filter, &page).await?;
        let mut conn =
            Connection::with_additional_fields(had_cursor, has_next, Total { total_count: total });
        conn.edges.extend(
            rows.into_iter()
                .map(|c| Edge::new(encode_cursor(&c.id), Cooperative(c))),
        );
        Ok(conn)
    }

    /// The cooperatives the viewer is a member of.
    #[graphql(cache_control(private))]
    async fn my_cooperatives(&self, ctx: &Context<'_>) -> ApiResult<Vec<Cooperative>> {
        let rows = service::mine(ctx.data_unchecked::<Db>(), viewer(ctx)).await?;
        Ok(rows.into_iter().map(|(c, _)| Cooperative(c)).collect())
    }
}

/// Cooperative mutations.
#[derive(Default)]
pub struct CooperativeMutation;

#[Object]
impl CooperativeMutation {
    /// Creates a cooperative; the caller becomes its owner.
    async fn create_cooperative(
        &self,
        ctx: &Context<'_>,
        input: CreateCooperativeInput,
    ) -> ApiResult<CreateCooperativePayload> {
        respond(
            async {
                let new = NewCooperative {
                    name: Name::parse(&input.name, "input.name")?,
                    slug: input
                        .slug
                        .as_deref()
                        .map(|s| Slug::parse(s, "input.slug"))
                        .transpose()?,
                    province: Province::parse(&input.address.province, "input.address.province")?,
                    ward: crate::text::single_line(&input.address.ward, "input.address.ward", 100)?,
                    street: line(input.address.street.as_deref(), "input.address.street", 200)?,
                    area: line(input.area.as_deref(), "input.area", 100)?,
                    description: text(input.description.as_deref(), "input.description", 5000)?,
                    phone: input
                        .phone
                        .as_deref()
                        .filter(|p| !p.trim().is_empty())
                        .map(|p| PhoneNumber::parse(p, "input.phone"))
                        .transpose()?,
                    email: input
                        .email
                        .as_deref()
                        .filter(|e| !e.trim().is_empty())
                        .map(|e| Email::parse(e, "input.email"))
                        .transpose()?,
                    bank: input
                        .bank_account
                        .as_ref()
                        .map(|b| bank(b, "input.bankAccount"))
                        .transpose()?,
                };
                let coop = service::create(ctx.data_unchecked::<Db>(), viewer(ctx), new).await?;
                Ok(Cooperative(coop))
            }
            .await,
        )
    }

    /// Changes a cooperative's profile; its managers and owners only.
    async fn update_cooperative(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateCooperativeInput,
    ) -> ApiResult<UpdateCooperativePayload> {
        respond(
            async {
                let id = CooperativeId::parse(&id, "id")?;
                let changes = CooperativeChanges {
                    name: input
                        .name
                        .as_deref()
                        .map(|n| Name::parse(n, "input.name"))
                        .transpose()?,
                    slug: input
                        .slug
                        .as_deref()
                        .map(|s| Slug::parse(s, "input.slug"))
                        .transpose()?,
                    province: input
                        .address
                        .as_ref()
                        .map(|a| Province::parse(&a.province, "input.address.province"))
                        .transpose()?,
                    ward: input
                        .address
                        .as_ref()
                        .map(|a| crate::text::single_line(&a.ward, "input.address.ward", 100))
                        .transpose()?,
                    street: input
                        .address
                        .as_ref()
                        .map(|a| line(a.street.as_deref(), "input.address.street", 200))
                        .transpose()?,
                    area: optional(input.area, |a| {
                        line(Some(a), "input.area", 100).map(|t| t.unwrap_or_default())
                    })?,
                    description: input
                        .description
                        .as_deref()
                        .map(|d| {
                            text(Some(d), "input.description", 5000).map(Option::unwrap_or_default)
                        })
                        .transpose()?,
                    phone: optional(input.phone, |p| PhoneNumber::parse(p, "input.phone"))?,
                    email: optional(input.email, |e| Email::parse(e, "input.email"))?,
                    bank: match input.bank_account {
                        MaybeUndefined::Undefined => None,
                        MaybeUndefined::Null => Some(None),
                        MaybeUndefined::Value(b) => Some(Some(bank(&b, "input.bankAccount")?)),
                    },
                };
                let coop =
                    service::update(ctx.data_unchecked::<Db>(), viewer(ctx), id, changes).await?;
                Ok(Cooperative(coop))
            }
            .await,
        )
    }

    /// Marks a cooperative verified or not; platform admins only.
    async fn verify_cooperative(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = true)] verified: bool,
    ) -> ApiResult<VerifyCooperativePayload> {
        respond(
            async {
                let id = CooperativeId::parse(&id, "id")?;
                Ok(Cooperative(
                    service::verify(ctx.data_unchecked::<Db>(), viewer(ctx), id, verified).await?,
                ))
            }
            .await,
        )
    }

    /// Adds a registered account as a member; managers and owners only
    /// (owners to add an owner).
    async fn add_cooperative_member(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        email: String,
        role: MemberRole,
    ) -> ApiResult<AddCooperativeMemberPayload> {
        respond(
            async {
                let id = CooperativeId::parse(&cooperative_id, "cooperativeId")?;
                let email = Email::parse(&email, "email")?;
                let member = service::add_member(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    id,
                    email,
                    role.into(),
                )
                .await?;
                Ok(CooperativeMember::new(id, member))
            }
            .await,
        )
    }

    /// Changes a member's role; a cooperative always keeps an owner.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        user_id: ID,
        role: MemberRole,
    ) -> ApiResult<ChangeMemberRolePayload> {
        respond(
            async {
                let id = CooperativeId::parse(&cooperative_id, "cooperativeId")?;
                let user = UserId::parse(&user_id, "userId")?;
                let member = service::change_member_role(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    id,
                    user,
                    role.into(),
                )
                .await?;
                Ok(CooperativeMember::new(id, member))
            }
            .await,
        )
    }

    /// Removes a member (or lets a member leave); the last owner stays.
    /// Managers remove staff and managers, owners anyone; everyone may
    /// leave. The payload gives the cooperative as it is now (a member who
    /// left no longer sees its members) and who was removed.
    async fn remove_cooperative_member(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        user_id: ID,
    ) -> ApiResult<RemoveCooperativeMemberPayload> {
        respond(
            async {
                let id = CooperativeId::parse(&cooperative_id, "cooperativeId")?;
                let user = UserId::parse(&user_id, "userId")?;
                let db = ctx.data_unchecked::<Db>();
                service::remove_member(db, viewer(ctx), id, user).await?;
                let coop = service::find(db, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("cooperative"))?;
                Ok(RemovedMember {
                    cooperative: Cooperative(coop),
                    user,
                })
            }
            .await,
        )
    }
}

crate::payload!(
    /// The result of `createCooperative`.
    CreateCooperativePayload,
    cooperative: Cooperative
);

crate::payload!(
    /// The result of `updateCooperative`.
    UpdateCooperativePayload,
    cooperative: Cooperative
);

crate::payload!(
    /// The result of `verifyCooperative`.
    VerifyCooperativePayload,
    cooperative: Cooperative
);

crate::payload!(
    /// The result of `addCooperativeMember`.
    AddCooperativeMemberPayload,
    member: CooperativeMember
);

crate::payload!(
    /// The result of `changeMemberRole`.
    ChangeMemberRolePayload,
    member: CooperativeMember
);

/// Who `removeCooperativeMember` removed, and from where.
pub struct RemovedMember {
    cooperative: Cooperative,
    user: UserId,
}

/// The result of `removeCooperativeMember`: the cooperative as it is after
/// the removal, and who is gone.
#[derive(async_graphql::SimpleObject)]
pub struct RemoveCooperativeMemberPayload {
    /// The cooperative, without the removed member; `null` when
    /// `userErrors` says why not.
    cooperative: Option<Cooperative>,
    /// The user id of the member who was removed (or left), for a client to
    /// drop from its list; `null` when `userErrors` says why not.
    removed_user_id: Option<ID>,
    /// The id of the membership that ended (a `CooperativeMember.id`);
    /// `null` when `userErrors` says why not.
    removed_member_id: Option<ID>,
    /// What was wrong with the input or the state it met; empty on success.
    user_errors: Vec<UserError>,
}

impl Payload for RemoveCooperativeMemberPayload {
    type Value = RemovedMember;

    fn done(removed: RemovedMember) -> Self {
        let coop = CooperativeId::from(removed.cooperative.0.id);
        Self {
            removed_user_id: Some(removed.user.to_gql()),
            removed_member_id: Some(CooperativeMember::id_of(coop, removed.user)),
            cooperative: Some(removed.cooperative),
            user_errors: Vec::new(),
        }
    }

    fn failed(errors: Vec<UserError>) -> Self {
        Self {
            cooperative: None,
            removed_user_id: None,
            removed_member_id: None,
            user_errors: errors,
        }
    }
}
