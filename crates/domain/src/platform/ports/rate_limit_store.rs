use async_trait::async_trait;

use crate::{
    StoreError,
    platform::rate_limit::{BucketKey, Decision, Limit},
};

/// Token buckets, one per [`BucketKey`].
#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Takes one token from `key`'s bucket under `limit` at `now_ms` (epoch ms), as one
    /// atomic step: concurrent takes never let more through than the bucket holds.
    /// An error means the store could not answer (the caller fails open).
    async fn take(
        &self,
        key: &BucketKey,
        limit: Limit,
        now_ms: i64,
    ) -> Result<Decision, StoreError>;
}
