use chrono::{DateTime, Utc};
use dashtam_domain::{
    entities::{Job, JobOutcome, JobRun},
    ports::{QueueReading, QueueRole},
};

use futures::future::{join, join_all};

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

/// The health of the asynchronous machinery.
#[derive(Debug, Clone)]
pub struct JobsHealth {
    pub checked_at: DateTime<Utc>,
    pub queues: Vec<QueueReading>,
    pub jobs: Vec<JobStatus>,
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
        if self.queues_status() == HealthStatus::Ok && self.jobs_status() == HealthStatus::Ok {
            HealthStatus::Ok
        } else {
            HealthStatus::Degraded
        }
    }
}

/// Reads queue depths and last runs, all at once. Never fails: what cannot be read is reported as such
/// (and makes the status degraded), because a health check must answer.
pub struct GetJobsHealth;

impl GetJobsHealth {
    pub async fn execute(self, ports: &Ports) -> JobsHealth {
        let checked_at = ports.clock.now();
        let last_runs = join_all(Job::ALL.map(|job| ports.jobs.runs.last(job)));
        let (queues, last_runs) = join(ports.jobs.queues.readings(), last_runs).await;
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
        }
    }
}
