use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreError;

/// Idempotency claims for side effects that must not repeat (emails).
#[async_trait]
pub trait ProcessedEvents: Send + Sync {
    /// Claims `(consumer, event_id)`. True if this caller now holds it; false if it was
    /// completed before, or another worker holds an unexpired claim.
    async fn claim(
        &self,
        consumer: &str,
        event_id: Uuid,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Marks the claim done for good.
    async fn complete(&self, consumer: &str, event_id: Uuid) -> Result<(), StoreError>;

    /// Gives the claim up after a failure, so a redelivery can try again.
    async fn release(&self, consumer: &str, event_id: Uuid) -> Result<(), StoreError>;
}
