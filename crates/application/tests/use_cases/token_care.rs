//! Token care over the in-memory adapters with a controlled clock: access tokens about to
//! lapse are refreshed ahead of time, a grant lapsing within a day gets one notice (and
//! one email) however many runs race, and a refused refresh expires the connection with
//! a reconnect email.

use chrono::Duration as Span;
use dashtam_application::{platform::consumers::SendEmail, platform::jobs::RunJob};
use dashtam_domain::{
    platform::{
        entities::{Job, JobOutcome},
        events::EventPayload,
    },
    providers::{ConnectionStatus, ProviderError},
};
use std::sync::atomic::Ordering;

use crate::finance::Finance;

async fn care(f: &Finance) -> std::collections::BTreeMap<String, u64> {
    let run = RunJob {
        job: Job::TokenCare,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(run.outcome, JobOutcome::Ok);
    run.counts
}

fn named(f: &Finance, name: &str) -> Vec<dashtam_domain::platform::events::DomainEvent> {
    f.store
        .pending_events(usize::MAX)
        .into_iter()
        .filter(|e| e.name() == name)
        .collect()
}

async fn mail(f: &Finance, event: &dashtam_domain::platform::events::DomainEvent) -> bool {
    SendEmail { event }.execute(&f.ports).await.unwrap()
}

#[tokio::test]
async fn an_access_token_lapsing_before_the_next_run_is_refreshed_now() {
    let f = Finance::new();
    f.schwab("ada@example.com").await;
    // 30 minutes left: the next run (in 15) is early enough.
    let counts = care(&f).await;
    assert_eq!((counts["checked"], counts["refreshed"]), (1, 0));
    f.clock.advance(Span::minutes(16));
    let counts = care(&f).await;
    assert_eq!(counts["refreshed"], 1);
    assert_eq!(f.broker.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(named(&f, "ProviderTokenRefreshSucceeded").len(), 1);
    // Fresh again: nothing to do.
    assert_eq!(care(&f).await["refreshed"], 0);
}

#[tokio::test]
async fn a_grant_lapsing_within_a_day_is_noticed_once_with_one_email_even_when_runs_race() {
    let f = Finance::new();
    let (user, c) = f.schwab("ada@example.com").await;
    f.clock.advance(Span::days(6) + Span::hours(1));
    let (one, two) = tokio::join!(
        RunJob {
            job: Job::TokenCare
        }
        .execute(&f.ports),
        RunJob {
            job: Job::TokenCare
        }
        .execute(&f.ports)
    );
    let notified =
        one.unwrap().counts["expiring_notified"] + two.unwrap().counts["expiring_notified"];
    assert_eq!(notified, 1, "racing runs notify once");
    assert_eq!(
        care(&f).await["expiring_notified"],
        0,
        "and later runs never"
    );
    let notices = named(&f, "ProviderTokenExpiring");
    assert_eq!(notices.len(), 1);
    let EventPayload::ProviderTokenExpiring {
        connection_id,
        provider_slug,
        expires_at,
    } = &notices[0].payload
    else {
        unreachable!()
    };
    assert_eq!((*connection_id, provider_slug.as_str()), (c.id, "schwab"));
    let stored = f
        .ports
        .providers
        .connections
        .find(user.user_id, c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(*expires_at), stored.refresh_expires_at);
    assert_eq!(notices[0].meta().stream, Some("provider.token.expiring"));
    // One email, however often the event is delivered.
    assert!(mail(&f, &notices[0]).await);
    assert!(!mail(&f, &notices[0]).await);
    let sent = f.mailbox.messages_to("ada@example.com");
    assert_eq!(sent.len(), 1);
    assert!(sent[0].text.contains("Charles Schwab"), "{}", sent[0].text);
}

#[tokio::test]
async fn a_refused_refresh_expires_the_connection_and_mails_a_reconnect_link() {
    let f = Finance::new();
    let (user, c) = f.schwab("ada@example.com").await;
    f.clock.advance(Span::minutes(20));
    f.broker
        .refusals
        .lock()
        .unwrap()
        .push_back(ProviderError::Rejected("invalid_grant".into()));
    let counts = care(&f).await;
    assert_eq!((counts["expired"], counts["refreshed"]), (1, 0));
    let stored = f
        .ports
        .providers
        .connections
        .find(user.user_id, c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ConnectionStatus::Expired);
    let failed = named(&f, "ProviderTokenRefreshFailed");
    assert_eq!(failed.len(), 1);
    assert!(matches!(
        failed[0].payload,
        EventPayload::ProviderTokenRefreshFailed {
            needs_reauth: true,
            ..
        }
    ));
    assert!(mail(&f, &failed[0]).await);
    assert_eq!(f.mailbox.messages_to("ada@example.com").len(), 1);
    // An expired connection is no longer cared for.
    assert_eq!(care(&f).await["checked"], 0);
}

#[tokio::test]
async fn a_transient_refresh_failure_is_counted_and_sends_no_email() {
    let f = Finance::new();
    f.schwab("ada@example.com").await;
    f.clock.advance(Span::minutes(20));
    f.broker
        .refusals
        .lock()
        .unwrap()
        .push_back(ProviderError::Unavailable("503".into()));
    let counts = care(&f).await;
    assert_eq!(counts["refresh_failed"], 1);
    let failed = named(&f, "ProviderTokenRefreshFailed");
    assert_eq!(failed.len(), 1);
    assert!(!mail(&f, &failed[0]).await, "may work next time: no email");
    assert_eq!(f.mailbox.count(), 0);
}

#[tokio::test]
async fn a_grant_that_lapsed_unnoticed_expires_the_connection() {
    let f = Finance::new();
    f.schwab("ada@example.com").await;
    f.clock.advance(Span::days(7) + Span::minutes(1));
    let counts = care(&f).await;
    assert_eq!(counts["expired"], 1);
    assert_eq!(
        f.broker.refreshes.load(Ordering::SeqCst),
        0,
        "no call can succeed"
    );
    assert_eq!(named(&f, "ProviderTokenRefreshFailed").len(), 1);
}
