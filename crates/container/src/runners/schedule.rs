//! The scheduled jobs' entry point, shared by the Lambda function and the local timers.

use std::sync::Arc;

use dashtam_application::{Ports, platform::jobs::RunJob};
use dashtam_domain::platform::entities::{Job, JobRun};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

use super::BoxError;
use crate::{Config, init_logging, scheduler_ports, sync_ports};

/// The job an EventBridge invocation names. With a SAM `Schedule` event's `Input`, the
/// function receives that input as is (`{"job":"session-expiry"}`); a plain scheduled
/// event (`detail-type: Scheduled Event`) may carry it in `detail` instead.
pub fn job_from_event(event: &Value) -> Result<Job, String> {
    let name = event
        .get("job")
        .or_else(|| event.get("detail").and_then(|d| d.get("job")))
        .and_then(Value::as_str)
        .ok_or_else(|| "the event names no job (expected {\"job\": \"...\"})".to_owned())?;
    Job::parse(name).ok_or_else(|| format!("unknown job {name:?}"))
}

/// Runs the job the event names. `Err` (a failed invocation, which EventBridge's async
/// invocation retries) for an unknown job or a failed run; the run is recorded either way.
pub async fn handle_scheduled_event(ports: &Ports, event: &Value) -> Result<JobRun, String> {
    let job = job_from_event(event)?;
    RunJob { job }
        .execute(ports)
        .await
        .map_err(|e| format!("{}: {e}", job.as_str()))
}

/// Runs the identity half's scheduled jobs (session expiry, cleanup) as a Lambda
/// function invoked by EventBridge schedules; the invocation's input names the job.
/// Answers the recorded run.
pub async fn run_scheduler() -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(scheduler_ports(&config).await);
    serve_jobs(ports, false).await
}

/// Runs the financial half's scheduled jobs (the sync dispatcher, token care): the
/// provider-jobs function, which holds the provider secrets and may send to the sync
/// queue.
pub async fn run_provider_jobs() -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(sync_ports(&config).await?);
    serve_jobs(ports, true).await
}

async fn serve_jobs(ports: Arc<Ports>, financial: bool) -> Result<(), BoxError> {
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let ports = ports.clone();
        async move {
            let job = job_from_event(&event.payload)?;
            if job.is_financial() != financial {
                return Err(format!("{} is not run by this function", job.as_str()).into());
            }
            let run = handle_scheduled_event(&ports, &event.payload).await?;
            Ok::<_, BoxError>(serde_json::to_value(run)?)
        }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_job_comes_from_the_input_or_the_detail() {
        assert_eq!(
            job_from_event(&json!({"job": "session-expiry"})),
            Ok(Job::SessionExpiry)
        );
        assert_eq!(
            job_from_event(
                &json!({"detail-type": "Scheduled Event", "detail": {"job": "cleanup"}})
            ),
            Ok(Job::Cleanup)
        );
        assert!(job_from_event(&json!({"job": "reboot"})).is_err());
        assert!(job_from_event(&json!({"detail": {}})).is_err());
    }

    #[test]
    fn the_sample_events_name_real_jobs() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/");
        for file in [
            "schedule-session-expiry.json",
            "schedule-cleanup.json",
            "schedule-sync-dispatch.json",
            "schedule-token-care.json",
        ] {
            let text = std::fs::read_to_string(format!("{root}{file}")).unwrap();
            let event: Value = serde_json::from_str(&text).unwrap();
            assert!(job_from_event(&event).is_ok(), "{file}");
        }
    }
}
