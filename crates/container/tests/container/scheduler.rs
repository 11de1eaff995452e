//! The scheduler: the sample EventBridge inputs run their jobs through the function's
//! handler, and template.yaml schedules every job at the period the health checks expect.

use std::collections::BTreeMap;

use chrono::Duration;
use dashtam_container::{Config, handle_scheduled_event, memory_ports};
use dashtam_domain::platform::entities::{Job, JobOutcome};
use serde_json::{Value, json};

fn sample(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn the_sample_events_run_and_record_their_jobs() {
    let ports = memory_ports(&Config::in_memory().unwrap()).ports;
    for (file, job) in [
        ("schedule-session-expiry.json", Job::SessionExpiry),
        ("schedule-cleanup.json", Job::Cleanup),
        ("schedule-sync-dispatch.json", Job::SyncDispatch),
        ("schedule-token-care.json", Job::TokenCare),
    ] {
        let run = handle_scheduled_event(&ports, &sample(file)).await.unwrap();
        assert_eq!((run.job, run.outcome), (job, JobOutcome::Ok));
        assert_eq!(ports.platform.job_runs.last(job).await.unwrap(), Some(run));
    }
    let err = handle_scheduled_event(&ports, &json!({"job": "rm-rf"}))
        .await
        .unwrap_err();
    assert!(err.contains("unknown job"), "{err}");
    // A scheduled event without an input names no job: refused, nothing runs.
    assert!(
        handle_scheduled_event(&ports, &sample("eventbridge-schedule.json"))
            .await
            .is_err()
    );
}

/// The default of the template parameter `name` (`Default: <value>` in its block).
fn parameter_default(lines: &[&str], name: &str) -> String {
    let at = lines
        .iter()
        .position(|l| *l == format!("{name}:"))
        .unwrap_or_else(|| panic!("no parameter {name}"));
    lines[at + 1..]
        .iter()
        .find_map(|l| l.strip_prefix("Default: "))
        .unwrap_or_else(|| panic!("parameter {name} has no default"))
        .to_owned()
}

/// `Schedule: rate(N unit)` (or `Schedule: !Ref <Parameter>`, read at its default)
/// followed by `Input: '{"job": "<name>"}'`, for every schedule.
fn template_schedules() -> BTreeMap<String, Duration> {
    let path = format!("{}/../../template.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut out = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(schedule) = line.strip_prefix("Schedule: ") else {
            continue;
        };
        let schedule = match schedule.strip_prefix("!Ref ") {
            Some(parameter) => parameter_default(&lines, parameter),
            None => schedule.to_owned(),
        };
        let Some(rate) = schedule
            .strip_prefix("rate(")
            .and_then(|r| r.strip_suffix(')'))
        else {
            continue;
        };
        let (n, unit) = rate.split_once(' ').unwrap();
        let n: i64 = n.parse().unwrap();
        let period = match unit {
            "minute" | "minutes" => Duration::minutes(n),
            "hour" | "hours" => Duration::hours(n),
            "day" | "days" => Duration::days(n),
            other => panic!("unit {other}"),
        };
        let input = lines[i + 1]
            .strip_prefix("Input: ")
            .expect("an Input right after the Schedule");
        let input: Value = serde_json::from_str(input.trim_matches('\'')).unwrap();
        out.insert(input["job"].as_str().unwrap().to_owned(), period);
    }
    out
}

#[test]
fn template_schedules_every_job_at_its_period() {
    let schedules = template_schedules();
    let want: BTreeMap<String, Duration> = Job::ALL
        .iter()
        .map(|j| (j.as_str().to_owned(), j.period()))
        .collect();
    assert_eq!(schedules, want);
}
