//! The in-process event bus: domain services publish what happened (after
//! the transaction commits), and anything interested — the livestream's
//! subscriptions later — listens. One process only for now; a shared bus
//! (PostgreSQL LISTEN/NOTIFY, Redis, NATS) can sit behind the same API.

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;
use uuid::Uuid;

/// How many events a slow listener may fall behind before it misses some.
const CAPACITY: usize = 1024;

/// Something that happened, with the ids a listener needs to look it up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An order was placed.
    OrderPlaced {
        order_id: Uuid,
        cooperative_id: Uuid,
        livestream_id: Option<Uuid>,
    },
    /// A livestream went live.
    LivestreamStarted { livestream_id: Uuid },
    /// A livestream ended.
    LivestreamEnded { livestream_id: Uuid },
    /// A product was pinned in a live show.
    ProductPinned {
        livestream_id: Uuid,
        product_id: Uuid,
    },
    /// The pinned product was unpinned.
    ProductUnpinned { livestream_id: Uuid },
    /// The number of viewers of a show changed.
    ViewerCountChanged { livestream_id: Uuid, viewers: i32 },
    /// An order moved from one status to another.
    OrderStatusChanged {
        order_id: Uuid,
        cooperative_id: Uuid,
        from: String,
        to: String,
    },
    /// A flash deal opened in a show.
    FlashDealOpened {
        deal_id: Uuid,
        livestream_id: Uuid,
        variant_id: Uuid,
        price_vnd: i64,
        remaining: i32,
        ends_at: DateTime<Utc>,
    },
    /// The units a flash deal still holds changed (an order took some, or
    /// a cancelled order gave some back).
    FlashDealUpdated {
        deal_id: Uuid,
        livestream_id: Uuid,
        remaining: i32,
    },
    /// A flash deal closed (`reason`: `CLOSED_BY_STAFF`, `EXPIRED`,
    /// `LIVESTREAM_ENDED`); `returned` units went back to stock.
    FlashDealClosed {
        deal_id: Uuid,
        livestream_id: Uuid,
        reason: String,
        returned: i32,
    },
}

/// The bus: cheap to clone; every clone publishes to the same listeners.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus with no listeners yet.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        Self { sender }
    }

    /// Publishes `event`; having no listener is normal and not an error.
    pub fn publish(&self, event: Event) {
        let _ = self.sender.send(event);
    }

    /// Publishes every event of `events`, in order.
    pub fn publish_all(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            self.publish(event);
        }
    }

    /// A new listener, receiving what is published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn listeners_receive_what_is_published_after_they_subscribe() {
        let bus = EventBus::new();
        bus.publish(Event::OrderPlaced {
            order_id: Uuid::nil(),
            cooperative_id: Uuid::nil(),
            livestream_id: None,
        });
        let mut rx = bus.subscribe();
        let event = Event::OrderStatusChanged {
            order_id: Uuid::nil(),
            cooperative_id: Uuid::nil(),
            from: "PAID".into(),
            to: "PACKED".into(),
        };
        bus.clone().publish(event.clone());
        assert_eq!(rx.recv().await.ok(), Some(event));
    }
}
