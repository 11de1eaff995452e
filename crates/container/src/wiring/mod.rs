//! Configuration → adapters → [`Ports`], one bundle per context ([`identity`],
//! [`platform`]) and one constructor per mode ([`aws`], [`memory`]); each function gets
//! only the contexts and clients it uses.

mod aws;
mod financial;
mod identity;
mod memory;
mod platform;
mod provider_clients;

use std::sync::Arc;

use dashtam_application::{
    IdentityPorts, IdentitySettings, ImportPorts, ImportSettings, PlatformPorts, PortfolioPorts,
    Ports, ProviderPorts, ProviderSettings, Unwired,
};
use dashtam_core::SystemClock;
use dashtam_domain::{identity::ports::AccessTokenService, platform::ports::CursorSealer};

pub use aws::sdk_config;
pub use financial::{
    ProviderClients, imports_over_table, portfolio_over_table, providers_over_table,
};
pub use identity::identity_over_table;
pub use memory::{InMemory, MemoryBuilder, memory_ports};
pub use platform::platform_over_table;

use self::aws::Aws;
use crate::{Config, Consumer};

/// What the signing secret backs: access tokens (identity) and audit cursors (platform).
struct Signing {
    access_tokens: Arc<dyn AccessTokenService>,
    cursors: Arc<dyn CursorSealer>,
}

// Each function builds only the clients it uses, by name: what it does not use is
// [`Unwired`], so the client is neither built nor linked (a choice made by a runtime flag
// would leave both branches in the binary).

/// Every port over AWS (the local stack runs the API, the relay and both consumers), from
/// the process's one SDK configuration ([`sdk_config`]), which the caller also uses.
pub async fn aws_ports(
    config: &Config,
    sdk: aws_config::SdkConfig,
) -> Result<Ports, crate::ConfigError> {
    let aws = Aws::from_sdk(sdk);
    let clients = provider_clients::from_secrets_manager(aws.sdk(), config).await?;
    let table = aws.table(config);
    let signing = aws.signing(config);
    let identity = identity_over_table(&table, signing.access_tokens, identity_settings(config));
    let (events, email) = (aws.events(config), aws.email(config));
    let platform = aws.platform(config, &table, signing.cursors, events, email);
    let mut portfolio = portfolio_over_table(&table);
    portfolio.sync_queue = aws.sync_queue(config);
    Ok(Ports {
        portfolio,
        providers: providers_over_table(&table, clients, provider_settings(config)),
        imports: imports_over_table(&table, aws.uploads(config), import_settings(config)),
        ..ports(identity, platform)
    })
}

/// The ports of the scheduled syncs' functions — the provider jobs (dispatcher and token
/// care) and the sync worker: the connections with the provider clients and the cipher
/// (secrets read here, once per cold start), the portfolio and the sync queue; events
/// go to the outbox. No identity data, no tokens signed, no mail, no rate limits.
pub async fn sync_ports(config: &Config) -> Result<Ports, crate::ConfigError> {
    let aws = Aws::load(config).await;
    let clients = provider_clients::from_secrets_manager(aws.sdk(), config).await?;
    let table = aws.table(config);
    let mut platform = aws.platform(
        config,
        &table,
        Arc::new(Unwired("cursors")),
        Arc::new(Unwired("event publishing")),
        Arc::new(Unwired("email")),
    );
    platform.rate_limits = Arc::new(Unwired("rate limits"));
    let mut portfolio = portfolio_over_table(&table);
    portfolio.sync_queue = aws.sync_queue(config);
    Ok(Ports {
        portfolio,
        providers: providers_over_table(&table, clients, provider_settings(config)),
        ..ports(IdentityPorts::unwired(), platform)
    })
}

/// The ports an HTTP function uses: it signs tokens and writes events to the outbox; it
/// neither publishes (the relay does) nor mails.
pub async fn api_ports(config: &Config) -> Ports {
    http_ports(&Aws::load(config).await, config)
}

fn http_ports(aws: &Aws, config: &Config) -> Ports {
    let table = aws.table(config);
    let signing = aws.signing(config);
    let identity = identity_over_table(&table, signing.access_tokens, identity_settings(config));
    let platform = aws.platform(
        config,
        &table,
        signing.cursors,
        Arc::new(Unwired("event publishing")),
        Arc::new(Unwired("email")),
    );
    ports(identity, platform)
}

/// The ports of the functions that read the portfolio: an HTTP function's, plus the
/// portfolio's repositories over the table.
pub async fn portfolio_api_ports(config: &Config) -> Ports {
    let aws = Aws::load(config).await;
    let mut ports = http_ports(&aws, config);
    ports.portfolio = portfolio_over_table(&aws.table(config));
    ports
}

/// The ports of the functions that reach the providers: the portfolio's, plus the
/// connections, the provider clients and the credential cipher, whose secrets are read
/// here, once per cold start.
pub async fn provider_api_ports(config: &Config) -> Result<Ports, crate::ConfigError> {
    let aws = Aws::load(config).await;
    let clients = provider_clients::from_secrets_manager(aws.sdk(), config).await?;
    let table = aws.table(config);
    let mut ports = http_ports(&aws, config);
    ports.portfolio = portfolio_over_table(&table);
    ports.providers = providers_over_table(&table, clients, provider_settings(config));
    Ok(ports)
}

/// The ports of the import functions (the HTTP routes and the upload worker): the
/// portfolio's, the connections and the import claim (no provider client, no secret),
/// and the import records, the parser and the uploads bucket.
pub async fn import_ports(config: &Config) -> Ports {
    let aws = Aws::load(config).await;
    let table = aws.table(config);
    let mut ports = http_ports(&aws, config);
    ports.portfolio = portfolio_over_table(&table);
    ports.providers = providers_over_table(
        &table,
        ProviderClients::unwired(),
        provider_settings(config),
    );
    ports.imports = imports_over_table(&table, aws.uploads(config), import_settings(config));
    ports
}

/// The upload worker runs for up to its timeout: its claim on the user's imports lasts
/// that long, so a run that crashed stops blocking a retry when the function would have
/// been stopped anyway.
fn import_settings(config: &Config) -> ImportSettings {
    ImportSettings {
        claim_lease: chrono::Duration::seconds(config.imports.claim_lease_seconds),
        ..ImportSettings::default()
    }
}

fn provider_settings(config: &Config) -> ProviderSettings {
    ProviderSettings {
        default_redirect_uri: config.providers.default_redirect_uri.clone(),
    }
}

/// The ports of the outbox relay: the platform's table items (to acknowledge) and the
/// event bus; no identity data.
pub async fn relay_ports(config: &Config) -> Ports {
    let aws = Aws::load(config).await;
    let table = aws.table(config);
    let platform = aws.platform(
        config,
        &table,
        Arc::new(Unwired("cursors")),
        aws.events(config),
        Arc::new(Unwired("email")),
    );
    ports(IdentityPorts::unwired(), platform)
}

/// The ports a queue consumer uses: the platform's storage, and SES and the users (the
/// provider emails go to the event's user) for the email consumer; no other identity
/// data, no rate limits.
pub async fn consumer_ports(config: &Config, consumer: Consumer) -> Ports {
    let aws = Aws::load(config).await;
    let table = aws.table(config);
    let (email, identity): (Arc<dyn dashtam_domain::platform::ports::EmailSender>, _) =
        match consumer {
            Consumer::Email => (
                aws.email(config),
                identity_over_table(
                    &table,
                    Arc::new(Unwired("access tokens")),
                    identity_settings(config),
                ),
            ),
            // The import worker has its own ports (`import_ports`).
            Consumer::Audit | Consumer::Imports => {
                (Arc::new(Unwired("email")), IdentityPorts::unwired())
            }
        };
    let mut platform = aws.platform(
        config,
        &table,
        Arc::new(Unwired("cursors")),
        Arc::new(Unwired("event publishing")),
        email,
    );
    platform.rate_limits = Arc::new(Unwired("rate limits"));
    ports(identity, platform)
}

/// The ports the scheduler uses: storage (its events go to the outbox in the table);
/// it signs no tokens, publishes nothing itself and sends no mail.
pub async fn scheduler_ports(config: &Config) -> Ports {
    let aws = Aws::load(config).await;
    let table = aws.table(config);
    let identity = identity_over_table(
        &table,
        Arc::new(Unwired("access tokens")),
        identity_settings(config),
    );
    let platform = aws.platform(
        config,
        &table,
        Arc::new(Unwired("cursors")),
        Arc::new(Unwired("event publishing")),
        Arc::new(Unwired("email")),
    );
    ports(identity, platform)
}

fn ports(identity: IdentityPorts, platform: PlatformPorts) -> Ports {
    Ports {
        identity,
        platform,
        providers: ProviderPorts::unwired(),
        portfolio: PortfolioPorts::unwired(),
        imports: ImportPorts::unwired(),
        clock: Arc::new(SystemClock),
    }
}

/// The identity settings `config` holds.
fn identity_settings(config: &Config) -> IdentitySettings {
    IdentitySettings {
        admin_emails: config.admin_emails.clone(),
    }
}
