use dashtam_domain::platform::{events::DomainEvent, ports::PublishError};
use uuid::Uuid;

use crate::Ports;

/// Publishes events read from the outbox, then lets their outbox entries go.
///
/// Called by the DynamoDB Streams relay in AWS and by the in-process relay locally. A
/// publish failure is returned so the caller retries the same events (Lambda retries the
/// stream batch; the local relay keeps them): nothing committed is dropped, and a retry
/// that republishes events already sent is harmless because every consumer deduplicates
/// by event id.
pub struct RelayOutbox<'a> {
    pub events: &'a [DomainEvent],
}

impl RelayOutbox<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<(), PublishError> {
        if self.events.is_empty() {
            return Ok(());
        }
        ports.platform.events.publish(self.events).await?;
        let ids: Vec<Uuid> = self.events.iter().map(|e| e.event_id).collect();
        // Published is what matters; an entry left behind only costs storage until TTL.
        if let Err(e) = ports.platform.outbox.acknowledge(&ids).await {
            tracing::warn!(error = %e, count = ids.len(), "outbox entries not deleted after publish");
        }
        Ok(())
    }
}
