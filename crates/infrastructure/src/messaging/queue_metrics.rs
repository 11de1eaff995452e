//! [`QueueMetrics`] over SQS `GetQueueAttributes`.

use async_trait::async_trait;
use aws_sdk_sqs::{Client, types::QueueAttributeName};
use dashtam_domain::platform::ports::{QueueDepth, QueueMetrics, QueueReading, QueueRole};
use futures::future::join_all;

use super::aws_error::summary;

/// One queue to watch: the consumer it feeds, queue or DLQ, and its URL.
#[derive(Debug, Clone)]
pub struct WatchedQueue {
    pub name: String,
    pub role: QueueRole,
    pub url: String,
}

/// Reads the approximate depths of the configured queues, all at once (one
/// GetQueueAttributes each).
///
/// The SQS client is built on first use: only the jobs-health routes read queues, and
/// building a client at cold start costs every function that never will.
#[derive(Debug)]
pub struct SqsQueueMetrics {
    sdk: aws_config::SdkConfig,
    client: std::sync::OnceLock<Client>,
    queues: Vec<WatchedQueue>,
}

impl SqsQueueMetrics {
    pub fn new(sdk: aws_config::SdkConfig, queues: Vec<WatchedQueue>) -> Self {
        Self {
            sdk,
            client: std::sync::OnceLock::new(),
            queues,
        }
    }

    async fn depth(&self, url: &str) -> Result<QueueDepth, String> {
        let out = self
            .client
            .get_or_init(|| Client::new(&self.sdk))
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .map_err(|e| format!("sqs GetQueueAttributes: {}", summary(&e)))?;
        let attrs = out.attributes.unwrap_or_default();
        let count = |name: QueueAttributeName| -> Result<u64, String> {
            attrs
                .get(&name)
                .ok_or_else(|| format!("sqs GetQueueAttributes: {} missing", name.as_str()))?
                .parse()
                .map_err(|_| format!("sqs GetQueueAttributes: {} not a number", name.as_str()))
        };
        Ok(QueueDepth {
            visible: count(QueueAttributeName::ApproximateNumberOfMessages)?,
            in_flight: count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)?,
            delayed: count(QueueAttributeName::ApproximateNumberOfMessagesDelayed)?,
        })
    }
}

#[async_trait]
impl QueueMetrics for SqsQueueMetrics {
    async fn readings(&self) -> Vec<QueueReading> {
        join_all(self.queues.iter().map(|q| async move {
            QueueReading {
                name: q.name.clone(),
                role: q.role,
                depth: self.depth(&q.url).await,
            }
        }))
        .await
    }
}
