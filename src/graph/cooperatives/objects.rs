//! A cooperative as the API shows it, and the inputs that change one.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::catalog::service::browse::{ProductCursor, ProductFilter};
use crate::cooperatives::service::Member;
use crate::error::{AppError, AppResult};
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::auth::is_admin;
use crate::graph::catalog::product::to_connection;
use crate::graph::catalog::{BadgesByCooperative, FirstProductsByCooperative};
use crate::graph::catalog::{Certification, Product, ProductSort, product_connection};
use crate::graph::cooperatives::{
    FollowingLoader, MemberRole, MembersByCooperative, MembershipLoader,
};
use crate::graph::ids::global_id;
use crate::graph::livestream::CurrentShowsByCooperative;
use crate::graph::media::{MediaAsset, ready_asset};
use crate::graph::viewer;
use crate::graph::{Total, load_one};
use crate::ids::{CooperativeId, UserId};
use crate::pagination::Page;

/// A farming cooperative (hợp tác xã).
pub struct Cooperative(pub entity::cooperative::Model);

impl Cooperative {
    fn coop_id(&self) -> CooperativeId {
        CooperativeId::from(self.0.id)
    }

    /// The viewer's role here, if they are a member.
    async fn role(&self, ctx: &Context<'_>) -> AppResult<Option<crate::cooperatives::MemberRole>> {
        match viewer(ctx).user().ok().flatten() {
            Some(user) => load_one::<MembershipLoader, _>(ctx, (self.coop_id(), user)).await,
            None => Ok(None),
        }
    }

    /// True when the viewer is a member or a platform admin.
    async fn is_insider(&self, ctx: &Context<'_>) -> AppResult<bool> {
        if self.role(ctx).await?.is_some() {
            return Ok(true);
        }
        match viewer(ctx).user().ok().flatten() {
            Some(user) => is_admin(ctx, user).await,
            None => Ok(false),
        }
    }
}

/// A postal address under Vietnam's two-tier local government (since 1 July 2025).
#[derive(SimpleObject)]
pub struct Address {
    /// One of the 34 provinces and centrally-run cities.
    pub province: String,
    /// Commune or ward.
    pub ward: String,
    /// Street, hamlet (bản, thôn) and number.
    pub street: Option<String>,
}

/// A bank account shoppers pay into by VietQR.
#[derive(SimpleObject)]
pub struct BankAccountView {
    /// The bank's 6-digit BIN.
    pub bin: String,
    /// The account number, 6 to 19 digits.
    pub account_number: String,
    /// The holder's name as banks print it.
    pub account_name: String,
}

/// A cooperative's shipping fee rule.
#[derive(SimpleObject)]
pub struct ShippingPolicy {
    /// Charged on each order, in whole đồng.
    pub flat_fee_vnd: i64,
    /// Orders whose subtotal reaches this ship free; null: never free.
    pub free_above_vnd: Option<i64>,
}

/// A member of a cooperative: a user and the role they hold there.
pub struct CooperativeMember {
    /// The cooperative they are a member of.
    pub cooperative: CooperativeId,
    /// Who they are and their role.
    pub member: Member,
}

impl CooperativeMember {
    /// `member` of `cooperative`.
    pub fn new(cooperative: CooperativeId, member: Member) -> Self {
        Self {
            cooperative,
            member,
        }
    }

    /// The membership's global id: memberships have no row id of their
    /// own, so it is made of the cooperative's and the user's,
    /// `gid://farmstream/CooperativeMember/<cooperative>:<user>`; it stays
    /// the same while the user is a member, whatever their role.
    pub fn id_of(cooperative: CooperativeId, user: UserId) -> ID {
        let ID(base) = global_id("CooperativeMember", cooperative.uuid());
        ID(format!("{base}:{}", user.uuid()))
    }
}

#[Object]
impl CooperativeMember {
    /// The membership's id: the same for as long as the user is a member.
    async fn id(&self) -> ID {
        Self::id_of(self.cooperative, UserId::from(self.member.user.id))
    }
    /// The member's user id.
    async fn user_id(&self) -> ID {
        UserId::from(self.member.user.id).to_gql()
    }
    /// The member's display name.
    async fn display_name(&self) -> &str {
        &self.member.user.display_name
    }
    /// The member's e-mail address (members see each other's).
    async fn email(&self) -> &str {
        &self.member.user.email
    }
    /// Their role.
    async fn role(&self) -> MemberRole {
        self.member.role.into()
    }
    /// Since when.
    async fn since(&self) -> DateTime<Utc> {
        self.member.since
    }
}

#[Object]
impl Cooperative {
    /// The cooperative's id.
    pub async fn id(&self) -> ID {
        self.coop_id().to_gql()
    }
    /// Its name, e.g. "HTX Xoài Yên Châu".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its current URL slug; earlier slugs still resolve.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Where it is.
    async fn address(&self) -> Address {
        Address {
            province: self.0.province.clone(),
            ward: self.0.ward.clone(),
            street: self.0.street.clone(),
        }
    }
    /// The growing region people know it by (e.g. Mộc Châu), often a former district.
    async fn area(&self) -> Option<&str> {
        self.0.area.as_deref()
    }
    /// What it grows and how.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// What shipping costs on an order from this cooperative: a flat fee,
    /// waived at or above a subtotal the cooperative sets.
    async fn shipping_policy(&self) -> ShippingPolicy {
        ShippingPolicy {
            flat_fee_vnd: self.0.shipping_flat_fee_vnd,
            free_above_vnd: self.0.shipping_free_above_vnd,
        }
    }
    /// Contact phone.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Contact e-mail.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// True once a platform admin has verified it.
    async fn verified(&self) -> bool {
        self.0.verified_at.is_some()
    }
    /// When it was verified.
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at
    }
    /// The account VietQR payments go to; only its members and admins see it.
    async fn bank_account(&self, ctx: &Context<'_>) -> ApiResult<Option<BankAccountView>> {
        if !self.is_insider(ctx).await? {
            return Ok(None);
        }
        Ok(
            match (
                &self.0.bank_bin,
                &self.0.bank_account_number,
                &self.0.bank_account_name,
            ) {
                (Some(bin), Some(number), Some(name)) => Some(BankAccountView {
                    bin: bin.clone(),
                    account_number: number.clone(),
                    account_name: name.clone(),
                }),
                _ => None,
            },
        )
    }
    /// The viewer's role in this cooperative; null for non-members.
    async fn viewer_role(&self, ctx: &Context<'_>) -> ApiResult<Option<MemberRole>> {
        Ok(self.role(ctx).await?.map(Into::into))
    }
    /// True when the signed-in viewer follows this cooperative (to hear
    /// when it goes live); false for anonymous callers.
    async fn viewer_is_following(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let Some(user) = viewer(ctx).user().ok().flatten() else {
            return Ok(false);
        };
        let following = load_one::<FollowingLoader, _>(ctx, (self.coop_id(), user)).await?;
        Ok(following.unwrap_or(false))
    }
    /// Its members, oldest first; only its members and platform admins see
    /// them: null for anyone else.
    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<CooperativeMember>>> {
        if !self.is_insider(ctx).await? {
            return Ok(None);
        }
        let members = load_one::<MembersByCooperative, _>(ctx, self.coop_id()).await?;
        Ok(Some(
            members
                .unwrap_or_default()
                .into_iter()
                .map(|m| CooperativeMember::new(self.coop_id(), m))
                .collect(),
        ))
    }
    /// Cooperative-wide certificates valid today.
    async fn badges(&self, ctx: &Context<'_>) -> ApiResult<Vec<Certification>> {
        let rows = load_one::<BadgesByCooperative, _>(ctx, self.coop_id()).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Certification)
            .collect())
    }
    /// Its published products.
    #[graphql(complexity = "crate::pagination::connection_complexity(child_complexity, first)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        sort: Option<ProductSort>,
    ) -> ApiResult<Connection<String, Product, Total>> {
        let sort = sort.unwrap_or(ProductSort::Newest).into();
        let page = Page::<ProductCursor>::parse(first, after.as_deref())?;
        if page.after.is_none() {
            // The first page, as a list of cooperatives asks for it: batched.
            let key = (self.coop_id(), sort, page.first);
            let result = load_one::<FirstProductsByCooperative, _>(ctx, key)
                .await?
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("no first page loaded")))?;
            return Ok(to_connection(result, false));
        }
        let filter = ProductFilter {
            cooperative: Some(self.coop_id()),
            ..ProductFilter::default()
        };
        product_connection(ctx, &filter, sort, first, after).await
    }
    /// Its shows that are live now or scheduled: live ones first, then the
    /// soonest.
    async fn current_livestreams(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::graph::livestream::Livestream>> {
        let shows = load_one::<CurrentShowsByCooperative, _>(ctx, self.coop_id()).await?;
        Ok(shows
            .unwrap_or_default()
            .into_iter()
            .map(crate::graph::livestream::Livestream)
            .collect())
    }
    /// All its shows, past ones too, by scheduled start, soonest first.
    #[graphql(complexity = "crate::pagination::connection_complexity(child_complexity, first)")]
    async fn livestreams(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<crate::graph::livestream::LivestreamStatus>,
    ) -> ApiResult<Connection<String, crate::graph::livestream::Livestream, Total>> {
        let status = status.map(Into::into);
        crate::graph::livestream::cooperative_shows(ctx, self.coop_id(), status, first, after).await
    }
    /// Its logo, once uploaded and set.
    async fn logo(&self, ctx: &Context<'_>) -> ApiResult<Option<MediaAsset>> {
        ready_asset(ctx, self.0.logo_asset_id).await
    }
    /// The wide picture on top of its page, once uploaded and set.
    async fn cover(&self, ctx: &Context<'_>) -> ApiResult<Option<MediaAsset>> {
        ready_asset(ctx, self.0.cover_asset_id).await
    }
    /// When it joined.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Where a cooperative is.
#[derive(InputObject)]
pub struct AddressInput {
    /// One of the 34 provinces and centrally-run cities, with or without tone marks.
    pub province: String,
    /// Commune or ward.
    pub ward: String,
    /// Street, hamlet and number.
    pub street: Option<String>,
}

/// A bank account for VietQR payments.
#[derive(InputObject)]
pub struct BankAccountInput {
    /// The bank's 6-digit BIN (e.g. 970415).
    pub bin: String,
    /// 6 to 19 digits.
    pub account_number: String,
    /// The holder's name; tone marks are removed and it is upper-cased.
    pub account_name: String,
}

/// A new cooperative.
#[derive(InputObject)]
pub struct CreateCooperativeInput {
    /// Its name, 1 to 200 characters, e.g. "HTX Xoài Yên Châu".
    pub name: String,
    /// Its URL slug (lower-case letters, digits and dashes); derived from
    /// the name when not given.
    pub slug: Option<String>,
    /// Where it is.
    pub address: AddressInput,
    /// The growing region people know it by, e.g. Mộc Châu.
    pub area: Option<String>,
    /// What it grows and how, up to 5000 characters.
    pub description: Option<String>,
    /// A Vietnamese contact phone number.
    pub phone: Option<String>,
    /// A contact e-mail address.
    pub email: Option<String>,
    /// The account VietQR payments go to.
    pub bank_account: Option<BankAccountInput>,
}

/// Changes to a cooperative; omitted fields stay as they are, `null` clears.
#[derive(InputObject)]
pub struct UpdateCooperativeInput {
    /// A new name; the slug stays.
    pub name: Option<String>,
    /// A new slug; the old one keeps resolving.
    pub slug: Option<String>,
    /// A new address, all of it.
    pub address: Option<AddressInput>,
    /// A new growing region; `null` clears it.
    #[graphql(default)]
    pub area: MaybeUndefined<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new contact phone; `null` clears it.
    #[graphql(default)]
    pub phone: MaybeUndefined<String>,
    /// A new contact e-mail; `null` clears it.
    #[graphql(default)]
    pub email: MaybeUndefined<String>,
    /// A new bank account; `null` removes it.
    #[graphql(default)]
    pub bank_account: MaybeUndefined<BankAccountInput>,
}

/// Filters of the cooperative list.
#[derive(InputObject, Default)]
pub struct CooperativeFilterInput {
    /// One of the 34 provinces, with or without tone marks.
    pub province: Option<String>,
    /// A growing region, e.g. "moc chau".
    pub area: Option<String>,
    /// Words to find in the name or places, with or without tone marks.
    pub search: Option<String>,
    /// Only verified cooperatives (true) or only unverified ones (false).
    pub verified: Option<bool>,
}
