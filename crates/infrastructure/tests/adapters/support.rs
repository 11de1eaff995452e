//! What the adapter tests share: an isolated table on the emulator with every repository
//! over it, raw reads, and the entities the tests write.

use std::collections::HashMap;

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use chrono::{DateTime, Utc};
use dashtam_domain::{
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, RefreshToken, Session, User},
        ports::SessionRepository,
        value_objects::{Email, TokenHash},
    },
    platform::events::{DomainEvent, EventContext, EventPayload},
};
use dashtam_infrastructure::dynamodb::{
    DynamoAuditRepository, DynamoEventOutbox, DynamoJobStore, DynamoOneTimeTokenRepository,
    DynamoProcessedEvents, DynamoRateLimits, DynamoSecurityConfigRepository,
    DynamoSessionRepository, DynamoUserRepository,
};
use uuid::Uuid;

pub type RawItem = HashMap<String, AttributeValue>;

/// A freshly provisioned stack (its own table, queues, bus and secrets) and the table's
/// repositories. Every test makes its own, so tests run in parallel on one emulator.
pub struct Db {
    pub client: Client,
    pub table: String,
    /// Keeps the provisioned stack alive for the test's duration.
    pub stack: dashtam_testkit::Stack,
}

impl Db {
    pub async fn new() -> Self {
        let stack = dashtam_testkit::provision_stack().await;
        Self {
            client: Client::new(&stack.sdk),
            table: stack.var("DASHTAM_TABLE").to_owned(),
            stack,
        }
    }

    pub fn users(&self) -> DynamoUserRepository {
        DynamoUserRepository::new(self.client.clone(), self.table.clone())
    }
    pub fn tokens(&self) -> DynamoOneTimeTokenRepository {
        DynamoOneTimeTokenRepository::new(self.client.clone(), self.table.clone())
    }
    pub fn sessions(&self) -> DynamoSessionRepository {
        DynamoSessionRepository::new(self.client.clone(), self.table.clone())
    }
    pub fn config(&self) -> DynamoSecurityConfigRepository {
        DynamoSecurityConfigRepository::new(self.client.clone(), self.table.clone())
    }
    pub fn audit(&self) -> DynamoAuditRepository {
        DynamoAuditRepository::new(self.client.clone(), self.table.clone())
    }
    pub fn processed(&self) -> DynamoProcessedEvents {
        DynamoProcessedEvents::new(self.client.clone(), self.table.clone())
    }
    pub fn outbox(&self) -> DynamoEventOutbox {
        DynamoEventOutbox::new(self.client.clone(), self.table.clone())
    }
    pub fn jobs(&self) -> DynamoJobStore {
        DynamoJobStore::new(self.client.clone(), self.table.clone())
    }
    pub fn rate_limits(&self) -> DynamoRateLimits {
        DynamoRateLimits::new(self.client.clone(), self.table.clone())
    }

    /// The raw item, read with a plain GetItem.
    pub async fn raw(&self, pk: &str, sk: &str) -> Option<RawItem> {
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

pub fn hash(label: &str) -> TokenHash {
    // Unique per call, like a SHA-256 of a fresh random token.
    TokenHash::from_hex(format!("{label}{}", Uuid::now_v7().simple()))
}

pub fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

pub fn event(user_id: Option<Uuid>, payload: EventPayload) -> DomainEvent {
    DomainEvent::new(payload, user_id, &EventContext::default(), Utc::now())
}

pub fn new_user(raw_email: &str, now: DateTime<Utc>) -> (User, OneTimeToken) {
    let user = User::register(
        Uuid::now_v7(),
        email(raw_email),
        "$argon2id$v=19$stub".into(),
        now,
    );
    let token = OneTimeToken::issue(hash("v"), OneTimeTokenKind::EmailVerification, user.id, now);
    (user, token)
}

pub fn new_session(user_id: Uuid, created_at: DateTime<Utc>) -> (Session, RefreshToken) {
    let session = Session {
        device_info: Some("Firefox on Linux".into()),
        user_agent: Some("Mozilla/5.0".into()),
        ip_address: Some("127.0.0.1".into()),
        ..Session::start(user_id, created_at, hash("r"))
    };
    let token = RefreshToken::first_of(&session, 1);
    (session, token)
}

/// A session of `user_id` created at `created_at` and stored (no eviction, no events),
/// with its first refresh token.
pub async fn stored_session(
    sessions: &DynamoSessionRepository,
    user_id: Uuid,
    created_at: DateTime<Utc>,
) -> (Session, RefreshToken) {
    let (session, token) = new_session(user_id, created_at);
    sessions
        .create(&session, &token, &[], "", &[])
        .await
        .expect("create session");
    (session, token)
}

/// The token that replaces `old` at `at`.
pub fn successor(old: &RefreshToken, at: DateTime<Utc>) -> RefreshToken {
    RefreshToken {
        hash: hash("n"),
        created_at: at,
        expires_at: at + RefreshToken::LIFETIME,
        rotated_at: None,
        ..old.clone()
    }
}

pub fn ttl_of(item: &RawItem) -> i64 {
    match item.get("ttl") {
        Some(AttributeValue::N(n)) => n.parse().expect("numeric ttl"),
        other => panic!("ttl missing or not a number: {other:?}"),
    }
}
