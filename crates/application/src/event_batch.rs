use chrono::{DateTime, Utc};
use dashtam_domain::events::{DomainEvent, EventContext, EventPayload};
use uuid::Uuid;

use crate::Ports;

/// The events one use case emits, published together once its state is committed.
pub struct EventBatch {
    context: EventContext,
    now: DateTime<Utc>,
    events: Vec<DomainEvent>,
}

impl EventBatch {
    pub fn new(context: &EventContext, now: DateTime<Utc>) -> Self {
        Self {
            context: context.clone(),
            now,
            events: Vec::new(),
        }
    }

    pub fn push(&mut self, user_id: Option<Uuid>, payload: EventPayload) {
        self.events
            .push(DomainEvent::new(payload, user_id, &self.context, self.now));
    }

    /// Publishes the batch. A failure is logged, not returned: the state change is
    /// already committed and the client must learn that it succeeded.
    // The adapters retry; a transactional outbox is the next step (see README).
    pub async fn publish(self, ports: &Ports) {
        if self.events.is_empty() {
            return;
        }
        if let Err(e) = ports.events.publish(&self.events).await {
            let ids: Vec<String> = self
                .events
                .iter()
                .map(|e| format!("{}:{}", e.name(), e.event_id))
                .collect();
            tracing::error!(error = %e, events = ?ids, "events not published");
        }
    }
}
