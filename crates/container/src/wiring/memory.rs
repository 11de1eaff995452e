//! The in-memory product (`dashtam-local --in-memory`, the warm benchmark) and the one
//! builder every in-memory test suite uses.

use std::sync::Arc;

use dashtam_application::{IdentitySettings, PlatformPorts, Ports, ProviderSettings};
use dashtam_core::{Clock, SystemClock};
use dashtam_domain::{
    identity::ports::{OpaqueTokens, PasswordHasher},
    imports::StatementParser,
    platform::{
        events::DomainEvent,
        ports::{EmailComposer, EmailSender, EventPublisher},
    },
};
use dashtam_infrastructure::{
    email::MailboxEmailSender,
    memory::{
        ChannelPublisher, InProcessQueue, MemoryMailbox, MemoryRateLimits, MemoryStore,
        MemorySyncQueue, MemoryUploads, QueueMetricsSet,
    },
    security::{
        Argon2Hasher, HmacCursorSealer, JwtAccessTokens, RandomOpaqueTokens, StaticSigningKey,
    },
};
use tokio::sync::mpsc::UnboundedReceiver;

use super::{
    financial::{ProviderClients, imports_in_memory, portfolio_in_memory, providers_in_memory},
    identity::{ACCESS_TOKEN_TTL_SECONDS, identity_in_memory},
    platform::{Templates, platform_in_memory},
};
use crate::{Config, config::LOCAL_APP_URL};

/// The in-memory product: its ports and handles on the adapters behind them.
pub struct InMemory {
    pub ports: Ports,
    /// Every repository, and the outbox the in-process relay drains.
    pub store: Arc<MemoryStore>,
    pub rate_limits: Arc<MemoryRateLimits>,
    /// Stands in for the SQS queues: in-process consumers report their progress to it.
    pub queue: Arc<InProcessQueue>,
    /// What the relay publishes, unless the builder was given its own bus.
    pub published: Option<UnboundedReceiver<DomainEvent>>,
    /// The scheduled syncs' queue, which an in-process worker drains.
    pub sync_queue: Arc<MemorySyncQueue>,
    /// The uploads bucket: put a file here, then run the upload worker's use case.
    pub uploads: Arc<MemoryUploads>,
}

/// Builds an [`InMemory`]. The defaults are the product's: the system clock, a random
/// signing key, production argon2 parameters, an in-process bus whose published events
/// the caller drains, a memory mailbox, the real templates, no configured admin.
pub struct MemoryBuilder {
    clock: Arc<dyn Clock>,
    signing_key: Option<String>,
    hasher: Option<Arc<dyn PasswordHasher>>,
    events: Option<Arc<dyn EventPublisher>>,
    email: Option<Arc<dyn EmailSender>>,
    email_composer: Option<Arc<dyn EmailComposer>>,
    settings: IdentitySettings,
    providers: ProviderClients,
    provider_settings: ProviderSettings,
    /// Where presigned upload URLs point (the local stack serves them).
    uploads_url: String,
    parser: Option<Arc<dyn StatementParser>>,
}

impl InMemory {
    pub fn builder() -> MemoryBuilder {
        MemoryBuilder {
            clock: Arc::new(SystemClock),
            signing_key: None,
            hasher: None,
            events: None,
            email: None,
            email_composer: None,
            settings: IdentitySettings::default(),
            providers: ProviderClients::unwired(),
            provider_settings: ProviderSettings {
                default_redirect_uri: format!("{LOCAL_APP_URL}/oauth/schwab/callback"),
            },
            uploads_url: format!("{LOCAL_APP_URL}/_local/uploads"),
            parser: None,
        }
    }
}

impl MemoryBuilder {
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Signs access tokens and, through a derived key, audit cursors.
    pub fn signing_key(mut self, key: impl Into<String>) -> Self {
        self.signing_key = Some(key.into());
        self
    }

    pub fn hasher(mut self, hasher: Arc<dyn PasswordHasher>) -> Self {
        self.hasher = Some(hasher);
        self
    }

    /// The bus the relay publishes to (then [`InMemory::published`] is `None`).
    pub fn events(mut self, events: Arc<dyn EventPublisher>) -> Self {
        self.events = Some(events);
        self
    }

    pub fn email(mut self, email: Arc<dyn EmailSender>) -> Self {
        self.email = Some(email);
        self
    }

    pub fn email_composer(mut self, composer: Arc<dyn EmailComposer>) -> Self {
        self.email_composer = Some(composer);
        self
    }

    pub fn admins(mut self, emails: impl IntoIterator<Item = String>) -> Self {
        self.settings.admin_emails = emails.into_iter().collect();
        self
    }

    /// The provider clients and the credential cipher (default: not wired).
    pub fn providers(mut self, clients: ProviderClients) -> Self {
        self.providers = clients;
        self
    }

    pub fn provider_settings(mut self, settings: ProviderSettings) -> Self {
        self.provider_settings = settings;
        self
    }

    /// The statement parser (default the product's).
    pub fn parser(mut self, parser: Arc<dyn StatementParser>) -> Self {
        self.parser = Some(parser);
        self
    }

    /// The base of presigned upload URLs (default the local stack's `/_local/uploads`).
    pub fn uploads_url(mut self, url: impl Into<String>) -> Self {
        self.uploads_url = url.into();
        self
    }

    pub fn build(self) -> InMemory {
        let store = Arc::new(MemoryStore::new());
        let rate_limits = Arc::new(MemoryRateLimits::new());
        let queue = InProcessQueue::new();
        let sync_queue = MemorySyncQueue::new();
        let key = self
            .signing_key
            .unwrap_or_else(|| RandomOpaqueTokens::new().hex_token().plaintext);
        let (events, published) = match self.events {
            Some(events) => (events, None),
            None => {
                let (publisher, rx) = ChannelPublisher::new();
                let counted: Arc<dyn EventPublisher> =
                    Arc::new(queue.counting(Arc::new(publisher)));
                (counted, Some(rx))
            }
        };
        let access_tokens = Arc::new(
            JwtAccessTokens::with_fixed_key(key.clone(), ACCESS_TOKEN_TTL_SECONDS)
                .with_clock(self.clock.clone()),
        );
        let identity = identity_in_memory(
            &store,
            access_tokens,
            self.hasher.unwrap_or_else(|| Arc::new(Argon2Hasher::new())),
            self.settings,
        );
        let platform = PlatformPorts {
            cursors: Arc::new(HmacCursorSealer::new(Arc::new(StaticSigningKey::new(key)))),
            events,
            email: self
                .email
                .unwrap_or_else(|| Arc::new(MemoryMailbox::default())),
            email_composer: self.email_composer.unwrap_or_else(|| {
                Arc::new(Templates {
                    app_url: LOCAL_APP_URL.to_owned(),
                })
            }),
            queues: Arc::new(QueueMetricsSet(vec![queue.clone(), sync_queue.clone()])),
            ..platform_in_memory(&store, rate_limits.clone())
        };
        let uploads = Arc::new(MemoryUploads::new(self.uploads_url));
        InMemory {
            ports: Ports {
                identity,
                platform,
                providers: providers_in_memory(&store, self.providers, self.provider_settings),
                portfolio: portfolio_in_memory(&store, sync_queue.clone()),
                imports: imports_in_memory(&store, uploads.clone(), self.parser),
                clock: self.clock,
            },
            store,
            rate_limits,
            queue,
            published,
            sync_queue,
            uploads,
        }
    }
}

/// The in-memory product under `config`. The JWT key is random per process unless
/// `DASHTAM_JWT_SIGNING_KEY` is set.
pub fn memory_ports(config: &Config) -> InMemory {
    let email: Arc<dyn EmailSender> = match &config.mailbox_dir {
        Some(dir) => Arc::new(MailboxEmailSender::new(dir.clone())),
        None => Arc::new(MemoryMailbox::default()),
    };
    let mut builder = InMemory::builder()
        .email(email)
        .email_composer(Arc::new(Templates {
            app_url: config.app_url.clone(),
        }))
        .admins(config.admin_emails.iter().cloned());
    if let Ok(key) = std::env::var("DASHTAM_JWT_SIGNING_KEY") {
        builder = builder.signing_key(key);
    }
    match super::provider_clients::for_sandbox(config) {
        Ok(clients) => builder = builder.providers(clients),
        Err(e) => tracing::error!(error = %e, "provider clients not built; providers unwired"),
    }
    builder
        .uploads_url(format!(
            "{}/_local/uploads",
            config.api_base_url.trim_end_matches('/')
        ))
        .provider_settings(ProviderSettings {
            default_redirect_uri: config.providers.default_redirect_uri.clone(),
        })
        .build()
}
