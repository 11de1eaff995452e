//! [`EventOutbox`] and [`EventFeed`] over the [`MemoryStore`]: every write records its
//! events here in the same atomic step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    platform::{
        events::DomainEvent,
        ports::{EventFeed, EventOutbox, FeedEntry},
    },
};
use uuid::Uuid;

use super::{MemoryStore, store::State};

impl State {
    /// The outbox half of every write: called once the write's checks passed.
    pub(super) fn record(&mut self, events: &[DomainEvent]) {
        for e in events {
            self.outbox.insert(e.event_id, e.clone());
            if let Some((user_id, entry)) = FeedEntry::of(e) {
                self.feed
                    .entry(user_id)
                    .or_default()
                    .insert(entry.event_id, entry);
            }
        }
    }
}

impl MemoryStore {
    /// The oldest unrelayed events, for the in-process relay.
    pub fn pending_events(&self, limit: usize) -> Vec<DomainEvent> {
        self.lock().outbox.values().take(limit).cloned().collect()
    }
}

#[async_trait]
impl EventOutbox for MemoryStore {
    async fn append(&self, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.state()?.record(events);
        Ok(())
    }

    async fn acknowledge(&self, event_ids: &[Uuid]) -> Result<(), StoreError> {
        let mut s = self.state()?;
        for id in event_ids {
            s.outbox.remove(id);
        }
        Ok(())
    }

    async fn oldest_pending(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.state()?.outbox.values().map(|e| e.occurred_at).min())
    }
}

#[async_trait]
impl EventFeed for MemoryStore {
    async fn read_after(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        let s = self.state()?;
        let Some(feed) = s.feed.get(&user_id) else {
            return Ok(Vec::new());
        };
        let from = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
        Ok(feed
            .range((from, std::ops::Bound::Unbounded))
            .take(limit as usize)
            .map(|(_, e)| e.clone())
            .collect())
    }
}
