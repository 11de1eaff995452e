//! Configuration → adapters → [`Ports`], per context ([`identity`], [`platform`]) and per
//! mode ([`aws`], [`memory`]); each function gets only the clients it uses.

mod aws;
mod identity;
mod memory;
mod platform;

use std::sync::Arc;

use dashtam_application::{IdentitySettings, Ports};
use dashtam_core::SystemClock;
use dashtam_domain::{identity::ports::AccessTokenService, platform::ports::CursorSealer};
use dashtam_infrastructure::security::{Argon2Hasher, RandomOpaqueTokens, WootheeDeviceDetector};

pub use aws::sdk_config;
pub use memory::{InMemory, memory_ports};

use self::{
    aws::{Aws, Uses},
    identity::Identity,
    platform::{Platform, Templates},
};
use crate::{Config, Consumer, unwired::Unwired};

/// What the signing secret backs: access tokens (identity) and audit cursors (platform).
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

/// What only the table backs: no signing, no publishing, no email.
const TABLE_ONLY: Uses = Uses {
    signing: false,
    publishing: false,
    email: false,
    rate_limits: true,
};

/// Every port over AWS (the local stack runs the API, the relay and both consumers), from
/// the process's one SDK configuration ([`sdk_config`]), which the caller also uses.
pub fn aws_ports(config: &Config, sdk: aws_config::SdkConfig) -> Ports {
    let uses = Uses {
        signing: true,
        publishing: true,
        email: true,
        rate_limits: true,
    };
    Aws::from_sdk(sdk).ports(config, uses)
}

/// The ports an HTTP function uses: it signs tokens and writes events to the outbox; it
/// neither publishes (the relay does) nor mails.
pub async fn api_ports(config: &Config) -> Ports {
    let uses = Uses {
        signing: true,
        ..TABLE_ONLY
    };
    Aws::load(config).await.ports(config, uses)
}

/// The ports of the outbox relay: the table (to acknowledge) and the event bus.
pub async fn relay_ports(config: &Config) -> Ports {
    let uses = Uses {
        publishing: true,
        ..TABLE_ONLY
    };
    Aws::load(config).await.ports(config, uses)
}

/// The ports a queue consumer uses: storage, and SES for the email consumer.
pub async fn consumer_ports(config: &Config, consumer: Consumer) -> Ports {
    let uses = Uses {
        email: consumer == Consumer::Email,
        rate_limits: false,
        ..TABLE_ONLY
    };
    Aws::load(config).await.ports(config, uses)
}

/// The ports the scheduler uses: storage (its events go to the outbox in the table);
/// it signs no tokens, publishes nothing itself and sends no mail.
pub async fn scheduler_ports(config: &Config) -> Ports {
    Aws::load(config).await.ports(config, TABLE_ONLY)
}

/// The two contexts' ports and the stateless ones (hashing, tokens, devices, templates,
/// the clock) that every mode shares.
fn assemble(config: &Config, identity: Identity, platform: Platform) -> Ports {
    Ports {
        users: identity.users,
        one_time_tokens: identity.one_time_tokens,
        sessions: identity.sessions,
        security_config: identity.security_config,
        audit: platform.audit,
        cursors: platform.cursors,
        processed: platform.processed,
        outbox: platform.outbox,
        feed: platform.feed,
        rate_limits: platform.rate_limits,
        hasher: Arc::new(Argon2Hasher::new()),
        access_tokens: identity.access_tokens,
        opaque_tokens: Arc::new(RandomOpaqueTokens::new()),
        devices: Arc::new(WootheeDeviceDetector::new()),
        events: platform.events,
        email: platform.email,
        email_composer: Arc::new(Templates {
            app_url: config.app_url.clone(),
        }),
        clock: Arc::new(SystemClock),
        settings: IdentitySettings {
            admin_emails: config.admin_emails.clone(),
        },
        jobs: platform.jobs,
    }
}
