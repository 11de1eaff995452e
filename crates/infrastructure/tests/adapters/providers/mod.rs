//! The Schwab and Alpaca clients over HTTP against the sandbox brokerage (no emulator):
//! the real wire formats, its rules (hashes in paths, ISO date-times, `types`, one year,
//! 3000 rows, paging) and its faults (429 with Retry-After, 500, slow, expired tokens).

mod alpaca;
mod schwab;

use std::{sync::Arc, time::Duration};

use chrono::{TimeZone as _, Utc};
use dashtam_core::{Clock, ManualClock};
use dashtam_infrastructure::providers::{RetryPolicy, Timeouts};
use dashtam_sandbox::{Sandbox, SandboxConfig};

/// Retries quick enough for tests, with the production shape (3 attempts).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
    }
}

pub fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap(),
    ))
}

pub async fn sandbox(clock: Arc<dyn Clock>, slow_delay: Duration) -> Sandbox {
    Sandbox::spawn(SandboxConfig {
        clock,
        slow_delay,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// A request timeout much shorter than the sandbox's slow profile.
pub fn short_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        request: Duration::from_millis(300),
    }
}
