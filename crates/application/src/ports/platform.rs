use std::sync::Arc;

use dashtam_domain::platform::ports::{
    AuditRepository, CursorSealer, EmailComposer, EmailSender, EventFeed, EventOutbox,
    EventPublisher, ExpiredItems, JobRuns, ProcessedEvents, QueueMetrics, RateLimitStore,
};

use super::Unwired;

/// The machinery under every context: the outbox and the bus, the live feed, audit,
/// processed-event claims, email, rate limits, and the jobs' records.
#[derive(Clone)]
pub struct PlatformPorts {
    /// Events that belong to no state change, and the relay's acknowledgements.
    pub outbox: Arc<dyn EventOutbox>,
    /// Used by the relay only: use cases write events to the outbox.
    pub events: Arc<dyn EventPublisher>,
    /// The per-user feed the live stream reads.
    pub feed: Arc<dyn EventFeed>,
    pub audit: Arc<dyn AuditRepository>,
    /// Signs pagination cursors (key from the secret store).
    pub cursors: Arc<dyn CursorSealer>,
    pub processed: Arc<dyn ProcessedEvents>,
    pub email: Arc<dyn EmailSender>,
    pub email_composer: Arc<dyn EmailComposer>,
    /// Token buckets for the HTTP layer's rate limiter (no use case takes from them).
    pub rate_limits: Arc<dyn RateLimitStore>,
    pub job_runs: Arc<dyn JobRuns>,
    /// Depths of the queues the jobs health reports.
    pub queues: Arc<dyn QueueMetrics>,
    pub expired: Arc<dyn ExpiredItems>,
}

impl PlatformPorts {
    /// Every port answers "not wired": the base of each mode's constructor, so what a
    /// function does not set for itself stays unwired.
    pub fn unwired() -> Self {
        let unwired = Arc::new(Unwired("platform"));
        Self {
            outbox: unwired.clone(),
            events: unwired.clone(),
            feed: unwired.clone(),
            audit: unwired.clone(),
            cursors: unwired.clone(),
            processed: unwired.clone(),
            email: unwired.clone(),
            email_composer: unwired.clone(),
            rate_limits: unwired.clone(),
            job_runs: unwired.clone(),
            queues: unwired.clone(),
            expired: unwired,
        }
    }
}
