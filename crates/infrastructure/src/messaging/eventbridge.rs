//! [`EventPublisher`] over EventBridge PutEvents.

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, PutEventsResultEntry};
use dashtam_domain::platform::events::DomainEvent;
use dashtam_domain::platform::ports::{EventPublisher, PublishError};

use super::aws_error::summary;
use super::envelope::SOURCE;
use super::retry::{Rejected, publish_in_batches};

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

    /// One PutEvents call; the result entries line up with the request entries, and an
    /// entry without a result counts as rejected.
    async fn put(&self, entries: Vec<PutEventsRequestEntry>) -> Result<Rejected, String> {
        let sent = entries.len();
        let out = self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| summary(&e))?;
        Ok(rejected(sent, out.entries()))
    }
}

fn rejected(sent: usize, results: &[PutEventsResultEntry]) -> Rejected {
    (0..sent)
        .filter_map(|i| match results.get(i) {
            Some(r) if r.error_code().is_none() && r.event_id().is_some() => None,
            Some(r) => Some((
                i,
                format!(
                    "{}: {}",
                    r.error_code().unwrap_or("unknown"),
                    r.error_message().unwrap_or("")
                ),
            )),
            None => Some((i, "no result for the entry".to_owned())),
        })
        .collect()
}

#[async_trait]
impl EventPublisher for EventBridgePublisher {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        let target = format!("EventBridge bus `{}`", self.bus_name);
        publish_in_batches(
            &target,
            events,
            MAX_BATCH,
            |e| self.entry(e),
            |entries| self.put(entries),
        )
        .await
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
        // The fifth entry has no result at all: rejected too.
        let left: Vec<usize> = rejected(5, &results).into_iter().map(|(i, _)| i).collect();
        assert_eq!(left, [1, 3, 4]);
        assert_eq!(rejected(4, &results)[1].1, "InternalFailure: try again");
        assert!(rejected(2, &[ok("e1"), ok("e2")]).is_empty());
    }
}
