//! The jobs health routes in process, over the in-memory adapters.

use crate::support::{PASSWORD, TestApp};
use chrono::Duration;
use dashtam_domain::platform::{
    entities::{Job, JobOutcome, JobRun},
    ports::JobRuns,
};
use serde_json::json;

/// Every job's last run recorded ok, but `failed` (if any) recorded as failed.
async fn record_all(app: &TestApp, failed: Option<Job>) {
    for job in Job::ALL {
        let outcome = if Some(job) == failed {
            JobOutcome::Failed
        } else {
            JobOutcome::Ok
        };
        record(app, job, outcome).await;
    }
}

async fn record(app: &TestApp, job: Job, outcome: JobOutcome) {
    let now = app.now();
    app.store
        .record(&JobRun {
            job,
            started_at: now,
            finished_at: now + Duration::milliseconds(40),
            outcome,
            counts: [("notified".to_owned(), 2)].into(),
            error: (outcome == JobOutcome::Failed).then(|| "storage unavailable".to_owned()),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn admin_jobs_needs_an_admin() {
    let app = TestApp::new();
    app.signup("plain@example.com").await;
    let user = app.login("plain@example.com", PASSWORD).await;
    app.get("/api/v1/admin/jobs", Some(&user.access))
        .await
        .problem(403, "forbidden");
    app.get("/api/v1/admin/jobs", None).await.unauthorized();
}

#[tokio::test]
async fn admin_jobs_reports_queues_and_last_runs() {
    let app = TestApp::new();
    let admin = app.admin().await;

    // Never ran: every schedule overdue, status degraded.
    let r = app.get("/api/v1/admin/jobs", Some(&admin.access)).await;
    r.expect(200);
    assert_eq!(r.body["status"], "degraded");
    let schedules = r.body["schedules"].as_array().unwrap();
    assert_eq!(schedules.len(), 4);
    assert_eq!(schedules[0]["job"], "session-expiry");
    assert_eq!(schedules[0]["every_seconds"], 300);
    assert_eq!(schedules[0]["overdue"], true);
    assert!(schedules[0]["last_run"].is_null());
    assert_eq!(schedules[1]["job"], "cleanup");
    assert_eq!(schedules[1]["every_seconds"], 3600);
    assert_eq!(schedules[2]["job"], "sync-dispatch");
    assert_eq!(schedules[2]["every_seconds"], 6 * 3600);
    assert_eq!(schedules[3]["job"], "token-care");
    assert_eq!(schedules[3]["every_seconds"], 900);

    // In memory: the in-process channel and its "dead letters" (this harness publishes
    // to a recorder, so the channel stays empty).
    let queues = r.body["queues"].as_array().unwrap();
    assert_eq!(queues.len(), 4);
    assert_eq!(queues[0]["name"], "in-process");
    // And the scheduled syncs' queue with its dead letters.
    assert_eq!(
        (queues[2]["name"].as_str(), queues[2]["role"].as_str()),
        (Some("sync"), Some("queue"))
    );
    assert_eq!(queues[3]["role"], "dead_letter");
    assert_eq!(queues[0]["role"], "queue");
    assert_eq!(queues[1]["role"], "dead_letter");
    assert_eq!(queues[0]["visible"], 0);
    assert_eq!(queues[1]["visible"], 0);
    assert!(queues[0]["error"].is_null());

    record_all(&app, None).await;
    let r = app.get("/api/v1/admin/jobs", Some(&admin.access)).await;
    assert_eq!(r.body["status"], "ok", "{}", r.body);
    // The admin's own events wait in the outbox (nothing relays here); none for long.
    let relay = &r.body["relay"];
    assert_eq!(relay["status"], "ok");
    assert_eq!(relay["oldest_pending_age_seconds"], 0);
    assert!(relay["oldest_pending_at"].as_str().unwrap().ends_with('Z'));
    assert!(relay["error"].is_null());
    let last = &r.body["schedules"][0]["last_run"];
    assert_eq!(last["outcome"], "ok");
    assert_eq!(last["counts"]["notified"], 2);
    assert!(last["error"].is_null());
    assert!(last["started_at"].as_str().unwrap().ends_with('Z'));

    // A failed in-process consumer counts as a dead letter.
    app.queue.taken();
    app.queue.finished(false);
    let r = app.get("/api/v1/admin/jobs", Some(&admin.access)).await;
    assert_eq!(r.body["status"], "degraded");
    assert_eq!(r.body["queues"][1]["visible"], 1);
}

#[tokio::test]
async fn public_health_jobs_answers_200_with_verdicts_only() {
    let app = TestApp::new();
    let r = app.get("/health/jobs", None).await;
    r.expect(200);
    assert_eq!(r.body["status"], "degraded");
    assert_eq!(r.body["schedules"], "degraded");
    assert_eq!(r.body["queues"], "ok");

    record_all(&app, Some(Job::Cleanup)).await;
    let r = app.get("/health/jobs", None).await;
    assert_eq!(r.body["status"], "degraded");
    assert!(!r.text.contains("storage unavailable"), "no internals");

    record(&app, Job::Cleanup, JobOutcome::Ok).await;
    let r = app.get("/health/jobs", None).await;
    assert_eq!(r.body["status"], "ok");
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "checked_at",
            "queues",
            "relay",
            "relay_lag_seconds",
            "schedules",
            "status"
        ]
    );
    assert_eq!(r.body["relay"], "ok");
    assert_eq!(r.body["relay_lag_seconds"], 0);

    // Overdue after two missed periods of the 5-minute schedule.
    app.advance(Duration::minutes(11));
    assert_eq!(
        app.get("/health/jobs", None).await.body["schedules"],
        "degraded"
    );
}

#[tokio::test]
async fn an_event_waiting_over_a_minute_for_the_relay_degrades_the_health() {
    let app = TestApp::new();
    record_all(&app, None).await;
    app.post(
        "/api/v1/users",
        None,
        json!({"email": "waiting@example.com", "password": PASSWORD}),
    )
    .await
    .expect(201);
    app.advance(Duration::seconds(90));
    let r = app.get("/health/jobs", None).await;
    assert_eq!(r.body["relay"], "degraded");
    assert_eq!(r.body["relay_lag_seconds"], 90);
    assert_eq!(r.body["status"], "degraded");
}

#[tokio::test]
async fn the_jobs_routes_are_in_the_openapi_document() {
    let app = TestApp::new();
    let doc = app.get("/openapi.json", None).await;
    assert!(doc.body["paths"]["/api/v1/admin/jobs"]["get"].is_object());
    assert!(doc.body["paths"]["/health/jobs"]["get"].is_object());
    assert!(doc.body["components"]["schemas"]["JobsHealthResponse"].is_object());
}
