use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use crate::StoreError;

/// How long a one-time token is kept after it expires, so that presenting it late is
/// still answered "expired" rather than "unknown" (the same retention as its `ttl`).
pub const ONE_TIME_TOKEN_RETENTION: Duration = Duration::days(1);

/// What one purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeCounts {
    pub one_time_tokens: u64,
    pub sessions: u64,
}

/// Deletes items whose retention has ended, which DynamoDB's TTL would delete too, only
/// later (up to days) or, on the emulator, never.
#[async_trait]
pub trait ExpiredItems: Send + Sync {
    /// Deletes the items whose retention ended in `[since, now)`: one-time tokens
    /// `ONE_TIME_TOKEN_RETENTION` after they expired, sessions when they expired. Each
    /// delete is conditional on the item still being past its retention at `now`.
    async fn purge(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<PurgeCounts, StoreError>;
}
