//! One execution per event for the viewers of a show.
//!
//! Thousands of people watching one show mostly send the same
//! `livestreamEvents` subscription: the storefront's document with the
//! show's id. Executing it for each of them on every event repeats the same
//! work thousands of times (resolving the pinned product, its variants, the
//! deal…) and is what limits how fast an event reaches the last viewer.
//! Instead, subscriptions with the same document, operation name and
//! variables share a *feed*: one execution of the subscription, as an
//! anonymous viewer, whose answers every member receives.
//!
//! - What a signed-in member sees may depend on who they are. The feed's
//!   execution notes whether any resolver asked who the viewer is (every
//!   resolver asks through `auth::viewer`, see `auth::ViewerProbe`); when
//!   one did, each signed-in member has that event answered for itself.
//!   Anonymous members always take the shared answer: it was computed for
//!   them.
//! - Each member still counts as a viewer of the show, while it listens.
//! - A member that falls more than the feed's capacity behind (its client
//!   reads slowly) skips ahead and gets its own `EventsSkipped`, as it would
//!   alone; the others are not held up.
//! - A feed that ends before a member received anything (an unknown show,
//!   say) leaves that member to run the subscription alone, so it gets the
//!   same error it would have got anyway.
//! - The feed stops when its last member leaves.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use async_graphql::parser::types::{OperationType, Selection};
use async_graphql::{Data, Executor, Request, Response, Value, Variables};
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::auth::{Viewer, ViewerProbe};
use crate::events::EventBus;
use crate::graph::GqlId;
use crate::graph::livestream::{FeedExecution, Replay};
use crate::ids::LivestreamId;
use crate::livestream::viewers::{Viewers, Watching};
use crate::metrics::FeedCounts;
use crate::schema::{self, AppSchema};

/// The root field whose anonymous subscriptions share feeds.
const SHARED_FIELD: &str = "livestreamEvents";

/// One answer of a feed, as its members receive it.
struct Answer {
    response: Response,
    /// Set when a resolver asked who the viewer is while answering: the
    /// item, for signed-in members to have answered for themselves.
    personal: Option<Replay>,
}

/// What makes two subscriptions the same.
#[derive(Clone, PartialEq, Eq, Hash)]
struct FeedKey {
    query: String,
    operation_name: Option<String>,
    /// The variables as JSON (they are kept sorted by name).
    variables: String,
}

/// A subscription one member asked for, to run again for it alone.
#[derive(Clone)]
struct Asked {
    query: String,
    operation_name: Option<String>,
    variables: Variables,
}

impl Asked {
    fn request(&self) -> Request {
        let mut request = Request::new(self.query.clone()).variables(self.variables.clone());
        request.operation_name = self.operation_name.clone();
        request
    }
}

/// The feeds running now, by subscription.
pub struct Feeds {
    schema: AppSchema,
    viewers: Arc<Viewers>,
    bus: EventBus,
    /// Responses a member may fall behind by before it skips ahead.
    capacity: usize,
    live: Mutex<HashMap<FeedKey, Weak<Feed>>>,
    /// Subscriptions served by a feed now.
    members: AtomicUsize,
}

/// One shared execution and the way to join it.
struct Feed {
    key: FeedKey,
    /// Never read: new members subscribe from it.
    template: broadcast::Receiver<Arc<Answer>>,
    task: tokio::task::AbortHandle,
    feeds: Weak<Feeds>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(feeds) = self.feeds.upgrade() {
            let mut live = feeds.live();
            // Only this feed's entry: a new one may have taken the key.
            if live.get(&self.key).is_some_and(|w| w.strong_count() == 0) {
                live.remove(&self.key);
            }
        }
    }
}

impl Feeds {
    /// Feeds executing on `schema` (whose data holds the viewer counts and
    /// the bus); a member may fall `capacity` responses behind.
    pub fn new(schema: AppSchema, capacity: usize) -> Arc<Self> {
        let viewers = schema
            .data::<Arc<Viewers>>()
            .expect("the schema holds the viewer counts")
            .clone();
        let bus = schema
            .data::<EventBus>()
            .expect("the schema holds the event bus")
            .clone();
        Arc::new(Self {
            schema,
            viewers,
            bus,
            capacity: capacity.max(1),
            live: Mutex::default(),
            members: AtomicUsize::new(0),
        })
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<FeedKey, Weak<Feed>>> {
        // A panic while holding the lock leaves a plain map: still usable.
        self.live
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Feeds running now, and the subscriptions they serve (for `/metrics`).
    pub fn counts(&self) -> FeedCounts {
        let running = self
            .live()
            .values()
            .filter(|w| w.strong_count() > 0)
            .count();
        FeedCounts {
            running,
            members: self.members.load(Ordering::Relaxed),
        }
    }

    /// The responses of `request`, through a shared feed when it can share
    /// one, else by executing it for this connection alone.
    pub fn execute_stream(
        self: &Arc<Self>,
        request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.shareable(&request, session.as_deref()) {
            Some((key, show)) => self.join(key, show, request, session),
            None => Executor::execute_stream(&self.schema, request, session),
        }
    }

    /// The key and the show of a subscription that can share a feed: a
    /// connection's subscription to `livestreamEvents` alone, with nothing
    /// attached to the request but its document and variables.
    fn shareable(&self, request: &Request, session: Option<&Data>) -> Option<(FeedKey, Uuid)> {
        if !matches!(
            viewer_of(session),
            Some(Viewer::Anonymous | Viewer::User(_))
        ) || !request.data.is_empty()
            || !request.extensions.is_empty()
            || !request.uploads.is_empty()
        {
            return None;
        }
        let doc = async_graphql::parser::parse_query(&request.query).ok()?;
        let operation = crate::graph::operation::selected_operation(
            &doc.operations,
            request.operation_name.as_deref(),
        )?;
        if operation.node.ty != OperationType::Subscription || !operation.node.directives.is_empty()
        {
            return None;
        }
        let [item] = operation.node.selection_set.node.items.as_slice() else {
            return None;
        };
        let Selection::Field(field) = &item.node else {
            return None;
        };
        if field.node.name.node != SHARED_FIELD || !field.node.directives.is_empty() {
            return None;
        }
        let argument = field.node.get_argument("livestreamId")?;
        let argument = argument
            .node
            .clone()
            .into_const_with(|name| request.variables.get(&name).cloned().ok_or(()))
            .ok()?;
        let Value::String(id) = argument else {
            return None;
        };
        let show = LivestreamId::parse(&async_graphql::ID(id), "livestreamId").ok()?;
        let key = FeedKey {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).ok()?,
        };
        Some((key, show.uuid()))
    }

    /// Makes `request` a member of the feed for `key`, starting one if none
    /// runs.
    fn join(
        self: &Arc<Self>,
        key: FeedKey,
        show: Uuid,
        request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let asked = Asked {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: request.variables.clone(),
        };
        let feed = {
            let mut live = self.live();
            match live.get(&key).and_then(Weak::upgrade) {
                Some(feed) => feed,
                None => {
                    let feed = self.start(key.clone(), request);
                    live.insert(key, Arc::downgrade(&feed));
                    feed
                }
            }
        };
        let rx = feed.template.resubscribe();
        let received = Arc::new(AtomicBool::new(false));
        self.members.fetch_add(1, Ordering::Relaxed);
        let member = Member {
            _feed: feed,
            rx,
            _watching: self.viewers.join(show),
            received: received.clone(),
            asked: asked.clone(),
            signed_in: matches!(viewer_of(session.as_deref()), Some(Viewer::User(_))),
            session: session.clone(),
            feeds: self.clone(),
        };
        let shared = stream::unfold(member, |mut member| async move {
            let response = member.next().await?;
            Some((response, member))
        });
        // A feed that ended before this member heard anything (the show is
        // unknown, say): run the subscription alone for the same answer.
        let feeds = self.clone();
        let alone = stream::once(async move {
            if received.load(Ordering::Acquire) {
                stream::empty().boxed()
            } else {
                feeds.alone(asked.request(), session)
            }
        })
        .flatten();
        shared.chain(alone).boxed()
    }

    /// Starts the shared execution of `request` for `key`, as an anonymous
    /// viewer.
    fn start(self: &Arc<Self>, key: FeedKey, request: Request) -> Arc<Feed> {
        let (tx, template) = broadcast::channel(self.capacity);
        let execution = Arc::new(FeedExecution::default());
        let probe = Arc::new(ViewerProbe::default());
        let mut responses = Executor::execute_stream(
            &self.schema,
            request.data(execution.clone()).data(probe.clone()),
            Some(Arc::new(schema::connection_data(Viewer::Anonymous))),
        );
        let task = tokio::spawn(async move {
            loop {
                // Each answer is computed inside `next`: what the probe
                // saw after it belongs to that answer alone.
                probe.take();
                execution.take();
                let Some(response) = responses.next().await else {
                    break;
                };
                let personal = if probe.take() {
                    let item = execution.take();
                    if item.is_none() {
                        tracing::warn!("a viewer-dependent feed answer without its event");
                    }
                    item
                } else {
                    None
                };
                // The feed holds a receiver, so sending only fails once the
                // feed is gone, and then this task is aborted anyway.
                let _ = tx.send(Arc::new(Answer { response, personal }));
            }
        });
        Arc::new(Feed {
            key,
            template,
            task: task.abort_handle(),
            feeds: Arc::downgrade(self),
        })
    }

    /// `request` executed for one connection alone.
    fn alone(&self, request: Request, session: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        Executor::execute_stream(&self.schema, request, session)
    }

    /// `item` answered as `asked` for one member (its session, its viewer).
    async fn replay(
        &self,
        asked: &Asked,
        session: Option<Arc<Data>>,
        item: Replay,
    ) -> Option<Response> {
        let request = asked.request().data(item);
        self.alone(request, session).next().await
    }
}

/// The viewer a connection's data holds.
fn viewer_of(session: Option<&Data>) -> Option<&Viewer> {
    session?
        .get(&std::any::TypeId::of::<Viewer>())?
        .downcast_ref::<Viewer>()
}

/// One subscriber's place in a feed.
struct Member {
    /// Keeps the feed running while this member listens.
    _feed: Arc<Feed>,
    rx: broadcast::Receiver<Arc<Answer>>,
    /// This member counts as a viewer of the show.
    _watching: Watching,
    /// Set once the member has received a response.
    received: Arc<AtomicBool>,
    asked: Asked,
    /// A signed-in member has viewer-dependent answers computed for itself.
    signed_in: bool,
    /// Its connection's data (its viewer).
    session: Option<Arc<Data>>,
    feeds: Arc<Feeds>,
}

impl Drop for Member {
    fn drop(&mut self) {
        self.feeds.members.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Member {
    async fn next(&mut self) -> Option<Response> {
        loop {
            let answer = match self.rx.recv().await {
                Ok(answer) => match (&answer.personal, self.signed_in) {
                    (Some(item), true) => {
                        let item = item.clone();
                        self.feeds
                            .replay(&self.asked, self.session.clone(), item)
                            .await
                    }
                    _ => Some(copy(&answer.response)),
                },
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    self.feeds.bus.note_skipped(missed);
                    tracing::debug!(missed, "a slow subscriber skipped ahead of its feed");
                    self.feeds
                        .replay(&self.asked, self.session.clone(), Replay::Skipped(missed))
                        .await
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            if let Some(response) = answer {
                self.received.store(true, Ordering::Release);
                return Some(response);
            }
        }
    }
}

/// A member's own copy of a shared response (`Response` is not `Clone`).
fn copy(response: &Response) -> Response {
    let mut copy = Response::new(response.data.clone());
    copy.extensions = response.extensions.clone();
    copy.cache_control = response.cache_control;
    copy.errors = response.errors.clone();
    copy.http_headers = response.http_headers.clone();
    copy
}
