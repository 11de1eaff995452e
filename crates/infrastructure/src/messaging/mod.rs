//! Event publishers and the DLQ redrive: EventBridge (bus + rules routing to the audit and email queues) and
//! SQS directly. Both produce, or are delivered as, the same envelope, read back with
//! [`parse_envelope`].

pub(crate) mod aws_error;
mod envelope;
mod eventbridge;
mod queue_metrics;
mod redrive;
mod retry;
mod sqs;
mod sync_queue;

pub use envelope::{SOURCE, envelope, parse_envelope};
pub use eventbridge::EventBridgePublisher;
pub use queue_metrics::{SqsQueueMetrics, WatchedQueue};
pub use redrive::redrive;
pub use sqs::SqsPublisher;
pub use sync_queue::SqsSyncQueue;
