//! [`EventPublisher`] straight to one SQS queue.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use dashtam_domain::platform::events::DomainEvent;
use dashtam_domain::platform::ports::{EventPublisher, PublishError};

use super::aws_error::summary;
use super::envelope::envelope;
use super::retry::{Rejected, publish_in_batches};

/// SendMessageBatch accepts at most 10 entries per call.
const MAX_BATCH: usize = 10;

/// Sends each event's [`envelope`] (the shape EventBridge delivers) to a queue, ten to a
/// call; the batch entry id is the event id. Failed entries are retried, up to three
/// attempts in all. On a FIFO queue (`.fifo` URL) the group is the user (or `system`) and
/// the deduplication id is the event id.
#[derive(Debug, Clone)]
pub struct SqsPublisher {
    client: Client,
    queue_url: String,
}

impl SqsPublisher {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    fn is_fifo(&self) -> bool {
        self.queue_url.ends_with(".fifo")
    }

    fn entry(&self, event: &DomainEvent) -> Result<SendMessageBatchRequestEntry, PublishError> {
        let id = event.event_id.to_string();
        let mut builder = SendMessageBatchRequestEntry::builder()
            .id(&id)
            .message_body(envelope(event).to_string());
        if self.is_fifo() {
            let group = event
                .user_id
                .map_or_else(|| "system".to_owned(), |u| u.to_string());
            builder = builder
                .message_group_id(group)
                .message_deduplication_id(&id);
        }
        builder
            .build()
            .map_err(|e| PublishError(format!("event {id}: {e}")))
    }

    /// One SendMessageBatch call; failures are reported by entry id (the event id).
    async fn send(&self, entries: Vec<SendMessageBatchRequestEntry>) -> Result<Rejected, String> {
        let ids: Vec<String> = entries.iter().map(|e| e.id().to_owned()).collect();
        let out = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| summary(&e))?;
        // Sender faults (malformed entries) would fail again; retrying them is bounded.
        Ok(out
            .failed()
            .iter()
            .filter_map(|f| {
                let position = ids.iter().position(|id| id == f.id())?;
                Some((
                    position,
                    format!("{}: {}", f.code(), f.message().unwrap_or("")),
                ))
            })
            .collect())
    }
}

#[async_trait]
impl EventPublisher for SqsPublisher {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        let target = format!("queue `{}`", self.queue_url);
        publish_in_batches(
            &target,
            events,
            MAX_BATCH,
            |e| self.entry(e),
            |entries| self.send(entries),
        )
        .await
    }
}
