//! The platform context's ports: the audit trail (and its cursors), processed-event
//! claims, the outbox and the live feed, rate limits, jobs, the event bus and email.

use std::sync::Arc;

use dashtam_application::JobPorts;
use dashtam_domain::platform::{
    events::EmailKind,
    ports::{
        AuditRepository, CursorSealer, EmailComposer, EmailSender, EventFeed, EventOutbox,
        EventPublisher, ProcessedEvents, RateLimitStore,
    },
};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoAuditRepository, DynamoEventOutbox, DynamoProcessedEvents, DynamoRateLimits, Table,
    },
    email::render,
    memory::{InProcessQueue, MemoryRateLimits, MemoryStore},
};

pub(super) struct Platform {
    pub audit: Arc<dyn AuditRepository>,
    pub cursors: Arc<dyn CursorSealer>,
    pub processed: Arc<dyn ProcessedEvents>,
    pub outbox: Arc<dyn EventOutbox>,
    pub feed: Arc<dyn EventFeed>,
    pub rate_limits: Arc<dyn RateLimitStore>,
    pub jobs: JobPorts,
    pub events: Arc<dyn EventPublisher>,
    pub email: Arc<dyn EmailSender>,
}

impl Platform {
    /// Over the DynamoDB table, with the function's job ports, bus and email.
    pub(super) fn over_table(
        table: &Table,
        jobs: JobPorts,
        cursors: Arc<dyn CursorSealer>,
        events: Arc<dyn EventPublisher>,
        email: Arc<dyn EmailSender>,
    ) -> Self {
        Self {
            audit: Arc::new(DynamoAuditRepository::from_table(table.clone())),
            cursors,
            processed: Arc::new(DynamoProcessedEvents::from_table(table.clone())),
            outbox: Arc::new(DynamoEventOutbox::from_table(table.clone())),
            feed: Arc::new(DynamoEventOutbox::from_table(table.clone())),
            rate_limits: Arc::new(DynamoRateLimits::from_table(table.clone())),
            jobs,
            events,
            email,
        }
    }

    /// Over the in-memory store; `queue` stands in for the SQS queues' metrics.
    pub(super) fn in_memory(
        store: &Arc<MemoryStore>,
        queue: Arc<InProcessQueue>,
        cursors: Arc<dyn CursorSealer>,
        events: Arc<dyn EventPublisher>,
        email: Arc<dyn EmailSender>,
    ) -> Self {
        Self {
            audit: store.clone(),
            cursors,
            processed: store.clone(),
            outbox: store.clone(),
            feed: store.clone(),
            rate_limits: Arc::new(MemoryRateLimits::new()),
            jobs: JobPorts {
                runs: store.clone(),
                queues: queue,
                expiry_notices: store.clone(),
                expired: store.clone(),
            },
            events,
            email,
        }
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
