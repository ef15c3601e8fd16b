//! What a shared subscription feed (`http::fanout`) puts in the data of
//! its execution, for `livestreamEvents` to read.

use std::sync::Mutex;

use crate::events::Event;

/// Put in the data of a feed's execution (as `Arc<FeedExecution>`): it
/// does not count as a viewer (each member does), and it keeps the event it
/// is answering, for members who must have it answered for themselves.
#[derive(Debug, Default)]
pub struct FeedExecution {
    answering: Mutex<Option<Replay>>,
}

impl FeedExecution {
    /// Notes the event the execution is answering now.
    pub fn answering(&self, event: Replay) {
        *self.lock() = Some(event);
    }

    /// Takes the event noted, leaving none.
    pub fn take(&self) -> Option<Replay> {
        self.lock().take()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Replay>> {
        self.answering
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One item of a show's events, to answer again for one member: put in a
/// request's data, `livestreamEvents` yields just this item.
#[derive(Clone, Debug)]
pub enum Replay {
    /// An event from the bus.
    Event(Event),
    /// The member missed this many events.
    Skipped(u64),
}
