use std::{sync::Arc, time::Duration};

use dashtam_application::{Ports, platform::jobs::RunJob};
use dashtam_domain::platform::entities::Job;

use crate::pollers::supervise;

/// Runs every scheduled job in process every `interval_secs` (first right away), the way
/// the EventBridge schedules invoke the scheduler function on AWS. The local interval is
/// shorter than AWS's periods so that a person sees the effects; the jobs are idempotent,
/// so running them more often changes nothing but timing. 0 switches the timers off.
pub fn start(ports: Arc<Ports>, interval_secs: u64) {
    if interval_secs == 0 {
        tracing::info!("scheduled jobs off (--job-interval-secs 0)");
        return;
    }
    for job in Job::ALL {
        let ports = ports.clone();
        supervise(job.as_str(), move || {
            let ports = ports.clone();
            async move {
                let mut tick = tokio::time::interval(Duration::from_secs(interval_secs));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    // RunJob records the run and logs the outcome; a failure waits for the
                    // next tick.
                    let _ = RunJob { job }.execute(&ports).await;
                }
            }
        });
    }
    tracing::info!(interval_secs, "scheduled jobs running on timers");
}
