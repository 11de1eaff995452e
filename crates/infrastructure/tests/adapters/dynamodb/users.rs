//! Users, their email markers and one-time tokens: uniqueness, optimistic locking,
//! single use.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, User},
        ports::{OneTimeTokenRepository, UserRepository},
    },
};
use futures::future::join_all;
use uuid::Uuid;

use crate::support::*;

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
