//! [`EventPublisher`] over EventBridge PutEvents.

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use dashtam_domain::events::DomainEvent;
use dashtam_domain::ports::{EventPublisher, PublishError};

use super::aws_error::summary;
use super::envelope::SOURCE;
use super::retry::{MAX_ATTEMPTS, backoff};

/// PutEvents accepts at most 10 entries per call.
const MAX_BATCH: usize = 10;

/// Puts each event on a custom bus: `Source` = `dashtam`, `DetailType` = the event name,
/// `Detail` = the [`DomainEvent`] as JSON, `Time` = when it occurred. The bus's rules
/// route events to the audit and email queues.
///
/// Size: PutEvents allows 256 KB per call (all entries together); Dashtam's events are well
/// under 1 KB each, so ten to a call is safe.
///
/// Partial failures: PutEvents reports per-entry errors (`FailedEntryCount`); only the
/// failed entries are re-sent, up to three attempts in all with a short backoff. A call
/// that fails outright counts as every entry in it failing.
#[derive(Debug, Clone)]
pub struct EventBridgePublisher {
    client: Client,
    bus_name: String,
}

impl EventBridgePublisher {
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }

    fn entry(&self, event: &DomainEvent) -> Result<PutEventsRequestEntry, PublishError> {
        let detail = serde_json::to_string(event)
            .map_err(|e| PublishError(format!("event {} not serialisable: {e}", event.event_id)))?;
        Ok(PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(SOURCE)
            .detail_type(event.name())
            .detail(detail)
            .time(DateTime::from_millis(event.occurred_at.timestamp_millis()))
            .build())
    }

    /// Sends one chunk (≤ 10), retrying failed entries. Err names the events that never
    /// made it.
    async fn put_chunk(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        let mut pending: Vec<(&DomainEvent, PutEventsRequestEntry)> = events
            .iter()
            .map(|e| self.entry(e).map(|entry| (e, entry)))
            .collect::<Result<_, _>>()?;
        let mut last_error = String::new();
        for attempt in 1..=MAX_ATTEMPTS {
            let entries = pending.iter().map(|(_, entry)| entry.clone()).collect();
            match self
                .client
                .put_events()
                .set_entries(Some(entries))
                .send()
                .await
            {
                Ok(out) if out.failed_entry_count() == 0 => return Ok(()),
                Ok(out) => {
                    // Result entries line up with request entries, in order.
                    let results = out.entries();
                    let mut failed = Vec::new();
                    for (i, item) in pending.into_iter().enumerate() {
                        match results.get(i) {
                            Some(r) if r.error_code().is_none() && r.event_id().is_some() => {}
                            Some(r) => {
                                last_error = format!(
                                    "{}: {}",
                                    r.error_code().unwrap_or("unknown"),
                                    r.error_message().unwrap_or("")
                                );
                                failed.push(item);
                            }
                            None => failed.push(item),
                        }
                    }
                    pending = failed;
                    if pending.is_empty() {
                        return Ok(());
                    }
                }
                Err(err) => last_error = summary(&err),
            }
            tracing::warn!(
                attempt,
                failed = pending.len(),
                error = %last_error,
                "PutEvents left entries unpublished"
            );
            if attempt < MAX_ATTEMPTS {
                tokio::time::sleep(backoff(attempt)).await;
            }
        }
        let ids: Vec<String> = pending.iter().map(|(e, _)| e.event_id.to_string()).collect();
        Err(PublishError(format!(
            "EventBridge bus `{}` did not accept events [{}] after {MAX_ATTEMPTS} attempts: {last_error}",
            self.bus_name,
            ids.join(", ")
        )))
    }
}

#[async_trait]
impl EventPublisher for EventBridgePublisher {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        let mut errors = Vec::new();
        for chunk in events.chunks(MAX_BATCH) {
            // Keep going: one bad chunk must not stop the others from being published.
            if let Err(e) = self.put_chunk(chunk).await {
                errors.push(e.0);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(PublishError(errors.join("; ")))
        }
    }
}
