use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{StoreError, identity::entities::Session, platform::events::DomainEvent};

/// Finds sessions about to expire and marks the one notice each may get.
#[async_trait]
pub trait SessionExpiryNotices: Send + Sync {
    /// Sessions with `after < expires_at <= until` that are not revoked and have had no
    /// notice yet (as far as the index knows; `mark_notified` decides).
    async fn due_for_notice(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError>;

    /// Marks the session as notified at `at`, atomically and only if it exists, is not
    /// revoked, has not expired at `at` and was never marked. True for exactly one caller
    /// per session, however many runs race. `events` (the notice) are stored in the outbox
    /// in the same atomic write, so a notice exists exactly when its mark does.
    async fn mark_notified(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        at: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError>;
}
