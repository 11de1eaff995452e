use async_trait::async_trait;

use crate::{StoreError, entities::AuditRecord};

/// The append-only audit trail. There is deliberately no update or delete.
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Appends the record unless one for the same `event_id` exists. Returns false for a
    /// duplicate delivery, so consumers stay idempotent.
    async fn append(&self, record: &AuditRecord) -> Result<bool, StoreError>;

    /// Records of a user, newest first (for tests and the admin view).
    async fn list_for_user(
        &self,
        user_id: uuid::Uuid,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError>;
}
