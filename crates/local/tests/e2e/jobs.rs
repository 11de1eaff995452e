//! The job timers: every job runs, the jobs health reads the emulated queues, and an
//! expiring session gets one audited notice.

use std::time::{Duration, Instant};

use dashtam_domain::{
    identity::{
        entities::{RefreshToken, Session},
        ports::SessionRepository,
        value_objects::TokenHash,
    },
    platform::ports::AuditRepository,
};
use dashtam_infrastructure::dynamodb::{DynamoAuditRepository, DynamoSessionRepository};
use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn the_timers_run_every_job_and_the_jobs_health_reads_the_emulated_queues() {
    let s = start().await;
    // The timers run each job once at start-up, then every --job-interval-secs.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut health = Value::Null;
    while Instant::now() < deadline {
        let (status, body) = s
            .call(reqwest::Method::GET, "/health/jobs", None, None)
            .await;
        assert_eq!(status, 200);
        health = body;
        if health["status"] == "ok" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(health["status"], "ok", "{health}");

    s.signup("root@example.com").await;
    let login = s.login("root@example.com", PASSWORD).await;
    let (status, jobs) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/admin/jobs",
            login["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(status, 200, "{jobs}");
    let queues: Vec<(String, String)> = jobs["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            assert!(q["error"].is_null(), "{q}");
            assert!(q["visible"].is_u64(), "{q}");
            (
                q["name"].as_str().unwrap().to_owned(),
                q["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let q = |n: &str, r: &str| (n.to_owned(), r.to_owned());
    assert_eq!(
        queues,
        [
            q("audit", "queue"),
            q("audit", "dead_letter"),
            q("email", "queue"),
            q("email", "dead_letter"),
            q("sync", "queue"),
            q("sync", "dead_letter"),
            q("imports", "queue"),
            q("imports", "dead_letter"),
        ]
    );
    for schedule in jobs["schedules"].as_array().unwrap() {
        assert_eq!(schedule["last_run"]["outcome"], "ok", "{schedule}");
    }
}

#[tokio::test]
async fn a_session_about_to_expire_gets_one_audited_notice_through_the_timers() {
    let s = start_with(
        &[("DASHTAM_RATE_LIMITS", "off")],
        &["--job-interval-secs", "1"],
    )
    .await;
    let table = s.stack.var("DASHTAM_TABLE").to_owned();
    let client = aws_sdk_dynamodb::Client::new(&s.stack.sdk);
    // A session created 30 days minus 10 minutes ago, written as login would write it.
    let now = chrono::Utc::now();
    let created = now - Session::LIFETIME + chrono::Duration::minutes(10);
    let session = Session::start(
        uuid::Uuid::now_v7(),
        created,
        TokenHash::from_hex("ab".repeat(32)),
    );
    let token = RefreshToken::first_of(&session, 1);
    DynamoSessionRepository::new(client.clone(), table.clone())
        .create(&session, &token, &[], "", &[])
        .await
        .unwrap();

    // The timer runs session-expiry every second: the notice reaches the audit trail
    // (scheduler → EventBridge → audit queue → consumer), and only once.
    let audit = DynamoAuditRepository::new(client, table);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let records = audit.list_for_user(session.user_id, 100).await.unwrap();
        let notices: Vec<_> = records
            .iter()
            .filter(|r| r.action == "SessionExpiring")
            .collect();
        if let Some(notice) = notices.first() {
            assert_eq!(notice.context["session_id"], session.id.to_string());
            // A few more timer ticks add nothing.
            tokio::time::sleep(Duration::from_secs(3)).await;
            let again = audit.list_for_user(session.user_id, 100).await.unwrap();
            let count = again
                .iter()
                .filter(|r| r.action == "SessionExpiring")
                .count();
            assert_eq!(count, 1, "one notice per session");
            break;
        }
        assert!(Instant::now() < deadline, "no SessionExpiring audit record");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
