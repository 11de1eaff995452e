//! The DynamoDB repositories against the emulated AWS (moto), through the real SDK.
//! Every test provisions its own isolated table, so they run in parallel.

#![allow(clippy::unwrap_used)] // a test that fails on a surprise should panic

use std::collections::HashMap;

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    StoreError,
    entities::{
        AuditRecord, OneTimeToken, OneTimeTokenKind, RefreshToken, SecurityConfig, Session, User,
    },
    ports::{
        AuditRepository, OneTimeTokenRepository, ProcessedEvents, RefreshRotation,
        SecurityConfigRepository, SessionRepository, UserRepository,
    },
    value_objects::{Email, TokenHash},
};
use dashtam_infrastructure::dynamodb::{
    DynamoAuditRepository, DynamoOneTimeTokenRepository, DynamoProcessedEvents,
    DynamoSecurityConfigRepository, DynamoSessionRepository, DynamoUserRepository,
};
use futures::future::join_all;
use uuid::Uuid;

struct Db {
    client: Client,
    table: String,
    // Keeps the provisioned stack alive for the test's duration.
    _stack: dashtam_testkit::Stack,
}

impl Db {
    async fn new() -> Self {
        let stack = dashtam_testkit::provision_stack().await;
        let table = stack.vars["DASHTAM_TABLE"].clone();
        let client = Client::new(&stack.sdk);
        Self {
            client,
            table,
            _stack: stack,
        }
    }

    fn users(&self) -> DynamoUserRepository {
        DynamoUserRepository::new(self.client.clone(), self.table.clone())
    }
    fn tokens(&self) -> DynamoOneTimeTokenRepository {
        DynamoOneTimeTokenRepository::new(self.client.clone(), self.table.clone())
    }
    fn sessions(&self) -> DynamoSessionRepository {
        DynamoSessionRepository::new(self.client.clone(), self.table.clone())
    }
    fn config(&self) -> DynamoSecurityConfigRepository {
        DynamoSecurityConfigRepository::new(self.client.clone(), self.table.clone())
    }
    fn audit(&self) -> DynamoAuditRepository {
        DynamoAuditRepository::new(self.client.clone(), self.table.clone())
    }
    fn processed(&self) -> DynamoProcessedEvents {
        DynamoProcessedEvents::new(self.client.clone(), self.table.clone())
    }

    /// The raw item, read with a plain GetItem.
    async fn raw(&self, pk: &str, sk: &str) -> Option<HashMap<String, AttributeValue>> {
        self.client
            .get_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(pk.to_owned()))
            .key("SK", AttributeValue::S(sk.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .expect("raw GetItem")
            .item
    }
}

fn hash(label: &str) -> TokenHash {
    // Unique per call, like a SHA-256 of a fresh random token.
    TokenHash::from_hex(format!("{label}{}", Uuid::now_v7().simple()))
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

fn new_user(raw_email: &str, now: DateTime<Utc>) -> (User, OneTimeToken) {
    let user = User::register(
        Uuid::now_v7(),
        email(raw_email),
        "$argon2id$v=19$stub".into(),
        now,
    );
    let token = OneTimeToken::issue(hash("v"), OneTimeTokenKind::EmailVerification, user.id, now);
    (user, token)
}

fn new_session(user_id: Uuid, created_at: DateTime<Utc>) -> (Session, RefreshToken) {
    let id = Uuid::now_v7();
    let token = RefreshToken {
        hash: hash("r"),
        user_id,
        session_id: id,
        token_version: 1,
        created_at,
        expires_at: created_at + RefreshToken::LIFETIME,
        rotated_at: None,
    };
    let session = Session {
        id,
        user_id,
        device_info: Some("Firefox on Linux".into()),
        user_agent: Some("Mozilla/5.0".into()),
        ip_address: Some("127.0.0.1".into()),
        location: None,
        created_at,
        last_activity_at: created_at,
        expires_at: created_at + Session::LIFETIME,
        revoked_at: None,
        revoked_reason: None,
        current_refresh_hash: token.hash.clone(),
    };
    (session, token)
}

fn successor(old: &RefreshToken, at: DateTime<Utc>) -> RefreshToken {
    RefreshToken {
        hash: hash("n"),
        created_at: at,
        expires_at: at + RefreshToken::LIFETIME,
        rotated_at: None,
        ..old.clone()
    }
}

fn ttl_of(item: &HashMap<String, AttributeValue>) -> i64 {
    match item.get("ttl") {
        Some(AttributeValue::N(n)) => n.parse().expect("numeric ttl"),
        other => panic!("ttl missing or not a number: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Users and one-time tokens
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn user_round_trip_lookup_by_email_and_optimistic_locking() {
    let db = Db::new().await;
    let (users, tokens) = (db.users(), db.tokens());
    let now = Utc::now();
    let (mut user, verification) = new_user("Ada@Example.io", now);
    user.max_sessions = Some(4);

    users
        .create(&user, &verification, &[])
        .await
        .expect("create");

    assert_eq!(users.find_by_id(user.id).await.unwrap(), Some(user.clone()));
    assert_eq!(
        users.find_by_email(&email("ADA@example.IO")).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        users
            .find_by_email(&email("nobody@example.io"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(users.find_by_id(Uuid::now_v7()).await.unwrap(), None);
    assert_eq!(
        tokens
            .find(OneTimeTokenKind::EmailVerification, &verification.hash)
            .await
            .unwrap(),
        Some(verification.clone())
    );
    // Same hash, other kind: a different item.
    assert_eq!(
        tokens
            .find(OneTimeTokenKind::PasswordReset, &verification.hash)
            .await
            .unwrap(),
        None
    );

    // Save moves the version on; the copy read before is stale afterwards.
    let stale = user.clone();
    user.is_verified = true;
    user.locked_until = Some(now + Duration::minutes(15));
    users.save(&user, &[]).await.expect("save");
    let stored = users.find_by_id(user.id).await.unwrap().expect("stored");
    assert_eq!(stored.version, 1);
    assert!(stored.is_verified);
    assert_eq!(stored.locked_until, user.locked_until);
    assert_eq!(
        users.save(&stale, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleUser))
    );
    // The fresh copy saves fine, and again moves the version.
    users.save(&stored, &[]).await.expect("save fresh");
    assert_eq!(users.find_by_id(user.id).await.unwrap().unwrap().version, 2);

    // Saving a user that was never created is a conflict, not an upsert.
    let (ghost, _) = new_user("ghost@example.io", now);
    assert_eq!(
        users.save(&ghost, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleUser))
    );

    // Stored shape: the marker holds the user id; no NULL attributes for absent options.
    let marker = db
        .raw("EMAIL#ada@example.io", "EMAIL")
        .await
        .expect("marker");
    assert_eq!(
        marker.get("user_id"),
        Some(&AttributeValue::S(user.id.to_string()))
    );
    let raw_user = db
        .raw(&format!("USER#{}", user.id), "PROFILE")
        .await
        .expect("user item");
    assert!(!raw_user.contains_key("mail_window_start"));
    assert!(!raw_user.contains_key("ttl"), "users do not expire");
}

#[tokio::test]
async fn duplicate_email_in_any_case_is_refused_and_nothing_is_written() {
    let db = Db::new().await;
    let users = db.users();
    let now = Utc::now();
    let (first, v1) = new_user("A@x.io", now);
    let (second, v2) = new_user("a@x.io", now);
    assert_eq!(first.email, second.email, "the domain normalises");

    users.create(&first, &v1, &[]).await.expect("first");
    // The TransactionCanceled's per-item reason (the marker's condition) becomes the error.
    assert_eq!(
        users.create(&second, &v2, &[]).await,
        Err(StoreError::AlreadyExists(Existing::Email))
    );

    assert_eq!(users.find_by_id(second.id).await.unwrap(), None);
    assert_eq!(
        db.tokens()
            .find(OneTimeTokenKind::EmailVerification, &v2.hash)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        users
            .find_by_email(&email("A@X.IO"))
            .await
            .unwrap()
            .map(|u| u.id),
        Some(first.id)
    );
}

#[tokio::test]
async fn concurrent_registrations_with_one_email_let_exactly_one_win() {
    let db = Db::new().await;
    let users = db.users();
    let now = Utc::now();
    // Ten registrations of one address, spelled in two cases.
    let attempts: Vec<(User, OneTimeToken)> = (0..10)
        .map(|i| new_user(if i % 2 == 0 { "Race@X.io" } else { "race@x.io" }, now))
        .collect();

    let results = join_all(attempts.iter().map(|(u, t)| users.create(u, t, &[]))).await;

    let winners: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e, &StoreError::AlreadyExists(Existing::Email));
        }
    }
    // The winner's writes survive the losers' cancelled transactions (the emulator
    // serialises DynamoDB calls as DynamoDB does; see infra/emulator.py).
    let (winner, _) = &attempts[winners[0]];
    let email = email("race@x.io");
    let stored = users
        .find_by_email(&email)
        .await
        .unwrap()
        .expect("winner stored");
    assert_eq!(stored.id, winner.id);
}

#[tokio::test]
async fn one_time_tokens_issue_and_redeem_once() {
    let db = Db::new().await;
    let (users, tokens) = (db.users(), db.tokens());
    let now = Utc::now();
    let (user, verification) = new_user("reset@example.io", now);
    users.create(&user, &verification, &[]).await.unwrap();

    // Issue a reset token together with the user's reset window.
    let mut user = users.find_by_id(user.id).await.unwrap().unwrap();
    assert!(user.take_mail_slot(now));
    let reset = OneTimeToken::issue(hash("p"), OneTimeTokenKind::PasswordReset, user.id, now);
    tokens.issue(&reset, &user, &[]).await.expect("issue");
    assert_eq!(
        tokens
            .find(OneTimeTokenKind::PasswordReset, &reset.hash)
            .await
            .unwrap(),
        Some(reset.clone())
    );

    // Issuing with the now stale user copy writes nothing.
    let another = OneTimeToken::issue(hash("p"), OneTimeTokenKind::PasswordReset, user.id, now);
    assert_eq!(
        tokens.issue(&another, &user, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleUser))
    );
    assert_eq!(
        tokens
            .find(OneTimeTokenKind::PasswordReset, &another.hash)
            .await
            .unwrap(),
        None
    );

    // Expiring items carry ttl = expiry + one day of reuse detection.
    let raw = db
        .raw(&format!("RESET#{}", reset.hash.as_str()), "RESET")
        .await
        .expect("raw token");
    assert_eq!(
        ttl_of(&raw),
        (reset.expires_at + Duration::days(1)).timestamp()
    );
    let raw = db
        .raw(&format!("VERIFY#{}", verification.hash.as_str()), "VERIFY")
        .await
        .expect("raw verification");
    assert_eq!(
        ttl_of(&raw),
        (verification.expires_at + Duration::days(1)).timestamp()
    );
    assert!(!raw.contains_key("used_at"));

    // Redeem: the token is marked used and the user saved, atomically.
    let mut user = users.find_by_id(user.id).await.unwrap().unwrap();
    let stale_user = user.clone();
    user.password_hash = "$argon2id$new".into();
    let used_at = now + Duration::minutes(1);
    tokens
        .redeem(&reset, used_at, &user, &[])
        .await
        .expect("redeem");
    let stored = tokens
        .find(OneTimeTokenKind::PasswordReset, &reset.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.used_at, Some(used_at));
    assert_eq!(
        users
            .find_by_id(user.id)
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "$argon2id$new"
    );

    // Second redemption: the token's condition fails first.
    let user = users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(
        tokens.redeem(&reset, used_at, &user, &[]).await,
        Err(StoreError::Conflict(Conflict::TokenUsed))
    );

    // A stale user on an unused token: nothing is written, the token stays unused.
    assert_eq!(
        tokens
            .redeem(&verification, used_at, &stale_user, &[])
            .await,
        Err(StoreError::Conflict(Conflict::StaleUser))
    );
    let v = tokens
        .find(OneTimeTokenKind::EmailVerification, &verification.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.used_at, None);
    // And an unknown token cannot be redeemed.
    let unknown = OneTimeToken::issue(hash("u"), OneTimeTokenKind::EmailVerification, user.id, now);
    assert_eq!(
        tokens.redeem(&unknown, used_at, &user, &[]).await,
        Err(StoreError::Conflict(Conflict::TokenUsed))
    );
}

// ---------------------------------------------------------------------------------------
// Sessions and refresh tokens
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn sessions_round_trip_with_ttl_and_list_newest_first() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();

    let mut created = Vec::new();
    for i in 0..3 {
        let (s, t) = new_session(user_id, t0 + Duration::seconds(i));
        sessions.create(&s, &t, &[], "", &[]).await.expect("create");
        created.push((s, t));
    }
    // Another user's session is not listed.
    let (other, other_token) = new_session(Uuid::now_v7(), t0);
    sessions
        .create(&other, &other_token, &[], "", &[])
        .await
        .unwrap();

    let (s0, t0_token) = &created[0];
    assert_eq!(
        sessions.find(user_id, s0.id).await.unwrap(),
        Some(s0.clone())
    );
    assert_eq!(sessions.find(user_id, other.id).await.unwrap(), None);
    assert_eq!(
        sessions.find_refresh_token(&t0_token.hash).await.unwrap(),
        Some(t0_token.clone())
    );
    assert_eq!(sessions.find_refresh_token(&hash("x")).await.unwrap(), None);

    let listed: Vec<Uuid> = sessions
        .list_for_user(user_id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let expected: Vec<Uuid> = created.iter().rev().map(|(s, _)| s.id).collect();
    assert_eq!(listed, expected);
    assert!(
        sessions
            .list_for_user(Uuid::now_v7())
            .await
            .unwrap()
            .is_empty()
    );

    // TTL: sessions at expiry, refresh tokens a day later (reuse detection).
    let raw = db
        .raw(&format!("USER#{user_id}"), &format!("SESSION#{}", s0.id))
        .await
        .unwrap();
    assert_eq!(ttl_of(&raw), s0.expires_at.timestamp());
    assert!(
        !raw.contains_key("revoked_at"),
        "absent, not NULL: conditions rely on it"
    );
    let raw = db
        .raw(&format!("REFRESH#{}", t0_token.hash.as_str()), "REFRESH")
        .await
        .unwrap();
    assert_eq!(
        ttl_of(&raw),
        (t0_token.expires_at + Duration::days(1)).timestamp()
    );

    // A second session with an existing id is refused.
    let (mut dup, dup_token) = new_session(user_id, t0);
    dup.id = s0.id;
    assert_eq!(
        sessions.create(&dup, &dup_token, &[], "", &[]).await,
        Err(StoreError::AlreadyExists(Existing::Session))
    );
    assert_eq!(
        sessions.find_refresh_token(&dup_token.hash).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn create_with_eviction_revokes_the_evicted_even_if_one_was_revoked_meanwhile() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();
    let (a, at) = new_session(user_id, t0);
    let (b, bt) = new_session(user_id, t0 + Duration::seconds(1));
    let (c, ct) = new_session(user_id, t0 + Duration::seconds(2));
    for (s, t) in [(&a, &at), (&b, &bt), (&c, &ct)] {
        sessions.create(s, t, &[], "", &[]).await.unwrap();
    }
    // `b` gets revoked by someone else after the caller read it as active.
    assert!(
        sessions
            .revoke(user_id, b.id, "logout", t0, &[])
            .await
            .unwrap()
    );

    let (d, dt) = new_session(user_id, t0 + Duration::seconds(3));
    sessions
        .create(&d, &dt, &[a.clone(), b.clone()], "session_limit", &[])
        .await
        .expect("create with evictions");

    let a_now = sessions.find(user_id, a.id).await.unwrap().unwrap();
    assert_eq!(a_now.revoked_at, Some(d.created_at));
    assert_eq!(a_now.revoked_reason.as_deref(), Some("session_limit"));
    let b_now = sessions.find(user_id, b.id).await.unwrap().unwrap();
    assert_eq!(
        b_now.revoked_reason.as_deref(),
        Some("logout"),
        "not overwritten"
    );
    assert!(
        sessions
            .find(user_id, c.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );
    assert_eq!(sessions.find(user_id, d.id).await.unwrap(), Some(d));
}

#[tokio::test]
async fn revoke_is_idempotent_and_revoke_all_keeps_one() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();
    let mut ids = Vec::new();
    for i in 0..4 {
        let (s, t) = new_session(user_id, t0 + Duration::seconds(i));
        sessions.create(&s, &t, &[], "", &[]).await.unwrap();
        ids.push(s.id);
    }

    let at = t0 + Duration::minutes(1);
    assert!(
        sessions
            .revoke(user_id, ids[0], "logout", at, &[])
            .await
            .unwrap()
    );
    assert!(
        !sessions
            .revoke(user_id, ids[0], "logout", at, &[])
            .await
            .unwrap()
    );
    assert!(
        !sessions
            .revoke(user_id, Uuid::now_v7(), "logout", at, &[])
            .await
            .unwrap(),
        "unknown session"
    );
    let s0 = sessions.find(user_id, ids[0]).await.unwrap().unwrap();
    assert_eq!(
        (s0.revoked_at, s0.revoked_reason.as_deref()),
        (Some(at), Some("logout"))
    );

    // Three active, keep one: two revoked, the already revoked one not counted.
    assert_eq!(
        sessions
            .revoke_all(user_id, Some(ids[3]), "logout_all", at, &|_| Vec::new())
            .await
            .unwrap(),
        2
    );
    let all = sessions.list_for_user(user_id).await.unwrap();
    for s in &all {
        assert_eq!(s.revoked_at.is_none(), s.id == ids[3], "{s:?}");
    }
    assert_eq!(
        sessions
            .revoke_all(user_id, Some(ids[3]), "logout_all", at, &|_| Vec::new())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        sessions
            .revoke_all(user_id, None, "breach", at, &|_| Vec::new())
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn refresh_rotation_raced_with_one_old_token_has_exactly_one_winner() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();
    let (s, first) = new_session(user_id, t0);
    sessions.create(&s, &first, &[], "", &[]).await.unwrap();

    let at = t0 + Duration::minutes(5);
    let (n1, n2) = (successor(&first, at), successor(&first, at));
    let r1 = sessions.rotate_refresh(
        RefreshRotation {
            old: &first,
            new: &n1,
            at,
        },
        &[],
    );
    let r2 = sessions.rotate_refresh(
        RefreshRotation {
            old: &first,
            new: &n2,
            at,
        },
        &[],
    );
    let (r1, r2) = tokio::join!(r1, r2);
    assert!(r1.is_ok() != r2.is_ok(), "exactly one wins: {r1:?} {r2:?}");
    let winner = if r1.is_ok() { &n1 } else { &n2 };
    let err = if r1.is_ok() { r2 } else { r1 };
    assert_eq!(err, Err(StoreError::Conflict(Conflict::RefreshRotated)));
    // The session now points at the winner's successor, whatever the loser did.
    let stored = sessions.find(user_id, s.id).await.unwrap().unwrap();
    assert_eq!(stored.current_refresh_hash, winner.hash);
}

#[tokio::test]
async fn refresh_rotation_moves_the_session_and_is_single_use() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();
    let (s, first) = new_session(user_id, t0);
    sessions.create(&s, &first, &[], "", &[]).await.unwrap();

    let at = t0 + Duration::minutes(5);
    let second = successor(&first, at);
    sessions
        .rotate_refresh(
            RefreshRotation {
                old: &first,
                new: &second,
                at,
            },
            &[],
        )
        .await
        .expect("rotate");
    let session = sessions.find(user_id, s.id).await.unwrap().unwrap();
    assert_eq!(session.current_refresh_hash, second.hash);
    assert_eq!(session.last_activity_at, at);
    let old = sessions
        .find_refresh_token(&first.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.rotated_at, Some(at), "kept for reuse detection");
    assert_eq!(
        sessions.find_refresh_token(&second.hash).await.unwrap(),
        Some(second.clone())
    );

    // Presenting the old token again fails, and writes nothing.
    let again = successor(&first, at);
    assert_eq!(
        sessions
            .rotate_refresh(
                RefreshRotation {
                    old: &first,
                    new: &again,
                    at
                },
                &[]
            )
            .await,
        Err(StoreError::Conflict(Conflict::RefreshRotated))
    );
    assert_eq!(
        sessions.find_refresh_token(&again.hash).await.unwrap(),
        None
    );

    // The current token rotates fine, until the session is revoked.
    let at2 = at + Duration::minutes(1);
    let third = successor(&second, at2);
    sessions
        .rotate_refresh(
            RefreshRotation {
                old: &second,
                new: &third,
                at: at2,
            },
            &[],
        )
        .await
        .expect("rotate current token");
    assert!(
        sessions
            .revoke(user_id, s.id, "logout", at2, &[])
            .await
            .unwrap()
    );
    let at3 = at2 + Duration::minutes(1);
    let fourth = successor(&third, at3);
    assert_eq!(
        sessions
            .rotate_refresh(
                RefreshRotation {
                    old: &third,
                    new: &fourth,
                    at: at3
                },
                &[]
            )
            .await,
        Err(StoreError::Conflict(Conflict::RefreshRotated))
    );
    let token = sessions
        .find_refresh_token(&third.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        token.rotated_at, None,
        "a cancelled transaction writes nothing"
    );
    assert_eq!(
        sessions.find_refresh_token(&fourth.hash).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn rotation_of_an_expired_session_is_refused() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now() - Duration::days(31);
    let (s, first) = new_session(user_id, t0);
    sessions.create(&s, &first, &[], "", &[]).await.unwrap();
    let at = s.expires_at + Duration::seconds(1);
    let new = successor(&first, at);
    assert_eq!(
        sessions
            .rotate_refresh(
                RefreshRotation {
                    old: &first,
                    new: &new,
                    at
                },
                &[]
            )
            .await,
        Err(StoreError::Conflict(Conflict::RefreshRotated))
    );
    // find returns the expired session anyway; the application checks expiry.
    assert!(
        !sessions
            .find(user_id, s.id)
            .await
            .unwrap()
            .unwrap()
            .is_active(at)
    );
}

// ---------------------------------------------------------------------------------------
// Security config
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn security_config_defaults_then_locks_optimistically() {
    let db = Db::new().await;
    let repo = db.config();
    let now = Utc::now();

    let mut config = repo.get().await.unwrap();
    assert_eq!(config, SecurityConfig::default());

    let stale = config.clone();
    config.rotate("breach".into(), now);
    repo.save(&config, &[]).await.expect("create");
    let stored = repo.get().await.unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.global_min_token_version, 2);
    assert_eq!(stored.last_rotation_at, Some(now));
    assert_eq!(stored.last_rotation_reason.as_deref(), Some("breach"));

    // A second "create" from the default copy must not overwrite.
    assert_eq!(
        repo.save(&stale, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleSecurityConfig))
    );
    let mut next = stored.clone();
    next.rotate("again".into(), now);
    repo.save(&next, &[]).await.expect("update");
    assert_eq!(
        repo.save(&stored, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleSecurityConfig))
    );
    let last = repo.get().await.unwrap();
    assert_eq!((last.version, last.global_min_token_version), (2, 3));
}

// ---------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------

fn audit_record(user_id: Option<Uuid>, action: &str, at: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        id: Uuid::now_v7(),
        event_id: Uuid::now_v7(),
        action: action.into(),
        user_id,
        resource_type: Some("session".into()),
        resource_id: None,
        ip_address: Some("10.0.0.1".into()),
        user_agent: None,
        context: serde_json::json!({"n": 1, "f": 1.5, "big": 12345678901234567_u64, "nested": {"a": [1, null, "x"]}, "empty": {}}),
        created_at: at,
    }
}

#[tokio::test]
async fn audit_append_is_idempotent_per_event_and_lists_newest_first() {
    let db = Db::new().await;
    let audit = db.audit();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();

    let first = audit_record(Some(user_id), "USER_LOGIN_SUCCEEDED", t0);
    assert!(audit.append(&first).await.unwrap());
    // A redelivery (same event, even with a fresh record id) is refused.
    let redelivered = AuditRecord {
        id: Uuid::now_v7(),
        ..first.clone()
    };
    assert!(!audit.append(&redelivered).await.unwrap());
    assert_eq!(
        audit.list_for_user(user_id, 10).await.unwrap(),
        vec![first.clone()]
    );

    let second = audit_record(Some(user_id), "USER_LOGOUT", t0 + Duration::seconds(1));
    let third = audit_record(
        Some(user_id),
        "USER_PASSWORD_CHANGED",
        t0 + Duration::seconds(2),
    );
    let anonymous = audit_record(None, "USER_LOGIN_FAILED", t0);
    for r in [&third, &second, &anonymous] {
        assert!(audit.append(r).await.unwrap());
    }
    let listed = audit.list_for_user(user_id, 10).await.unwrap();
    assert_eq!(listed, vec![third.clone(), second.clone(), first.clone()]);
    assert_eq!(
        audit.list_for_user(user_id, 2).await.unwrap(),
        vec![third, second]
    );
    assert!(audit.list_for_user(user_id, 0).await.unwrap().is_empty());

    // Keys: GSI1 only for records with a user, GSI2 by UTC day for all.
    let raw = db
        .raw(&format!("AUDIT#{}", anonymous.event_id), "AUDIT")
        .await
        .unwrap();
    assert!(!raw.contains_key("GSI1PK"));
    assert_eq!(
        raw.get("GSI2PK"),
        Some(&AttributeValue::S(format!(
            "AUDIT#{}",
            t0.format("%Y-%m-%d")
        )))
    );
    assert!(!raw.contains_key("ttl"), "audit records never expire");
}

// ---------------------------------------------------------------------------------------
// Processed events
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn processed_event_claims_leases_and_completion() {
    let db = Db::new().await;
    let processed = db.processed();
    let event = Uuid::now_v7();
    let lease = Utc::now() + Duration::minutes(5);

    assert!(processed.claim("email", event, lease).await.unwrap());
    assert!(
        !processed.claim("email", event, lease).await.unwrap(),
        "live lease"
    );
    assert!(
        processed.claim("audit", event, lease).await.unwrap(),
        "per consumer"
    );
    let raw = db
        .raw(&format!("PROCESSED#email#{event}"), "PROCESSED")
        .await
        .unwrap();
    assert!(ttl_of(&raw) >= (lease + Duration::days(7)).timestamp());

    // Released after a failure: a redelivery may claim again.
    processed.release("email", event).await.unwrap();
    assert!(
        db.raw(&format!("PROCESSED#email#{event}"), "PROCESSED")
            .await
            .is_none()
    );
    assert!(processed.claim("email", event, lease).await.unwrap());

    // Done is for good: no claim, and release leaves it alone.
    processed.complete("email", event).await.unwrap();
    assert!(!processed.claim("email", event, lease).await.unwrap());
    processed.release("email", event).await.unwrap();
    assert!(
        !processed
            .claim("email", event, Utc::now() - Duration::minutes(1))
            .await
            .unwrap()
    );
    let raw = db
        .raw(&format!("PROCESSED#email#{event}"), "PROCESSED")
        .await
        .unwrap();
    assert_eq!(raw.get("status"), Some(&AttributeValue::S("done".into())));
    assert!(ttl_of(&raw) >= (Utc::now() + Duration::days(6)).timestamp());
    assert!(!raw.contains_key("lease_until"));

    // A lease that ran out (a worker died) can be taken over.
    let crashed = Uuid::now_v7();
    assert!(
        processed
            .claim("email", crashed, Utc::now() - Duration::seconds(1))
            .await
            .unwrap()
    );
    assert!(
        processed.claim("email", crashed, lease).await.unwrap(),
        "expired lease"
    );
    assert!(!processed.claim("email", crashed, lease).await.unwrap());

    // Completing something never claimed records it as done.
    let direct = Uuid::now_v7();
    processed.complete("email", direct).await.unwrap();
    assert!(!processed.claim("email", direct, lease).await.unwrap());
}

// ---------------------------------------------------------------------------------------
// Access patterns
// ---------------------------------------------------------------------------------------

/// Request paths never Scan: no repository source calls the Scan operation.
#[test]
fn no_repository_code_scans() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/dynamodb");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("src/dynamodb") {
        let path = entry.expect("entry").path();
        let source = std::fs::read_to_string(&path).expect("source");
        for needle in [
            ".scan()",
            "ScanInput",
            "operation::scan",
            "ScanFluentBuilder",
        ] {
            assert!(
                !source.contains(needle),
                "{} uses Scan ({needle})",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 5, "found the sources");
}

#[tokio::test]
async fn session_and_user_are_read_together_in_one_batch() {
    let db = Db::new().await;
    let now = Utc::now();
    let (mut user, verification) = new_user("batch@example.com", now);
    user.roles.insert(dashtam_domain::entities::Role::Admin);
    db.users().create(&user, &verification, &[]).await.unwrap();
    let (session, token) = new_session(user.id, now);
    db.sessions()
        .create(&session, &token, &[], "limit", &[])
        .await
        .unwrap();

    let (s, u) = db
        .sessions()
        .find_with_user(user.id, session.id)
        .await
        .unwrap();
    assert_eq!(s, Some(session.clone()));
    let u = u.unwrap();
    assert_eq!((u.id, &u.roles, u.version), (user.id, &user.roles, 0));

    // A role change is visible to the next read.
    let mut changed = u.clone();
    changed.roles.remove(&dashtam_domain::entities::Role::Admin);
    db.users().save(&changed, &[]).await.unwrap();
    let (_, u) = db
        .sessions()
        .find_with_user(user.id, session.id)
        .await
        .unwrap();
    assert_eq!(u.unwrap().roles, changed.roles);

    let (s, u) = db
        .sessions()
        .find_with_user(user.id, Uuid::now_v7())
        .await
        .unwrap();
    assert!(s.is_none() && u.is_some());
    let (s, u) = db
        .sessions()
        .find_with_user(Uuid::now_v7(), session.id)
        .await
        .unwrap();
    assert!(s.is_none() && u.is_none());
}
