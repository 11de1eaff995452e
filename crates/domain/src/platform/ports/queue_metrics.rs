use async_trait::async_trait;
use serde::Serialize;

/// A work queue or the dead-letter queue behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueRole {
    Queue,
    DeadLetter,
}

/// Approximate message counts, as SQS reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    /// Waiting to be received (`ApproximateNumberOfMessages`).
    pub visible: u64,
    /// Received, not yet deleted (`ApproximateNumberOfMessagesNotVisible`).
    pub in_flight: u64,
    /// Not yet deliverable (`ApproximateNumberOfMessagesDelayed`).
    pub delayed: u64,
}

impl QueueDepth {
    pub fn total(&self) -> u64 {
        self.visible + self.in_flight + self.delayed
    }
}

/// One queue's reading; `depth` is `Err` when the queue could not be asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueReading {
    /// The consumer it feeds: `audit`, `email` (or `in-process` in memory mode).
    pub name: String,
    pub role: QueueRole,
    pub depth: Result<QueueDepth, String>,
}

/// How full the event queues and their dead-letter queues are.
#[async_trait]
pub trait QueueMetrics: Send + Sync {
    /// Every configured queue, in a stable order. A queue that cannot be read is reported
    /// with an error rather than failing the whole reading.
    async fn readings(&self) -> Vec<QueueReading>;
}
