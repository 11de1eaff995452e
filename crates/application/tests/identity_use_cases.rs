//! Application layer: use cases and reactions over in-memory adapters.

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

mod support;

use chrono::Duration;
use chrono::{DateTime, Utc};
use dashtam_application::{
    AppError,
    commands::{
        Authenticate, Login, RefreshTokens, RegisterUser, RequestPasswordReset, ResetPassword,
        VerifyEmail,
    },
    reactions::{RecordAudit, RelayOutbox, SendEmail},
};
use dashtam_domain::{
    StoreError,
    entities::{RefreshToken, Session, User},
    events::{DomainEvent, EventPayload},
    ports::{AuditRepository, EventsForCount, RefreshRotation, SessionRepository},
    value_objects::{Email, TokenHash},
};
use futures::future::join_all;
use std::sync::atomic::Ordering;
use support::Harness;
use uuid::Uuid;

const PASSWORD: &str = "Str0ng!Passw0rd";

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

async fn register(h: &Harness, address: &str) -> Result<uuid::Uuid, AppError> {
    RegisterUser {
        email: email(address),
        password: PASSWORD.into(),
        context: Harness::ctx(),
    }
    .execute(&h.ports)
    .await
    .map(|u| u.id)
}

fn verification_token(h: &Harness) -> String {
    h.recorded()
        .iter()
        .rev()
        .find_map(|e| match &e.payload {
            EventPayload::UserRegistrationSucceeded {
                verification_token, ..
            } => Some(verification_token.clone()),
            _ => None,
        })
        .expect("a registration event")
}

async fn registered_and_verified(h: &Harness, address: &str) -> uuid::Uuid {
    let id = register(h, address).await.unwrap();
    VerifyEmail {
        token: verification_token(h),
        context: Harness::ctx(),
    }
    .execute(&h.ports)
    .await
    .unwrap();
    id
}

async fn login(
    h: &Harness,
    address: &str,
    password: &str,
) -> Result<dashtam_application::dto::TokenPair, AppError> {
    Login {
        email: email(address),
        password: password.into(),
        context: Harness::ctx(),
    }
    .execute(&h.ports)
    .await
}

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

/// Fault injection in memory: the bus is down while work commits, the relay fails, then
/// recovers; every event is delivered three times to both consumers, with the email
/// provider failing on the first round. Afterwards: nothing lost, one audit record per
/// event, at most one email per email event.
#[tokio::test]
async fn no_event_is_lost_or_counted_twice_across_a_publisher_outage() {
    let h = Harness::new();
    h.events.set_failing(true);
    let id = registered_and_verified(&h, "ada@example.com").await;
    assert!(
        h.store_user_exists(id).await,
        "work commits while the bus is down"
    );
    login(&h, "ada@example.com", PASSWORD).await.unwrap();
    assert!(
        login(&h, "ada@example.com", "Wr0ng!Password")
            .await
            .is_err()
    );

    let recorded = h.recorded();
    assert!(recorded.len() >= 8, "{recorded:?}");
    assert!(
        RelayOutbox { events: &recorded }
            .execute(&h.ports)
            .await
            .is_err()
    );
    assert_eq!(h.recorded(), recorded, "a failed relay keeps every event");

    h.events.set_failing(false);
    RelayOutbox { events: &recorded }
        .execute(&h.ports)
        .await
        .unwrap();
    assert!(h.recorded().is_empty(), "relayed events leave the outbox");
    assert_eq!(h.events.events(), recorded, "published once each, in order");

    let (mut audited, mut duplicates, mut emails) = (0, 0, 0);
    for round in 0..3 {
        h.email_down.store(round == 0, Ordering::SeqCst);
        for event in h.events.events() {
            if (RecordAudit { event: &event })
                .execute(&h.ports)
                .await
                .unwrap()
            {
                audited += 1;
            } else {
                duplicates += 1;
            }
            if let Ok(true) = (SendEmail { event: &event }).execute(&h.ports).await {
                emails += 1;
            }
        }
    }
    let email_events = recorded.iter().filter(|e| e.meta().email.is_some()).count();
    assert_eq!(audited, recorded.len());
    assert_eq!(duplicates, 2 * recorded.len());
    assert_eq!((emails, h.mailbox.count()), (email_events, email_events));
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

#[tokio::test]
async fn audit_records_each_event_once_and_keeps_no_tokens() {
    let h = Harness::new();
    let id = register(&h, "ada@example.com").await.unwrap();
    for event in h.recorded() {
        for _ in 0..3 {
            RecordAudit { event: &event }
                .execute(&h.ports)
                .await
                .unwrap();
        }
    }
    let records = AuditRepository::list_for_user(h.store.as_ref(), id, 100)
        .await
        .unwrap();
    assert_eq!(
        records.len(),
        1,
        "only the succeeded event carries the user id"
    );
    let record = &records[0];
    assert_eq!(record.action, "UserRegistrationSucceeded");
    assert_eq!(record.ip_address.as_deref(), Some("203.0.113.9"));
    assert!(record.context.get("verification_token").is_none());
    assert_eq!(record.context["email"], "ada@example.com");
}

#[tokio::test]
async fn an_email_goes_out_once_even_when_delivered_three_times() {
    let h = Harness::new();
    register(&h, "ada@example.com").await.unwrap();
    let succeeded = h
        .recorded()
        .into_iter()
        .find(|e| e.name() == "UserRegistrationSucceeded")
        .unwrap();
    let mut sent = 0;
    for _ in 0..3 {
        if (SendEmail { event: &succeeded })
            .execute(&h.ports)
            .await
            .unwrap()
        {
            sent += 1;
        }
    }
    assert_eq!((sent, h.mailbox.count()), (1, 1));
    assert!(
        h.mailbox.messages_to("ada@example.com")[0]
            .text
            .contains(&verification_token(&h))
    );
}

#[tokio::test]
async fn a_failed_send_is_retried_on_redelivery() {
    let h = Harness::new();
    register(&h, "ada@example.com").await.unwrap();
    let succeeded = h
        .recorded()
        .into_iter()
        .find(|e| e.name() == "UserRegistrationSucceeded")
        .unwrap();
    h.email_down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(
        SendEmail { event: &succeeded }
            .execute(&h.ports)
            .await
            .is_err()
    );
    h.email_down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(
        SendEmail { event: &succeeded }
            .execute(&h.ports)
            .await
            .unwrap()
    );
    assert_eq!(h.mailbox.count(), 1);
}

#[tokio::test]
async fn events_without_an_email_send_nothing() {
    let h = Harness::new();
    register(&h, "ada@example.com").await.unwrap();
    let attempted = h
        .recorded()
        .into_iter()
        .find(|e| e.name() == "UserRegistrationAttempted")
        .unwrap();
    assert!(
        !SendEmail { event: &attempted }
            .execute(&h.ports)
            .await
            .unwrap()
    );
    assert_eq!(h.mailbox.count(), 0);
}

impl Harness {
    async fn store_user_exists(&self, id: uuid::Uuid) -> bool {
        use dashtam_domain::ports::UserRepository;
        self.store.find_by_id(id).await.unwrap().is_some()
    }
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
/// sessions revoked, which follows, never happens.
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

    h.ports.sessions = std::sync::Arc::new(RevocationDown(h.store.clone()));
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
