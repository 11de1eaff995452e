//! The scheduled jobs' adapters against the emulated AWS (moto) through the real SDK:
//! expiry notices and purges over GSI2's hour buckets, last runs, and SQS queue depths.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, RefreshToken, Session, User},
        ports::{OneTimeTokenRepository, SessionExpiryNotices, SessionRepository, UserRepository},
        value_objects::{Email, TokenHash},
    },
    platform::{
        entities::{Job, JobOutcome, JobRun},
        ports::{ExpiredItems, JobRuns, QueueMetrics, QueueRole},
    },
};
use dashtam_infrastructure::{
    dynamodb::{DynamoOneTimeTokenRepository, DynamoUserRepository},
    messaging::{SqsQueueMetrics, WatchedQueue},
};
use futures::future::join_all;
use uuid::Uuid;

use crate::support::*;

impl Db {
    /// A session that expires at `expires_at`.
    async fn session(&self, expires_at: DateTime<Utc>) -> Session {
        let s = Session::start(Uuid::now_v7(), expires_at - Session::LIFETIME, token_hash());
        let token = RefreshToken::first_of(&s, 1);
        self.sessions()
            .create(&s, &token, &[], "", &[])
            .await
            .unwrap();
        s
    }
}

fn token_hash() -> TokenHash {
    TokenHash::from_hex(format!("{:064x}", Uuid::now_v7().as_u128()))
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn s(item: &HashMap<String, AttributeValue>, name: &str) -> String {
    item[name].as_s().unwrap().clone()
}

#[tokio::test]
async fn sessions_due_for_notice_are_found_by_hour_bucket_and_marked_once() {
    let db = Db::new().await;
    let jobs = db.jobs();
    let now = at("2030-01-01T10:55:00Z");
    let next_hour = db.session(at("2030-01-01T11:02:00Z")).await;
    let this_hour = db.session(at("2030-01-01T10:58:00Z")).await;
    let _outside = db.session(at("2030-01-01T11:20:00Z")).await;
    let expired = db.session(at("2030-01-01T10:50:00Z")).await;
    let revoked = db.session(at("2030-01-01T11:05:00Z")).await;
    db.sessions()
        .revoke(revoked.user_id, revoked.id, "user_logout", now, &[])
        .await
        .unwrap();

    // The index keys on the session item itself.
    let item = db
        .raw(
            &format!("USER#{}", next_hour.user_id),
            &format!("SESSION#{}", next_hour.id),
        )
        .await
        .unwrap();
    assert_eq!(s(&item, "GSI2PK"), "SESSIONEXP#2030-01-01T11");
    assert!(s(&item, "GSI2SK").starts_with("2030-01-01T11:02:00.000000000Z#"));

    let mut due: Vec<Uuid> = jobs
        .due_for_notice(now, now + Duration::minutes(15))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    due.sort();
    let mut want = vec![next_hour.id, this_hour.id];
    want.sort();
    assert_eq!(
        due, want,
        "revoked, expired and later sessions are left out"
    );

    // Eight racing runs: exactly one marks the session.
    let marks =
        join_all((0..8).map(|_| jobs.mark_notified(next_hour.user_id, next_hour.id, now, &[])))
            .await;
    assert_eq!(marks.iter().filter(|r| *r.as_ref().unwrap()).count(), 1);
    assert!(
        jobs.mark_notified(this_hour.user_id, this_hour.id, now, &[])
            .await
            .unwrap()
    );
    assert!(
        !jobs
            .mark_notified(this_hour.user_id, this_hour.id, now, &[])
            .await
            .unwrap()
    );
    assert!(
        !jobs
            .mark_notified(revoked.user_id, revoked.id, now, &[])
            .await
            .unwrap()
    );
    assert!(
        !jobs
            .mark_notified(expired.user_id, expired.id, now, &[])
            .await
            .unwrap()
    );
    assert!(
        !jobs
            .mark_notified(Uuid::now_v7(), Uuid::now_v7(), now, &[])
            .await
            .unwrap()
    );

    assert!(
        jobs.due_for_notice(now, now + Duration::minutes(15))
            .await
            .unwrap()
            .is_empty(),
        "marked sessions are not due again"
    );
    // Marking touched nothing else on the session.
    let after = db
        .sessions()
        .find(this_hour.user_id, this_hour.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, this_hour);
}

#[tokio::test]
async fn purge_deletes_expired_sessions_and_tokens_past_retention_once() {
    let db = Db::new().await;
    let jobs = db.jobs();
    let now = at("2030-03-10T12:30:00Z");
    let expired = db.session(now - Duration::hours(2)).await;
    let just_expired = db.session(now - Duration::minutes(1)).await;
    let live = db.session(now + Duration::minutes(1)).await;
    let ancient = db.session(now - Duration::days(10)).await;

    // One-time tokens are issued with a stored user.
    let users = DynamoUserRepository::new(db.client.clone(), db.table.clone());
    let tokens = DynamoOneTimeTokenRepository::new(db.client.clone(), db.table.clone());
    let created = now - Duration::days(3);
    let mut user = User::register(
        Uuid::now_v7(),
        Email::parse("purge@example.com").unwrap(),
        "$argon2id$v=19$stub".into(),
        created,
    );
    // Verification issued 3 days ago: expired 2 days ago, retention ended a day ago.
    let old_verification = OneTimeToken::issue(
        token_hash(),
        OneTimeTokenKind::EmailVerification,
        user.id,
        created,
    );
    users.create(&user, &old_verification, &[]).await.unwrap();
    user = users.find_by_id(user.id).await.unwrap().unwrap();
    // A reset from 2 hours ago: expired, but still within its day of retention.
    let recent_reset = OneTimeToken::issue(
        token_hash(),
        OneTimeTokenKind::PasswordReset,
        user.id,
        now - Duration::hours(2),
    );
    tokens.issue(&recent_reset, &user, &[]).await.unwrap();
    let item = db
        .raw(&format!("RESET#{}", recent_reset.hash.as_str()), "RESET")
        .await
        .unwrap();
    // 10:30 + 15 min expiry + 1 day retention.
    assert_eq!(s(&item, "GSI2PK"), "EXPIRY#2030-03-11T10");

    let since = now - Duration::days(7);
    let counts = join_all((0..3).map(|_| jobs.purge(since, now))).await;
    let sessions: u64 = counts.iter().map(|c| c.as_ref().unwrap().sessions).sum();
    let one_time: u64 = counts
        .iter()
        .map(|c| c.as_ref().unwrap().one_time_tokens)
        .sum();
    assert_eq!(sessions, 2, "concurrent purges delete each item once");
    assert_eq!(one_time, 1);

    let repo = db.sessions();
    let find = |s: &Session| repo.find(s.user_id, s.id);
    assert!(find(&expired).await.unwrap().is_none());
    assert!(find(&just_expired).await.unwrap().is_none());
    assert!(find(&live).await.unwrap().is_some());
    assert!(
        find(&ancient).await.unwrap().is_some(),
        "older than the window: left to TTL"
    );
    assert!(
        tokens
            .find(old_verification.kind, &old_verification.hash)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        tokens
            .find(recent_reset.kind, &recent_reset.hash)
            .await
            .unwrap()
            .is_some()
    );
    // The user is untouched.
    assert!(users.find_by_id(user.id).await.unwrap().is_some());

    let again = jobs.purge(since, now).await.unwrap();
    assert_eq!((again.sessions, again.one_time_tokens), (0, 0));
}

#[tokio::test]
async fn the_last_run_is_the_latest_started() {
    let db = Db::new().await;
    let jobs = db.jobs();
    assert_eq!(jobs.last(Job::Cleanup).await.unwrap(), None);
    let t = at("2030-01-01T00:00:00Z");
    let run = |started: DateTime<Utc>, outcome| JobRun {
        job: Job::Cleanup,
        started_at: started,
        finished_at: started + Duration::seconds(3),
        outcome,
        counts: [("deleted_sessions".to_owned(), 4)].into(),
        error: (outcome == JobOutcome::Failed).then(|| "boom".to_owned()),
    };
    jobs.record(&run(t, JobOutcome::Ok)).await.unwrap();
    let later = run(t + Duration::hours(1), JobOutcome::Failed);
    jobs.record(&later).await.unwrap();
    // An overlapping older run finishing last does not overwrite the newer record.
    jobs.record(&run(t + Duration::minutes(59), JobOutcome::Ok))
        .await
        .unwrap();
    assert_eq!(jobs.last(Job::Cleanup).await.unwrap(), Some(later));
    assert_eq!(jobs.last(Job::SessionExpiry).await.unwrap(), None);
    let item = db.raw("JOB#cleanup", "LASTRUN").await.unwrap();
    assert_eq!(s(&item, "entity"), "job_run");
}

#[tokio::test]
async fn sqs_queue_metrics_report_depths_and_name_an_unreadable_queue() {
    let stack = dashtam_testkit::provision_stack().await;
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    let dlq = stack.var("DASHTAM_AUDIT_DLQ_URL").to_owned();
    let queue = stack.var("DASHTAM_EMAIL_QUEUE_URL").to_owned();
    for i in 0..3 {
        sqs.send_message()
            .queue_url(&dlq)
            .message_body(format!("dead {i}"))
            .send()
            .await
            .unwrap();
    }
    sqs.send_message()
        .queue_url(&queue)
        .message_body("delayed")
        .delay_seconds(600)
        .send()
        .await
        .unwrap();
    sqs.send_message()
        .queue_url(&queue)
        .message_body("taken")
        .send()
        .await
        .unwrap();
    let received = sqs
        .receive_message()
        .queue_url(&queue)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(received.messages.unwrap_or_default().len(), 1);

    let metrics = SqsQueueMetrics::new(
        stack.sdk.clone(),
        vec![
            WatchedQueue {
                name: "audit".into(),
                role: QueueRole::DeadLetter,
                url: dlq,
            },
            WatchedQueue {
                name: "email".into(),
                role: QueueRole::Queue,
                url: queue.clone(),
            },
            WatchedQueue {
                name: "gone".into(),
                role: QueueRole::Queue,
                url: format!("{queue}-does-not-exist"),
            },
        ],
    );
    let readings = metrics.readings().await;
    assert_eq!(readings.len(), 3);
    let dead = readings[0].depth.clone().unwrap();
    assert_eq!(
        (readings[0].name.as_str(), readings[0].role),
        ("audit", QueueRole::DeadLetter)
    );
    assert_eq!((dead.visible, dead.in_flight, dead.delayed), (3, 0, 0));
    let email = readings[1].depth.clone().unwrap();
    assert_eq!((email.visible, email.in_flight, email.delayed), (0, 1, 1));
    let err = readings[2].depth.clone().unwrap_err();
    assert!(err.starts_with("sqs GetQueueAttributes"), "{err}");
}
