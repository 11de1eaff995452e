//! [`EventPublisher`] straight to one SQS queue.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use dashtam_domain::events::DomainEvent;
use dashtam_domain::ports::{EventPublisher, PublishError};

use super::aws_error::summary;
use super::envelope::envelope;
use super::retry::{MAX_ATTEMPTS, backoff};

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

    async fn send_chunk(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        let mut pending: Vec<(&DomainEvent, SendMessageBatchRequestEntry)> = events
            .iter()
            .map(|e| self.entry(e).map(|entry| (e, entry)))
            .collect::<Result<_, _>>()?;
        let mut last_error = String::new();
        for attempt in 1..=MAX_ATTEMPTS {
            let entries = pending.iter().map(|(_, entry)| entry.clone()).collect();
            match self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                Ok(out) => {
                    let failed = out.failed();
                    if failed.is_empty() {
                        return Ok(());
                    }
                    if let Some(f) = failed.first() {
                        last_error = format!("{}: {}", f.code(), f.message().unwrap_or(""));
                    }
                    // Sender faults (malformed entries) would fail again; still bounded by
                    // MAX_ATTEMPTS, so retrying them costs little and keeps this simple.
                    pending.retain(|(e, _)| {
                        let id = e.event_id.to_string();
                        failed.iter().any(|f| f.id() == id)
                    });
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
                "SendMessageBatch left entries unsent"
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
            "queue `{}` did not accept events [{}] after {MAX_ATTEMPTS} attempts: {last_error}",
            self.queue_url,
            ids.join(", ")
        )))
    }
}

#[async_trait]
impl EventPublisher for SqsPublisher {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        let mut errors = Vec::new();
        for chunk in events.chunks(MAX_BATCH) {
            if let Err(e) = self.send_chunk(chunk).await {
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
