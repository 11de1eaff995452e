use dashtam_domain::platform::entities::{Job, JobOutcome, JobRun};

use super::{NotifyExpiringSessions, PurgeExpired};
use crate::{AppError, Ports, portfolio::scheduled::DispatchSyncs, providers::jobs::CareForTokens};

/// Runs one job and records the run (its outcome and counts) as the job's last run.
pub struct RunJob {
    pub job: Job,
}

impl RunJob {
    /// The recorded run; `Err` when the job failed (after recording the failure), so that
    /// the scheduler's invocation fails visibly and may be retried (jobs are idempotent).
    pub async fn execute(self, ports: &Ports) -> Result<JobRun, AppError> {
        let started_at = ports.clock.now();
        let result = match self.job {
            Job::SessionExpiry => NotifyExpiringSessions.execute(ports).await,
            Job::Cleanup => PurgeExpired.execute(ports).await,
            Job::SyncDispatch => DispatchSyncs.execute(ports).await,
            Job::TokenCare => CareForTokens.execute(ports).await,
        };
        let (outcome, counts, error) = match &result {
            Ok(counts) => (JobOutcome::Ok, counts.clone(), None),
            Err(e) => (JobOutcome::Failed, Default::default(), Some(e.to_string())),
        };
        let run = JobRun {
            job: self.job,
            started_at,
            finished_at: ports.clock.now(),
            outcome,
            counts,
            error,
        };
        if let Err(e) = ports.platform.job_runs.record(&run).await {
            tracing::error!(job = self.job.as_str(), error = %e, "job run not recorded");
            if result.is_ok() {
                return Err(e.into());
            }
        }
        match result {
            Ok(_) => {
                tracing::info!(job = self.job.as_str(), counts = ?run.counts, "job finished");
                Ok(run)
            }
            Err(e) => {
                tracing::error!(job = self.job.as_str(), error = %e, "job failed");
                Err(e)
            }
        }
    }
}
