//! Sessions and refresh tokens: TTL, listing, eviction, revocation, rotation, and the
//! one-batch read of a session with its user.

use chrono::{Duration, Utc};
use dashtam_domain::{
    Existing, StoreError,
    identity::ports::{SessionRepository, UserRepository},
};
use uuid::Uuid;

use crate::support::*;

#[tokio::test]
async fn sessions_round_trip_with_ttl_and_list_newest_first() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();

    let mut created = Vec::new();
    for i in 0..3 {
        created.push(stored_session(&sessions, user_id, t0 + Duration::seconds(i)).await);
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
        ids.push(
            stored_session(&sessions, user_id, t0 + Duration::seconds(i))
                .await
                .0
                .id,
        );
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
async fn session_and_user_are_read_together_in_one_batch() {
    let db = Db::new().await;
    let now = Utc::now();
    let (mut user, verification) = new_user("batch@example.com", now);
    user.roles
        .insert(dashtam_domain::identity::entities::Role::Admin);
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
    changed
        .roles
        .remove(&dashtam_domain::identity::entities::Role::Admin);
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
