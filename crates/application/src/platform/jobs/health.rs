use chrono::{DateTime, Duration, Utc};
use dashtam_domain::platform::{
    entities::{Job, JobOutcome, JobRun},
    ports::{QueueReading, QueueRole},
};

use futures::future::{join_all, join3};

use crate::Ports;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthStatus {
    Ok,
    Degraded,
}

/// One schedule: its last run, and whether it is overdue.
#[derive(Debug, Clone)]
pub struct JobStatus {
    pub job: Job,
    pub last_run: Option<JobRun>,
    pub overdue: bool,
    /// The last run could not be read.
    pub error: Option<String>,
}

impl JobStatus {
    fn healthy(&self) -> bool {
        self.error.is_none()
            && !self.overdue
            && self
                .last_run
                .as_ref()
                .is_some_and(|r| r.outcome == JobOutcome::Ok)
    }
}

/// An event waiting longer than this for the relay makes the relay degraded: the relay
/// normally publishes within a second or two of the commit.
pub const RELAY_LAG_LIMIT: Duration = Duration::seconds(60);

/// The outbox relay, seen from the outbox: the oldest event not yet published.
#[derive(Debug, Clone)]
pub struct RelayStatus {
    /// When the oldest waiting event occurred; None when none waits.
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// How long it has waited (zero when none waits).
    pub lag: Duration,
    /// The outbox could not be read.
    pub error: Option<String>,
}

impl RelayStatus {
    fn read(
        oldest: Result<Option<DateTime<Utc>>, impl std::fmt::Display>,
        now: DateTime<Utc>,
    ) -> Self {
        match oldest {
            Ok(oldest_pending_at) => Self {
                oldest_pending_at,
                lag: oldest_pending_at
                    .map_or(Duration::zero(), |at| (now - at).max(Duration::zero())),
                error: None,
            },
            Err(e) => {
                tracing::warn!(error = %e, "outbox relay lag unreadable");
                Self {
                    oldest_pending_at: None,
                    lag: Duration::zero(),
                    error: Some("outbox unavailable".to_owned()),
                }
            }
        }
    }

    pub fn status(&self) -> HealthStatus {
        if self.error.is_none() && self.lag <= RELAY_LAG_LIMIT {
            HealthStatus::Ok
        } else {
            HealthStatus::Degraded
        }
    }
}

/// The health of the asynchronous machinery.
#[derive(Debug, Clone)]
pub struct JobsHealth {
    pub checked_at: DateTime<Utc>,
    pub queues: Vec<QueueReading>,
    pub jobs: Vec<JobStatus>,
    pub relay: RelayStatus,
}

impl JobsHealth {
    /// Queues are degraded when one cannot be read or a dead-letter queue holds anything
    /// (a backlog in a work queue alone is load, not a fault).
    pub fn queues_status(&self) -> HealthStatus {
        let bad = self.queues.iter().any(|q| match &q.depth {
            Err(_) => true,
            Ok(d) => q.role == QueueRole::DeadLetter && d.total() > 0,
        });
        if bad {
            HealthStatus::Degraded
        } else {
            HealthStatus::Ok
        }
    }

    /// Jobs are degraded when a last run failed, is overdue, or cannot be read.
    pub fn jobs_status(&self) -> HealthStatus {
        if self.jobs.iter().all(JobStatus::healthy) {
            HealthStatus::Ok
        } else {
            HealthStatus::Degraded
        }
    }

    pub fn status(&self) -> HealthStatus {
        let parts = [
            self.queues_status(),
            self.jobs_status(),
            self.relay.status(),
        ];
        if parts.iter().all(|s| *s == HealthStatus::Ok) {
            HealthStatus::Ok
        } else {
            HealthStatus::Degraded
        }
    }
}

/// Reads queue depths, last runs and the relay's lag, all at once. Never fails: what cannot be read is reported as such
/// (and makes the status degraded), because a health check must answer.
pub struct GetJobsHealth;

impl GetJobsHealth {
    pub async fn execute(self, ports: &Ports) -> JobsHealth {
        let checked_at = ports.clock.now();
        let last_runs = join_all(Job::ALL.map(|job| ports.platform.job_runs.last(job)));
        let (queues, last_runs, oldest) = join3(
            ports.platform.queues.readings(),
            last_runs,
            ports.platform.outbox.oldest_pending(),
        )
        .await;
        let jobs = Job::ALL
            .into_iter()
            .zip(last_runs)
            .map(|(job, last)| match last {
                Ok(last_run) => JobStatus {
                    job,
                    overdue: job.is_overdue(last_run.as_ref().map(|r| r.started_at), checked_at),
                    last_run,
                    error: None,
                },
                Err(e) => {
                    tracing::warn!(job = job.as_str(), error = %e, "last job run unreadable");
                    JobStatus {
                        job,
                        last_run: None,
                        overdue: false,
                        error: Some("last run unavailable".to_owned()),
                    }
                }
            })
            .collect();
        JobsHealth {
            checked_at,
            queues,
            jobs,
            relay: RelayStatus::read(oldest, checked_at),
        }
    }
}
