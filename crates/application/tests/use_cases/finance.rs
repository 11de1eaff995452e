//! The financial half over the in-memory adapters: a signed-in user, a scripted
//! brokerage as Schwab and as Alpaca, and the steps the suites share.

use std::sync::Arc;

use dashtam_application::{
    AppError,
    dto::Principal,
    portfolio::commands::{SyncAccounts, SyncReport},
    providers::{
        ConnectionView,
        commands::{CompleteOAuth, ConnectProvider, Connecting},
    },
};
use dashtam_container::{InMemory, ProviderClients};
use dashtam_core::ManualClock;
use dashtam_domain::providers::ProviderSlug;
use dashtam_infrastructure::memory::{
    MemoryMailbox, MemoryStore, MemorySyncQueue, PlainComposer, RecordingPublisher,
};
use uuid::Uuid;

use crate::{
    brokerage::{Brokerage, JsonCipher},
    support::{Harness, signed_in},
};

pub struct Finance {
    pub ports: dashtam_application::Ports,
    pub store: Arc<MemoryStore>,
    pub clock: Arc<ManualClock>,
    pub broker: Arc<Brokerage>,
    pub sync_queue: Arc<MemorySyncQueue>,
    pub mailbox: Arc<MemoryMailbox>,
}

impl Finance {
    pub fn new() -> Self {
        let clock = Arc::new(ManualClock::default());
        let broker = Arc::new(Brokerage::investor());
        let mailbox = Arc::new(MemoryMailbox::default());
        let memory = InMemory::builder()
            .email(mailbox.clone())
            .clock(clock.clone())
            .signing_key("k".repeat(64))
            .events(Arc::new(RecordingPublisher::default()))
            .email_composer(Arc::new(PlainComposer))
            .providers(ProviderClients {
                schwab: broker.clone(),
                schwab_oauth: broker.clone(),
                alpaca: broker.clone(),
                cipher: Arc::new(JsonCipher),
            })
            .build();
        Self {
            ports: memory.ports,
            store: memory.store,
            clock,
            broker,
            sync_queue: memory.sync_queue,
            mailbox,
        }
    }

    /// The identity harness's view of the same ports (for its sign-up helpers).
    fn as_harness(&self) -> Harness {
        Harness::over(self.ports.clone(), self.store.clone(), self.clock.clone())
    }

    pub async fn user(&self, email: &str) -> Principal {
        signed_in(&self.as_harness(), email).await
    }

    pub fn recorded_names(&self) -> Vec<String> {
        self.store
            .pending_events(usize::MAX)
            .iter()
            .map(|e| e.name().to_owned())
            .collect()
    }

    /// Starts a Schwab consent; answers the state.
    pub async fn start_schwab(&self, user: &Principal, reconnect: Option<Uuid>) -> String {
        match connect(user, ProviderSlug::Schwab, reconnect)
            .execute(&self.ports)
            .await
            .unwrap()
        {
            Connecting::Authorize { state, .. } => state,
            other => panic!("expected a consent URL, got {other:?}"),
        }
    }

    pub async fn callback(&self, code: &str, state: &str) -> Result<ConnectionView, AppError> {
        CompleteOAuth {
            code: Some(code.into()),
            state: Some(state.into()),
            provider_slug: Some(ProviderSlug::Schwab),
            provider_error: None,
            context: Harness::ctx(),
        }
        .execute(&self.ports)
        .await
        .map_err(AppError::from)
    }

    /// A user with an active Schwab connection.
    pub async fn schwab(&self, email: &str) -> (Principal, ConnectionView) {
        let user = self.user(email).await;
        let state = self.start_schwab(&user, None).await;
        let connection = self.callback("code-1", &state).await.unwrap();
        (user, connection)
    }

    pub async fn sync_accounts(
        &self,
        user: &Principal,
        connection: Uuid,
        force: bool,
    ) -> Result<SyncReport, AppError> {
        SyncAccounts {
            principal: user.clone(),
            connection_id: connection,
            force,
            context: Harness::ctx(),
        }
        .execute(&self.ports)
        .await
    }
}

pub fn connect(user: &Principal, slug: ProviderSlug, reconnect: Option<Uuid>) -> ConnectProvider {
    ConnectProvider {
        principal: user.clone(),
        provider_slug: slug,
        alias: Some("Main".into()),
        redirect_uri: None,
        api_key: None,
        api_secret: None,
        connection_id: reconnect,
        context: Harness::ctx(),
    }
}
