use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use dashtam_application::platform::jobs::{HealthStatus, JobStatus, JobsHealth, RelayStatus};
use dashtam_domain::platform::{
    entities::{JobOutcome, JobRun},
    ports::{QueueReading, QueueRole},
};
use serde::Serialize;
use utoipa::ToSchema;

/// `ok`, or `degraded` when a dead-letter queue holds messages, a queue cannot be read,
/// a job's last run failed, is overdue or cannot be read, or an event has waited more
/// than 60 s for the outbox relay (or the outbox cannot be read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Degraded,
}

impl From<HealthStatus> for Status {
    fn from(s: HealthStatus) -> Self {
        match s {
            HealthStatus::Ok => Self::Ok,
            HealthStatus::Degraded => Self::Degraded,
        }
    }
}

/// `GET /api/v1/admin/jobs`: queue depths, dead-letter depths and the last run of each
/// schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobsHealthResponse {
    pub status: Status,
    pub checked_at: DateTime<Utc>,
    pub queues: Vec<QueueResponse>,
    pub schedules: Vec<ScheduleResponse>,
    pub relay: RelayResponse,
}

/// The outbox relay: how long the oldest committed event has waited to be published.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelayResponse {
    /// `degraded` past 60 s of waiting, or when the outbox cannot be read.
    pub status: Status,
    /// Whole seconds the oldest waiting event has waited; 0 when none waits, null when
    /// the outbox cannot be read.
    #[schema(example = 0)]
    pub oldest_pending_age_seconds: Option<i64>,
    /// When the oldest waiting event occurred; null when none waits.
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

impl From<&RelayStatus> for RelayResponse {
    fn from(r: &RelayStatus) -> Self {
        Self {
            status: r.status().into(),
            oldest_pending_age_seconds: relay_age(r),
            oldest_pending_at: r.oldest_pending_at,
            error: r.error.clone(),
        }
    }
}

fn relay_age(r: &RelayStatus) -> Option<i64> {
    r.error.is_none().then(|| r.lag.num_seconds())
}

/// One queue. The counts are SQS's approximate numbers; they are null (and `error` is
/// set) when the queue could not be read.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueResponse {
    /// The consumer the queue feeds (`audit`, `email`; `in-process` in in-memory mode).
    #[schema(example = "audit")]
    pub name: String,
    /// `queue` or `dead_letter`.
    #[schema(example = "dead_letter")]
    pub role: &'static str,
    /// Waiting to be received.
    pub visible: Option<u64>,
    /// Received by a consumer, not yet deleted.
    pub in_flight: Option<u64>,
    /// Not yet deliverable.
    pub delayed: Option<u64>,
    pub error: Option<String>,
}

/// One schedule and its last recorded run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleResponse {
    #[schema(example = "session-expiry")]
    pub job: &'static str,
    /// How often the schedule fires.
    #[schema(example = 300)]
    pub every_seconds: i64,
    /// No run started within two periods.
    pub overdue: bool,
    pub last_run: Option<JobRunResponse>,
    /// The last run could not be read.
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobRunResponse {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// `ok` or `failed`.
    #[schema(example = "ok")]
    pub outcome: &'static str,
    /// What the run did, e.g. `{"candidates": 3, "notified": 3}`.
    pub counts: BTreeMap<String, u64>,
    pub error: Option<String>,
}

impl From<&JobsHealth> for JobsHealthResponse {
    fn from(h: &JobsHealth) -> Self {
        Self {
            status: h.status().into(),
            checked_at: h.checked_at,
            queues: h.queues.iter().map(QueueResponse::from).collect(),
            schedules: h.jobs.iter().map(ScheduleResponse::from).collect(),
            relay: RelayResponse::from(&h.relay),
        }
    }
}

impl From<&QueueReading> for QueueResponse {
    fn from(q: &QueueReading) -> Self {
        let depth = q.depth.as_ref().ok();
        Self {
            name: q.name.clone(),
            role: match q.role {
                QueueRole::Queue => "queue",
                QueueRole::DeadLetter => "dead_letter",
            },
            visible: depth.map(|d| d.visible),
            in_flight: depth.map(|d| d.in_flight),
            delayed: depth.map(|d| d.delayed),
            error: q.depth.as_ref().err().cloned(),
        }
    }
}

impl From<&JobStatus> for ScheduleResponse {
    fn from(j: &JobStatus) -> Self {
        Self {
            job: j.job.as_str(),
            every_seconds: j.job.period().num_seconds(),
            overdue: j.overdue,
            last_run: j.last_run.as_ref().map(JobRunResponse::from),
            error: j.error.clone(),
        }
    }
}

impl From<&JobRun> for JobRunResponse {
    fn from(r: &JobRun) -> Self {
        Self {
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: match r.outcome {
                JobOutcome::Ok => "ok",
                JobOutcome::Failed => "failed",
            },
            counts: r.counts.clone(),
            error: r.error.clone(),
        }
    }
}

/// `GET /health/jobs`: public, so only the verdicts, no counts or error messages.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicJobsHealthResponse {
    pub status: Status,
    pub checked_at: DateTime<Utc>,
    /// Dead-letter queues empty and every queue readable.
    pub queues: Status,
    /// Every schedule's last run succeeded and is recent.
    pub schedules: Status,
    /// No committed event has waited more than 60 s for the outbox relay.
    pub relay: Status,
    /// Whole seconds the oldest waiting event has waited (0 when none waits; null when
    /// the outbox cannot be read).
    #[schema(example = 0)]
    pub relay_lag_seconds: Option<i64>,
}

impl From<&JobsHealth> for PublicJobsHealthResponse {
    fn from(h: &JobsHealth) -> Self {
        Self {
            status: h.status().into(),
            checked_at: h.checked_at,
            queues: h.queues_status().into(),
            schedules: h.jobs_status().into(),
            relay: h.relay.status().into(),
            relay_lag_seconds: relay_age(&h.relay),
        }
    }
}
