//! The GraphQL root: merges every domain's queries and mutations and sets the
//! operation limits. The only module that knows every domain.

use async_graphql::dataloader::DataLoader;
use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::auth::loaders::RolesByUser;
use crate::auth::resolvers::{AuthMutation, AuthQuery};
use crate::auth::{Viewer, tokens::TokenKeys};
use crate::catalog::loaders::{
    BadgesByCooperative, BadgesByProduct, LotsByProduct, OriginStoryByProduct, ProductLoader,
    VariantsByProduct,
};
use crate::catalog::resolvers::cooperatives::{CooperativeMutation, CooperativeQuery};
use crate::catalog::resolvers::lots::{LotMutation, LotQuery};
use crate::catalog::resolvers::products::{ProductMutation, ProductQuery};
use crate::config::{Config, GraphqlLimits, PublicBaseUrl};
use crate::cooperatives::loaders::{CooperativeLoader, MembershipLoader};
use crate::db::Db;
use crate::events::EventBus;
use crate::graphql::limits::OperationLimits;
use crate::graphql::operation::{OperationName, RecordOperationName};
use crate::livestream::loaders::{FlashDealLoader, FlashDealsByLivestream, LineupLoader};
use crate::livestream::realtime::{LivestreamSubscription, Viewers};
use crate::livestream::resolvers::{LivestreamMutation, LivestreamQuery};
use crate::media::attachments::GalleryLoader;
use crate::media::loaders::MediaAssetLoader;
use crate::media::resolvers::{MediaMutation, MediaQuery};
use crate::orders::loaders::{HistoryByOrder, ItemsByOrder};
use crate::orders::resolvers::{OrderMutation, OrderQuery};
use crate::orders::service::HoldPolicy;
use crate::orders::types::VietQrEncoder;
use crate::payments::resolvers::{PaymentMutation, PaymentQuery};
use crate::storage::Storage;
use crate::training::loaders::{
    AttendanceBySession, CertificateByEnrolment, CourseLoader, OrganisersByCourse,
    ParticipantLoader, SessionsByCourse, UserLoader,
};
use crate::training::resolvers::{TrainingMutation, TrainingQuery};

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(
    AuthQuery,
    CooperativeQuery,
    ProductQuery,
    LotQuery,
    MediaQuery,
    OrderQuery,
    PaymentQuery,
    LivestreamQuery,
    TrainingQuery,
);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AuthMutation,
    CooperativeMutation,
    ProductMutation,
    LotMutation,
    MediaMutation,
    OrderMutation,
    PaymentMutation,
    LivestreamMutation,
    TrainingMutation,
);

/// Every subscription (over WebSocket at `/graphql`).
#[derive(MergedSubscription, Default)]
pub struct Subscription(LivestreamSubscription);

/// The schema served at `/graphql`.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

fn builder(limits: &GraphqlLimits) -> SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_directives(limits.max_directives)
    .extension(OperationLimits {
        max_aliases: limits.max_aliases,
        max_directives: limits.max_directives,
    })
    .extension(RecordOperationName);
    if limits.introspection {
        builder
    } else {
        builder.disable_introspection()
    }
}

/// The schema with the shared services every resolver reads from its context.
pub fn build(
    config: &Config,
    db: Db,
    keys: TokenKeys,
    storage: Storage,
    bus: EventBus,
) -> AppSchema {
    builder(&config.graphql)
        .data(db)
        .data(keys)
        .data(storage)
        .data(bus)
        .data(std::sync::Arc::new(Viewers::default()))
        .data(HoldPolicy {
            hold: config.payments.hold,
            sweep_interval: config.payments.sweep_interval,
        })
        .data(VietQrEncoder(crate::payments::vietqr::payload))
        .data(PublicBaseUrl(config.public_base_url.clone()))
        .data(config.media.clone())
        .data(crate::training::TrainingConfig {
            checkin_grace: chrono::Duration::minutes(i64::from(config.checkin_grace_minutes)),
        })
        .finish()
}

/// The schema in SDL, as written to `schema.graphql`.
pub fn sdl() -> String {
    let limits = GraphqlLimits {
        max_depth: usize::MAX,
        max_complexity: usize::MAX,
        max_aliases: usize::MAX,
        max_directives: usize::MAX,
        introspection: true,
    };
    builder(&limits).finish().sdl()
}

/// Adds what belongs to one request: who is asking and fresh DataLoaders
/// (so nothing is cached from one request to the next).
pub fn per_request(
    mut request: async_graphql::Request,
    db: &Db,
    viewer: Viewer,
    operation: OperationName,
) -> async_graphql::Request {
    request.data = request_data(db, viewer);
    request.data.insert(operation);
    request
}

/// The data of one request, or of one WebSocket connection: the viewer and
/// a DataLoader for every relation.
pub fn request_data(db: &Db, viewer: Viewer) -> async_graphql::Data {
    let mut data = async_graphql::Data::default();
    data.insert(viewer);
    data.insert(DataLoader::new(RolesByUser(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(CooperativeLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(MembershipLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(ProductLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(VariantsByProduct(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(
        OriginStoryByProduct(db.clone()),
        tokio::spawn,
    ));
    data.insert(DataLoader::new(LotsByProduct(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(BadgesByProduct(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(
        BadgesByCooperative(db.clone()),
        tokio::spawn,
    ));
    data.insert(DataLoader::new(MediaAssetLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(ItemsByOrder(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(HistoryByOrder(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(GalleryLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(LineupLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(
        FlashDealsByLivestream(db.clone()),
        tokio::spawn,
    ));
    data.insert(DataLoader::new(FlashDealLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(CourseLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(SessionsByCourse(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(
        OrganisersByCourse(db.clone()),
        tokio::spawn,
    ));
    data.insert(DataLoader::new(UserLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(ParticipantLoader(db.clone()), tokio::spawn));
    data.insert(DataLoader::new(
        AttendanceBySession(db.clone()),
        tokio::spawn,
    ));
    data.insert(DataLoader::new(
        CertificateByEnrolment(db.clone()),
        tokio::spawn,
    ));
    data
}
