//! Every refused write names what it collided with, as a typed [`Existing`] or
//! [`Conflict`], from the cancellation reason of the action whose condition failed.

use chrono::Utc;
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, User},
        ports::{OneTimeTokenRepository, SessionRepository, UserRepository},
    },
};

use dashtam_infrastructure::memory::MemoryStore;

use crate::support::*;

/// The same refusals from DynamoDB and from the in-memory twin.
#[tokio::test]
async fn each_failed_condition_maps_to_its_variant() {
    let db = Db::new().await;
    let (users, tokens, sessions) = (db.users(), db.tokens(), db.sessions());
    refusals(&users, &tokens, &sessions).await;
    let memory = MemoryStore::new();
    refusals(&memory, &memory, &memory).await;
}

async fn refusals(
    users: &dyn UserRepository,
    tokens: &dyn OneTimeTokenRepository,
    sessions: &dyn SessionRepository,
) {
    let now = Utc::now();
    let (ada, verification) = new_user("ada@example.com", now);
    users.create(&ada, &verification, &[]).await.unwrap();

    // The same id under another email: the marker passes, the user item does not.
    let (mut twin, twin_token) = new_user("twin@example.com", now);
    twin.id = ada.id;
    assert_eq!(
        users.create(&twin, &twin_token, &[]).await,
        Err(StoreError::AlreadyExists(Existing::User))
    );

    // A fresh user whose verification token hash is taken.
    let (bob, _) = new_user("bob@example.com", now);
    let reused = OneTimeToken {
        user_id: bob.id,
        ..verification.clone()
    };
    assert_eq!(
        users.create(&bob, &reused, &[]).await,
        Err(StoreError::AlreadyExists(Existing::Token))
    );
    // Nothing of bob was written.
    assert_eq!(users.find_by_id(bob.id).await, Ok(None));

    // Issuing a token whose hash exists, for an up-to-date user.
    let stored: User = users.find_by_id(ada.id).await.unwrap().unwrap();
    assert_eq!(
        tokens.issue(&verification, &stored, &[]).await,
        Err(StoreError::AlreadyExists(Existing::Token))
    );
    // A stale user wins over nothing: the token is new, the user is not.
    let fresh = OneTimeToken::issue(hash("p"), OneTimeTokenKind::PasswordReset, ada.id, now);
    let mut stale = stored.clone();
    stale.version += 7;
    assert_eq!(
        tokens.issue(&fresh, &stale, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleUser))
    );

    // A second session presenting a refresh token hash that is taken.
    let (first, token) = new_session(ada.id, now);
    sessions
        .create(&first, &token, &[], "limit", &[])
        .await
        .unwrap();
    let (second, mut second_token) = new_session(ada.id, now);
    second_token.hash = token.hash.clone();
    assert_eq!(
        sessions
            .create(&second, &second_token, &[], "limit", &[])
            .await,
        Err(StoreError::AlreadyExists(Existing::RefreshToken))
    );
    let (_, other_token) = new_session(ada.id, now);
    assert_eq!(
        sessions
            .create(&first, &other_token, &[], "limit", &[])
            .await,
        Err(StoreError::AlreadyExists(Existing::Session))
    );
    assert!(sessions.find(ada.id, second.id).await.unwrap().is_none());
}

#[test]
fn messages_keep_their_wording() {
    assert_eq!(
        StoreError::AlreadyExists(Existing::Email).to_string(),
        "already exists: email"
    );
    assert_eq!(
        StoreError::Conflict(Conflict::StaleSecurityConfig).to_string(),
        "concurrent modification: security_config"
    );
    assert_eq!(
        StoreError::Conflict(Conflict::RefreshRotated).to_string(),
        "concurrent modification: refresh_token"
    );
}
