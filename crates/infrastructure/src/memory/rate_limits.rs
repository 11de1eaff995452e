use std::{collections::HashMap, sync::Mutex};

use async_trait::async_trait;
use dashtam_domain::{
    StoreError,
    platform::{
        ports::RateLimitStore,
        rate_limit::{BucketKey, Decision, Limit},
    },
};

/// Buckets beyond this many trigger a sweep of the idle ones (TAT in the past = full).
const SWEEP_AT: usize = 10_000;

/// Token buckets in a map behind one mutex: every take is one atomic read-modify-write,
/// like the DynamoDB adapter's conditional update.
#[derive(Debug, Default)]
pub struct MemoryRateLimits {
    buckets: Mutex<HashMap<BucketKey, i64>>,
    #[cfg(any(test, feature = "testing"))]
    unavailable: std::sync::atomic::AtomicBool,
}

impl MemoryRateLimits {
    pub fn new() -> Self {
        Self::default()
    }

    /// Simulates an outage: while set, every take fails (to show that callers fail open).
    /// Tests only (`testing` feature).
    #[cfg(any(test, feature = "testing"))]
    pub fn set_unavailable(&self, unavailable: bool) {
        self.unavailable
            .store(unavailable, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait]
impl RateLimitStore for MemoryRateLimits {
    async fn take(
        &self,
        key: &BucketKey,
        limit: Limit,
        now_ms: i64,
    ) -> Result<Decision, StoreError> {
        #[cfg(any(test, feature = "testing"))]
        if self.unavailable.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Unavailable(
                "rate limits: store switched off".into(),
            ));
        }
        // A panic cannot leave a half-written bucket (one insert), so poison is harmless.
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, tat| *tat > now_ms);
        }
        let (decision, new_tat) = limit.decide(buckets.get(key).copied(), now_ms);
        if let Some(tat) = new_tat {
            buckets.insert(key.clone(), tat);
        }
        Ok(decision)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use dashtam_domain::platform::rate_limit::Policy;

    use super::*;

    fn key(subject: &str) -> BucketKey {
        BucketKey {
            policy: Policy::AuthLogin,
            subject: subject.into(),
            route: "POST /api/v1/sessions".into(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_takes_never_exceed_the_burst() {
        let store = Arc::new(MemoryRateLimits::new());
        let limit = Limit::new(5, 5).unwrap();
        let takes = (0..20).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.take(&key("ip:a"), limit, 1_000).await.unwrap() })
        });
        let mut allowed = 0;
        for t in takes {
            allowed += usize::from(t.await.unwrap().allowed);
        }
        assert_eq!(allowed, 5);
        // Another subject has its own bucket.
        assert!(
            store
                .take(&key("ip:b"), limit, 1_000)
                .await
                .unwrap()
                .allowed
        );
    }

    #[tokio::test]
    async fn an_outage_is_an_error_until_switched_back() {
        let store = MemoryRateLimits::new();
        let limit = Limit::new(1, 1).unwrap();
        store.set_unavailable(true);
        assert!(matches!(
            store.take(&key("ip:a"), limit, 0).await,
            Err(StoreError::Unavailable(_))
        ));
        store.set_unavailable(false);
        assert!(store.take(&key("ip:a"), limit, 0).await.unwrap().allowed);
        assert!(!store.take(&key("ip:a"), limit, 0).await.unwrap().allowed);
    }
}
