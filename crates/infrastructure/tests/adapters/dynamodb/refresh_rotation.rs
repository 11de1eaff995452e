//! Refresh-token rotation: single use, one winner of a race, refused on a revoked or
//! expired session, and a cancelled transaction writes nothing.

use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    Conflict, StoreError,
    identity::{
        entities::RefreshToken,
        ports::{RefreshRotation, SessionRepository},
    },
};
use dashtam_infrastructure::dynamodb::DynamoSessionRepository;
use uuid::Uuid;

use crate::support::*;

/// Rotates `old` to `new` at `at`, with no events.
async fn rotate(
    sessions: &DynamoSessionRepository,
    old: &RefreshToken,
    new: &RefreshToken,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sessions
        .rotate_refresh(RefreshRotation { old, new, at }, &[])
        .await
}

#[tokio::test]
async fn refresh_rotation_raced_with_one_old_token_has_exactly_one_winner() {
    let db = Db::new().await;
    let sessions = db.sessions();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();
    let (s, first) = stored_session(&sessions, user_id, t0).await;

    let at = t0 + Duration::minutes(5);
    let (n1, n2) = (successor(&first, at), successor(&first, at));
    let r1 = rotate(&sessions, &first, &n1, at);
    let r2 = rotate(&sessions, &first, &n2, at);
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
    let (s, first) = stored_session(&sessions, user_id, t0).await;

    let at = t0 + Duration::minutes(5);
    let second = successor(&first, at);
    rotate(&sessions, &first, &second, at)
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
        rotate(&sessions, &first, &again, at).await,
        Err(StoreError::Conflict(Conflict::RefreshRotated))
    );
    assert_eq!(
        sessions.find_refresh_token(&again.hash).await.unwrap(),
        None
    );

    // The current token rotates fine, until the session is revoked.
    let at2 = at + Duration::minutes(1);
    let third = successor(&second, at2);
    rotate(&sessions, &second, &third, at2)
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
        rotate(&sessions, &third, &fourth, at3).await,
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
    let (s, first) = stored_session(&sessions, user_id, t0).await;
    let at = s.expires_at + Duration::seconds(1);
    let new = successor(&first, at);
    assert_eq!(
        rotate(&sessions, &first, &new, at).await,
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
