//! Scheduled syncs over the in-memory adapters: the dispatcher fans a round out through
//! the index of scheduled connections, skipping (and counting) the unusable ones; the
//! worker syncs one connection per message, harmlessly for duplicates, from the last
//! sync with a day of overlap, and hands a provider's 429 back as a delay.

use std::time::Duration;

use chrono::Duration as Span;
use dashtam_application::{
    platform::jobs::RunJob,
    portfolio::{
        queries::SnapshotHistory,
        scheduled::{RunScheduledSync, ScheduledSyncOutcome, run_id},
    },
};
use dashtam_core::Clock;
use dashtam_domain::{
    platform::entities::{Job, JobOutcome},
    portfolio::{ScheduledSync, SnapshotSource},
    providers::ProviderError,
};
use uuid::Uuid;

use crate::finance::Finance;

async fn dispatch(f: &Finance) -> std::collections::BTreeMap<String, u64> {
    let run = RunJob {
        job: Job::SyncDispatch,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(run.outcome, JobOutcome::Ok);
    run.counts
}

async fn work(f: &Finance, message: ScheduledSync) -> ScheduledSyncOutcome {
    RunScheduledSync { message }
        .execute(&f.ports)
        .await
        .unwrap()
}

async fn expire(f: &Finance, user: Uuid, connection: Uuid) {
    let repo = &f.ports.providers.connections;
    let mut c = repo.find(user, connection).await.unwrap().unwrap();
    c.expire(f.clock.now()).unwrap();
    repo.save(&c, &[]).await.unwrap();
}

#[tokio::test]
async fn a_round_sends_one_message_per_active_connection_and_counts_the_skipped() {
    let f = Finance::new();
    let (ada, a) = f.schwab("ada@example.com").await;
    let (_bob, b) = f.schwab("bob@example.com").await;
    let (cy, c) = f.schwab("cy@example.com").await;
    expire(&f, cy.user_id, c.id).await;
    // A statement-file connection (active, no API to call) is not synced.
    let files = dashtam_domain::providers::ProviderConnection::file_import(
        Uuid::now_v7(),
        ada.user_id,
        f.clock.now(),
    );
    f.ports
        .providers
        .connections
        .create(&files, &[])
        .await
        .unwrap();
    let counts = dispatch(&f).await;
    assert_eq!(counts["connections"], 4);
    assert_eq!(counts["enqueued"], 2);
    assert_eq!(counts["skipped_expired"], 1);
    assert_eq!(counts["skipped_file_import"], 1);
    assert_eq!(counts["skipped_revoked"] + counts["skipped_failed"], 0);
    let sent = f.sync_queue.receive(100);
    let mut ids: Vec<Uuid> = sent.iter().map(|(_, m)| m.connection_id).collect();
    ids.sort();
    let mut want = vec![a.id, b.id];
    want.sort();
    assert_eq!(ids, want);
    let now = f.clock.now();
    assert!(sent.iter().all(|(_, m)| m.run_id == run_id(now)));
    assert!(sent.iter().any(|(_, m)| m.user_id == ada.user_id));
    // A grant that lapsed without a refusal yet is skipped as expired too.
    f.clock.advance(Span::days(8));
    let counts = dispatch(&f).await;
    assert_eq!((counts["enqueued"], counts["skipped_expired"]), (0, 3));
    assert_eq!(counts["skipped_file_import"], 1);
}

#[tokio::test]
async fn the_worker_syncs_everything_once_per_round_with_scheduled_snapshots() {
    let f = Finance::new();
    let (user, c) = f.schwab("ada@example.com").await;
    dispatch(&f).await;
    dispatch(&f).await; // a second invocation of the same tick
    let messages = f.sync_queue.receive(10);
    assert_eq!(messages.len(), 2, "both invocations sent");
    let mut outcomes = Vec::new();
    for (_, m) in messages {
        outcomes.push(work(&f, m).await);
    }
    let ScheduledSyncOutcome::Synced {
        accounts,
        transactions_created,
        holdings,
    } = outcomes[0].clone()
    else {
        panic!("{outcomes:?}");
    };
    assert_eq!((accounts, holdings), (2, 2));
    assert_eq!(transactions_created, 30);
    assert_eq!(outcomes[1], ScheduledSyncOutcome::Duplicate);
    // Every snapshot of the round is a scheduled one (after the account's first).
    let account = f
        .ports
        .portfolio
        .accounts
        .list_for_user(user.user_id)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.provider_account_id == "11110001")
        .unwrap();
    let history = SnapshotHistory {
        principal: &user,
        account_id: account.id,
        range: None,
        limit: 10,
        source: None,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    let sources: Vec<_> = history.snapshots.iter().map(|s| s.source).collect();
    assert_eq!(
        sources,
        [
            SnapshotSource::ScheduledSync,
            SnapshotSource::InitialConnection
        ]
    );
    // The first round reads the last 30 days; the next from the last sync's day minus one.
    let first = f.broker.windows.lock().unwrap()[0];
    assert_eq!(first.end - first.start, Span::days(30));
    let synced_at = f.clock.now();
    f.clock.advance(Span::hours(6));
    dispatch(&f).await;
    let (_, next) = f.sync_queue.receive(10).pop().unwrap();
    assert_eq!(next.connection_id, c.id);
    assert!(matches!(
        work(&f, next).await,
        ScheduledSyncOutcome::Synced {
            transactions_created: 0,
            ..
        }
    ));
    let last = *f.broker.windows.lock().unwrap().last().unwrap();
    assert_eq!(last.start, synced_at.date_naive() - Span::days(1));
    let names = f.recorded_names();
    for name in [
        "AccountSyncSucceeded",
        "TransactionSyncSucceeded",
        "HoldingsSyncSucceeded",
    ] {
        assert!(names.contains(&name.to_owned()), "{name}");
    }
}

#[tokio::test]
async fn a_provider_429_becomes_the_providers_delay_and_the_retry_syncs() {
    let f = Finance::new();
    let (_user, _c) = f.schwab("ada@example.com").await;
    dispatch(&f).await;
    let (_, message) = f.sync_queue.receive(1).pop().unwrap();
    f.broker
        .failures
        .lock()
        .unwrap()
        .push_back(ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(17)),
        });
    assert_eq!(
        work(&f, message.clone()).await,
        ScheduledSyncOutcome::RetryAfter(Duration::from_secs(17))
    );
    // The round's claim was given back: the redelivery syncs.
    assert!(matches!(
        work(&f, message).await,
        ScheduledSyncOutcome::Synced { .. }
    ));
}

#[tokio::test]
async fn messages_for_unusable_or_unknown_connections_are_skipped() {
    let f = Finance::new();
    let (user, c) = f.schwab("ada@example.com").await;
    let message = ScheduledSync {
        run_id: "2026-12-01T12Z".into(),
        user_id: user.user_id,
        connection_id: c.id,
    };
    expire(&f, user.user_id, c.id).await;
    assert_eq!(
        work(&f, message.clone()).await,
        ScheduledSyncOutcome::Skipped { reason: "expired" }
    );
    let unknown = ScheduledSync {
        connection_id: Uuid::now_v7(),
        ..message
    };
    assert_eq!(
        work(&f, unknown).await,
        ScheduledSyncOutcome::Skipped { reason: "gone" }
    );
    assert_eq!(
        f.broker
            .data_calls
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn a_refused_grant_during_a_scheduled_sync_skips_the_connection_for_good() {
    let f = Finance::new();
    let (_user, _c) = f.schwab("ada@example.com").await;
    dispatch(&f).await;
    let (_, message) = f.sync_queue.receive(1).pop().unwrap();
    // The access token lapses; the provider refuses the refresh.
    f.clock.advance(Span::minutes(40));
    f.broker
        .refusals
        .lock()
        .unwrap()
        .push_back(ProviderError::Rejected("invalid_grant".into()));
    assert_eq!(
        work(&f, message).await,
        ScheduledSyncOutcome::Skipped { reason: "expired" }
    );
}
