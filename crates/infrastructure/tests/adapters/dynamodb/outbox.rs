//! The transactional outbox and the live feed in DynamoDB, against the emulated AWS:
//! events exist exactly when their write committed, the table's stream carries them to
//! the relay, acknowledging deletes them, and the feed serves a user's streamable events.

use chrono::Utc;
use dashtam_domain::{
    Existing, StoreError,
    identity::{
        entities::User,
        ports::{SessionRepository, UserRepository},
    },
    platform::{
        events::{DomainEvent, EventPayload},
        ports::{EventFeed, EventOutbox},
    },
};
use dashtam_infrastructure::dynamodb::StreamReader;
use uuid::Uuid;

use crate::support::*;

#[tokio::test]
async fn events_are_written_with_their_state_or_not_at_all_and_reach_the_stream() {
    let db = Db::new().await;
    let users = db.users();
    let outbox = db.outbox();
    let mut stream = StreamReader::open(&db.stack.sdk, &db.table).await.unwrap();

    let (ada, verification) = new_user("ada@example.com", Utc::now());
    let registered = event(
        Some(ada.id),
        EventPayload::UserRegistrationSucceeded {
            email: "ada@example.com".into(),
            verification_token: "secret-token".into(),
        },
    );
    users
        .create(&ada, &verification, std::slice::from_ref(&registered))
        .await
        .unwrap();
    assert!(
        db.raw(&format!("OUTBOX#{}", registered.event_id), "OUTBOX")
            .await
            .is_some()
    );

    // A write whose condition fails stores none of its events.
    let (twin, twin_token) = new_user("ADA@example.com", Utc::now());
    let lost = event(
        Some(twin.id),
        EventPayload::UserRegistrationSucceeded {
            email: "ada@example.com".into(),
            verification_token: "other".into(),
        },
    );
    assert_eq!(
        users
            .create(&twin, &twin_token, std::slice::from_ref(&lost))
            .await,
        Err(StoreError::AlreadyExists(Existing::Email))
    );
    assert!(
        db.raw(&format!("OUTBOX#{}", lost.event_id), "OUTBOX")
            .await
            .is_none()
    );

    // Events of no state change are appended on their own.
    let attempt = event(
        None,
        EventPayload::UserLoginAttempted {
            email: "ada@example.com".into(),
        },
    );
    outbox.append(std::slice::from_ref(&attempt)).await.unwrap();

    // The stream carries exactly the committed outbox items, whole, in order.
    let relayed = stream.next_events().await.unwrap();
    assert_eq!(relayed, [registered.clone(), attempt.clone()]);

    // Acknowledging deletes them; twice is fine; deletions are not relayed again.
    let ids = [registered.event_id, attempt.event_id];
    outbox.acknowledge(&ids).await.unwrap();
    outbox.acknowledge(&ids).await.unwrap();
    assert!(
        db.raw(&format!("OUTBOX#{}", registered.event_id), "OUTBOX")
            .await
            .is_none()
    );
    assert!(stream.next_events().await.unwrap().is_empty());
}

async fn drain(stream: &mut StreamReader) -> Vec<DomainEvent> {
    let mut all = Vec::new();
    loop {
        let batch = stream.next_events().await.unwrap();
        if batch.is_empty() {
            return all;
        }
        all.extend(batch);
    }
}

fn registered(user: &User) -> DomainEvent {
    event(
        Some(user.id),
        EventPayload::UserRegistrationSucceeded {
            email: user.email.as_str().to_owned(),
            verification_token: "secret-token".into(),
        },
    )
}

#[tokio::test]
async fn a_cancelled_transaction_leaves_no_stream_record_and_later_writes_still_arrive() {
    let db = Db::new().await;
    let users = db.users();
    let outbox = db.outbox();
    // A reader that is already reading when the transaction is cancelled.
    let mut stream = StreamReader::open(&db.stack.sdk, &db.table).await.unwrap();
    assert!(stream.next_events().await.unwrap().is_empty());
    assert_eq!(outbox.oldest_pending().await.unwrap(), None);

    let (ada, ada_token) = new_user("ada@example.com", Utc::now());
    let first = registered(&ada);
    users
        .create(&ada, &ada_token, std::slice::from_ref(&first))
        .await
        .unwrap();
    assert_eq!(drain(&mut stream).await, std::slice::from_ref(&first));

    let (twin, twin_token) = new_user("ADA@example.com", Utc::now());
    let phantom = registered(&twin);
    assert_eq!(
        users
            .create(&twin, &twin_token, std::slice::from_ref(&phantom))
            .await,
        Err(StoreError::AlreadyExists(Existing::Email))
    );

    let (bob, bob_token) = new_user("bob@example.com", Utc::now());
    let second = registered(&bob);
    users
        .create(&bob, &bob_token, std::slice::from_ref(&second))
        .await
        .unwrap();
    let attempt = event(
        None,
        EventPayload::UserLoginAttempted {
            email: "bob@example.com".into(),
        },
    );
    outbox.append(std::slice::from_ref(&attempt)).await.unwrap();

    // Every committed event once, in order; the cancelled one never.
    assert_eq!(drain(&mut stream).await, [second.clone(), attempt.clone()]);
    let mut fresh = StreamReader::open(&db.stack.sdk, &db.table).await.unwrap();
    assert_eq!(
        drain(&mut fresh).await,
        [first.clone(), second.clone(), attempt.clone()]
    );

    // The relay's lag is the oldest unacknowledged event's; none once all are.
    assert_eq!(
        outbox.oldest_pending().await.unwrap(),
        Some(first.occurred_at)
    );
    outbox.acknowledge(&[first.event_id]).await.unwrap();
    assert_eq!(
        outbox.oldest_pending().await.unwrap(),
        Some(second.occurred_at)
    );
    outbox
        .acknowledge(&[second.event_id, attempt.event_id])
        .await
        .unwrap();
    assert_eq!(outbox.oldest_pending().await.unwrap(), None);
}

#[tokio::test]
async fn the_feed_holds_a_users_streamable_events_in_order_without_secrets() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let feed = db.outbox();
    let user_id = Uuid::now_v7();

    let mut created = Vec::new();
    for _ in 0..3 {
        let (s, t) = new_session(user_id, Utc::now());
        let e = event(
            Some(user_id),
            EventPayload::SessionCreated {
                session_id: s.id,
                device_info: s.device_info.clone(),
            },
        );
        // Not streamable: goes to the outbox only.
        let login = event(
            Some(user_id),
            EventPayload::UserLoginSucceeded {
                email: "ada@example.com".into(),
                session_id: s.id,
            },
        );
        sessions
            .create(&s, &t, &[], "", &[e.clone(), login])
            .await
            .unwrap();
        created.push(e);
    }
    // An event with no state change of its own reaches the feed too.
    let changed = event(
        Some(user_id),
        EventPayload::PasswordResetConfirmSucceeded {
            email: "ada@example.com".into(),
            sessions_revoked: 3,
        },
    );
    feed.append(std::slice::from_ref(&changed)).await.unwrap();

    let all = feed.read_after(user_id, None, 100).await.unwrap();
    let ids: Vec<Uuid> = all.iter().map(|e| e.event_id).collect();
    let mut want: Vec<Uuid> = created.iter().map(|e| e.event_id).collect();
    want.push(changed.event_id);
    assert_eq!(ids, want, "streamable events only, oldest first");
    assert_eq!(all[0].event_type, "security.session.new");
    assert_eq!(all[0].category(), "security");
    assert_eq!(all[0].data["device_info"], "Firefox on Linux");
    assert_eq!(all[3].event_type, "security.password.changed");

    let after_first = feed
        .read_after(user_id, Some(created[0].event_id), 2)
        .await
        .unwrap();
    let ids: Vec<Uuid> = after_first.iter().map(|e| e.event_id).collect();
    assert_eq!(ids, [created[1].event_id, created[2].event_id]);
    assert!(
        feed.read_after(Uuid::now_v7(), None, 10)
            .await
            .unwrap()
            .is_empty(),
        "another user's feed is empty"
    );

    // Revoking all sessions commits the revocations and the count's events together.
    let revoked = sessions
        .revoke_all(user_id, None, "password_reset", Utc::now(), &|count| {
            vec![event(
                Some(user_id),
                EventPayload::AllSessionsRevoked {
                    reason: "password_reset".into(),
                    revoked_count: count,
                },
            )]
        })
        .await
        .unwrap();
    assert_eq!(revoked, 3);
    let last = feed
        .read_after(user_id, Some(changed.event_id), 10)
        .await
        .unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].data["revoked_count"], 3);
}
