use async_trait::async_trait;

use crate::platform::events::DomainEvent;

#[derive(Debug, thiserror::Error)]
#[error("event publish failed: {0}")]
pub struct PublishError(pub String);

/// Hands events to the bus (EventBridge, SQS, or in-process in memory mode).
#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Publishes all of `events` or returns an error naming what failed.
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError>;
}
