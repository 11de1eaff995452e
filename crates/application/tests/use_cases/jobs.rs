//! Scheduled jobs over the in-memory adapters, with a clock the test moves.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use dashtam_application::platform::jobs::{GetJobsHealth, HealthStatus, RunJob};
use dashtam_core::Clock;
use dashtam_domain::{
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, RefreshToken, Session},
        ports::UserRepository,
        value_objects::TokenHash,
    },
    platform::{
        entities::{Job, JobOutcome, JobRun},
        events::EventPayload,
    },
};
use futures::future::join_all;
use uuid::Uuid;

fn hash() -> TokenHash {
    TokenHash::from_hex(format!("{:064x}", Uuid::now_v7().as_u128()))
}

/// A live session created at `created`, expiring 30 days later.
async fn session(h: &Harness, created: DateTime<Utc>) -> Session {
    let s = Session::start(Uuid::now_v7(), created, hash());
    let token = RefreshToken::first_of(&s, 1);
    h.ports
        .identity
        .sessions
        .create(&s, &token, &[], "", &[])
        .await
        .unwrap();
    s
}

async fn session_exists(h: &Harness, s: &Session) -> bool {
    let found = h.ports.identity.sessions.find(s.user_id, s.id).await;
    found.unwrap().is_some()
}

async fn verification_exists(h: &Harness, hash: &TokenHash) -> bool {
    let kind = OneTimeTokenKind::EmailVerification;
    let found = h.ports.identity.one_time_tokens.find(kind, hash).await;
    found.unwrap().is_some()
}

fn notices(h: &Harness) -> Vec<Uuid> {
    h.recorded()
        .iter()
        .filter_map(|e| match e.payload {
            EventPayload::SessionExpiring { session_id, .. } => Some(session_id),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_session_expiring_within_15_minutes_gets_one_notice_however_often_the_job_runs() {
    let h = Harness::new();
    let start = h.clock.now();
    let soon = session(&h, start).await;
    let later = session(&h, start + Duration::minutes(20)).await;
    h.clock.advance(Session::LIFETIME - Duration::minutes(10));

    let run = RunJob {
        job: Job::SessionExpiry,
    }
    .execute(&h.ports)
    .await
    .unwrap();
    assert_eq!(run.outcome, JobOutcome::Ok);
    assert_eq!(run.counts["notified"], 1);
    assert_eq!(notices(&h), [soon.id]);
    let event = h.recorded().into_iter().last().unwrap();
    assert_eq!(event.user_id, Some(soon.user_id));
    assert_eq!(event.meta().stream, Some("security.session.expiring"));
    match event.payload {
        EventPayload::SessionExpiring {
            expires_at,
            expires_in_seconds,
            ..
        } => {
            assert_eq!(expires_at, soon.expires_at);
            assert_eq!(expires_in_seconds, 600);
        }
        other => panic!("{other:?}"),
    }

    // Again, a minute later: nothing new.
    h.clock.advance(Duration::minutes(1));
    RunJob {
        job: Job::SessionExpiry,
    }
    .execute(&h.ports)
    .await
    .unwrap();
    assert_eq!(notices(&h), [soon.id]);

    // Once the second session enters the window it gets its own notice.
    h.clock.advance(Duration::minutes(15));
    RunJob {
        job: Job::SessionExpiry,
    }
    .execute(&h.ports)
    .await
    .unwrap();
    assert_eq!(notices(&h), [soon.id, later.id]);
}

#[tokio::test]
async fn concurrent_runs_emit_one_notice_per_session() {
    let h = Harness::new();
    let start = h.clock.now();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(session(&h, start + Duration::minutes(i)).await.id);
    }
    h.clock.advance(Session::LIFETIME - Duration::minutes(1));
    let runs = join_all((0..8).map(|_| {
        RunJob {
            job: Job::SessionExpiry,
        }
        .execute(&h.ports)
    }))
    .await;
    assert!(runs.iter().all(Result::is_ok));
    let total: u64 = runs
        .iter()
        .map(|r| r.as_ref().unwrap().counts["notified"])
        .sum();
    assert_eq!(total, 5);
    let mut seen = notices(&h);
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn revoked_and_expired_sessions_get_no_notice() {
    let h = Harness::new();
    let start = h.clock.now();
    let revoked = session(&h, start).await;
    let _expired = session(&h, start - Duration::minutes(30)).await;
    h.ports
        .identity
        .sessions
        .revoke(revoked.user_id, revoked.id, "user_logout", start, &[])
        .await
        .unwrap();
    h.clock.advance(Session::LIFETIME - Duration::minutes(5));
    let run = RunJob {
        job: Job::SessionExpiry,
    }
    .execute(&h.ports)
    .await
    .unwrap();
    assert_eq!(run.counts["notified"], 0);
    assert!(notices(&h).is_empty());
}

#[tokio::test]
async fn cleanup_deletes_what_is_past_its_retention_and_nothing_else() {
    let h = Harness::new();
    let start = h.clock.now();
    let old = session(&h, start).await;
    let young = session(&h, start + Duration::days(1)).await;
    // One-time tokens go through `issue`, which needs a stored user: register one.
    register(&h, "t@example.com").await.unwrap();
    let verification = verification_token(&h);
    let token_hash = h.ports.identity.opaque_tokens.hash(&verification);
    assert!(verification_exists(&h, &token_hash).await);

    // 30 days and an hour: the first session has expired, the second has not; the
    // verification token expired after 24 h and its day of retention is over too.
    h.clock.advance(Session::LIFETIME + Duration::hours(1));
    let run = RunJob { job: Job::Cleanup }
        .execute(&h.ports)
        .await
        .unwrap();
    assert_eq!(run.counts["deleted_sessions"], 1);
    assert_eq!(run.counts["deleted_one_time_tokens"], 1);
    assert!(!session_exists(&h, &old).await);
    assert!(session_exists(&h, &young).await);
    assert!(!verification_exists(&h, &token_hash).await);
    // A second run finds nothing more.
    let again = RunJob { job: Job::Cleanup }
        .execute(&h.ports)
        .await
        .unwrap();
    assert_eq!(again.counts["deleted_sessions"], 0);
}

#[tokio::test]
async fn an_expired_token_is_kept_for_its_day_of_retention() {
    let h = Harness::new();
    let now = h.clock.now();
    let users = h.store.clone();
    let user = {
        dashtam_application::identity::commands::RegisterUser {
            email: dashtam_domain::identity::value_objects::Email::parse("r@example.com").unwrap(),
            password: "Str0ng!Passw0rd".into(),
            context: Harness::ctx(),
        }
        .execute(&h.ports)
        .await
        .unwrap();
        users
            .find_by_email(
                &dashtam_domain::identity::value_objects::Email::parse("r@example.com").unwrap(),
            )
            .await
            .unwrap()
            .unwrap()
    };
    let reset = OneTimeToken::issue(hash(), OneTimeTokenKind::PasswordReset, user.id, now);
    h.ports
        .identity
        .one_time_tokens
        .issue(&reset, &user, &[])
        .await
        .unwrap();
    // Expired 15 minutes after issue, but still within a day of that.
    h.clock.advance(Duration::hours(2));
    RunJob { job: Job::Cleanup }
        .execute(&h.ports)
        .await
        .unwrap();
    assert!(
        h.ports
            .identity
            .one_time_tokens
            .find(reset.kind, &reset.hash)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn health_is_ok_only_with_recent_successful_runs() {
    let h = Harness::new();
    let health = GetJobsHealth.execute(&h.ports).await;
    assert_eq!(
        health.status(),
        HealthStatus::Degraded,
        "never ran: overdue"
    );
    assert!(
        health
            .jobs
            .iter()
            .all(|j| j.overdue && j.last_run.is_none())
    );

    for job in Job::ALL {
        RunJob { job }.execute(&h.ports).await.unwrap();
    }
    let health = GetJobsHealth.execute(&h.ports).await;
    assert_eq!(health.jobs_status(), HealthStatus::Ok);
    assert_eq!(health.queues_status(), HealthStatus::Ok);
    assert_eq!(health.status(), HealthStatus::Ok);

    // Eleven minutes without a session-expiry run (period 5 min): overdue.
    h.clock.advance(Duration::minutes(11));
    let health = GetJobsHealth.execute(&h.ports).await;
    assert_eq!(health.jobs_status(), HealthStatus::Degraded);
    let expiry = health
        .jobs
        .iter()
        .find(|j| j.job == Job::SessionExpiry)
        .unwrap();
    assert!(expiry.overdue);

    // A failed last run is degraded even when recent.
    for job in Job::ALL {
        RunJob { job }.execute(&h.ports).await.unwrap();
    }
    let now = h.clock.now();
    h.ports
        .platform
        .job_runs
        .record(&JobRun {
            job: Job::Cleanup,
            started_at: now,
            finished_at: now,
            outcome: JobOutcome::Failed,
            counts: Default::default(),
            error: Some("storage unavailable".into()),
        })
        .await
        .unwrap();
    let health = GetJobsHealth.execute(&h.ports).await;
    assert_eq!(health.jobs_status(), HealthStatus::Degraded);
    // An older run finishing late does not hide the failure.
    h.ports
        .platform
        .job_runs
        .record(&JobRun {
            job: Job::Cleanup,
            started_at: now - Duration::seconds(1),
            finished_at: now + Duration::seconds(1),
            outcome: JobOutcome::Ok,
            counts: Default::default(),
            error: None,
        })
        .await
        .unwrap();
    let last = h
        .ports
        .platform
        .job_runs
        .last(Job::Cleanup)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.outcome, JobOutcome::Failed);
}

#[tokio::test]
async fn the_relay_is_degraded_once_an_event_waits_more_than_a_minute() {
    let h = Harness::new();
    let health = GetJobsHealth.execute(&h.ports).await;
    assert_eq!(health.relay.status(), HealthStatus::Ok);
    assert_eq!(health.relay.oldest_pending_at, None);

    let waiting = dashtam_domain::platform::events::DomainEvent::new(
        EventPayload::UserLoginAttempted {
            email: "ada@example.com".into(),
        },
        None,
        &Default::default(),
        h.clock.now(),
    );
    h.ports
        .platform
        .outbox
        .append(std::slice::from_ref(&waiting))
        .await
        .unwrap();
    h.clock.advance(Duration::seconds(60));
    let health = GetJobsHealth.execute(&h.ports).await;
    assert_eq!(health.relay.oldest_pending_at, Some(waiting.occurred_at));
    assert_eq!(health.relay.lag, Duration::seconds(60));
    assert_eq!(health.relay.status(), HealthStatus::Ok, "60 s is the limit");

    h.clock.advance(Duration::seconds(1));
    let health = GetJobsHealth.execute(&h.ports).await;
    assert_eq!(health.relay.status(), HealthStatus::Degraded);
    assert_eq!(health.status(), HealthStatus::Degraded);

    h.ports
        .platform
        .outbox
        .acknowledge(&[waiting.event_id])
        .await
        .unwrap();
    let health = GetJobsHealth.execute(&h.ports).await;
    assert_eq!(health.relay.status(), HealthStatus::Ok);
    assert_eq!(health.relay.lag, Duration::zero());
}
