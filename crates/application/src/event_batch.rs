use chrono::{DateTime, Utc};
use dashtam_domain::platform::events::{DomainEvent, EventContext, EventPayload};
use uuid::Uuid;

use crate::Ports;

/// The events one use case emits. Events that belong to a state change travel with the
/// write that makes it (the repositories store them in the outbox atomically with the
/// state); what is left when the use case ends — an attempt, a refusal — is recorded on
/// its own by [`EventBatch::append_to_outbox`]. A relay publishes from the outbox.
pub struct EventBatch {
    context: EventContext,
    now: DateTime<Utc>,
    pending: Vec<DomainEvent>,
}

impl EventBatch {
    pub fn new(context: &EventContext, now: DateTime<Utc>) -> Self {
        Self {
            context: context.clone(),
            now,
            pending: Vec::new(),
        }
    }

    /// An event of this use case (same context and time), not yet pending.
    pub fn event(&self, user_id: Option<Uuid>, payload: EventPayload) -> DomainEvent {
        DomainEvent::new(payload, user_id, &self.context, self.now)
    }

    pub fn push(&mut self, user_id: Option<Uuid>, payload: EventPayload) {
        let event = self.event(user_id, payload);
        self.pending.push(event);
    }

    /// What a write should carry: everything pending, then `extra`. If the write
    /// succeeds, call [`EventBatch::mark_outboxed`].
    pub fn outbox_with(&self, extra: impl IntoIterator<Item = DomainEvent>) -> Vec<DomainEvent> {
        self.pending.iter().cloned().chain(extra).collect()
    }

    /// The pending events went out with a committed write.
    pub fn mark_outboxed(&mut self) {
        self.pending.clear();
    }

    /// Stores the events still pending in the outbox. A failure is logged, not returned:
    /// these events belong to no state change, and the client's answer must not depend
    /// on them.
    pub async fn append_to_outbox(self, ports: &Ports) {
        if self.pending.is_empty() {
            return;
        }
        if let Err(e) = ports.platform.outbox.append(&self.pending).await {
            let ids: Vec<String> = self
                .pending
                .iter()
                .map(|e| format!("{}:{}", e.name(), e.event_id))
                .collect();
            tracing::error!(error = %e, events = ?ids, "events not recorded");
        }
    }
}
