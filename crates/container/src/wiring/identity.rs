//! The identity bundle, over the table or in memory: users, one-time tokens, sessions,
//! the security configuration, and the services that hash and mint.

use std::sync::Arc;

use dashtam_application::{IdentityPorts, IdentitySettings};
use dashtam_domain::identity::ports::{AccessTokenService, PasswordHasher};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoJobStore, DynamoOneTimeTokenRepository, DynamoSecurityConfigRepository,
        DynamoSessionRepository, DynamoUserRepository, Table,
    },
    memory::MemoryStore,
    security::{Argon2Hasher, RandomOpaqueTokens, WootheeDeviceDetector},
};

/// How long an access token lives (15 minutes).
pub(super) const ACCESS_TOKEN_TTL_SECONDS: i64 = 900;

/// The identity bundle over the DynamoDB table.
pub fn identity_over_table(
    table: &Table,
    access_tokens: Arc<dyn AccessTokenService>,
    settings: IdentitySettings,
) -> IdentityPorts {
    IdentityPorts {
        users: Arc::new(DynamoUserRepository::from_table(table.clone())),
        one_time_tokens: Arc::new(DynamoOneTimeTokenRepository::from_table(table.clone())),
        sessions: Arc::new(DynamoSessionRepository::from_table(table.clone())),
        expiry_notices: Arc::new(DynamoJobStore::from_table(table.clone())),
        security_config: Arc::new(DynamoSecurityConfigRepository::from_table(table.clone())),
        ..services(Arc::new(Argon2Hasher::new()), access_tokens, settings)
    }
}

/// The identity bundle over the in-memory store.
pub(super) fn identity_in_memory(
    store: &Arc<MemoryStore>,
    access_tokens: Arc<dyn AccessTokenService>,
    hasher: Arc<dyn PasswordHasher>,
    settings: IdentitySettings,
) -> IdentityPorts {
    IdentityPorts {
        users: store.clone(),
        one_time_tokens: store.clone(),
        sessions: store.clone(),
        expiry_notices: store.clone(),
        security_config: store.clone(),
        ..services(hasher, access_tokens, settings)
    }
}

/// What every mode shares: the services that hash and mint, and the settings; the
/// stored ports are left unwired for the mode to set.
fn services(
    hasher: Arc<dyn PasswordHasher>,
    access_tokens: Arc<dyn AccessTokenService>,
    settings: IdentitySettings,
) -> IdentityPorts {
    IdentityPorts {
        hasher,
        access_tokens,
        opaque_tokens: Arc::new(RandomOpaqueTokens::new()),
        devices: Arc::new(WootheeDeviceDetector::new()),
        settings,
        ..IdentityPorts::unwired()
    }
}
