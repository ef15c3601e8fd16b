//! Global object identification: the `Node` interface, `node(id:)` and
//! `nodes(ids:)` (Relay's convention, as in Shopify's APIs), so a client
//! cache can refetch any object it holds by its id alone.
//!
//! Each kind is fetched with the same visibility rule as its own lookup
//! (`product(id:)`, `order(id:)`, …): what the caller may not see is
//! `null`, exactly like what does not exist.

use async_graphql::{Context, ID, Interface, Object};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::graph::catalog::Product;
use crate::graph::cooperatives::Cooperative;
use crate::graph::ids::split;
use crate::graph::livestream::Livestream;
use crate::graph::media::MediaAsset;
use crate::graph::orders::Order;
use crate::graph::training::Course;
use crate::graph::{ApiResult, GqlId, viewer};
use crate::ids::{CooperativeId, CourseId, LivestreamId, MediaAssetId, OrderId, ProductId};

/// The most ids one `nodes` call takes.
pub const MAX_NODES: usize = 100;

/// An object with a global id, which `node(id:)` fetches again.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The object's global id: opaque, stable, and unique across every type."
))]
pub enum Node {
    /// A cooperative.
    Cooperative(Cooperative),
    /// A product.
    Product(Product),
    /// An order.
    Order(Order),
    /// A livestream selling session.
    Livestream(Livestream),
    /// A training course.
    Course(Course),
    /// An uploaded image, video or document.
    MediaAsset(MediaAsset),
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, or `null` when there is none or the
    /// caller may not see it. An id that is not one of ours is `INVALID`.
    #[graphql(cache_control(private))]
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        Ok(fetch(ctx, &id, "id").await?)
    }

    /// The objects with these global ids, in the same order, `null` where
    /// there is none or the caller may not see it; at most 100 ids.
    #[graphql(cache_control(private))]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(
                AppError::invalid("ids", format!("at most {MAX_NODES} ids at once")).into(),
            );
        }
        let mut found = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            found.push(fetch(ctx, id, &format!("ids[{i}]")).await?);
        }
        Ok(found)
    }
}

/// The object `raw` names, if the viewer may see it.
async fn fetch(ctx: &Context<'_>, raw: &ID, field: &str) -> AppResult<Option<Node>> {
    let db = ctx.data_unchecked::<Db>();
    let viewer = viewer(ctx);
    let Some((type_name, _)) = split(raw.as_str()) else {
        return Err(AppError::invalid(field, "is not a valid id"));
    };
    let found = match type_name {
        CooperativeId::TYPE_NAME => {
            let id = CooperativeId::parse(raw, field)?;
            crate::cooperatives::service::find(db, id)
                .await
                .map(|c| c.map(|c| Node::Cooperative(Cooperative(c))))
        }
        ProductId::TYPE_NAME => {
            let id = ProductId::parse(raw, field)?;
            match crate::catalog::service::products::find(db.conn(), id).await? {
                None => Ok(None),
                Some(found) => crate::catalog::service::products::visible(db, viewer, Some(found))
                    .await
                    .map(|p| Some(Node::Product(Product(p)))),
            }
        }
        OrderId::TYPE_NAME => {
            let id = OrderId::parse(raw, field)?;
            crate::orders::service::for_viewer(db, viewer, id)
                .await
                .map(|o| Some(Node::Order(Order(o))))
        }
        LivestreamId::TYPE_NAME => {
            let id = LivestreamId::parse(raw, field)?;
            crate::livestream::service::find(db.conn(), id)
                .await
                .map(|s| s.map(|s| Node::Livestream(Livestream(s))))
        }
        CourseId::TYPE_NAME => {
            let id = CourseId::parse(raw, field)?;
            crate::training::service::courses::find_visible(db, viewer, id)
                .await
                .map(|c| Some(Node::Course(Course(c))))
        }
        MediaAssetId::TYPE_NAME => {
            let id = MediaAssetId::parse(raw, field)?;
            match crate::media::service::find(db.conn(), id).await? {
                None => Ok(None),
                Some(asset) => crate::media::service::ensure_visible(db, viewer, &asset)
                    .await
                    .map(|()| Some(Node::MediaAsset(MediaAsset(asset)))),
            }
        }
        // An id of ours whose type has no `node` lookup (yet): nothing.
        _ => Ok(None),
    };
    match found {
        Err(AppError::NotFound(_) | AppError::Forbidden(_) | AppError::Unauthenticated(_)) => {
            Ok(None)
        }
        other => other,
    }
}
