//! Scheduled jobs (EventBridge schedules on AWS, timers in the local stack) and the
//! health of the asynchronous machinery (queues, dead-letter queues, last runs).
//!
//! Jobs are safe to run twice or concurrently: every effect is a conditional write, and
//! an event is emitted only by the run whose write succeeded.

mod cleanup;
mod health;
mod run_job;
mod session_expiry;

pub use cleanup::{MAX_LOOKBACK, PurgeExpired};
pub use health::{
    GetJobsHealth, HealthStatus, JobStatus, JobsHealth, RELAY_LAG_LIMIT, RelayStatus,
};
pub use run_job::RunJob;
pub use session_expiry::{NOTICE_WINDOW, NotifyExpiringSessions};

use std::collections::BTreeMap;

/// What a job reports about one run (e.g. `notified: 3`).
pub type Counts = BTreeMap<String, u64>;
