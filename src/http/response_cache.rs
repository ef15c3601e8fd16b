//! A short-lived cache of public GraphQL answers.
//!
//! Shoppers' frontends send the same few catalogue queries over and over
//! (the home page's product list, a product page); each costs a dozen SQL
//! statements. What is public is said by the schema itself: the public
//! catalogue's root fields carry `cache_control(max_age = …)` and every
//! field whose answer depends on the viewer (`me`, carts, orders, reports…)
//! `cache_control(private)`; async-graphql merges what an operation touches
//! into its `Response::cache_control` (private wins, the shortest max-age
//! wins, an unmarked field changes nothing). The answer of an anonymous
//! query is kept when that says public with a max-age above zero and it
//! has no error, for the max-age or `FARMSTREAM_RESPONSE_CACHE_TTL_MS`
//! (default one second), whichever is shorter, and answered from memory
//! while fresh.
//!
//! Never cached: requests with an `Authorization` header or `extensions`,
//! mutations and subscriptions, operations touching any private field,
//! answers with errors. Every mutation this process runs, and every event
//! on the bus (orders expiring, shows going live; from other processes too
//! when the bus is shared), empties the cache at once, so a cooperative
//! sees its own change on its next read; a change no event reports shows
//! within the TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;

use crate::events::{Event, EventBus};

/// What identifies an answer: the document, the operation and the variables.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    query: String,
    operation_name: Option<String>,
    variables: String,
}

impl Key {
    /// The key of a request; `variables` as the client sent them (two
    /// spellings of the same variables are two entries, which is harmless).
    pub fn new(
        query: &str,
        operation_name: Option<&str>,
        variables: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Self {
        Self {
            query: query.to_owned(),
            operation_name: operation_name.map(str::to_owned),
            variables: variables
                .and_then(|v| serde_json::to_string(v).ok())
                .unwrap_or_default(),
        }
    }
}

struct Entry {
    body: Bytes,
    /// The operation's name as written in the document, for metrics.
    operation: Option<String>,
    stored: Instant,
    /// How long it stays fresh: the cache's TTL or the answer's max-age,
    /// whichever is shorter.
    lifetime: Duration,
    generation: u64,
}

/// The cache: bounded, per process, emptied by writes.
pub struct ResponseCache {
    ttl: Duration,
    capacity: usize,
    generation: AtomicU64,
    entries: Mutex<HashMap<Key, Entry>>,
}

impl ResponseCache {
    /// A cache keeping answers for `ttl`, at most `capacity` of them; a zero
    /// `ttl` or `capacity` turns it off.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// True when answers are kept at all.
    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero() && self.capacity > 0
    }

    /// The current generation; an answer computed from here on is stored
    /// with it and is void once anything was written since.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets every answer: something was written.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    /// A fresh answer for `key`, and its operation's name, if there is one.
    pub fn get(&self, key: &Key) -> Option<(Bytes, Option<String>)> {
        if !self.enabled() {
            return None;
        }
        let generation = self.generation();
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.stored.elapsed() < entry.lifetime)
            .then(|| (entry.body.clone(), entry.operation.clone()))
    }

    /// Keeps `body` as the answer to `key`, computed at `generation`, for
    /// `max_age` at most (the answer's own figure; the cache's TTL bounds
    /// it). When the cache is full, stale entries go first; if all are
    /// fresh, the answer is simply not kept.
    pub fn put(
        &self,
        key: Key,
        body: Bytes,
        operation: Option<&str>,
        generation: u64,
        max_age: Duration,
    ) {
        let lifetime = self.ttl.min(max_age);
        if !self.enabled() || lifetime.is_zero() || generation != self.generation() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            let now = self.generation();
            entries.retain(|_, e| e.generation == now && e.stored.elapsed() < e.lifetime);
            if entries.len() >= self.capacity {
                return;
            }
        }
        entries.insert(
            key,
            Entry {
                body,
                operation: operation.map(str::to_owned),
                stored: Instant::now(),
                lifetime,
                generation,
            },
        );
    }
}

/// Empties `cache` whenever something is published on `bus` (a viewer
/// count aside: those may lag by the TTL). Ends when the bus does.
pub fn invalidate_on_events(cache: &std::sync::Arc<ResponseCache>, bus: &EventBus) {
    if !cache.enabled() {
        return;
    }
    let cache = std::sync::Arc::downgrade(cache);
    let mut rx = bus.subscribe();
    tokio::spawn(async move {
        loop {
            let event = rx.recv().await;
            let Some(cache) = cache.upgrade() else { break };
            match event {
                Ok(Event::ViewerCountChanged { .. }) => {}
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    cache.invalidate();
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_write_voids_what_was_kept_before_and_what_was_computing() {
        let cache = ResponseCache::new(Duration::from_secs(60), 2);
        let key = |q: &str| Key::new(q, None, None);
        let before = cache.generation();
        cache.put(key("a"), Bytes::from_static(b"1"), None, before, MINUTE);
        assert_eq!(
            cache.get(&key("a")).map(|(b, _)| b),
            Some(Bytes::from_static(b"1"))
        );
        let computing = cache.generation();
        cache.invalidate();
        assert!(cache.get(&key("a")).is_none());
        cache.put(key("b"), Bytes::from_static(b"2"), None, computing, MINUTE);
        assert!(cache.get(&key("b")).is_none(), "computed before the write");
        let now = cache.generation();
        cache.put(key("b"), Bytes::from_static(b"2"), None, now, MINUTE);
        cache.put(key("c"), Bytes::from_static(b"3"), None, now, MINUTE);
        cache.put(key("d"), Bytes::from_static(b"4"), None, now, MINUTE);
        assert!(cache.get(&key("d")).is_none(), "full of fresh answers");
        assert!(cache.get(&key("c")).is_some());
    }

    #[test]
    fn answers_expire_and_a_zero_ttl_keeps_nothing() {
        let cache = ResponseCache::new(Duration::from_millis(20), 8);
        let key = Key::new("a", None, None);
        cache.put(
            key.clone(),
            Bytes::from_static(b"1"),
            None,
            cache.generation(),
            MINUTE,
        );
        assert!(cache.get(&key).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.get(&key).is_none());
        let off = ResponseCache::new(Duration::ZERO, 8);
        off.put(
            key.clone(),
            Bytes::from_static(b"1"),
            None,
            off.generation(),
            MINUTE,
        );
        assert!(off.get(&key).is_none());
    }

    #[test]
    fn an_answer_lives_no_longer_than_its_max_age_nor_the_ttl() {
        let cache = ResponseCache::new(Duration::from_secs(60), 8);
        let short = Key::new("short", None, None);
        cache.put(
            short.clone(),
            Bytes::from_static(b"1"),
            None,
            cache.generation(),
            Duration::from_millis(20),
        );
        assert!(cache.get(&short).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.get(&short).is_none(), "past its max-age");
        let none = Key::new("none", None, None);
        cache.put(
            none.clone(),
            Bytes::from_static(b"1"),
            None,
            cache.generation(),
            Duration::ZERO,
        );
        assert!(cache.get(&none).is_none(), "a zero max-age is not kept");
    }
}
