use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{StoreError, platform::events::DomainEvent};

/// The transactional outbox. Repository writes take the events that belong to them and
/// store them in the same atomic write; a relay (DynamoDB Streams in AWS, a task locally)
/// publishes them afterwards. This port covers what is left: events that belong to no
/// state change (an attempt, a refusal) and the relay's acknowledgement.
#[async_trait]
pub trait EventOutbox: Send + Sync {
    /// Stores `events` in the outbox (and the live feed) on their own.
    async fn append(&self, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// The relay published these: their outbox entries may go. Idempotent.
    async fn acknowledge(&self, event_ids: &[Uuid]) -> Result<(), StoreError>;

    /// When the oldest event still waiting for the relay occurred (None: none waits).
    /// May lag the outbox by the index's replication delay (DynamoDB: well under a second).
    async fn oldest_pending(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
}

/// One entry of a user's live feed: a streamable event without secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEntry {
    pub event_id: Uuid,
    /// The stream event type, e.g. `security.session.new`.
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub data: serde_json::Value,
}

impl FeedEntry {
    /// The feed entry of `event`, if it is a streamable event of a user.
    pub fn of(event: &DomainEvent) -> Option<(Uuid, Self)> {
        let event_type = event.meta().stream?;
        let user_id = event.user_id?;
        Some((
            user_id,
            Self {
                event_id: event.event_id,
                event_type: event_type.to_owned(),
                occurred_at: event.occurred_at,
                data: event.audit_context(),
            },
        ))
    }

    /// `security` for `security.session.new`.
    pub fn category(&self) -> &str {
        self.event_type
            .split_once('.')
            .map_or(self.event_type.as_str(), |(c, _)| c)
    }
}

/// The per-user feed the live stream reads, written with the outbox.
#[async_trait]
pub trait EventFeed: Send + Sync {
    /// Entries with ids greater than `after` (all kept ones when None), oldest first.
    async fn read_after(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<FeedEntry>, StoreError>;
}
