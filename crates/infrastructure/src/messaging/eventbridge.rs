//! [`EventPublisher`] over EventBridge PutEvents.

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, PutEventsResultEntry};
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
                    let (failed, error) = unaccepted(pending, out.entries());
                    pending = failed;
                    if pending.is_empty() {
                        return Ok(());
                    }
                    last_error = error.unwrap_or_else(|| "no result for the entry".to_owned());
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
        let ids: Vec<String> = pending
            .iter()
            .map(|(e, _)| e.event_id.to_string())
            .collect();
        Err(PublishError(format!(
            "EventBridge bus `{}` did not accept events [{}] after {MAX_ATTEMPTS} attempts: {last_error}",
            self.bus_name,
            ids.join(", ")
        )))
    }
}

/// The items PutEvents did not accept, given its result entries (which line up with the
/// request entries, in order), and the last per-entry error. An entry without a result
/// counts as failed.
fn unaccepted<T>(pending: Vec<T>, results: &[PutEventsResultEntry]) -> (Vec<T>, Option<String>) {
    let mut error = None;
    let failed = pending
        .into_iter()
        .enumerate()
        .filter(|(i, _)| match results.get(*i) {
            Some(r) if r.error_code().is_none() && r.event_id().is_some() => false,
            Some(r) => {
                error = Some(format!(
                    "{}: {}",
                    r.error_code().unwrap_or("unknown"),
                    r.error_message().unwrap_or("")
                ));
                true
            }
            None => true,
        })
        .map(|(_, item)| item)
        .collect();
    (failed, error)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(id: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder().event_id(id).build()
    }

    fn failed(code: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder()
            .error_code(code)
            .error_message("try again")
            .build()
    }

    #[test]
    fn only_failed_entries_are_retried() {
        let results = [
            ok("e1"),
            failed("ThrottlingException"),
            ok("e3"),
            failed("InternalFailure"),
        ];
        let (left, error) = unaccepted(vec!["a", "b", "c", "d", "e"], &results);
        // "e" has no result entry at all: failed too.
        assert_eq!(left, ["b", "d", "e"]);
        assert_eq!(error.as_deref(), Some("InternalFailure: try again"));

        let (left, error) = unaccepted(vec!["a", "b"], &[ok("e1"), ok("e2")]);
        assert!(left.is_empty());
        assert_eq!(error, None);
    }
}
