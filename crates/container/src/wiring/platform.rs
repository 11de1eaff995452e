//! The platform bundle, over the table or in memory: the outbox and the live feed,
//! audit (and its cursors), processed-event claims, rate limits, the jobs' records, and
//! the function's bus, email and queue metrics.

use std::sync::Arc;

use dashtam_application::PlatformPorts;
use dashtam_domain::platform::{events::EmailKind, ports::EmailComposer};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoAuditRepository, DynamoEventOutbox, DynamoJobStore, DynamoProcessedEvents,
        DynamoRateLimits, Table,
    },
    email::render,
    memory::{MemoryRateLimits, MemoryStore},
};

/// The platform bundle over the DynamoDB table. What a function chooses for itself (the
/// cursor key, the bus, email and its templates, the queues it watches) is left
/// [`unwired`](PlatformPorts::unwired) for the caller to set.
pub fn platform_over_table(table: &Table) -> PlatformPorts {
    let jobs = Arc::new(DynamoJobStore::from_table(table.clone()));
    let outbox = Arc::new(DynamoEventOutbox::from_table(table.clone()));
    PlatformPorts {
        outbox: outbox.clone(),
        feed: outbox,
        audit: Arc::new(DynamoAuditRepository::from_table(table.clone())),
        processed: Arc::new(DynamoProcessedEvents::from_table(table.clone())),
        rate_limits: Arc::new(DynamoRateLimits::from_table(table.clone())),
        job_runs: jobs.clone(),
        expired: jobs,
        ..PlatformPorts::unwired()
    }
}

/// The platform bundle over the in-memory store and `rate_limits`; the rest as for
/// [`platform_over_table`].
pub(super) fn platform_in_memory(
    store: &Arc<MemoryStore>,
    rate_limits: Arc<MemoryRateLimits>,
) -> PlatformPorts {
    PlatformPorts {
        outbox: store.clone(),
        feed: store.clone(),
        audit: store.clone(),
        processed: store.clone(),
        rate_limits,
        job_runs: store.clone(),
        expired: store.clone(),
        ..PlatformPorts::unwired()
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
