use dashtam_domain::platform::rate_limit::{BucketKey, Decision, Limit};

use crate::{AppError, Ports};

/// Takes one token from `key`'s bucket under `limit`, now. An error means the store could
/// not answer; the caller decides (the HTTP limiter fails open).
pub struct TakeRateLimit<'a> {
    pub key: &'a BucketKey,
    pub limit: Limit,
}

impl TakeRateLimit<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<Decision, AppError> {
        let now_ms = ports.clock.now().timestamp_millis();
        Ok(ports
            .platform
            .rate_limits
            .take(self.key, self.limit, now_ms)
            .await?)
    }
}
