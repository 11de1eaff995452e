//! Use cases over the in-memory adapters, with a clock the test moves, and the flows
//! the suites share (register, verify, log in).

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_trait::async_trait;
use dashtam_application::{
    AppError, IdentitySettings, JobPorts, Ports,
    dto::TokenPair,
    identity::commands::{Login, RegisterUser, VerifyEmail},
};
use dashtam_core::ManualClock;
use dashtam_domain::{
    identity::{ports::UserRepository, value_objects::Email},
    platform::{
        events::{EmailKind, EventContext, EventPayload},
        ports::{EmailComposer, EmailError, EmailMessage, EmailSender},
    },
};
use dashtam_infrastructure::{
    memory::{InProcessQueue, MemoryMailbox, MemoryStore, RecordingPublisher},
    security::{
        Argon2Hasher, HmacCursorSealer, JwtAccessTokens, RandomOpaqueTokens, StaticSigningKey,
        WootheeDeviceDetector,
    },
};

pub struct Harness {
    pub ports: Ports,
    pub store: Arc<MemoryStore>,
    pub events: Arc<RecordingPublisher>,
    pub mailbox: Arc<MemoryMailbox>,
    pub email_down: Arc<AtomicBool>,
    pub clock: Arc<ManualClock>,
}

struct PlainComposer;

impl EmailComposer for PlainComposer {
    fn compose(&self, kind: EmailKind, _to: &str, token: Option<&str>) -> (String, String, String) {
        let body = format!("{kind:?} {}", token.unwrap_or(""));
        (format!("{kind:?}"), body.clone(), body)
    }
}

/// Delivers to the mailbox unless switched off.
struct SwitchableSender {
    inner: Arc<MemoryMailbox>,
    down: Arc<AtomicBool>,
}

#[async_trait]
impl EmailSender for SwitchableSender {
    async fn send(&self, message: &EmailMessage) -> Result<(), EmailError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(EmailError("injected outage".into()));
        }
        self.inner.send(message).await
    }
}

impl Harness {
    pub fn new() -> Self {
        let store = Arc::new(MemoryStore::new());
        let queue = InProcessQueue::new();
        let events = Arc::new(RecordingPublisher::default());
        let mailbox = Arc::new(MemoryMailbox::default());
        let email_down = Arc::new(AtomicBool::new(false));
        let clock = Arc::new(ManualClock::default());
        let ports = Ports {
            users: store.clone(),
            one_time_tokens: store.clone(),
            sessions: store.clone(),
            security_config: store.clone(),
            audit: store.clone(),
            cursors: Arc::new(HmacCursorSealer::new(Arc::new(StaticSigningKey::new(
                "k".repeat(64),
            )))),
            processed: store.clone(),
            outbox: store.clone(),
            feed: store.clone(),
            hasher: Arc::new(Argon2Hasher::new()),
            access_tokens: Arc::new(
                JwtAccessTokens::with_fixed_key("k".repeat(64), 900).with_clock(clock.clone()),
            ),
            opaque_tokens: Arc::new(RandomOpaqueTokens::new()),
            devices: Arc::new(WootheeDeviceDetector::new()),
            events: events.clone(),
            email: Arc::new(SwitchableSender {
                inner: mailbox.clone(),
                down: email_down.clone(),
            }),
            email_composer: Arc::new(PlainComposer),
            clock: clock.clone(),
            rate_limits: Arc::new(dashtam_infrastructure::memory::MemoryRateLimits::new()),
            jobs: JobPorts {
                runs: store.clone(),
                queues: queue.clone(),
                expiry_notices: store.clone(),
                expired: store.clone(),
            },
            settings: IdentitySettings::default(),
        };
        Self {
            ports,
            store,
            events,
            mailbox,
            email_down,
            clock,
        }
    }

    /// What the use cases recorded in the outbox and nothing relayed yet, in order.
    pub fn recorded(&self) -> Vec<dashtam_domain::platform::events::DomainEvent> {
        self.store.pending_events(usize::MAX)
    }

    pub fn ctx() -> EventContext {
        EventContext {
            ip_address: Some("203.0.113.9".into()),
            user_agent: Some("test-agent".into()),
            trace_id: Some("trace-1".into()),
        }
    }
}

pub const PASSWORD: &str = "Str0ng!Passw0rd";

pub fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

pub async fn register(h: &Harness, address: &str) -> Result<uuid::Uuid, AppError> {
    RegisterUser {
        email: email(address),
        password: PASSWORD.into(),
        context: Harness::ctx(),
    }
    .execute(&h.ports)
    .await
    .map(|u| u.id)
}

pub fn verification_token(h: &Harness) -> String {
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

pub async fn registered_and_verified(h: &Harness, address: &str) -> uuid::Uuid {
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

pub async fn login(h: &Harness, address: &str, password: &str) -> Result<TokenPair, AppError> {
    Login {
        email: email(address),
        password: password.into(),
        context: Harness::ctx(),
    }
    .execute(&h.ports)
    .await
}

impl Harness {
    pub async fn store_user_exists(&self, id: uuid::Uuid) -> bool {
        self.store.find_by_id(id).await.unwrap().is_some()
    }
}
