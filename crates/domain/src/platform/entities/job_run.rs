use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The scheduled jobs. EventBridge names one in the invocation's input
/// (`{"job":"session-expiry"}`); the local stack runs them on timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Job {
    #[serde(rename = "session-expiry")]
    SessionExpiry,
    #[serde(rename = "cleanup")]
    Cleanup,
    /// Fans the scheduled sync out: one queue message per active connection.
    #[serde(rename = "sync-dispatch")]
    SyncDispatch,
    /// Refreshes provider access tokens ahead of time and warns of lapsing grants.
    #[serde(rename = "token-care")]
    TokenCare,
}

impl Job {
    pub const ALL: [Job; 4] = [
        Job::SessionExpiry,
        Job::Cleanup,
        Job::SyncDispatch,
        Job::TokenCare,
    ];

    /// The jobs of the financial half (run by the provider-jobs function, which holds the
    /// provider secrets and the sync queue); the others belong to the scheduler function.
    pub fn is_financial(self) -> bool {
        matches!(self, Self::SyncDispatch | Self::TokenCare)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SessionExpiry => "session-expiry",
            Self::Cleanup => "cleanup",
            Self::SyncDispatch => "sync-dispatch",
            Self::TokenCare => "token-care",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|j| j.as_str() == name)
    }

    /// How often the schedule runs the job (template.yaml's `rate(...)`, checked by a test).
    pub fn period(self) -> Duration {
        match self {
            Self::SessionExpiry => Duration::minutes(5),
            Self::Cleanup => Duration::hours(1),
            // template.yaml's SyncSchedule default; a longer configured period reports the
            // job overdue after twice this.
            Self::SyncDispatch => Duration::hours(6),
            Self::TokenCare => Duration::minutes(15),
        }
    }

    /// A job is overdue when its last run started longer ago than two periods: one missed
    /// invocation is tolerated (EventBridge delivers at least once, not punctually).
    pub fn is_overdue(self, last_started: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        last_started.is_none_or(|at| now - at > self.period() * 2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobOutcome {
    Ok,
    Failed,
}

/// One run of a job, as recorded for the health endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRun {
    pub job: Job,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: JobOutcome,
    /// What the run did (e.g. `notified`, `deleted_sessions`).
    pub counts: BTreeMap<String, u64>,
    /// Why it failed; never user data.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for job in Job::ALL {
            assert_eq!(Job::parse(job.as_str()), Some(job));
            assert_eq!(
                serde_json::to_value(job).unwrap(),
                serde_json::json!(job.as_str())
            );
        }
        assert_eq!(Job::parse("nope"), None);
    }

    #[test]
    fn overdue_after_two_periods() {
        let now = Utc::now();
        let job = Job::SessionExpiry;
        assert!(job.is_overdue(None, now));
        assert!(!job.is_overdue(Some(now - Duration::minutes(10)), now));
        assert!(job.is_overdue(Some(now - Duration::minutes(11)), now));
    }
}
