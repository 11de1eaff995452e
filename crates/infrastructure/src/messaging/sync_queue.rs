//! [`SyncQueue`] over SQS: a scheduled round's messages, ten per SendMessageBatch, and
//! ChangeMessageVisibility for a message a provider asked us to hold back.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::{Client, types::SendMessageBatchRequestEntry};
use dashtam_domain::{
    StoreError,
    portfolio::{ScheduledSync, SyncQueue},
};
use futures::{StreamExt, stream};

use super::aws_error::summary;

/// SendMessageBatch accepts at most 10 entries per call.
const MAX_BATCH: usize = 10;
/// Batches in flight at once (1,000 connections: 100 calls, 8 at a time).
const IN_FLIGHT: usize = 8;
/// SQS caps a message's visibility timeout at 12 hours.
const MAX_VISIBILITY_SECS: u64 = 12 * 60 * 60;

#[derive(Debug, Clone)]
pub struct SqsSyncQueue {
    client: Client,
    queue_url: String,
}

impl SqsSyncQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    /// One batch; answers the entries (positions in `batch`) SQS did not accept.
    async fn send_batch(&self, batch: &[(usize, String)]) -> Result<Vec<usize>, String> {
        let entries = batch
            .iter()
            .map(|(i, body)| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let out = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| summary(&e))?;
        Ok(out
            .failed()
            .iter()
            .filter_map(|f| f.id().parse().ok())
            .collect())
    }

    /// A batch with one retry of what it did not deliver; answers how many never made it.
    async fn deliver(&self, batch: Vec<(usize, String)>) -> usize {
        let mut pending = batch;
        for attempt in 0..2 {
            match self.send_batch(&pending).await {
                Ok(failed) => pending.retain(|(i, _)| failed.contains(i)),
                Err(e) => {
                    tracing::warn!(attempt, error = %e, "sync batch not sent");
                }
            }
            if pending.is_empty() {
                return 0;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        pending.len()
    }
}

#[async_trait]
impl SyncQueue for SqsSyncQueue {
    async fn send(&self, messages: &[ScheduledSync]) -> Result<u64, StoreError> {
        let bodies = messages
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Unavailable(format!("sqs: message not serialised: {e}")))?;
        let batches: Vec<Vec<(usize, String)>> = bodies
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
            .chunks(MAX_BATCH)
            .map(<[_]>::to_vec)
            .collect();
        let lost: usize = stream::iter(batches)
            .map(|batch| self.deliver(batch))
            .buffer_unordered(IN_FLIGHT)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .sum();
        if lost > 0 {
            return Err(StoreError::Unavailable(format!(
                "sqs: {lost} of {} sync message(s) not sent to {}",
                messages.len(),
                self.queue_url
            )));
        }
        Ok(messages.len() as u64)
    }

    async fn postpone(&self, receipt: &str, delay: Duration) -> Result<(), StoreError> {
        let secs = delay.as_secs().clamp(1, MAX_VISIBILITY_SECS);
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(i32::try_from(secs).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(format!("sqs: {}", summary(&e))))?;
        Ok(())
    }
}
