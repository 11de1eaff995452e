use std::{sync::Arc, time::Duration};

use aws_config::timeout::TimeoutConfig;

use dashtam_application::{IdentitySettings, JobPorts, Ports};
use dashtam_core::SystemClock;
use dashtam_domain::{
    events::{DomainEvent, EmailKind},
    ports::{
        AccessTokenService, AuditRepository, CursorSealer, EmailComposer, EmailSender, EventFeed,
        EventOutbox, EventPublisher, OneTimeTokenRepository, OpaqueTokens, ProcessedEvents,
        QueueMetrics, QueueRole, RateLimitStore, SecurityConfigRepository, SessionRepository,
        UserRepository,
    },
};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoAuditRepository, DynamoEventOutbox, DynamoJobStore, DynamoOneTimeTokenRepository,
        DynamoProcessedEvents, DynamoRateLimits, DynamoSecurityConfigRepository,
        DynamoSessionRepository, DynamoUserRepository, Table,
    },
    email::{FanoutEmailSender, MailboxEmailSender, SesEmailSender, render},
    memory::{ChannelPublisher, InProcessQueue, MemoryMailbox, MemoryRateLimits, MemoryStore},
    messaging::{EventBridgePublisher, SqsQueueMetrics, WatchedQueue},
    secrets::SecretsManagerSource,
    security::{
        Argon2Hasher, HmacCursorSealer, JwtAccessTokens, RandomOpaqueTokens, SigningKeySource,
        StaticSigningKey, WootheeDeviceDetector,
    },
};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::{
    Config, Consumer,
    tls::{TrustRoots, aws_http_client},
    unwired::Unwired,
};

const ACCESS_TOKEN_TTL_SECONDS: i64 = 900;

/// The email templates, with links into the app.
struct Templates {
    app_url: String,
}

impl EmailComposer for Templates {
    fn compose(&self, kind: EmailKind, to: &str, token: Option<&str>) -> (String, String, String) {
        render(kind, to, token, &self.app_url)
    }
}

/// A connection must open within this, an attempt answer within this (it covers the
/// local consumers' 2 s SQS long polls), and a call with its retries end within this:
/// a call that hangs fails, is logged and retried by its caller, and an HTTP function
/// answers before its 10 s Lambda timeout.
const AWS_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const AWS_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
const AWS_OPERATION_TIMEOUT: Duration = Duration::from_secs(8);

/// The one AWS SDK configuration of a process: region and credentials from the
/// environment, the trusted roots, and the timeouts above. Every AWS client is built
/// from it.
pub async fn sdk_config(roots: TrustRoots) -> aws_config::SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(AWS_CONNECT_TIMEOUT)
        .operation_attempt_timeout(AWS_ATTEMPT_TIMEOUT)
        .operation_timeout(AWS_OPERATION_TIMEOUT)
        .build();
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).timeout_config(timeouts);
    if let Some(client) = aws_http_client(roots) {
        loader = loader.http_client(client);
    }
    loader.load().await
}

/// The storage-backed ports, which differ by mode.
struct Repositories {
    users: Arc<dyn UserRepository>,
    one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    sessions: Arc<dyn SessionRepository>,
    security_config: Arc<dyn SecurityConfigRepository>,
    audit: Arc<dyn AuditRepository>,
    processed: Arc<dyn ProcessedEvents>,
    outbox: Arc<dyn EventOutbox>,
    feed: Arc<dyn EventFeed>,
    rate_limits: Arc<dyn RateLimitStore>,
    jobs: JobPorts,
}

/// What the signing secret backs.
struct Signing {
    access_tokens: Arc<dyn AccessTokenService>,
    cursors: Arc<dyn CursorSealer>,
}

impl Signing {
    /// For functions that neither sign tokens nor page the audit trail.
    fn unwired() -> Self {
        Self {
            access_tokens: Arc::new(Unwired("access tokens")),
            cursors: Arc::new(Unwired("cursors")),
        }
    }
}

/// The AWS clients a function may need, all from one SDK configuration. Building them
/// does no network I/O (cold start); the JWT key is read from Secrets Manager on first use.
struct Aws {
    sdk: aws_config::SdkConfig,
}

impl Aws {
    async fn load(config: &Config) -> Self {
        Self {
            sdk: sdk_config(config.tls_roots).await,
        }
    }
    fn repositories(&self, config: &Config) -> Repositories {
        let table = Table::new(
            aws_sdk_dynamodb::Client::new(&self.sdk),
            config.table.clone(),
        );
        Repositories {
            users: Arc::new(DynamoUserRepository::from_table(table.clone())),
            one_time_tokens: Arc::new(DynamoOneTimeTokenRepository::from_table(table.clone())),
            sessions: Arc::new(DynamoSessionRepository::from_table(table.clone())),
            security_config: Arc::new(DynamoSecurityConfigRepository::from_table(table.clone())),
            audit: Arc::new(DynamoAuditRepository::from_table(table.clone())),
            processed: Arc::new(DynamoProcessedEvents::from_table(table.clone())),
            outbox: Arc::new(DynamoEventOutbox::from_table(table.clone())),
            feed: Arc::new(DynamoEventOutbox::from_table(table.clone())),
            rate_limits: Arc::new(DynamoRateLimits::from_table(table.clone())),
            jobs: self.job_ports(config, table),
        }
    }

    /// Building the SQS client does no I/O; the queues are read only by the health routes.
    fn job_ports(&self, config: &Config, table: Table) -> JobPorts {
        let store = Arc::new(DynamoJobStore::from_table(table));
        let watched = [
            ("audit", QueueRole::Queue, &config.audit_queue_url),
            ("audit", QueueRole::DeadLetter, &config.audit_dlq_url),
            ("email", QueueRole::Queue, &config.email_queue_url),
            ("email", QueueRole::DeadLetter, &config.email_dlq_url),
        ]
        .into_iter()
        .filter_map(|(name, role, url)| {
            url.as_ref().map(|url| WatchedQueue {
                name: name.to_owned(),
                role,
                url: url.clone(),
            })
        })
        .collect();
        let queues: Arc<dyn QueueMetrics> =
            Arc::new(SqsQueueMetrics::new(self.sdk.clone(), watched));
        JobPorts {
            runs: store.clone(),
            queues,
            expiry_notices: store.clone(),
            expired: store,
        }
    }

    /// The JWT signing secret (read once, on first use) signs access tokens and, through
    /// a derived key, pagination cursors.
    fn signing(&self, config: &Config) -> Signing {
        let key: Arc<dyn SigningKeySource> = Arc::new(SecretsManagerSource::new(
            aws_sdk_secretsmanager::Client::new(&self.sdk),
            config.jwt_secret_id.clone(),
        ));
        Signing {
            access_tokens: Arc::new(JwtAccessTokens::new(key.clone(), ACCESS_TOKEN_TTL_SECONDS)),
            cursors: Arc::new(HmacCursorSealer::new(key)),
        }
    }

    fn events(&self, config: &Config) -> Arc<dyn EventPublisher> {
        Arc::new(EventBridgePublisher::new(
            aws_sdk_eventbridge::Client::new(&self.sdk),
            config.event_bus.clone(),
        ))
    }

    fn email(&self, config: &Config) -> Arc<dyn EmailSender> {
        let ses: Arc<dyn EmailSender> = Arc::new(SesEmailSender::new(
            aws_sdk_sesv2::Client::new(&self.sdk),
            config.email_from.clone(),
        ));
        match &config.mailbox_dir {
            Some(dir) => Arc::new(FanoutEmailSender::new(vec![
                ses,
                Arc::new(MailboxEmailSender::new(dir.clone())),
            ])),
            None => ses,
        }
    }
}

/// Every port over AWS (the local stack runs the API, the relay and both consumers).
pub async fn aws_ports(config: &Config) -> Ports {
    let aws = Aws::load(config).await;
    assemble(
        config,
        aws.repositories(config),
        aws.signing(config),
        aws.events(config),
        aws.email(config),
    )
}

/// The ports an HTTP function uses: it signs tokens and writes events to the outbox; it
/// neither publishes (the relay does) nor mails.
pub async fn api_ports(config: &Config) -> Ports {
    let aws = Aws::load(config).await;
    assemble(
        config,
        aws.repositories(config),
        aws.signing(config),
        Arc::new(Unwired("event publishing")),
        Arc::new(Unwired("email")),
    )
}

/// The ports of the outbox relay: the table (to acknowledge) and the event bus.
pub async fn relay_ports(config: &Config) -> Ports {
    let aws = Aws::load(config).await;
    assemble(
        config,
        aws.repositories(config),
        Signing::unwired(),
        aws.events(config),
        Arc::new(Unwired("email")),
    )
}

/// The ports a queue consumer uses: storage, and SES for the email consumer.
pub async fn consumer_ports(config: &Config, consumer: Consumer) -> Ports {
    let aws = Aws::load(config).await;
    let email = match consumer {
        Consumer::Email => aws.email(config),
        Consumer::Audit => Arc::new(Unwired("email")),
    };
    let repos = Repositories {
        rate_limits: Arc::new(Unwired("rate limits")),
        ..aws.repositories(config)
    };
    assemble(
        config,
        repos,
        Signing::unwired(),
        Arc::new(Unwired("event publishing")),
        email,
    )
}

/// The ports the scheduler uses: storage (its events go to the outbox in the table);
/// it signs no tokens, publishes nothing itself and sends no mail.
pub async fn scheduler_ports(config: &Config) -> Ports {
    let aws = Aws::load(config).await;
    assemble(
        config,
        aws.repositories(config),
        Signing::unwired(),
        Arc::new(Unwired("event publishing")),
        Arc::new(Unwired("email")),
    )
}

/// The in-memory product: its ports, the store (whose outbox the in-process relay
/// drains), the receiving end of the bus the relay publishes to, and the queue metrics
/// of this mode (in-process consumers report their progress to it).
pub struct InMemory {
    pub ports: Ports,
    pub store: Arc<MemoryStore>,
    pub published: UnboundedReceiver<DomainEvent>,
    pub queue: Arc<InProcessQueue>,
}

/// Ports in memory. The JWT key is random per process unless `DASHTAM_JWT_SIGNING_KEY`
/// is set.
pub fn memory_ports(config: &Config) -> InMemory {
    let store = Arc::new(MemoryStore::new());
    let (publisher, rx) = ChannelPublisher::new();
    let queue = InProcessQueue::new();
    let key = std::env::var("DASHTAM_JWT_SIGNING_KEY")
        .unwrap_or_else(|_| RandomOpaqueTokens::new().hex_token().plaintext);
    let email: Arc<dyn EmailSender> = match &config.mailbox_dir {
        Some(dir) => Arc::new(MailboxEmailSender::new(dir.clone())),
        None => Arc::new(MemoryMailbox::default()),
    };
    let ports = assemble(
        config,
        Repositories {
            users: store.clone(),
            one_time_tokens: store.clone(),
            sessions: store.clone(),
            security_config: store.clone(),
            audit: store.clone(),
            processed: store.clone(),
            outbox: store.clone(),
            feed: store.clone(),
            rate_limits: Arc::new(MemoryRateLimits::new()),
            jobs: JobPorts {
                runs: store.clone(),
                queues: queue.clone(),
                expiry_notices: store.clone(),
                expired: store.clone(),
            },
        },
        Signing {
            access_tokens: Arc::new(JwtAccessTokens::with_fixed_key(
                key.clone(),
                ACCESS_TOKEN_TTL_SECONDS,
            )),
            cursors: Arc::new(HmacCursorSealer::new(Arc::new(StaticSigningKey::new(key)))),
        },
        Arc::new(queue.counting(Arc::new(publisher))),
        email,
    );
    InMemory {
        ports,
        store,
        published: rx,
        queue,
    }
}

fn assemble(
    config: &Config,
    repos: Repositories,
    signing: Signing,
    events: Arc<dyn EventPublisher>,
    email: Arc<dyn EmailSender>,
) -> Ports {
    Ports {
        users: repos.users,
        one_time_tokens: repos.one_time_tokens,
        sessions: repos.sessions,
        security_config: repos.security_config,
        audit: repos.audit,
        cursors: signing.cursors,
        processed: repos.processed,
        outbox: repos.outbox,
        feed: repos.feed,
        rate_limits: repos.rate_limits,
        hasher: Arc::new(Argon2Hasher::new()),
        access_tokens: signing.access_tokens,
        opaque_tokens: Arc::new(RandomOpaqueTokens::new()),
        devices: Arc::new(WootheeDeviceDetector::new()),
        events,
        email,
        email_composer: Arc::new(Templates {
            app_url: config.app_url.clone(),
        }),
        clock: Arc::new(SystemClock),
        settings: IdentitySettings {
            admin_emails: config.admin_emails.clone(),
        },
        jobs: repos.jobs,
    }
}
