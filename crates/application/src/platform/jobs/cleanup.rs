use chrono::Duration;
use dashtam_domain::platform::entities::{Job, JobOutcome};

use super::Counts;
use crate::{AppError, Ports};

/// How far back a purge looks at most: after a failed run or on the very first one.
/// Anything older has had a week for DynamoDB's TTL to remove it.
pub const MAX_LOOKBACK: Duration = Duration::days(7);
/// Re-examined from the previous run, so that an item indexed just before that run's
/// boundary (clock skew between writers, GSI lag) is not skipped.
const OVERLAP: Duration = Duration::hours(1);

/// Deletes expired one-time tokens and sessions whose retention has ended since the last
/// successful cleanup (see `ExpiredItems`). Every delete is conditional, so overlapping
/// runs delete each item once and never a live one.
pub struct PurgeExpired;

impl PurgeExpired {
    pub async fn execute(self, ports: &Ports) -> Result<Counts, AppError> {
        let now = ports.clock.now();
        let floor = now - MAX_LOOKBACK;
        let since = match ports.platform.job_runs.last(Job::Cleanup).await? {
            Some(run) if run.outcome == JobOutcome::Ok => (run.started_at - OVERLAP).max(floor),
            _ => floor,
        };
        let purged = ports.platform.expired.purge(since.min(now), now).await?;
        Ok(Counts::from([
            ("deleted_one_time_tokens".to_owned(), purged.one_time_tokens),
            ("deleted_sessions".to_owned(), purged.sessions),
        ]))
    }
}
