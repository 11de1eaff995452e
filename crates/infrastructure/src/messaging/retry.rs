//! Shared retry schedule for batch publishes.

use std::time::Duration;

/// Attempts per batch (the first try included).
pub(super) const MAX_ATTEMPTS: u32 = 3;

/// Pause before attempt `attempt + 1` (attempt counts from 1): 50 ms, 200 ms.
pub(super) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(50 * 4_u64.pow(attempt.saturating_sub(1)))
}
