//! Ports: the traits the application needs and the adapters implement.
//!
//! Every port has an in-memory adapter with the same semantics (uniqueness, conditional
//! writes, expiry) and a production adapter (DynamoDB, Secrets Manager, EventBridge, SES).

mod audit_repository;
mod cursor_sealer;
mod email_sender;
mod event_outbox;
mod event_publisher;
mod expired_items;
mod job_runs;
mod processed_events;
mod queue_metrics;
mod rate_limit_store;

pub use audit_repository::{AuditPage, AuditPosition, AuditQuery, AuditRepository};
pub use cursor_sealer::CursorSealer;
pub use email_sender::{EmailComposer, EmailError, EmailMessage, EmailSender};
pub use event_outbox::{EventFeed, EventOutbox, FeedEntry};
pub use event_publisher::{EventPublisher, PublishError};
pub use expired_items::{ExpiredItems, ONE_TIME_TOKEN_RETENTION, PurgeCounts};
pub use job_runs::JobRuns;
pub use processed_events::ProcessedEvents;
pub use queue_metrics::{QueueDepth, QueueMetrics, QueueReading, QueueRole};
pub use rate_limit_store::RateLimitStore;
