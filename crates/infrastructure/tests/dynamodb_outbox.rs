//! The transactional outbox and the live feed in DynamoDB, against the emulated AWS:
//! events exist exactly when their write committed, the table's stream carries them to
//! the relay, acknowledging deletes them, and the feed serves a user's streamable events.

#![allow(clippy::unwrap_used)] // a test that fails on a surprise should panic

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use chrono::Utc;
use dashtam_domain::{
    StoreError,
    entities::{OneTimeToken, OneTimeTokenKind, RefreshToken, Session, User},
    events::{DomainEvent, EventContext, EventPayload},
    ports::{EventFeed, EventOutbox, SessionRepository, UserRepository},
    value_objects::{Email, TokenHash},
};
use dashtam_infrastructure::dynamodb::{
    DynamoEventOutbox, DynamoSessionRepository, DynamoUserRepository, StreamReader,
};
use uuid::Uuid;

fn hash(label: &str) -> TokenHash {
    TokenHash::from_hex(format!("{label}{}", Uuid::now_v7().simple()))
}

fn event(user_id: Option<Uuid>, payload: EventPayload) -> DomainEvent {
    DomainEvent::new(payload, user_id, &EventContext::default(), Utc::now())
}

fn user(raw_email: &str) -> (User, OneTimeToken) {
    let now = Utc::now();
    let user = User::register(
        Uuid::now_v7(),
        Email::parse(raw_email).unwrap(),
        "$argon2id$v=19$stub".into(),
        now,
    );
    let token = OneTimeToken::issue(hash("v"), OneTimeTokenKind::EmailVerification, user.id, now);
    (user, token)
}

fn session(user_id: Uuid) -> (Session, RefreshToken) {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let token = RefreshToken {
        hash: hash("r"),
        user_id,
        session_id: id,
        token_version: 1,
        created_at: now,
        expires_at: now + RefreshToken::LIFETIME,
        rotated_at: None,
    };
    let session = Session {
        id,
        user_id,
        device_info: Some("Firefox on Linux".into()),
        user_agent: None,
        ip_address: None,
        location: None,
        created_at: now,
        last_activity_at: now,
        expires_at: now + Session::LIFETIME,
        revoked_at: None,
        revoked_reason: None,
        current_refresh_hash: token.hash.clone(),
    };
    (session, token)
}

async fn outbox_item(client: &Client, table: &str, id: Uuid) -> bool {
    client
        .get_item()
        .table_name(table)
        .key("PK", AttributeValue::S(format!("OUTBOX#{id}")))
        .key("SK", AttributeValue::S("OUTBOX".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .is_some()
}

#[tokio::test]
async fn events_are_written_with_their_state_or_not_at_all_and_reach_the_stream() {
    let stack = dashtam_testkit::provision_stack().await;
    let table = stack.var("DASHTAM_TABLE").to_owned();
    let client = Client::new(&stack.sdk);
    let users = DynamoUserRepository::new(client.clone(), table.clone());
    let outbox = DynamoEventOutbox::new(client.clone(), table.clone());
    let mut stream = StreamReader::open(&stack.sdk, &table).await.unwrap();

    let (ada, verification) = user("ada@example.com");
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
    assert!(outbox_item(&client, &table, registered.event_id).await);

    // A write whose condition fails stores none of its events.
    let (twin, twin_token) = user("ADA@example.com");
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
    assert!(!outbox_item(&client, &table, lost.event_id).await);

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
    assert!(!outbox_item(&client, &table, registered.event_id).await);
    assert!(stream.next_events().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_feed_holds_a_users_streamable_events_in_order_without_secrets() {
    let stack = dashtam_testkit::provision_stack().await;
    let table = stack.var("DASHTAM_TABLE").to_owned();
    let client = Client::new(&stack.sdk);
    let sessions = DynamoSessionRepository::new(client.clone(), table.clone());
    let feed = DynamoEventOutbox::new(client.clone(), table.clone());
    let user_id = Uuid::now_v7();

    let mut created = Vec::new();
    for _ in 0..3 {
        let (s, t) = session(user_id);
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
