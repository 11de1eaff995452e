//! Use cases over the in-memory adapters, with a clock the test moves, and the flows
//! the suites share (register, verify, log in).

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_trait::async_trait;
use dashtam_application::{
    AppError, Ports,
    dto::TokenPair,
    identity::commands::{Login, RegisterUser, VerifyEmail},
};
use dashtam_container::InMemory;
use dashtam_core::ManualClock;
use dashtam_domain::{
    identity::{ports::UserRepository, value_objects::Email},
    platform::{
        events::{EventContext, EventPayload},
        ports::{EmailError, EmailMessage, EmailSender},
    },
};
use dashtam_infrastructure::memory::{
    MemoryMailbox, MemoryStore, PlainComposer, RecordingPublisher,
};

pub struct Harness {
    pub ports: Ports,
    pub store: Arc<MemoryStore>,
    pub events: Arc<RecordingPublisher>,
    pub mailbox: Arc<MemoryMailbox>,
    pub email_down: Arc<AtomicBool>,
    pub clock: Arc<ManualClock>,
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
        let events = Arc::new(RecordingPublisher::default());
        let mailbox = Arc::new(MemoryMailbox::default());
        let email_down = Arc::new(AtomicBool::new(false));
        let clock = Arc::new(ManualClock::default());
        let memory = InMemory::builder()
            .clock(clock.clone())
            .signing_key("k".repeat(64))
            .events(events.clone())
            .email(Arc::new(SwitchableSender {
                inner: mailbox.clone(),
                down: email_down.clone(),
            }))
            .email_composer(Arc::new(PlainComposer))
            .build();
        Self {
            ports: memory.ports,
            store: memory.store,
            events,
            mailbox,
            email_down,
            clock,
        }
    }

    /// A harness over ports built elsewhere (the financial suites' builder).
    pub fn over(ports: Ports, store: Arc<MemoryStore>, clock: Arc<ManualClock>) -> Self {
        Self {
            ports,
            store,
            events: Arc::new(RecordingPublisher::default()),
            mailbox: Arc::new(MemoryMailbox::default()),
            email_down: Arc::new(AtomicBool::new(false)),
            clock,
        }
    }

    /// What the use cases recorded in the outbox and nothing relayed yet, in order.
    pub fn recorded(&self) -> Vec<dashtam_domain::platform::events::DomainEvent> {
        self.store.pending_events(usize::MAX)
    }

    /// The first recorded event called `name`.
    pub fn recorded_named(&self, name: &str) -> dashtam_domain::platform::events::DomainEvent {
        self.recorded()
            .into_iter()
            .find(|e| e.name() == name)
            .unwrap_or_else(|| panic!("no {name} recorded"))
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

/// A registered, verified and signed-in user, as the use cases see them.
pub async fn signed_in(h: &Harness, email: &str) -> dashtam_application::dto::Principal {
    registered_and_verified(h, email).await;
    let pair = login(h, email, PASSWORD).await.unwrap();
    dashtam_application::identity::commands::Authenticate {
        bearer: &pair.access_token,
    }
    .execute(&h.ports)
    .await
    .unwrap()
}
