//! The GraphQL root: merges every domain's queries and mutations and sets the
//! operation limits. The only module that knows every domain.

use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::auth::{Viewer, tokens::TokenKeys};
use crate::config::{Config, GraphqlLimits, PublicBaseUrl};
use crate::db::Db;
use crate::events::EventBus;
use crate::graph::auth::{AuthMutation, AuthQuery, RolesByUser};
use crate::graph::catalog::{
    BadgesByCooperative, BadgesByProduct, CertificationsOfLot, FirstProductsByCooperative,
    LotsByProduct, MovementsByVariant, OriginStoryByProduct, ProductLoader, VariantsByProduct,
};
use crate::graph::catalog::{LotMutation, LotQuery};
use crate::graph::catalog::{ProductMutation, ProductQuery};
use crate::graph::cooperatives::{
    CooperativeLoader, FollowingLoader, MembersByCooperative, MembershipLoader,
};
use crate::graph::cooperatives::{CooperativeMutation, CooperativeQuery};
use crate::graph::input_guard::InputGuard;
use crate::graph::limits::OperationLimits;
use crate::graph::livestream::LivestreamSubscription;
use crate::graph::livestream::{
    CurrentShowsByCooperative, CurrentShowsByProduct, FirstShowsByCooperative, FlashDealLoader,
    FlashDealsByLivestream, LineupLoader, LivestreamLoader, SalesByShow,
};
use crate::graph::livestream::{LivestreamMutation, LivestreamQuery};
use crate::graph::media::GalleryLoader;
use crate::graph::media::MediaAssetLoader;
use crate::graph::media::{MediaMutation, MediaQuery};
use crate::graph::node::NodeQuery;
use crate::graph::operation::{OperationName, RecordOperationName};
use crate::graph::orders::{HistoryByOrder, ItemsByOrder, OrderMutation, OrderQuery, VariantById};
use crate::graph::payments::{PaymentMutation, PaymentQuery};
use crate::graph::training::{
    AttendanceBySession, CertificateByEnrolment, CourseLoader, EnrolmentLoader, OrganisersByCourse,
    ParticipantLoader, SessionsByCourse, UserLoader,
};
use crate::graph::training::{TrainingMutation, TrainingQuery};
use crate::livestream::viewers::Viewers;
use crate::orders::VietQrEncoder;
use crate::orders::service::HoldPolicy;
use crate::storage::Storage;

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
    NodeQuery,
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
    // Depth and complexity are measured by OperationLimits, which leaves
    // introspection out of them (and bounds it apart) so that GraphiQL's
    // standard introspection query passes a depth limit sized for data.
    .limit_directives(limits.max_directives)
    .extension(OperationLimits {
        max_depth: limits.max_depth,
        max_complexity: limits.max_complexity,
        max_aliases: limits.max_aliases,
        max_directives: limits.max_directives,
    })
    .extension(RecordOperationName)
    .extension(InputGuard);
    if limits.introspection {
        builder
    } else {
        // "Did you mean …" would spell out the schema introspection hides.
        builder.disable_introspection().disable_suggestions()
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
    let viewers = Viewers::start(&bus, &db);
    with_loaders(builder(&config.graphql), &db, SHARED_BATCH_DELAY)
        .data(db)
        .data(keys)
        .data(crate::auth::password::PasswordHashing::from_config(
            &config.auth,
        ))
        .data(storage)
        .data(bus)
        .data(viewers)
        .data(HoldPolicy {
            hold: config.payments.hold,
            sweep_interval: config.payments.sweep_interval,
        })
        .data(VietQrEncoder(crate::payments::vietqr::payload))
        .data(PublicBaseUrl(config.public_base_url.clone()))
        .data(config.media.clone())
        .data(crate::media::inspect::DecodeGate::new(
            config.media.max_concurrent_decodes,
        ))
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

/// The data of one request: the viewer and a DataLoader for every relation.
pub fn request_data(db: &Db, viewer: Viewer) -> async_graphql::Data {
    let mut data = with_loaders(async_graphql::Data::default(), db, REQUEST_BATCH_DELAY);
    data.insert(viewer);
    data
}

/// The data of one WebSocket connection: its viewer only. Its subscriptions
/// load through the schema's DataLoaders, shared by every connection, so an
/// event that thousands of viewers receive at once costs a few batched
/// queries rather than a few per viewer. (Loaders hold no authorisation
/// logic and no cache, so sharing them changes nothing else.)
pub fn connection_data(viewer: Viewer) -> async_graphql::Data {
    let mut data = async_graphql::Data::default();
    data.insert(viewer);
    data
}

/// How long a request's DataLoader waits for more keys (async-graphql's default).
const REQUEST_BATCH_DELAY: Duration = Duration::from_millis(1);

/// How long a shared DataLoader waits for more keys: the viewers of one
/// event wake over a few milliseconds, and one batch should catch most.
const SHARED_BATCH_DELAY: Duration = Duration::from_millis(3);

/// Somewhere to put context data: one request's, or the whole schema's.
trait PutData {
    fn put<D: std::any::Any + Send + Sync>(self, data: D) -> Self;
}

impl PutData for async_graphql::Data {
    fn put<D: std::any::Any + Send + Sync>(mut self, data: D) -> Self {
        self.insert(data);
        self
    }
}

impl PutData for SchemaBuilder<Query, Mutation, Subscription> {
    fn put<D: std::any::Any + Send + Sync>(self, data: D) -> Self {
        self.data(data)
    }
}

/// `target` with a DataLoader for every relation, each waiting `delay` for keys.
fn with_loaders<P: PutData>(target: P, db: &Db, delay: Duration) -> P {
    macro_rules! loaders {
        ($($loader:ident),* $(,)?) => {
            target $(.put(DataLoader::new($loader(db.clone()), tokio::spawn).delay(delay)))*
        };
    }
    loaders!(
        RolesByUser,
        CooperativeLoader,
        MembershipLoader,
        MembersByCooperative,
        FollowingLoader,
        ProductLoader,
        VariantsByProduct,
        OriginStoryByProduct,
        LotsByProduct,
        CertificationsOfLot,
        MovementsByVariant,
        FirstProductsByCooperative,
        BadgesByProduct,
        BadgesByCooperative,
        MediaAssetLoader,
        ItemsByOrder,
        HistoryByOrder,
        VariantById,
        GalleryLoader,
        LineupLoader,
        LivestreamLoader,
        CurrentShowsByProduct,
        CurrentShowsByCooperative,
        FlashDealsByLivestream,
        SalesByShow,
        FirstShowsByCooperative,
        FlashDealLoader,
        CourseLoader,
        SessionsByCourse,
        OrganisersByCourse,
        UserLoader,
        ParticipantLoader,
        AttendanceBySession,
        CertificateByEnrolment,
        EnrolmentLoader,
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_graphql::extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextValidation,
    };
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    use async_graphql::{CacheControl, ServerError, ValidationMode, ValidationResult};

    use super::*;

    /// Keeps what validation computed and stops the request there, so that
    /// no resolver (and no database) is needed.
    struct Capture(Arc<Mutex<Option<CacheControl>>>);

    impl ExtensionFactory for Capture {
        fn create(&self) -> Arc<dyn Extension> {
            Arc::new(Capture(self.0.clone()))
        }
    }

    #[async_trait::async_trait]
    impl Extension for Capture {
        async fn validation(
            &self,
            ctx: &ExtensionContext<'_>,
            next: NextValidation<'_>,
        ) -> Result<ValidationResult, Vec<ServerError>> {
            let result = next.run(ctx).await?;
            *self.0.lock().expect("lock") = Some(result.cache_control);
            Err(vec![ServerError::new("captured", None)])
        }
    }

    /// The cache control async-graphql merges for `query` (arguments and
    /// selections need not be complete: only the fields touched count).
    fn cache_control_of(query: &str) -> CacheControl {
        let slot = Arc::new(Mutex::new(None));
        let limits = GraphqlLimits {
            max_depth: usize::MAX,
            max_complexity: usize::MAX,
            max_aliases: usize::MAX,
            max_directives: usize::MAX,
            introspection: true,
        };
        let schema = builder(&limits)
            .validation_mode(ValidationMode::Fast)
            .extension(Capture(slot.clone()))
            .finish();
        let response = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(schema.execute(query));
        let control = *slot.lock().expect("lock");
        control.unwrap_or_else(|| panic!("{query} did not validate: {:?}", response.errors))
    }

    fn public(control: CacheControl) -> bool {
        control.public && control.max_age > 0
    }

    #[test]
    fn every_root_query_field_says_whether_its_answer_is_public() {
        let doc = async_graphql::parser::parse_schema(sdl()).expect("the SDL parses");
        let fields: Vec<String> = doc
            .definitions
            .iter()
            .filter_map(|d| match d {
                TypeSystemDefinition::Type(t) if t.node.name.node == "Query" => {
                    match &t.node.kind {
                        TypeKind::Object(o) => Some(
                            o.fields
                                .iter()
                                .map(|f| f.node.name.node.to_string())
                                .collect::<Vec<_>>(),
                        ),
                        _ => None,
                    }
                }
                _ => None,
            })
            .flatten()
            .collect();
        assert!(fields.len() > 20, "{fields:?}");
        for field in fields {
            let control = cache_control_of(&format!("{{ {field} }}"));
            assert!(
                public(control) || !control.public || control.max_age < 0,
                "Query.{field} must say `cache_control(max_age = …)` (public) or \
                 `cache_control(private)`: an unmarked field does not keep a \
                 private answer out of the response cache ({control:?})"
            );
        }
    }

    #[test]
    fn only_queries_of_public_fields_are_public() {
        let is_public = |q: &str| public(cache_control_of(q));
        assert!(is_public("{ products(first: 2) { nodes { name } } }"));
        assert!(is_public(
            "query A { product(slug: \"x\") { name } liveNow { totalCount } }"
        ));
        assert!(is_public(
            "{ ...F } fragment F on Query { products { totalCount } }"
        ));
        assert!(!is_public("{ products { totalCount } cart { id } }"));
        assert!(!is_public("{ products { totalCount } me { id } }"));
        assert!(!is_public("{ me { id } }"));
        assert!(!is_public("mutation { logout(refreshToken: \"t\") }"));
        assert!(
            !is_public("query A { products { totalCount } } query B { me { id } }"),
            "every operation of the document counts"
        );
    }
}
