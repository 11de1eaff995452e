use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{StoreError, platform::entities::AuditRecord};

/// Where a walk of the trail stopped: everything strictly older than this, in the order
/// (`created_at`, record `id`) descending. `id = nil` means "everything before `at`".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct AuditPosition {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl AuditPosition {
    /// Whether `record` lies after this position in a newest-first walk.
    pub fn is_before(&self, record: &AuditRecord) -> bool {
        (record.created_at, record.id) < (self.at, self.id)
    }
}

/// A page request over the trail, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditQuery {
    pub user_id: Option<Uuid>,
    /// An event name (`UserLoginFailed`); records of other actions are skipped.
    pub action: Option<String>,
    /// Oldest `created_at` included.
    pub since: DateTime<Utc>,
    /// Newest `created_at` considered when there is no position (normally now).
    pub until: DateTime<Utc>,
    /// 1..=100.
    pub limit: u32,
    /// Continue strictly after this position (from the previous page's `next`).
    pub after: Option<AuditPosition>,
}

/// One page. `next` is `None` once the walk reached `since`; otherwise it continues the
/// walk. A page may be shorter than `limit` (even empty) while `next` is set: a filter
/// skipped records, or the adapter bounded its work for this request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    pub next: Option<AuditPosition>,
}

/// The append-only audit trail. There is deliberately no update or delete.
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Appends the record unless one for the same `event_id` exists. Returns false for a
    /// duplicate delivery, so consumers stay idempotent.
    async fn append(&self, record: &AuditRecord) -> Result<bool, StoreError>;

    /// Records of a user, newest first (for tests and the admin view).
    async fn list_for_user(
        &self,
        user_id: Uuid,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError>;

    /// One page of the trail, newest first, filtered by user and action, from `until` (or
    /// `after`) back to `since`. Never scans the whole table.
    async fn list(&self, query: &AuditQuery) -> Result<AuditPage, StoreError>;
}
