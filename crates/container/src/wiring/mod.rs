//! Configuration → adapters → [`Ports`], one bundle per context ([`identity`],
//! [`platform`]) and one constructor per mode ([`aws`], [`memory`]); each function gets
//! only the contexts and clients it uses.

mod aws;
mod identity;
mod memory;
mod platform;

use std::sync::Arc;

use dashtam_application::Ports;
use dashtam_application::{IdentitySettings, Unwired};
use dashtam_domain::{identity::ports::AccessTokenService, platform::ports::CursorSealer};

pub use aws::sdk_config;
pub use identity::identity_over_table;
pub use memory::{InMemory, MemoryBuilder, memory_ports};
pub use platform::platform_over_table;

use self::aws::{Aws, Uses};
use crate::{Config, Consumer};

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

/// What only the table backs: identity and platform data; no signing, no publishing,
/// no email.
const TABLE_ONLY: Uses = Uses {
    identity: true,
    signing: false,
    publishing: false,
    email: false,
    rate_limits: true,
};

/// Every port over AWS (the local stack runs the API, the relay and both consumers), from
/// the process's one SDK configuration ([`sdk_config`]), which the caller also uses.
pub fn aws_ports(config: &Config, sdk: aws_config::SdkConfig) -> Ports {
    let uses = Uses {
        identity: true,
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

/// The ports of the outbox relay: the platform's table items (to acknowledge) and the
/// event bus; no identity data.
pub async fn relay_ports(config: &Config) -> Ports {
    let uses = Uses {
        identity: false,
        publishing: true,
        ..TABLE_ONLY
    };
    Aws::load(config).await.ports(config, uses)
}

/// The ports a queue consumer uses: the platform's storage, and SES for the email
/// consumer; no identity data.
pub async fn consumer_ports(config: &Config, consumer: Consumer) -> Ports {
    let uses = Uses {
        identity: false,
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

/// The identity settings `config` holds.
fn identity_settings(config: &Config) -> IdentitySettings {
    IdentitySettings {
        admin_emails: config.admin_emails.clone(),
    }
}
