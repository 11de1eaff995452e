//! Ports: the traits the application needs and the adapters implement.
//!
//! Every port has an in-memory adapter with the same semantics (uniqueness, conditional
//! writes, expiry) and a production adapter (DynamoDB, Secrets Manager, EventBridge, SES).

mod access_tokens;
mod audit_repository;
mod cursor_sealer;
mod device_detector;
mod email_sender;
mod event_outbox;
mod event_publisher;
mod expired_items;
mod job_runs;
mod one_time_token_repository;
mod opaque_tokens;
mod password_hasher;
mod processed_events;
mod queue_metrics;
mod rate_limit_store;
mod security_config_repository;
mod session_expiry_notices;
mod session_repository;
mod user_repository;

pub use access_tokens::{AccessClaims, AccessTokenError, AccessTokenService};
pub use audit_repository::{AuditPage, AuditPosition, AuditQuery, AuditRepository};
pub use cursor_sealer::CursorSealer;
pub use device_detector::DeviceDetector;
pub use email_sender::{EmailComposer, EmailError, EmailMessage, EmailSender};
pub use event_outbox::{EventFeed, EventOutbox, FeedEntry};
pub use event_publisher::{EventPublisher, PublishError};
pub use expired_items::{ExpiredItems, ONE_TIME_TOKEN_RETENTION, PurgeCounts};
pub use job_runs::JobRuns;
pub use one_time_token_repository::OneTimeTokenRepository;
pub use opaque_tokens::{IssuedToken, OpaqueTokens};
pub use password_hasher::{HashError, PasswordHasher};
pub use processed_events::ProcessedEvents;
pub use queue_metrics::{QueueDepth, QueueMetrics, QueueReading, QueueRole};
pub use rate_limit_store::RateLimitStore;
pub use security_config_repository::SecurityConfigRepository;
pub use session_expiry_notices::SessionExpiryNotices;
pub use session_repository::{EventsForCount, RefreshRotation, SessionRepository};
pub use user_repository::UserRepository;
