use std::{collections::BTreeSet, sync::Arc};

use dashtam_domain::identity::{
    entities::{Role, User},
    ports::{
        AccessTokenService, DeviceDetector, OneTimeTokenRepository, OpaqueTokens, PasswordHasher,
        SecurityConfigRepository, SessionExpiryNotices, SessionRepository, UserRepository,
    },
};

use super::Unwired;

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

/// Users, sessions, one-time tokens, the security configuration, and the services that
/// hash passwords and mint tokens.
#[derive(Clone)]
pub struct IdentityPorts {
    pub users: Arc<dyn UserRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    /// Sessions about to expire, for the scheduler's notices.
    pub expiry_notices: Arc<dyn SessionExpiryNotices>,
    pub security_config: Arc<dyn SecurityConfigRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub access_tokens: Arc<dyn AccessTokenService>,
    pub opaque_tokens: Arc<dyn OpaqueTokens>,
    pub devices: Arc<dyn DeviceDetector>,
    pub settings: IdentitySettings,
}

impl IdentityPorts {
    /// Every port answers "not wired": what a function that touches no identity data
    /// (the relay, the consumers) gets, and the base each mode's constructor fills in.
    pub fn unwired() -> Self {
        let unwired = Arc::new(Unwired("identity"));
        Self {
            users: unwired.clone(),
            one_time_tokens: unwired.clone(),
            sessions: unwired.clone(),
            expiry_notices: unwired.clone(),
            security_config: unwired.clone(),
            hasher: unwired.clone(),
            access_tokens: unwired.clone(),
            opaque_tokens: unwired.clone(),
            devices: unwired,
            settings: IdentitySettings::default(),
        }
    }
}
