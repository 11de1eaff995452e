use std::{collections::BTreeSet, sync::Arc};

use dashtam_core::Clock;
use dashtam_domain::{
    identity::{
        entities::{Role, User},
        ports::{
            AccessTokenService, DeviceDetector, OneTimeTokenRepository, OpaqueTokens,
            PasswordHasher, SecurityConfigRepository, SessionExpiryNotices, SessionRepository,
            UserRepository,
        },
    },
    platform::ports::{
        AuditRepository, CursorSealer, EmailComposer, EmailSender, EventFeed, EventOutbox,
        EventPublisher, ExpiredItems, JobRuns, ProcessedEvents, QueueMetrics, RateLimitStore,
    },
};

/// Identity settings that come from configuration.
#[derive(Debug, Clone, Default)]
pub struct IdentitySettings {
    /// Emails that hold the admin role (the only way to bootstrap an admin).
    pub admin_emails: BTreeSet<String>,
}

impl IdentitySettings {
    /// The user's stored roles plus admin when configuration says so.
    pub fn effective_roles(&self, user: &User) -> BTreeSet<Role> {
        let mut roles = user.roles.clone();
        if self.admin_emails.contains(user.email.as_str()) {
            roles.insert(Role::Admin);
        }
        roles
    }
}

/// Everything a use case may reach. Built once per process by the composition root.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub security_config: Arc<dyn SecurityConfigRepository>,
    pub audit: Arc<dyn AuditRepository>,
    /// Signs pagination cursors (key from the secret store).
    pub cursors: Arc<dyn CursorSealer>,
    pub processed: Arc<dyn ProcessedEvents>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub access_tokens: Arc<dyn AccessTokenService>,
    pub opaque_tokens: Arc<dyn OpaqueTokens>,
    pub devices: Arc<dyn DeviceDetector>,
    /// Events that belong to no state change, and the relay's acknowledgements.
    pub outbox: Arc<dyn EventOutbox>,
    /// The per-user feed the live stream reads.
    pub feed: Arc<dyn EventFeed>,
    /// Used by the relay only: use cases write events to the outbox.
    pub events: Arc<dyn EventPublisher>,
    pub email: Arc<dyn EmailSender>,
    pub email_composer: Arc<dyn EmailComposer>,
    pub clock: Arc<dyn Clock>,
    /// Token buckets for the HTTP layer's rate limiter (no use case takes from them).
    pub rate_limits: Arc<dyn RateLimitStore>,
    pub settings: IdentitySettings,
    pub jobs: JobPorts,
}

/// What the scheduled jobs and the health of the async machinery need.
#[derive(Clone)]
pub struct JobPorts {
    pub runs: Arc<dyn JobRuns>,
    pub queues: Arc<dyn QueueMetrics>,
    pub expiry_notices: Arc<dyn SessionExpiryNotices>,
    pub expired: Arc<dyn ExpiredItems>,
}
