//! Identity use cases: registration races, lockout under concurrent wrong passwords,
//! and a password reset that ends the old sessions in the same write.

use chrono::{DateTime, Duration, Utc};
use dashtam_application::{
    AppError,
    identity::commands::{Authenticate, RefreshTokens, RequestPasswordReset, ResetPassword},
};
use dashtam_domain::{
    StoreError,
    identity::{
        entities::{RefreshToken, Session, User},
        ports::{EventsForCount, RefreshRotation, SessionRepository},
        value_objects::TokenHash,
    },
    platform::events::{DomainEvent, EventPayload},
};
use futures::future::join_all;
use uuid::Uuid;

use crate::support::*;

#[tokio::test]
async fn concurrent_registrations_of_one_email_have_exactly_one_winner() {
    let h = Harness::new();
    let attempts = (0..12).map(|i| {
        let address = if i % 2 == 0 {
            "race@example.com"
        } else {
            "RACE@Example.com"
        };
        register(&h, address)
    });
    let results = join_all(attempts).await;
    let wins = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(AppError::Conflict(_))))
        .count();
    assert_eq!((wins, conflicts), (1, 11));
}

#[tokio::test]
async fn concurrent_wrong_passwords_all_count_and_lock_the_account() {
    let h = Harness::new();
    registered_and_verified(&h, "ada@example.com").await;
    let results = join_all((0..5).map(|_| login(&h, "ada@example.com", "Wr0ng!Password"))).await;
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(AppError::Unauthorized(_))))
    );
    // No lost update: the five failures were all counted, so the account is locked.
    assert!(matches!(
        login(&h, "ada@example.com", PASSWORD).await,
        Err(AppError::Forbidden(_))
    ));
    h.clock.advance(Duration::minutes(15));
    assert!(login(&h, "ada@example.com", PASSWORD).await.is_ok());
}

/// Sessions whose bulk revocation always fails: the crash after a password reset's
/// commit, before its sessions are marked revoked.
struct RevocationDown(std::sync::Arc<dashtam_infrastructure::memory::MemoryStore>);

#[async_trait::async_trait]
impl SessionRepository for RevocationDown {
    async fn create(
        &self,
        session: &Session,
        token: &RefreshToken,
        evict: &[Session],
        reason: &str,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        self.0.create(session, token, evict, reason, events).await
    }
    async fn find(&self, user_id: Uuid, session_id: Uuid) -> Result<Option<Session>, StoreError> {
        self.0.find(user_id, session_id).await
    }
    async fn find_with_user(
        &self,
        user_id: Uuid,
        session_id: Uuid,
    ) -> Result<(Option<Session>, Option<User>), StoreError> {
        self.0.find_with_user(user_id, session_id).await
    }
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
        SessionRepository::list_for_user(self.0.as_ref(), user_id).await
    }
    async fn find_refresh_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshToken>, StoreError> {
        self.0.find_refresh_token(hash).await
    }
    async fn rotate_refresh(
        &self,
        rotation: RefreshRotation<'_>,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        self.0.rotate_refresh(rotation, events).await
    }
    async fn revoke(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError> {
        self.0.revoke(user_id, session_id, reason, at, events).await
    }
    async fn revoke_all(
        &self,
        _: Uuid,
        _: Option<Uuid>,
        _: &str,
        _: DateTime<Utc>,
        _: EventsForCount<'_>,
    ) -> Result<u32, StoreError> {
        Err(StoreError::Unavailable(
            "injected: the process died here".into(),
        ))
    }
}

/// A password reset ends every session in the same write that changes the password, so
/// the old sessions' access and refresh tokens stop working even when marking the

#[tokio::test]
async fn a_password_reset_ends_old_sessions_even_if_their_revocation_is_lost() {
    let mut h = Harness::new();
    registered_and_verified(&h, "ada@example.com").await;
    let old = login(&h, "ada@example.com", PASSWORD).await.unwrap();
    h.clock.advance(Duration::seconds(1));
    RequestPasswordReset {
        email: email("ada@example.com"),
        context: Harness::ctx(),
    }
    .execute(&h.ports)
    .await
    .unwrap();
    let reset_token = h
        .recorded()
        .iter()
        .find_map(|e| match &e.payload {
            EventPayload::PasswordResetRequestSucceeded { reset_token, .. } => {
                Some(reset_token.clone())
            }
            _ => None,
        })
        .unwrap();

    h.ports.identity.sessions = std::sync::Arc::new(RevocationDown(h.store.clone()));
    let reset = ResetPassword {
        token: reset_token,
        new_password: "N3w!Passw0rd".into(),
        context: Harness::ctx(),
    }
    .execute(&h.ports)
    .await;
    assert!(matches!(reset, Err(AppError::Internal(_))), "{reset:?}");

    // The password did change, and the old session is over anyway.
    assert!(login(&h, "ada@example.com", "N3w!Passw0rd").await.is_ok());
    let bearer = Authenticate {
        bearer: &old.access_token,
    }
    .execute(&h.ports)
    .await;
    assert!(
        matches!(bearer, Err(AppError::Unauthorized(_))),
        "{bearer:?}"
    );
    let refresh = RefreshTokens {
        refresh_token: old.refresh_token,
        context: Harness::ctx(),
    }
    .execute(&h.ports)
    .await;
    assert!(
        matches!(refresh, Err(AppError::Unauthorized(_))),
        "{refresh:?}"
    );
}
