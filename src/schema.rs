//! The GraphQL root: merges every domain's queries and mutations and sets the
//! operation limits. The only module that knows every domain.

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};

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
use crate::graphql::limits::OperationLimits;
use crate::graphql::operation::{OperationName, RecordOperationName};
use crate::media::loaders::MediaAssetLoader;
use crate::media::resolvers::{MediaMutation, MediaQuery};
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
    TrainingMutation,
);

/// The schema served at `/graphql`.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

fn builder(limits: &GraphqlLimits) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    let builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
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
pub fn build(config: &Config, db: Db, keys: TokenKeys, storage: Storage) -> AppSchema {
    builder(&config.graphql)
        .data(db)
        .data(keys)
        .data(storage)
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
    request: async_graphql::Request,
    db: &Db,
    viewer: Viewer,
    operation: OperationName,
) -> async_graphql::Request {
    request
        .data(viewer)
        .data(operation)
        .data(DataLoader::new(RolesByUser(db.clone()), tokio::spawn))
        .data(DataLoader::new(CooperativeLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(MembershipLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(ProductLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(VariantsByProduct(db.clone()), tokio::spawn))
        .data(DataLoader::new(
            OriginStoryByProduct(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(LotsByProduct(db.clone()), tokio::spawn))
        .data(DataLoader::new(BadgesByProduct(db.clone()), tokio::spawn))
        .data(DataLoader::new(
            BadgesByCooperative(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(MediaAssetLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(CourseLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(SessionsByCourse(db.clone()), tokio::spawn))
        .data(DataLoader::new(
            OrganisersByCourse(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(UserLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(ParticipantLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(
            AttendanceBySession(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            CertificateByEnrolment(db.clone()),
            tokio::spawn,
        ))
}
