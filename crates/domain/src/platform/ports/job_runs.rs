use async_trait::async_trait;

use crate::{
    StoreError,
    platform::entities::{Job, JobRun},
};

/// The last run of each scheduled job, for the health endpoints.
#[async_trait]
pub trait JobRuns: Send + Sync {
    /// Records `run` as the job's last run, unless a run that started later is already
    /// recorded (two overlapping runs may finish in either order).
    async fn record(&self, run: &JobRun) -> Result<(), StoreError>;

    async fn last(&self, job: Job) -> Result<Option<JobRun>, StoreError>;
}
