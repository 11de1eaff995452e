//! The platform bundle, over the table or in memory: the outbox and the live feed,
//! audit (and its cursors), processed-event claims, rate limits, the jobs' records, and
//! the function's bus, email and queue metrics.

use std::sync::Arc;

use dashtam_application::PlatformPorts;
use dashtam_domain::platform::{
    events::EmailKind,
    ports::{CursorSealer, EmailComposer, EmailSender, EventPublisher, QueueMetrics},
};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoAuditRepository, DynamoEventOutbox, DynamoJobStore, DynamoProcessedEvents,
        DynamoRateLimits, Table,
    },
    email::render,
    memory::{MemoryRateLimits, MemoryStore},
};

/// What a platform bundle takes besides its store: chosen per function (an HTTP function
/// neither publishes nor mails) or per test.
pub struct PlatformParts {
    pub cursors: Arc<dyn CursorSealer>,
    pub events: Arc<dyn EventPublisher>,
    pub email: Arc<dyn EmailSender>,
    pub email_composer: Arc<dyn EmailComposer>,
    pub queues: Arc<dyn QueueMetrics>,
}

/// The platform bundle over the DynamoDB table.
pub fn platform_over_table(table: &Table, parts: PlatformParts) -> PlatformPorts {
    let jobs = Arc::new(DynamoJobStore::from_table(table.clone()));
    let outbox = Arc::new(DynamoEventOutbox::from_table(table.clone()));
    PlatformPorts {
        outbox: outbox.clone(),
        events: parts.events,
        feed: outbox,
        audit: Arc::new(DynamoAuditRepository::from_table(table.clone())),
        cursors: parts.cursors,
        processed: Arc::new(DynamoProcessedEvents::from_table(table.clone())),
        email: parts.email,
        email_composer: parts.email_composer,
        rate_limits: Arc::new(DynamoRateLimits::from_table(table.clone())),
        job_runs: jobs.clone(),
        queues: parts.queues,
        expired: jobs,
    }
}

/// The platform bundle over the in-memory store and `rate_limits`.
pub(super) fn platform_in_memory(
    store: &Arc<MemoryStore>,
    rate_limits: Arc<MemoryRateLimits>,
    parts: PlatformParts,
) -> PlatformPorts {
    PlatformPorts {
        outbox: store.clone(),
        events: parts.events,
        feed: store.clone(),
        audit: store.clone(),
        cursors: parts.cursors,
        processed: store.clone(),
        email: parts.email,
        email_composer: parts.email_composer,
        rate_limits,
        job_runs: store.clone(),
        queues: parts.queues,
        expired: store.clone(),
    }
}

/// The email templates, with links into the app.
pub(super) struct Templates {
    pub app_url: String,
}

impl EmailComposer for Templates {
    fn compose(&self, kind: EmailKind, to: &str, token: Option<&str>) -> (String, String, String) {
        render(kind, to, token, &self.app_url)
    }
}
